//! How long a browser may keep a static file without asking again.
//!
//! trunk names every file it builds from the app after a hash of its content
//! (`threshold-app-6625ddde18868a11_bg.wasm`, `main-7f2a0cfc3ed311a.css`): a new build gets a
//! new name, so such a file can be kept for a year and never revalidated. Everything else
//! (`index.html`, `sw.js`, the manifest, icons) keeps its name across builds and must be
//! revalidated on every use, or a visitor would keep running an old app.

use axum::http::HeaderValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CachePolicy {
    /// Content-hashed: the same name always means the same bytes.
    Immutable,
    /// Stable name: ask the server (`If-Modified-Since` / `If-None-Match`) before each use.
    Revalidate,
}

impl CachePolicy {
    /// The policy for the last segment of a path.
    pub fn for_file(name: &str) -> Self {
        if is_content_hashed(name) {
            CachePolicy::Immutable
        } else {
            CachePolicy::Revalidate
        }
    }

    pub fn header_value(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            CachePolicy::Immutable => "public, max-age=31536000, immutable",
            CachePolicy::Revalidate => "no-cache",
        })
    }
}

/// Shortest hash trunk writes: a 64-bit hash in hex without leading zeros is almost always at
/// least this long, and no hand-named file here ends in eight hex digits.
const MIN_HASH_DIGITS: usize = 8;

/// `<name>-<hex hash>[_bg].<ext>`, as trunk names its output.
fn is_content_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((base, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    !base.is_empty()
        && (MIN_HASH_DIGITS..=16).contains(&hash.len())
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_outputs_are_immutable_and_stable_names_revalidate() {
        for hashed in [
            "threshold-app-6625ddde18868a11_bg.wasm",
            "threshold-app-6625ddde18868a11.js",
            "main-7f2a0cfc3ed311a.css",
        ] {
            assert_eq!(
                CachePolicy::for_file(hashed),
                CachePolicy::Immutable,
                "{hashed}"
            );
        }
        for stable in [
            "index.html",
            "sw.js",
            "manifest.webmanifest",
            "favicon.svg",
            "icon-192.png",
            "icon-maskable-512.png",
            "report-2024.pdf",
            "-6625ddde18868a11.js",
        ] {
            assert_eq!(
                CachePolicy::for_file(stable),
                CachePolicy::Revalidate,
                "{stable}"
            );
        }
    }
}

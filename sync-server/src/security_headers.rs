//! Headers that make the served app harder to attack: a content security policy that allows
//! exactly the app's own scripts (and WebAssembly), no framing, no sniffing, no referrers.
//!
//! trunk writes the app's loader as an inline module script, so the policy names that script
//! by its SHA-256 instead of allowing inline scripts in general. The hash is computed from the
//! index.html actually served, so a rebuilt app never meets a stale policy.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Headers for every response.
pub fn common() -> [(HeaderName, HeaderValue); 5] {
    [
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
        ),
    ]
}

/// The largest HTML body the policy layer reads to hash its scripts. The app's page is a few
/// KiB; anything bigger is not ours and gets a policy that runs no script at all.
const MAX_HTML_BYTES: usize = 1024 * 1024;

/// For a response whose body cannot be read: nothing may run, load or frame it.
const NOTHING_RUNS: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Middleware: every `text/html` response gets the page's content security policy, whichever
/// route or file service produced it. Paths such as `/%69ndex.html`, `/index.html/`,
/// `//index.html` reach the page through the static file service, not the page route, so the
/// policy belongs here, where no future route can forget it. The body is read to hash exactly
/// the inline scripts it carries.
pub async fn html_policy(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    if !is_html
        || response
            .headers()
            .contains_key(header::CONTENT_SECURITY_POLICY)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let (policy, body) = match axum::body::to_bytes(body, MAX_HTML_BYTES).await {
        Ok(bytes) => (
            content_security_policy(&String::from_utf8_lossy(&bytes)),
            Body::from(bytes),
        ),
        Err(_) => {
            // Too large or unreadable: not a page of ours; serve nothing rather than a page
            // without a policy.
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_SECURITY_POLICY, NOTHING_RUNS)],
                "this page could not be served",
            )
                .into_response();
        }
    };
    let value =
        HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static(NOTHING_RUNS));
    parts.headers.insert(header::CONTENT_SECURITY_POLICY, value);
    // The body may have been a file stream with its own length; it is whole now.
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

/// The content security policy for an HTML page, allowing its inline scripts by hash.
pub fn content_security_policy(html: &str) -> String {
    let hashes: Vec<String> = inline_scripts(html)
        .into_iter()
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
         object-src 'none'; frame-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        hashes.join(" ")
    )
}

/// The text of every `<script>` without a `src`, exactly as the browser hashes it.
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_start = open_end + 1;
        let Some(close) = after[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            scripts.push(&after[body_start..body_start + close]);
        }
        rest = &after[body_start + close..];
    }
    scripts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_allowed_by_hash_and_nothing_else_inline() {
        let html = "<head><script type=\"module\">\nimport init from '/app.js';\n</script>\
                    <script src=\"/other.js\"></script></head>";
        let csp = content_security_policy(html);
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"\nimport init from '/app.js';\n"));
        assert!(csp.contains(&format!("'sha256-{expected}'")), "{csp}");
        assert_eq!(csp.matches("'sha256-").count(), 1);
        assert_eq!(
            csp.matches("'unsafe-inline'").count(),
            1,
            "inline styles only: {csp}"
        );
        assert!(csp.contains("style-src 'self' 'unsafe-inline'"));
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}

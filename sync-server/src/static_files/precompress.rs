//! `sync-server compress <dir>`: the build step that writes a brotli (`.br`) and a gzip (`.gz`)
//! copy beside every compressible file of the built app, so the relay sends a phone a third of
//! the bytes without compressing anything per request.
//!
//! Each copy is written to a temporary name and renamed, so it is never seen half-written and
//! is always newer than its source; the server sends a copy only while that holds (see
//! [`super::fresh_copies`]). A copy that would not be smaller than its source is not kept.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::encoding::Encoding;

/// What the build compresses: text and WebAssembly. Images and fonts are compressed already.
const COMPRESSIBLE: [&str; 8] = [
    "wasm",
    "js",
    "mjs",
    "css",
    "html",
    "svg",
    "webmanifest",
    "json",
];

/// One file and the sizes of its copies, for the build's report.
#[derive(Debug, Clone)]
pub struct Compressed {
    pub path: PathBuf,
    pub plain: u64,
    pub brotli: Option<u64>,
    pub gzip: Option<u64>,
}

/// Compress every compressible file under `dir`, replacing older copies, and remove copies
/// whose source is gone.
pub fn compress_dir(dir: &Path) -> io::Result<Vec<Compressed>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut done = Vec::new();
    for path in files {
        let name = path.to_string_lossy();
        if let Some(source) = Encoding::COMPRESSED
            .iter()
            .find_map(|e| name.strip_suffix(e.suffix().unwrap_or_default()))
        {
            if !Path::new(source).exists() {
                fs::remove_file(&path)?;
            }
            continue;
        }
        if !is_compressible(&path) {
            continue;
        }
        let plain = fs::read(&path)?;
        let brotli = keep_if_smaller(&path, Encoding::Brotli, &plain, brotli(&path, &plain)?)?;
        let gzip = keep_if_smaller(&path, Encoding::Gzip, &plain, gzip(&plain)?)?;
        done.push(Compressed {
            path,
            plain: plain.len() as u64,
            brotli,
            gzip,
        });
    }
    Ok(done)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(&entry.path(), files)?;
        } else if kind.is_file() {
            files.push(entry.path());
        }
    }
    Ok(())
}

fn is_compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.contains(&e.to_ascii_lowercase().as_str()))
}

/// Path of the copy of `source` in `encoding`.
pub fn copy_path(source: &Path, encoding: Encoding) -> Option<PathBuf> {
    let suffix = encoding.suffix()?;
    let mut name = source.as_os_str().to_owned();
    name.push(suffix);
    Some(PathBuf::from(name))
}

fn keep_if_smaller(
    source: &Path,
    encoding: Encoding,
    plain: &[u8],
    compressed: Vec<u8>,
) -> io::Result<Option<u64>> {
    let Some(target) = copy_path(source, encoding) else {
        return Ok(None);
    };
    if compressed.len() >= plain.len() {
        match fs::remove_file(&target) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => return Ok(None),
        }
    }
    let mut temporary = target.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    fs::write(&temporary, &compressed)?;
    fs::rename(&temporary, &target)?;
    Ok(Some(compressed.len() as u64))
}

/// Brotli at its best quality and largest window: built once, downloaded by every visitor.
fn brotli(path: &Path, plain: &[u8]) -> io::Result<Vec<u8>> {
    let wasm = path.extension().is_some_and(|e| e == "wasm");
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        mode: if wasm {
            brotli::enc::backward_references::BrotliEncoderMode::BROTLI_MODE_GENERIC
        } else {
            brotli::enc::backward_references::BrotliEncoderMode::BROTLI_MODE_TEXT
        },
        size_hint: plain.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(plain.len() / 3);
    brotli::BrotliCompress(&mut &plain[..], &mut out, &params)?;
    Ok(out)
}

fn gzip(plain: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(plain.len() / 3),
        flate2::Compression::best(),
    );
    encoder.write_all(plain)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn writes_copies_that_decode_to_the_source_and_skips_images() {
        let dir = tempfile::tempdir().unwrap();
        let text = "function hello() { return 'hello'; }\n".repeat(200);
        fs::write(dir.path().join("app.js"), &text).unwrap();
        fs::create_dir(dir.path().join("icons")).unwrap();
        fs::write(dir.path().join("icons/icon.png"), [0u8; 64]).unwrap();
        fs::write(dir.path().join("tiny.json"), "{}").unwrap();
        fs::write(dir.path().join("gone.js.br"), "stale").unwrap();
        let report = compress_dir(dir.path()).unwrap();
        assert_eq!(report.len(), 2, "{report:?}");

        let mut decoded = String::new();
        brotli::Decompressor::new(&fs::read(dir.path().join("app.js.br")).unwrap()[..], 4096)
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, text);
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(&fs::read(dir.path().join("app.js.gz")).unwrap()[..])
            .read_to_string(&mut decoded)
            .unwrap();
        assert_eq!(decoded, text);

        assert!(!dir.path().join("icons/icon.png.br").exists());
        // Two bytes do not get smaller; a copy of a removed file is removed.
        assert!(!dir.path().join("tiny.json.br").exists());
        assert!(!dir.path().join("gone.js.br").exists());
    }
}

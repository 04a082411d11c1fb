//! The built app as the relay serves it over a real socket: compressed copies chosen by
//! `Accept-Encoding`, caching by name, and nothing that worked before (HEAD, ranges, the page's
//! content security policy, refusing paths outside the app) broken by either.

mod common;

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use common::{request, Relay, RELAY_BIN};

const HASHED_JS: &str = "threshold-app-6625ddde18868a11.js";
const PAGE: &str = "<!doctype html><title>Threshold</title><script type=\"module\">import '/threshold-app-6625ddde18868a11.js';</script><p>Opening your portal</p>";

fn script() -> String {
    "export function greet(name) { return `hello ${name}`; }\n".repeat(400)
}

/// A built app with compressed copies, written by the real `sync-server compress`.
fn site(root: &Path) -> std::path::PathBuf {
    let dir = root.join("dist");
    fs::create_dir_all(&dir).unwrap();
    fs::create_dir_all(root.join("data")).unwrap();
    fs::write(dir.join("index.html"), PAGE.repeat(20)).unwrap();
    fs::write(dir.join(HASHED_JS), script()).unwrap();
    fs::write(
        dir.join("manifest.webmanifest"),
        format!(
            "{{\"name\": \"Threshold\", \"pad\": \"{}\"}}",
            "x".repeat(2000)
        ),
    )
    .unwrap();
    let status = Command::new(RELAY_BIN)
        .arg("compress")
        .arg(&dir)
        .status()
        .expect("compress runs");
    assert!(status.success());
    assert!(dir.join(format!("{HASHED_JS}.br")).exists());
    assert!(dir.join(format!("{HASHED_JS}.gz")).exists());
    dir
}

/// A relay serving a fresh [`site`]; `root` holds both and is removed when dropped.
struct Served {
    root: tempfile::TempDir,
    dist: std::path::PathBuf,
    relay: Relay,
}

fn served() -> Served {
    let root = tempfile::tempdir().unwrap();
    let dist = site(root.path());
    let relay = Relay::start(&root.path().join("data"), Some(&dist));
    Served { root, dist, relay }
}

fn get(relay: &Relay, path: &str, headers: &[(&str, &str)]) -> (u16, String, Vec<u8>) {
    request(relay.port, "GET", path, None, headers, b"")
}

/// The value of a response header, lower-cased name.
fn header(head: &str, name: &str) -> Option<String> {
    head.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_owned())
    })
}

fn unbrotli(body: &[u8]) -> String {
    let mut text = String::new();
    brotli::Decompressor::new(body, 4096)
        .read_to_string(&mut text)
        .expect("valid brotli");
    text
}

fn ungzip(body: &[u8]) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(body)
        .read_to_string(&mut text)
        .expect("valid gzip");
    text
}

#[test]
fn brotli_is_preferred_gzip_when_only_gzip_and_plain_when_neither() {
    let Served {
        root: _root,
        dist,
        relay,
    } = served();
    let path = format!("/{HASHED_JS}");

    let (status, head, body) = get(
        &relay,
        &path,
        &[("Accept-Encoding", "gzip, deflate, br, zstd")],
    );
    assert_eq!(status, 200, "{head}");
    assert_eq!(
        header(&head, "content-encoding").as_deref(),
        Some("br"),
        "{head}"
    );
    assert_eq!(unbrotli(&body), script());
    assert_eq!(
        header(&head, "content-length"),
        Some(
            fs::metadata(dist.join(format!("{HASHED_JS}.br")))
                .unwrap()
                .len()
                .to_string()
        )
    );
    assert!(
        header(&head, "content-type")
            .unwrap()
            .contains("javascript"),
        "{head}"
    );
    assert!(header(&head, "vary")
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));

    let (_, head, body) = get(&relay, &path, &[("Accept-Encoding", "gzip")]);
    assert_eq!(
        header(&head, "content-encoding").as_deref(),
        Some("gzip"),
        "{head}"
    );
    assert_eq!(ungzip(&body), script());
    assert!(header(&head, "vary")
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));

    let (_, head, body) = get(&relay, &path, &[]);
    assert_eq!(header(&head, "content-encoding"), None, "{head}");
    assert_eq!(String::from_utf8(body).unwrap(), script());
    assert_eq!(
        header(&head, "content-length"),
        Some(script().len().to_string())
    );
    assert!(header(&head, "vary")
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));
}

#[test]
fn a_refusal_with_q_zero_is_honoured() {
    let Served {
        root: _root, relay, ..
    } = served();
    let path = format!("/{HASHED_JS}");

    let (_, head, body) = get(&relay, &path, &[("Accept-Encoding", "br;q=0, gzip")]);
    assert_eq!(
        header(&head, "content-encoding").as_deref(),
        Some("gzip"),
        "{head}"
    );
    assert_eq!(ungzip(&body), script());

    let (_, head, body) = get(&relay, &path, &[("Accept-Encoding", "br;q=0, gzip;q=0")]);
    assert_eq!(header(&head, "content-encoding"), None, "{head}");
    assert_eq!(String::from_utf8(body).unwrap(), script());

    let (_, head, _) = get(&relay, &path, &[("Accept-Encoding", "gzip;q=1, br;q=0.5")]);
    assert_eq!(
        header(&head, "content-encoding").as_deref(),
        Some("gzip"),
        "{head}"
    );
}

#[test]
fn hashed_files_are_immutable_and_everything_else_is_revalidated() {
    let Served {
        root: _root, relay, ..
    } = served();

    let (_, head, _) = get(
        &relay,
        &format!("/{HASHED_JS}"),
        &[("Accept-Encoding", "br")],
    );
    assert_eq!(
        header(&head, "cache-control").as_deref(),
        Some("public, max-age=31536000, immutable"),
        "{head}"
    );
    let (_, head, _) = get(
        &relay,
        "/manifest.webmanifest",
        &[("Accept-Encoding", "br")],
    );
    assert_eq!(
        header(&head, "cache-control").as_deref(),
        Some("no-cache"),
        "{head}"
    );
    let modified = header(&head, "last-modified").expect("a validator");
    let (status, head, _) = get(
        &relay,
        "/manifest.webmanifest",
        &[("Accept-Encoding", "br"), ("If-Modified-Since", &modified)],
    );
    assert_eq!(status, 304, "{head}");

    for page in ["/", "/index.html", "/portal/some/deep/link"] {
        let (status, head, _) = get(&relay, page, &[("Accept-Encoding", "br")]);
        assert_eq!(status, 200, "{page}: {head}");
        assert_eq!(
            header(&head, "cache-control").as_deref(),
            Some("no-cache"),
            "{head}"
        );
        let etag = header(&head, "etag").expect("a validator");
        let (status, head, body) = get(
            &relay,
            page,
            &[("Accept-Encoding", "br"), ("If-None-Match", &etag)],
        );
        assert_eq!(status, 304, "{page}: {head}");
        assert!(body.is_empty());
    }
}

#[test]
fn the_page_is_compressed_and_keeps_its_content_security_policy() {
    let Served {
        root: _root, relay, ..
    } = served();
    let expected =
        threshold_sync_server::security_headers::content_security_policy(&PAGE.repeat(20));
    assert!(expected.contains("'sha256-"));

    let (_, head, body) = get(&relay, "/", &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(
        header(&head, "content-encoding").as_deref(),
        Some("br"),
        "{head}"
    );
    assert_eq!(unbrotli(&body), PAGE.repeat(20));
    assert_eq!(
        header(&head, "content-security-policy"),
        Some(expected.clone())
    );
    assert_eq!(
        header(&head, "content-length"),
        Some(body.len().to_string())
    );

    // Reached through the file service, the page goes out plain, and the policy layer hashes it.
    let (status, head, body) = get(&relay, "/%69ndex.html", &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(status, 200, "{head}");
    assert_eq!(header(&head, "content-encoding"), None, "{head}");
    assert_eq!(String::from_utf8(body).unwrap(), PAGE.repeat(20));
    assert_eq!(header(&head, "content-security-policy"), Some(expected));
}

#[test]
fn head_and_byte_ranges_still_work() {
    let Served {
        root: _root,
        dist,
        relay,
    } = served();
    let path = format!("/{HASHED_JS}");

    let (status, head, body) = request(
        relay.port,
        "HEAD",
        &path,
        None,
        &[("Accept-Encoding", "br")],
        b"",
    );
    assert_eq!(status, 200, "{head}");
    assert!(body.is_empty());
    assert_eq!(
        header(&head, "content-encoding").as_deref(),
        Some("br"),
        "{head}"
    );
    assert_eq!(
        header(&head, "content-length"),
        Some(
            fs::metadata(dist.join(format!("{HASHED_JS}.br")))
                .unwrap()
                .len()
                .to_string()
        )
    );

    // A range counts bytes of the plain file, whatever the browser would accept.
    let (status, head, body) = get(
        &relay,
        &path,
        &[("Accept-Encoding", "gzip, br"), ("Range", "bytes=7-14")],
    );
    assert_eq!(status, 206, "{head}");
    assert_eq!(header(&head, "content-encoding"), None, "{head}");
    assert_eq!(body, script().as_bytes()[7..=14]);
    assert_eq!(
        header(&head, "content-range"),
        Some(format!("bytes 7-14/{}", script().len()))
    );
}

#[test]
fn a_copy_older_than_its_source_is_never_sent() {
    let Served {
        root: _root,
        dist,
        relay,
    } = served();
    let path = format!("/{HASHED_JS}");
    let source = dist.join(HASHED_JS);
    fs::write(&source, "export const rebuilt = true;\n".repeat(100)).unwrap();
    let later = SystemTime::now() + Duration::from_secs(5);
    fs::File::options()
        .write(true)
        .open(&source)
        .unwrap()
        .set_modified(later)
        .unwrap();

    let (status, head, body) = get(&relay, &path, &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(status, 200, "{head}");
    assert_eq!(header(&head, "content-encoding"), None, "{head}");
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "export const rebuilt = true;\n".repeat(100)
    );

    fs::write(dist.join("index.html"), "<title>rebuilt</title>").unwrap();
    fs::File::options()
        .write(true)
        .open(dist.join("index.html"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    let (_, head, body) = get(&relay, "/", &[("Accept-Encoding", "gzip, br")]);
    assert_eq!(header(&head, "content-encoding"), None, "{head}");
    assert_eq!(String::from_utf8(body).unwrap(), "<title>rebuilt</title>");
}

#[test]
fn paths_outside_the_app_are_still_refused() {
    let root = tempfile::tempdir().unwrap();
    let dist = site(root.path());
    fs::write(root.path().join("secret.txt"), "the relay's secret").unwrap();
    fs::write(root.path().join("secret.txt.br"), "the relay's secret").unwrap();
    let relay = Relay::start(&root.path().join("data"), Some(&dist));
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/dist/../../secret.txt",
    ] {
        // Answered with the app's page (compressed, as the page may be), never the file or its
        // copy (which is not even valid brotli).
        let (status, head, body) = get(&relay, path, &[("Accept-Encoding", "br, gzip")]);
        assert_eq!(status, 200, "{path}: {head}");
        assert_eq!(
            header(&head, "content-encoding").as_deref(),
            Some("br"),
            "{path}: {head}"
        );
        assert_eq!(unbrotli(&body), PAGE.repeat(20), "{path}");
        let (_, head, body) = get(&relay, path, &[]);
        let body = String::from_utf8_lossy(&body);
        assert!(!body.contains("secret"), "{path}: {head}\n{body}");
    }
}

#[test]
fn a_missing_file_of_the_build_is_not_found_rather_than_the_page() {
    let Served {
        root: _root, relay, ..
    } = served();
    let (status, head, _) = get(&relay, "/threshold-app-0123456789abcdef_bg.wasm", &[]);
    assert_eq!(status, 404, "{head}");
    let (status, _, body) = get(&relay, "/portal/deep/link", &[]);
    assert_eq!(status, 200);
    assert!(String::from_utf8(body)
        .unwrap()
        .contains("Opening your portal"));
}

#[test]
fn the_branded_manifest_is_the_builds_in_the_name_and_colour_asked_and_refuses_nonsense() {
    let Served {
        root: _root, relay, ..
    } = served();
    let (status, head, body) = get(
        &relay,
        "/app.webmanifest?name=Acme%20Design%20Studio&theme=%23C0FFEE",
        &[],
    );
    assert_eq!(status, 200, "{head}");
    assert_eq!(
        header(&head, "content-type").as_deref(),
        Some("application/manifest+json")
    );
    assert_eq!(header(&head, "cache-control").as_deref(), Some("no-cache"));
    let manifest: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(manifest["name"], "Acme Design Studio");
    assert_eq!(manifest["theme_color"], "#c0ffee");
    // The rest is the built app's manifest.
    assert_eq!(manifest["pad"], "x".repeat(2000));
    for bad in [
        "/app.webmanifest",
        "/app.webmanifest?name=",
        "/app.webmanifest?name=Acme&theme=red",
    ] {
        let (status, head, body) = get(&relay, bad, &[]);
        assert_eq!(status, 400, "{bad}: {head}");
        let error: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(error["error"].as_str().is_some(), "{bad}: {error}");
    }
}

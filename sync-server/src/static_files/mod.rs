//! The built app (trunk's `dist/`): its page for `/` and every address that is not a file, the
//! service worker, and every other file, each sent in the smallest form the browser accepts
//! (the brotli or gzip copy `sync-server compress` wrote, see [`precompress`]) with a caching
//! policy by name (see [`cache_policy`]).
//!
//! tower-http's `ServeDir` does the file serving (paths, ranges, `HEAD`, `If-Modified-Since`);
//! this module decides the encoding before it runs, by rewriting the request's
//! `Accept-Encoding` to the one choice, because only here is it known whether a copy is fresh.

pub mod cache_policy;
pub mod encoding;
mod manifest;
pub mod precompress;

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

use crate::security_headers;
use cache_policy::CachePolicy;
use encoding::{negotiate, Encoding};

#[derive(Clone)]
struct StaticFiles {
    dir: Arc<Path>,
    serve: ServeDir,
}

/// Routes for the app in `dir`; everything no other route takes ends here.
pub fn routes(dir: PathBuf) -> Router {
    let files = StaticFiles {
        serve: ServeDir::new(&dir)
            .append_index_html_on_directories(false)
            .precompressed_br()
            .precompressed_gzip(),
        dir: dir.into(),
    };
    Router::new()
        .route("/", get(page))
        .route("/index.html", get(page))
        .route("/sw.js", get(service_worker))
        .route("/app.webmanifest", get(manifest::branded))
        .fallback(file)
        .with_state(files)
}

/// Files a page loads by name. One missing is a broken build, not a deep link: it gets a 404,
/// not the app's page, so the loader sees the failure for what it is.
const ASSET_EXTENSIONS: [&str; 10] = [
    "wasm",
    "js",
    "mjs",
    "css",
    "map",
    "json",
    "webmanifest",
    "svg",
    "png",
    "ico",
];

async fn file(State(files): State<StaticFiles>, mut request: Request) -> Response {
    let asked = request.headers().clone();
    let path = request.uri().path().to_owned();
    let name = decoded(&path)
        .and_then(|p| p.rsplit('/').next().map(str::to_owned))
        .unwrap_or_default();
    // HTML goes out plain: the policy layer reads it to hash its scripts. A range names bytes
    // of one representation; the plain file's is the one every client means.
    let plain_only = name.ends_with(".html") || asked.contains_key(header::RANGE);
    let encoding = match resolve(&files.dir, &path) {
        Some(source) if !plain_only => {
            let usable = fresh_copies(&source).await;
            negotiate(&asked, |e| usable.contains(&e))
        }
        _ => Encoding::Identity,
    };
    request
        .headers_mut()
        .insert(header::ACCEPT_ENCODING, encoding.header_value());
    let Ok(mut response) = files.serve.clone().oneshot(request).await;
    let status = response.status();
    if status == StatusCode::NOT_FOUND {
        let is_asset = name
            .rsplit_once('.')
            .is_some_and(|(_, ext)| ASSET_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()));
        if !is_asset {
            return index(&files.dir, &asked).await;
        }
    }
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if status.is_success() || status == StatusCode::NOT_MODIFIED {
        headers.insert(
            header::CACHE_CONTROL,
            CachePolicy::for_file(&name).header_value(),
        );
    }
    response.into_response()
}

/// The app's page for `/` and `/index.html`.
async fn page(State(files): State<StaticFiles>, headers: HeaderMap) -> Response {
    index(&files.dir, &headers).await
}

/// The app's page, compressed if the browser accepts it. Its content security policy is
/// computed here from the plain text, since the policy layer cannot hash a compressed body.
/// Validated by an `ETag` of its content: `Last-Modified` has one-second resolution, and a page
/// rebuilt within the second would otherwise be answered `304 Not Modified`.
async fn index(dir: &Path, asked: &HeaderMap) -> Response {
    let source = dir.join("index.html");
    let Ok(html) = tokio::fs::read_to_string(&source).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let policy = security_headers::content_security_policy(&html);
    let usable = fresh_copies(&source).await;
    let mut encoding = negotiate(asked, |e| usable.contains(&e));
    let mut body = None;
    if let Some(copy) = precompress::copy_path(&source, encoding) {
        body = tokio::fs::read(copy).await.ok();
    }
    let body = body.unwrap_or_else(|| {
        encoding = Encoding::Identity;
        html.clone().into_bytes()
    });
    let digest = hex::encode(&Sha256::digest(html.as_bytes())[..12]);
    let etag = format!("\"{digest}-{}\"", encoding.token());
    let mut response = if etag_matches(asked, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = body.into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        if encoding != Encoding::Identity {
            headers.insert(header::CONTENT_ENCODING, encoding.header_value());
        }
        if let Ok(policy) = HeaderValue::from_str(&policy) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        response
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        CachePolicy::Revalidate.header_value(),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

/// `If-None-Match` names this version (weak comparison, as RFC 9110 asks for it).
fn etag_matches(asked: &HeaderMap, etag: &str) -> bool {
    asked
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim())
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

/// The service worker script, always whole and never cached. Through the file service a new
/// build written within the same second as the last check would get `304 Not Modified`
/// (Last-Modified has one-second resolution), and browsers would keep the old version.
async fn service_worker(State(files): State<StaticFiles>) -> Response {
    match tokio::fs::read(files.dir.join("sw.js")).await {
        Ok(script) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            script,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The compressed copies of `source` that may be sent for it: those that exist and are not
/// older than it. A copy older than its source was made from something else.
async fn fresh_copies(source: &Path) -> Vec<Encoding> {
    let Ok(modified) = tokio::fs::metadata(source).await.and_then(|m| m.modified()) else {
        return Vec::new();
    };
    let mut usable = Vec::new();
    for encoding in Encoding::COMPRESSED {
        let Some(copy) = precompress::copy_path(source, encoding) else {
            continue;
        };
        if let Ok(copied) = tokio::fs::metadata(&copy).await.and_then(|m| m.modified()) {
            if copied >= modified {
                usable.push(encoding);
            }
        }
    }
    usable
}

fn decoded(path: &str) -> Option<String> {
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()
        .map(|p| p.into_owned())
}

/// The file a request path names inside `dir`, or `None` for anything but plain names (`..`,
/// absolute parts, NUL): only to look at its copies; `ServeDir` does its own checks to serve it.
fn resolve(dir: &Path, path: &str) -> Option<PathBuf> {
    let path = decoded(path)?;
    if path.contains('\0') {
        return None;
    }
    let relative = Path::new(path.trim_start_matches('/'));
    relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| dir.join(relative))
}

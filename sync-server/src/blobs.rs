//! `PUT /blobs/<sha256>` and `GET /blobs/<sha256>` (and `HEAD`): the portal's files, authorized
//! by the same tokens as `/sync`, sent as `Authorization: Bearer thr_…`.
//!
//! A provider token (owner or team) reaches every blob. A client token reaches only blobs its
//! own portal refers to (`threshold_model::portal::references_blob`, asked of the document as
//! the relay holds it, read from storage off the engine thread when it is not in memory);
//! anything else is `404`, exactly as a blob that does not exist. A
//! read-only token (an alumni client) may read but not write.
//!
//! `GET` serves byte ranges (`Range: bytes=…`, `206`, `416`). The app passes the file's name and
//! type from the document (`?name=…&type=…`): images, PDFs and plain text are served inline for
//! previews, everything else as an attachment, always with `nosniff` and a sandboxing content
//! security policy, because the relay serves the app on the same origin.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{FromRef, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use threshold_model::formats::percent_encode;
use threshold_model::portal::{clean_file_name, is_blob_hash, references_blob};
use tokio::sync::Semaphore;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::blob_store::{BlobError, BlobStore};
use crate::caller::Caller;
use crate::error::AppError;
use crate::hub::Hub;
use crate::rate_limit::HttpLimiter;
use crate::storage::Storage;
use crate::token::TokenRecord;
use crate::token_store::TokenStore;

#[derive(Clone)]
pub struct BlobState {
    pub tokens: TokenStore,
    pub hub: Hub,
    pub store: BlobStore,
    pub http: Arc<HttpLimiter>,
    /// The relay's documents, read off the engine thread when a portal is not in memory.
    pub docs: Arc<dyn Storage + Send + Sync>,
    /// How many portals may be read from storage at once for the file check: each read costs a
    /// whole load, so a burst of requests waits here instead of taking every core.
    pub stored_reads: Arc<Semaphore>,
}

/// Portals read from storage at once for the file check (see [`BlobState::stored_reads`]).
pub const STORED_READS: usize = 2;

impl FromRef<BlobState> for TokenStore {
    fn from_ref(state: &BlobState) -> TokenStore {
        state.tokens.clone()
    }
}

impl FromRef<BlobState> for Arc<HttpLimiter> {
    fn from_ref(state: &BlobState) -> Arc<HttpLimiter> {
        state.http.clone()
    }
}

pub fn routes(state: BlobState) -> Router {
    Router::new()
        .route("/blobs/{hash}", get(download).head(download).put(upload))
        .with_state(state)
}

/// Types a browser may show inline from this origin: they run no script.
const INLINE_TYPES: [&str; 7] = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "application/pdf",
    "text/plain",
];

#[derive(Deserialize)]
struct Served {
    name: Option<String>,
    #[serde(rename = "type")]
    mime: Option<String>,
}

enum Intent {
    Read,
    Write,
}

/// Whether the caller may reach the blob `hash` for `intent`. Everything it may not reach is
/// `NotFound`, so a client cannot learn which blobs exist.
async fn authorize(
    state: &BlobState,
    me: &TokenRecord,
    hash: &str,
    intent: Intent,
) -> Result<(), AppError> {
    if !is_blob_hash(hash) {
        return Err(AppError::BadRequest(
            "a blob is named by the SHA-256 of its content: 64 lowercase hex digits".into(),
        ));
    }
    if matches!(intent, Intent::Write) && me.read_only {
        return Err(AppError::Forbidden("this access is read-only".into()));
    }
    if me.is_provider() {
        return Ok(());
    }
    let Some(portal) = me.portal else {
        return Err(AppError::NotFound);
    };
    let wanted = hash.to_owned();
    let _permit = state.stored_reads.acquire().await.ok();
    let referenced = state
        .hub
        .inspect(portal, state.docs.clone(), move |doc| {
            doc.is_some_and(|d| references_blob(d, &wanted).unwrap_or(false))
        })
        .await
        .unwrap_or(false);
    if referenced {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn upload(
    State(state): State<BlobState>,
    Path(hash): Path<String>,
    Caller(me): Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, AppError> {
    authorize(&state, &me, &hash, Intent::Write).await?;
    let limit = state.store.max_bytes();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    if state.store.contains(&hash).await.map_err(blob_failure)? {
        return Ok(StatusCode::OK.into_response());
    }
    match state.store.put(&hash, body.into_data_stream()).await {
        Ok(size) => {
            tracing::info!(%hash, size, "stored a blob");
            Ok(StatusCode::CREATED.into_response())
        }
        Err(BlobError::TooLarge { limit }) => Err(too_large(limit)),
        Err(e @ BlobError::HashMismatch { .. }) => Err(AppError::BadRequest(e.to_string())),
        Err(e @ BlobError::Body(_)) => Err(AppError::BadRequest(e.to_string())),
        Err(e @ (BlobError::Database(_) | BlobError::DatabaseFull(_))) => Err(blob_failure(e)),
        Err(BlobError::Io(e)) => {
            tracing::error!(%hash, error = %e, "could not store a blob");
            let why = if e.raw_os_error() == Some(28) {
                "the relay's disk is full; nothing was kept".to_owned()
            } else {
                format!("{e}; nothing was kept")
            };
            Err(AppError::Storage(why))
        }
    }
}

/// A store that failed for a reason of its own, not the request's.
fn blob_failure(e: BlobError) -> AppError {
    tracing::error!(error = %e, "the blob store failed");
    match e {
        BlobError::Database(_) => {
            AppError::Storage("the database is unavailable; nothing was kept".into())
        }
        BlobError::DatabaseFull(_) => {
            AppError::Storage("the database's disk is full; nothing was kept".into())
        }
        other => AppError::Storage(other.to_string()),
    }
}

fn too_large(limit: u64) -> AppError {
    let size = match limit {
        n if n >= 1024 * 1024 => format!("{} MB", n / (1024 * 1024)),
        n if n >= 1024 => format!("{} KB", n / 1024),
        n => format!("{n} bytes"),
    };
    AppError::TooLarge(format!("files up to {size} can be shared here"))
}

async fn download(
    State(state): State<BlobState>,
    Path(hash): Path<String>,
    Query(served): Query<Served>,
    Caller(me): Caller,
    request: Request,
) -> Result<Response, AppError> {
    authorize(&state, &me, &hash, Intent::Read).await?;
    let Some(path) = state.store.local(&hash).await.map_err(blob_failure)? else {
        return Err(AppError::NotFound);
    };
    let mime = served
        .mime
        .filter(|m| is_plain_mime(m))
        .unwrap_or_else(|| "application/octet-stream".to_owned());
    let name = clean_file_name(served.name.as_deref().unwrap_or(&hash));
    let mut response = ServeFile::new(path)
        .oneshot(request)
        .await
        .map_err(|e| AppError::Storage(e.to_string()))?
        .map(Body::new);
    let inline = INLINE_TYPES.contains(&mime.as_str());
    let headers = response.headers_mut();
    let disposition = format!(
        "{}; filename=\"{}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        name.replace(
            |c: char| !c.is_ascii_graphic() && c != ' ' || c == '"' || c == '\\',
            "_"
        ),
        percent_encode(&name)
    );
    for (key, value) in [
        (header::CONTENT_TYPE, mime),
        (header::CONTENT_DISPOSITION, disposition),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
                .to_owned(),
        ),
        // Content never changes under its hash; only whoever may read it may cache it.
        (
            header::CACHE_CONTROL,
            "private, max-age=31536000, immutable".to_owned(),
        ),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(key, v);
        }
    }
    Ok(response.into_response())
}

/// A media type as `type/subtype`, nothing else (no parameters, no header tricks).
fn is_plain_mime(m: &str) -> bool {
    let Some((kind, sub)) = m.split_once('/') else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    };
    ok(kind) && ok(sub)
}

//! The relay's HTTP surface: `/sync`, `/healthz`, and the built app.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use axum::extract::{Query, State, WebSocketUpgrade};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use threshold_protocol::{EngineConfig, PeerId};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;

use crate::connection::{self, Access};
use crate::error::AppError;
use crate::hub::{Hub, HubThread};
use crate::storage::FsStorage;

/// The largest frame accepted. Document frames carry whole sync messages, so this is generous.
pub const MAX_FRAME_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: std::net::IpAddr,
    pub port: u16,
    pub data_dir: PathBuf,
    pub static_dir: Option<PathBuf>,
}

#[derive(Clone)]
struct AppState {
    hub: Hub,
    static_dir: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
struct SyncParams {
    #[allow(dead_code)]
    token: Option<String>,
}

/// The single place where a WebSocket is admitted. The access issue adds token checks here.
fn authorize(_params: &SyncParams) -> Result<Access, AppError> {
    Ok(Access)
}

async fn sync_socket(
    State(state): State<AppState>,
    Query(params): Query<SyncParams>,
    ws: WebSocketUpgrade,
) -> Result<Response, AppError> {
    let access = authorize(&params)?;
    let hub = state.hub.clone();
    Ok(ws
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| connection::run(hub, socket, access))
        .into_response())
}

async fn healthz() -> &'static str {
    "ok"
}

/// The service worker script, always whole and never cached. Through the static file service a
/// new build written within the same second as the last check would get `304 Not Modified`
/// (Last-Modified has one-second resolution), and browsers would keep the old version.
async fn service_worker(State(state): State<AppState>) -> Response {
    let Some(dir) = state.static_dir else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(dir.join("sw.js")).await {
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

fn router(hub: Hub, static_dir: Option<&Path>) -> Router {
    let router = Router::new()
        .route("/sync", get(sync_socket))
        .route("/healthz", get(healthz))
        .route("/sw.js", get(service_worker))
        .with_state(AppState {
            hub,
            static_dir: static_dir.map(Path::to_owned),
        });
    let router = match static_dir {
        // Unknown paths get the app's index.html, so deep links open the app.
        Some(dir) => router
            .fallback_service(ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))),
        None => router,
    };
    router.layer(TraceLayer::new_for_http())
}

/// The relay keeps a stable storage id in its data dir, so clients can keep sync states with it
/// across restarts.
fn storage_id(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("relay-storage-id");
    if let Ok(id) = std::fs::read_to_string(&path) {
        return Ok(id.trim().to_owned());
    }
    let id = uuid::Uuid::new_v4().to_string();
    std::fs::write(&path, &id)?;
    Ok(id)
}

pub async fn serve(options: ServeOptions) -> anyhow::Result<()> {
    let storage = FsStorage::open(&options.data_dir)?;
    let config = EngineConfig::relay(PeerId::random("relay"), storage_id(&options.data_dir)?);
    let engine = HubThread::spawn(config, Box::new(storage))?;
    if let Some(dir) = &options.static_dir {
        if !dir.join("index.html").exists() {
            tracing::warn!(dir = %dir.display(), "no index.html in the static dir; only /sync is served");
        }
    }
    let app = router(engine.hub(), options.static_dir.as_deref());
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!(%local, data_dir = %options.data_dir.display(), "relay listening");
    // The line tests and scripts wait for; keep its shape.
    println!("Threshold relay listening on http://{local}");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(());
    });
    // On a signal, close every socket through the engine (they would keep the server open),
    // let it finish queued writes, then let axum finish.
    let engine_stop = tokio::spawn(async move {
        let _ = stop_rx.await;
        tokio::task::spawn_blocking(move || engine.shutdown()).await
    });
    server.await?;
    engine_stop.await??;
    tracing::info!("relay stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

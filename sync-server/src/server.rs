//! The relay's HTTP surface: `/sync` (admitted by [`SocketCaller`]), `/api`, `/blobs`,
//! `/healthz`, and the built app (`static_files`) with security headers.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use threshold_model::access::{NewToken, Role};
use threshold_protocol::{EngineConfig, PeerId};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::api::{self, ApiState};
use crate::authors::AuthorBook;
use crate::blob_store::BlobStore;
use crate::blobs::{self, BlobState};
use crate::caller::SocketCaller;
use crate::client_address::TrustedProxies;
use crate::clock::{self, Clock, ClockState};
use crate::connection::{self, Limits};
use crate::cooldown::Cooldown;
use crate::history_budget::{HistoryBook, HistoryLimits};
use crate::hub::{Admitted, Hub, HubThread};
use crate::listener::{self, ListenerLimits};
use crate::mail::{self as mail_mod, Mail, MailConfig};
use crate::postgres::{self as pg, PgStorage, Pool};
use crate::presence::Presence;
use crate::rate_limit::{HttpLimiter, RateLimit, RateLimiter};
use crate::security_headers;
use crate::sign_in::{self, routes::SignInState, SignInLinks};
use crate::socket_caps::{SocketCaps, SocketLimits};
use crate::staged::Staged;
use crate::static_files;
use crate::storage::{FsStorage, Storage};
use crate::token_store::{TokenStore, ACCESS_CHANNEL};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: std::net::IpAddr,
    pub port: u16,
    pub data_dir: PathBuf,
    /// `postgres://…`: documents, their records and tokens in PostgreSQL, shared with every
    /// relay on the same database. `None` keeps them in the data dir.
    pub database_url: Option<String>,
    pub static_dir: Option<PathBuf>,
    /// The address people open, for the owner link printed at first start.
    pub public_url: Option<String>,
    pub limits: RelayLimits,
    /// The largest file `PUT /blobs/…` accepts, in bytes.
    pub max_blob_bytes: u64,
    /// How to send mail; `None` sends none (and the app says email is off).
    pub mail: Option<MailConfig>,
    /// Where scheduled mail takes its time from: the system's, or a test clock.
    pub clock: Clock,
    /// Proxies whose `X-Forwarded-For` names the client (see `client_address`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// Files up to 50 MB, unless the relay is started with another limit.
pub const DEFAULT_MAX_BLOB_BYTES: u64 = 50 * 1024 * 1024;

/// What one peer may cost the relay. Every limit ends in a clear error and a closed socket.
#[derive(Debug, Clone, Copy)]
pub struct RelayLimits {
    /// The largest WebSocket message. Document frames carry whole sync messages.
    pub max_frame_bytes: usize,
    pub max_docs_per_conn: usize,
    pub messages_per_second: f64,
    pub message_burst: f64,
    /// Operations one change may carry, counted before it is applied (every writer).
    pub max_ops_per_change: usize,
    /// Operations one sync message may carry in all (a whole document: its whole history),
    /// counted the same way.
    pub max_ops_per_message: usize,
    /// History bytes a client token's admitted changes may add to its portal per UTC day, and
    /// in total. Providers are the business and are not limited by these.
    pub client_history_bytes_per_day: u64,
    pub client_history_bytes_total: u64,
    /// Requests per second (sustained, and at once) per token on `/api` and `/blobs`.
    pub http_per_second: f64,
    pub http_burst: f64,
    /// Requests per second without a valid token, all callers together: each costs a hash.
    pub unauthenticated_per_second: f64,
    /// Bytes waiting to be written to one connection before it counts as not reading.
    pub max_outbound_bytes: usize,
    /// How long an HTTP connection may take to send a complete request head, from when it
    /// opens or from its previous response (so also the idle keep-alive timeout).
    pub header_timeout: Duration,
    /// How often each WebSocket is pinged.
    pub ping_interval: Duration,
    /// A WebSocket from which nothing arrives for this long is closed.
    pub silence_timeout: Duration,
    /// WebSockets one token may hold open.
    pub max_sockets_per_token: usize,
    /// WebSockets open in all (an eighth of them kept for provider tokens).
    pub max_sockets: usize,
    /// TCP connections open in all, WebSockets included; lowered to fit the open-file limit.
    pub max_connections: usize,
    /// Connections that are not WebSockets (yet); the oldest idle one makes room for another.
    pub max_unauthenticated: usize,
    /// Ephemeral (presence) sessions remembered per connection, and in all.
    pub max_ephemeral_sessions_per_conn: usize,
    pub max_ephemeral_sessions: usize,
}

impl Default for RelayLimits {
    fn default() -> Self {
        Self {
            max_frame_bytes: 64 * 1024 * 1024,
            max_docs_per_conn: 4096,
            messages_per_second: 200.0,
            message_burst: 5000.0,
            max_ops_per_change: threshold_protocol::DEFAULT_MAX_OPS_PER_CHANGE,
            max_ops_per_message: threshold_protocol::DEFAULT_MAX_OPS_PER_MESSAGE,
            // A client writes messages, comments and form answers: kilobytes a day. Files are
            // blobs, not history. 16 MB a day and 256 MB in all leave room for years of that
            // and stop a portal being grown by 100 MB in seconds.
            client_history_bytes_per_day: 16 * 1024 * 1024,
            client_history_bytes_total: 256 * 1024 * 1024,
            // The app makes a handful of /api and /blobs calls per screen; a gallery of
            // previews is a burst of a few dozen.
            http_per_second: 20.0,
            http_burst: 100.0,
            unauthenticated_per_second: 20.0,
            // Several times a large portal's first sync, so a reading peer never meets it.
            max_outbound_bytes: 16 * 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(20),
            silence_timeout: Duration::from_secs(60),
            // A person's devices and tabs, or a client's few people sharing one token.
            max_sockets_per_token: 32,
            max_sockets: 1024,
            max_connections: 4096,
            max_unauthenticated: 512,
            max_ephemeral_sessions_per_conn: 16,
            max_ephemeral_sessions: 4096,
        }
    }
}

#[derive(Clone)]
struct AppState {
    hub: Hub,
    tokens: TokenStore,
    limits: Limits,
    sockets: Arc<SocketCaps>,
    presence: Presence,
    /// The database, when the relay keeps its state in one, and whether it is known down.
    database: Option<(Pool, pg::Health)>,
}

impl FromRef<AppState> for TokenStore {
    fn from_ref(state: &AppState) -> TokenStore {
        state.tokens.clone()
    }
}

/// Per-connection WebSocket read buffer and write batching size.
const SOCKET_BUFFER_BYTES: usize = 8 * 1024;

/// The single place where a WebSocket is admitted: the token decides what it may reach.
async fn sync_socket(
    State(state): State<AppState>,
    ws: WebSocketUpgrade,
    SocketCaller(record): SocketCaller,
) -> Response {
    let permit = match state.sockets.admit(&record.id, record.is_provider()) {
        Ok(permit) => permit,
        Err(refusal) => {
            tracing::info!(token = %record.id, %refusal, "refusing a connection");
            return refusal.into_response();
        }
    };
    let admitted = Admitted {
        token_id: record.id.clone(),
        access: record.access(),
        name: record.name.clone(),
        role: record.role,
    };
    let hub = state.hub.clone();
    let limits = state.limits.clone();
    // The WebSocket layer itself refuses anything far over the limit before buffering it; our
    // own check in `connection` gives the precise message for everything in between.
    let hard_cap = limits.max_frame_bytes.saturating_mul(2).max(1024);
    // Sync frames are small (a change is a few hundred bytes), and tungstenite's default 128 KiB
    // read buffer, allocated and zeroed per connection, was most of the relay's memory and a
    // tenth of its CPU under load. Buffers still grow for a large frame when one comes.
    ws.read_buffer_size(SOCKET_BUFFER_BYTES)
        .write_buffer_size(SOCKET_BUFFER_BYTES)
        .max_message_size(hard_cap)
        .max_frame_size(hard_cap)
        .on_upgrade(move |socket| async move {
            // Live for as long as the connection: what a digest counts as "seen in the app".
            let _here = state.presence.arrive(&admitted.token_id);
            connection::run(hub, socket, admitted, limits, state.tokens, permit).await
        })
}

/// `ok`, or with a database whether it answers: a load balancer takes a relay whose database is
/// unreachable out of rotation (503), since it can acknowledge no change.
async fn healthz(State(state): State<AppState>) -> Response {
    let Some((pool, health)) = state.database else {
        return "ok".into_response();
    };
    match tokio::task::spawn_blocking(move || pg::reachable(&pool, &health)).await {
        Ok(true) => "ok\ndatabase: reachable".into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database: unreachable").into_response(),
    }
}

fn router(
    state: AppState,
    static_dir: Option<PathBuf>,
    api: ApiState,
    blobs: BlobState,
    mail: Option<Mail>,
    sign_in: SignInState,
    clock: ClockState,
) -> Router {
    let mut router = Router::new()
        .route("/sync", get(sync_socket))
        .route("/healthz", get(healthz))
        .with_state(state.clone())
        .merge(api::routes(api))
        .merge(blobs::routes(blobs))
        .merge(mail_mod::routes::routes(mail))
        .merge(sign_in::routes::routes(sign_in))
        .merge(clock::routes(clock));
    if let Some(dir) = static_dir {
        router = router.merge(static_files::routes(dir));
    }
    // Spans name the path only: the query string of `/sync` carries the token.
    let trace = TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
        tracing::debug_span!("http", method = %request.method(), path = %request.uri().path())
    });
    let mut router = router
        .layer(axum::middleware::from_fn(security_headers::html_policy))
        .layer(trace);
    for (name, value) in security_headers::common() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router
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

/// The address of the page that signs a device in with a token. The token rides in the
/// fragment, which browsers never send to a server, so it stays out of every log.
pub fn invite_link(base: &str, secret: &str) -> String {
    format!("{}/#/join/{secret}", base.trim_end_matches('/'))
}

/// Re-read the access file when another process (`sync-server token revoke`) changes it, and
/// apply the new grants to open connections: a revoked token is cut off within a second.
async fn watch_access_file(tokens: TokenStore, hub: Hub) {
    let mut interval = tokio::time::interval(Duration::from_millis(250));
    loop {
        interval.tick().await;
        let store = tokens.clone();
        match tokio::task::spawn_blocking(move || store.reload()).await {
            Ok(Ok(true)) => {
                tracing::info!("access file changed; applying grants");
                api::apply_grants(&tokens, &hub).await;
            }
            Ok(Ok(false)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "could not re-read the access file"),
            Err(e) => tracing::error!(error = %e, "access file watcher failed"),
        }
    }
}

/// Where the relay keeps documents and tokens: the data dir's files, or a database.
struct Stores {
    /// The engine thread's (it does every write) and everyone else's (reads only).
    writes: Box<dyn Storage>,
    reads: Arc<dyn Storage + Send + Sync>,
    tokens: TokenStore,
    storage_id: String,
    database: Option<(Pool, pg::Health)>,
}

async fn open_stores(options: &ServeOptions, relay_name: String) -> anyhow::Result<Stores> {
    std::fs::create_dir_all(&options.data_dir)?;
    if let Some(url) = options.database_url.clone() {
        // Connecting and migrating block; so does everything on the synchronous client.
        return tokio::task::spawn_blocking(move || -> anyhow::Result<Stores> {
            let pool = pg::open(&url)?;
            // One for the relay: what one handle learns (the database is down), all know.
            let health = pg::Health::default();
            let storage = PgStorage::new(pool.clone()).sharing(health.clone());
            tracing::info!("documents and tokens are in the database");
            Ok(Stores {
                writes: Box::new(
                    PgStorage::announcing(pool.clone(), relay_name.clone()).sharing(health.clone()),
                ),
                reads: Arc::new(storage),
                tokens: TokenStore::open_database(pool.clone())?,
                storage_id: pg::storage_id(&pool)?,
                database: Some((pool, health)),
            })
        })
        .await?;
    }
    let storage = FsStorage::open(&options.data_dir)?;
    let leftovers = storage.remove_leftovers()?;
    if leftovers > 0 {
        tracing::info!(
            leftovers,
            "removed temporary files of writes a crash cut short"
        );
    }
    Ok(Stores {
        writes: Box::new(storage),
        // Reads only (loads and the file check, off the engine thread): every write goes
        // through the engine thread's own storage.
        reads: Arc::new(FsStorage::open(&options.data_dir)?),
        tokens: TokenStore::open(&options.data_dir)?,
        storage_id: storage_id(&options.data_dir)?,
        database: None,
    })
}

/// With a database: hand the engine the chunks other relays announce they stored, so peers on
/// this relay receive changes made through another. A listener that reconnected has missed
/// announcements, so then every document in memory is read again. The listener's connection is
/// also the first to notice the database stop or return: it tells `health`, so that a group
/// commit fails at once rather than waiting for a connection while the database is down.
fn follow_other_relays(
    url: &str,
    relay_name: String,
    hub: Hub,
    health: pg::Health,
) -> std::io::Result<()> {
    pg::listen::spawn(url, &[pg::DOCS_CHANNEL], move |heard| match heard {
        pg::listen::Heard::Notification { payload, .. } => {
            if let Some(news) = pg::Announcement::parse(&payload) {
                if news.origin != relay_name {
                    hub.announced(Some(news.keys));
                }
            }
        }
        pg::listen::Heard::Reconnected => {
            health.found();
            hub.announced(None);
        }
        pg::listen::Heard::Lost => health.lost(),
    })
}

/// With a database: re-read the access row whenever any relay (or the command line) announces
/// a change on [`ACCESS_CHANNEL`], and apply the new grants to open connections, so a token
/// revoked on one relay is cut off on every relay within a second. After the listener
/// reconnects (a database restart), the row is re-read, since announcements made meanwhile
/// were missed.
async fn watch_access_database(url: String, tokens: TokenStore, hub: Hub) {
    let (wake, mut woken) = tokio::sync::mpsc::channel::<()>(1);
    let listening = pg::listen::spawn(&url, &[ACCESS_CHANNEL], move |heard| {
        // A lost connection has nothing new to read; its reconnection does.
        if !matches!(heard, pg::listen::Heard::Lost) {
            let _ = wake.try_send(());
        }
    });
    if let Err(e) = listening {
        tracing::error!(error = %e, "could not start listening for access changes");
        return;
    }
    while woken.recv().await.is_some() {
        let store = tokens.clone();
        match tokio::task::spawn_blocking(move || store.reload()).await {
            Ok(Ok(true)) => {
                tracing::info!("access changed in the database; applying grants");
                api::apply_grants(&tokens, &hub).await;
            }
            Ok(Ok(false)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "could not re-read the access row"),
            Err(e) => tracing::error!(error = %e, "access watcher failed"),
        }
    }
}

pub async fn serve(options: ServeOptions) -> anyhow::Result<()> {
    // This process among the relays on one database: its announcements are not news to it.
    let relay_name = uuid::Uuid::new_v4().simple().to_string();
    let Stores {
        writes: storage,
        reads,
        tokens,
        storage_id,
        database,
    } = open_stores(&options, relay_name.clone()).await?;
    let mut config = EngineConfig::relay(PeerId::random("relay"), storage_id);
    config.max_docs_per_conn = options.limits.max_docs_per_conn;
    config.max_ops_per_change = Some(options.limits.max_ops_per_change);
    config.max_ops_per_message = Some(options.limits.max_ops_per_message);
    // A compressed chunk may inflate to no more than the largest frame the relay accepts.
    config.max_inflated_bytes = Some(options.limits.max_frame_bytes);
    config.ephemeral.sessions_per_conn = options.limits.max_ephemeral_sessions_per_conn;
    config.ephemeral.sessions = options.limits.max_ephemeral_sessions;
    // Authorship and history records are written in the engine's group commit.
    let staged = Staged::default();
    let authors = AuthorBook::on(reads.clone(), staged.clone());
    let history = HistoryBook::on(
        reads.clone(),
        HistoryLimits {
            per_day: options.limits.client_history_bytes_per_day,
            total: options.limits.client_history_bytes_total,
        },
        staged.clone(),
    );
    // Client tokens refused again and again: refused unjudged by the engine, and at the upgrade.
    let cooldown = Cooldown::default();
    let engine = HubThread::spawn(
        config,
        storage,
        reads.clone(),
        staged,
        authors,
        history,
        cooldown.clone(),
    )?;
    if let Some(dir) = &options.static_dir {
        if !dir.join("index.html").exists() {
            tracing::warn!(dir = %dir.display(), "no index.html in the static dir; only /sync is served");
        }
    }
    let limits = Limits {
        max_frame_bytes: options.limits.max_frame_bytes,
        rate: Arc::new(RateLimiter::new(RateLimit {
            per_second: options.limits.messages_per_second,
            burst: options.limits.message_burst,
        })),
        max_outbound_bytes: options.limits.max_outbound_bytes,
        ping_interval: options.limits.ping_interval,
        silence_timeout: options.limits.silence_timeout,
    };
    let max_connections = match listener::fd_budget() {
        Some(budget) if budget < options.limits.max_connections => {
            tracing::warn!(
                budget,
                "the open-file limit allows fewer connections than --max-connections"
            );
            budget
        }
        _ => options.limits.max_connections,
    };
    let listener_limits = ListenerLimits {
        header_timeout: options.limits.header_timeout,
        max_connections,
        // At most half the budget, so idle strangers never crowd out WebSockets.
        max_unauthenticated: options
            .limits
            .max_unauthenticated
            .min(max_connections / 2)
            .max(1),
    };
    let presence = Presence::new(options.clock.clone());
    let state = AppState {
        hub: engine.hub(),
        tokens: tokens.clone(),
        limits,
        sockets: SocketCaps::new(
            SocketLimits {
                per_token: options.limits.max_sockets_per_token,
                total: options.limits.max_sockets,
            },
            cooldown,
        ),
        presence: presence.clone(),
        database: database.clone(),
    };
    let http = Arc::new(HttpLimiter {
        per_token: RateLimiter::new(RateLimit {
            per_second: options.limits.http_per_second,
            burst: options.limits.http_burst,
        }),
        // As many at once as a second's worth: refusing a bad token is cheap, but not free.
        unauthenticated: RateLimiter::new(RateLimit {
            per_second: options.limits.unauthenticated_per_second,
            burst: options.limits.unauthenticated_per_second.max(1.0),
        }),
    });
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let base = options.public_url.clone().unwrap_or_else(|| {
        let host = if local.ip().is_unspecified() {
            "localhost".to_owned()
        } else {
            local.ip().to_string()
        };
        format!("http://{host}:{}", local.port())
    });
    let mail = match options.mail.clone() {
        Some(config) => {
            let mail = Mail::open(config, &options.data_dir, &base)?;
            mail.spawn_sender()?;
            let waiting = mail.outbox.pending()?.len();
            if waiting > 0 {
                tracing::info!(waiting, "mail waiting in the outbox");
            }
            Some(mail)
        }
        None => {
            tracing::info!("no --smtp-url: email is off");
            None
        }
    };
    let api = ApiState {
        tokens: tokens.clone(),
        hub: engine.hub(),
        records: reads.clone(),
        http: http.clone(),
        mail: mail.clone(),
        max_blob_bytes: options.max_blob_bytes,
    };
    let mut store = BlobStore::open(&options.data_dir, options.max_blob_bytes)?;
    if let Some((pool, _)) = &database {
        // Every relay on the database serves every file; the data dir keeps a cache.
        store = store.shared(pool.clone());
    }
    let blobs = BlobState {
        tokens: tokens.clone(),
        hub: engine.hub(),
        store,
        http,
        docs: reads,
        stored_reads: Arc::new(tokio::sync::Semaphore::new(blobs::STORED_READS)),
    };
    let sign_in = SignInState {
        tokens: tokens.clone(),
        links: match &database {
            Some((pool, health)) => SignInLinks::open_database(pool.clone(), health.clone()),
            None => SignInLinks::open(&options.data_dir)?,
        },
        mail: mail.clone(),
        per_email: Arc::new(sign_in::routes::per_email()),
        per_ip: Arc::new(sign_in::routes::per_ip()),
        redeem_per_ip: Arc::new(sign_in::routes::redeem_per_ip()),
        proxies: TrustedProxies::new(options.trusted_proxies.clone()),
    };
    let clock_state = ClockState {
        clock: options.clock.clone(),
        scheduled: mail.is_some(),
        tokens: tokens.clone(),
        http: api.http.clone(),
    };
    if let Some(mail) = &mail {
        // With a database, what was sent is recorded there, and one relay at a time sends.
        let (records, leader) = match (&database, &options.database_url) {
            (Some((pool, health)), Some(url)) => (
                crate::schedule::Records::Database(
                    PgStorage::new(pool.clone()).sharing(health.clone()),
                ),
                Some(Arc::new(pg::leader::Leadership::new(url)?)),
            ),
            _ => (
                crate::schedule::Records::Dir(options.data_dir.clone()),
                None,
            ),
        };
        tokio::spawn(
            crate::schedule::Scheduler {
                records,
                leader,
                clock: options.clock.clone(),
                hub: engine.hub(),
                docs: blobs.docs.clone(),
                tokens: tokens.clone(),
                mail: mail.clone(),
                data_dir: options.data_dir.clone(),
                presence: presence.clone(),
            }
            .run(),
        );
    }
    let app = router(
        state,
        options.static_dir.clone(),
        api,
        blobs,
        mail.clone(),
        sign_in,
        clock_state,
    );
    tracing::info!(%local, data_dir = %options.data_dir.display(), "relay listening");
    if tokens.snapshot().tokens.is_empty() {
        let minted = tokens.create(NewToken {
            role: Role::Owner,
            portal: None,
            read_only: false,
            name: "Owner".into(),
            email: None,
        })?;
        println!(
            "First start: created the owner token. Open this link to sign in (shown once; keep it private):\n  {}",
            invite_link(&base, &minted.secret)
        );
    }
    // The line tests and scripts wait for; keep its shape.
    println!("Threshold relay listening on http://{local}");
    if let (Some(url), Some((_, health))) = (&options.database_url, &database) {
        follow_other_relays(url, relay_name, engine.hub(), health.clone())?;
    }
    if database.is_some() {
        tokio::spawn(watch_access_database(
            options.database_url.clone().unwrap_or_default(),
            tokens,
            engine.hub(),
        ));
    } else {
        tokio::spawn(watch_access_file(tokens, engine.hub()));
    }
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = listener::serve(listener, app, listener_limits, async move {
        shutdown_signal().await;
        let _ = stop_tx.send(());
    });
    // On a signal, close every socket through the engine (they would keep the server open),
    // let it finish queued writes, then let axum finish.
    let engine_stop = tokio::spawn(async move {
        let _ = stop_rx.await;
        tokio::task::spawn_blocking(move || engine.shutdown()).await
    });
    server.await;
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

//! The relay's accept loop: every TCP connection is counted against a budget that fits the
//! process's file descriptors, and one that does not send a complete request in time is closed.
//!
//! `axum::serve` has no timeouts and no limit, so one stranger holding idle sockets could use up
//! the relay's descriptors and lock out everyone (slowloris). Here:
//!
//! - hyper's header-read timeout closes a connection that has not sent a complete request head
//!   within it: from the moment it opens (half-open, or never sending anything) and again after
//!   each response while a keep-alive connection sits idle.
//! - Connections that have not become a WebSocket (so have not shown a valid token for longer
//!   than one request) share a bounded pool. When the pool or the whole budget is full, the
//!   oldest of them with no request in flight is closed to admit the newcomer: a flood of idle
//!   strangers only churns among itself, and `/healthz` or a provider's WebSocket still gets in.
//! - WebSockets are never closed to make room; their own caps (`socket_caps`) bound them.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Bytes, HttpBody};
use axum::http::{Request, StatusCode};
use axum::Router;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tower::ServiceExt;

#[derive(Clone, Copy, Debug)]
pub struct ListenerLimits {
    /// How long a connection may take to send a complete request head, counted from when it
    /// opens or from its previous response (so also how long a keep-alive connection may idle).
    pub header_timeout: Duration,
    /// TCP connections open at once, WebSockets included (further capped by the fd budget).
    pub max_connections: usize,
    /// Of those, connections that are not (yet) WebSockets.
    pub max_unauthenticated: usize,
}

/// Descriptors kept for everything but client connections: storage, blobs, the access file,
/// the runtime's own.
pub const FD_RESERVE: u64 = 64;

/// Raise the soft limit on open files to the hard one, and return the connections that fit in
/// it with [`FD_RESERVE`] to spare. A relay started with a low soft limit (1024 is common) would
/// otherwise refuse connections long before the machine must.
pub fn fd_budget() -> Option<usize> {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        let raised = rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        match setrlimit(Resource::Nofile, raised) {
            Ok(()) => limit = getrlimit(Resource::Nofile),
            Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
        }
    }
    let files = limit.current?;
    Some(files.saturating_sub(FD_RESERVE).max(8) as usize)
}

struct Slot {
    opened: Instant,
    upgraded: bool,
    in_flight: usize,
    evict: Arc<Notify>,
}

#[derive(Default)]
struct Table {
    slots: HashMap<u64, Slot>,
}

impl Table {
    fn unauthenticated(&self) -> usize {
        self.slots.values().filter(|s| !s.upgraded).count()
    }

    /// Close the oldest connection that is not a WebSocket and has no request in flight.
    fn evict_oldest_idle(&mut self) -> bool {
        let oldest = self
            .slots
            .iter()
            .filter(|(_, s)| !s.upgraded && s.in_flight == 0)
            .min_by_key(|(_, s)| s.opened)
            .map(|(id, _)| *id);
        match oldest.and_then(|id| self.slots.remove(&id)) {
            Some(slot) => {
                slot.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// The connection table, shared by the accept loop and every connection.
#[derive(Clone)]
struct Slots {
    table: Arc<Mutex<Table>>,
    limits: ListenerLimits,
}

impl Slots {
    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Make room for a new connection and register it, or `None` if there is none to make.
    fn admit(&self, id: u64) -> Option<Arc<Notify>> {
        let mut table = self.lock();
        while table.slots.len() >= self.limits.max_connections
            || table.unauthenticated() >= self.limits.max_unauthenticated
        {
            if !table.evict_oldest_idle() {
                return None;
            }
        }
        let evict = Arc::new(Notify::new());
        table.slots.insert(
            id,
            Slot {
                opened: Instant::now(),
                upgraded: false,
                in_flight: 0,
                evict: Arc::clone(&evict),
            },
        );
        Some(evict)
    }

    fn update(&self, id: u64, change: impl FnOnce(&mut Slot)) {
        if let Some(slot) = self.lock().slots.get_mut(&id) {
            change(slot);
        }
    }
}

/// Frees its connection's slot when the socket is dropped, whether by hyper or, after an
/// upgrade, by the WebSocket task that inherited it.
struct SlotGuard {
    slots: Slots,
    id: u64,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        self.slots.lock().slots.remove(&self.id);
    }
}

/// A request in flight on a connection, from its head until its response body is done: such a
/// connection is never closed to make room.
struct Busy {
    slots: Slots,
    id: u64,
}

impl Busy {
    fn start(slots: Slots, id: u64) -> Self {
        slots.update(id, |s| s.in_flight += 1);
        Self { slots, id }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.slots
            .update(self.id, |s| s.in_flight = s.in_flight.saturating_sub(1));
    }
}

/// A response body that keeps its connection marked busy until it is dropped.
struct Guarded {
    body: axum::body::Body,
    _busy: Busy,
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A TCP stream that holds its slot for as long as it lives.
struct Tracked {
    stream: TcpStream,
    _slot: SlotGuard,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// How long shutdown waits for open HTTP connections to finish their requests.
const DRAIN_GRACE: Duration = Duration::from_secs(10);

/// Serve `app` on `listener` until `shutdown` resolves, then stop accepting, let requests in
/// flight finish, and return.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ListenerLimits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Slots {
        table: Arc::default(),
        limits,
    };
    let next = AtomicU64::new(1);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors or a connection reset before it was taken: wait a
                    // little rather than spin, then go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let id = next.fetch_add(1, Ordering::Relaxed);
        let Some(evict) = slots.admit(id) else {
            // Every slot is a WebSocket or busy with a request: refuse by closing at once.
            tracing::warn!("connection budget full; refusing a connection");
            drop(stream);
            continue;
        };
        let io = TokioIo::new(Tracked {
            stream,
            _slot: SlotGuard {
                slots: slots.clone(),
                id,
            },
        });
        let service = {
            let slots = slots.clone();
            let app = app.clone();
            hyper::service::service_fn(move |request: Request<Incoming>| {
                let slots = slots.clone();
                let app = app.clone();
                async move {
                    let busy = Busy::start(slots.clone(), id);
                    let mut request = request.map(axum::body::Body::new);
                    // Who is calling, for limits per client address (`ConnectInfo`).
                    request
                        .extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    let response = app.oneshot(request).await;
                    // A 101 answer went only to a socket with a valid token.
                    if matches!(&response, Ok(r) if r.status() == StatusCode::SWITCHING_PROTOCOLS) {
                        slots.update(id, |s| s.upgraded = true);
                    }
                    // Busy until the whole body is written (a download is a request in flight).
                    response
                        .map(|r| r.map(|body| axum::body::Body::new(Guarded { body, _busy: busy })))
                }
            })
        };
        let connection = http.serve_connection(io, service).with_upgrades();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!(error = %e, "connection ended");
                    }
                }
                () = evict.notified() => tracing::debug!("closed an idle connection to make room"),
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(stop);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(stop_rx);
    let _ = tokio::time::timeout(DRAIN_GRACE, stop_tx.closed()).await;
}

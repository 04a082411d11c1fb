//! One WebSocket connection: frames in to the hub, frames out from it, with the per-connection
//! limits checked before anything reaches the engine, and pings that find a peer gone silent.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use threshold_protocol::{CloseCode, ConnId};
use tokio::sync::mpsc;

use crate::hub::{Admitted, Hub, Joining, Outbound, Outflow, OUTBOUND_QUEUE};
use crate::rate_limit::RateLimiter;
use crate::socket_caps::SocketPermit;
use crate::token_store::TokenStore;

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// How long a closing connection waits for the peer's close reply.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// What every connection is held to.
#[derive(Clone)]
pub struct Limits {
    pub max_frame_bytes: usize,
    pub rate: Arc<RateLimiter>,
    /// Bytes the hub may queue for a connection before it counts as not reading.
    pub max_outbound_bytes: usize,
    /// How often the relay pings the peer.
    pub ping_interval: Duration,
    /// A peer from which nothing at all (not even a pong) arrives for this long is closed.
    pub silence_timeout: Duration,
}

/// Serve one admitted WebSocket until either side ends it. `permit` counts it against the
/// connection caps for as long as it lives.
pub async fn run(
    hub: Hub,
    socket: WebSocket,
    admitted: Admitted,
    limits: Limits,
    tokens: TokenStore,
    permit: SocketPermit,
) {
    let _permit = permit;
    let conn = ConnId(NEXT_CONN.fetch_add(1, Ordering::Relaxed));
    let (outbound_tx, mut outbound) = mpsc::channel(OUTBOUND_QUEUE);
    let outflow = Outflow::new(limits.max_outbound_bytes);
    let token_id = admitted.token_id.clone();
    let granted = admitted.access.clone();
    // Registered, and acknowledged, before a single frame is read: from here on every grant
    // change reaches this connection through the hub.
    hub.connect(Joining {
        conn,
        outbound: outbound_tx,
        outflow: Arc::clone(&outflow),
        admitted,
    })
    .await;
    // The token was checked before the upgrade, and a grant change may have been applied to
    // every registered connection between that check and the registration above, missing this
    // one. Why reading the store again now closes that gap: a grant change writes the store
    // first and only then sends its regrant to the hub (and its API call waits for the hub).
    // If that regrant reached the hub before our registration, the store already held the new
    // grant when the hub acknowledged us, so this read sees it; if after, the regrant itself
    // reaches us. Either way the correction is queued before any of our frames.
    let current = tokens
        .snapshot()
        .find(&token_id)
        .filter(|t| t.is_active())
        .map(|t| t.access());
    if current.as_ref() != Some(&granted) {
        hub.regrant(HashMap::from([(token_id.clone(), current)]))
            .await;
    }
    tracing::debug!(conn = conn.0, token = %token_id, "connected");
    let (mut sink, mut stream) = socket.split();
    // The first ping after one interval: a fresh connection has just spoken.
    let mut ping = tokio::time::interval_at(
        tokio::time::Instant::now() + limits.ping_interval,
        limits.ping_interval,
    );
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut heard = Instant::now();
    // Once refused, nothing more from the peer is passed on while its close is on the way.
    let mut refused = false;
    let refuse = |refused: &mut bool, code: CloseCode, reason: String| {
        if !std::mem::replace(refused, true) {
            tracing::info!(conn = conn.0, token = %token_id, %reason, "refusing connection");
            hub.reject(conn, code, reason);
        }
    };
    loop {
        tokio::select! {
            incoming = stream.next() => {
                if let Some(Ok(_)) = incoming {
                    heard = Instant::now();
                }
                match incoming {
                Some(Ok(Message::Binary(bytes))) => {
                    if refused {
                        continue;
                    }
                    if bytes.len() > limits.max_frame_bytes {
                        refuse(&mut refused, CloseCode::TooBig, format!(
                            "message of {} bytes is larger than the limit of {} bytes",
                            bytes.len(), limits.max_frame_bytes
                        ));
                    } else if !limits.rate.allow(&token_id, Instant::now()) {
                        let per_second = limits.rate.limit().per_second;
                        refuse(&mut refused, CloseCode::Policy, format!(
                            "rate limit exceeded: more than {per_second} messages per second for this token"
                        ));
                    } else {
                        hub.frame(conn, bytes.to_vec());
                    }
                }
                // The protocol is binary; let the engine reject anything else as malformed.
                Some(Ok(Message::Text(text))) if !refused => hub.frame(conn, text.as_bytes().to_vec()),
                Some(Ok(Message::Text(_) | Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_))) | None => break,
                Some(Err(e)) => {
                    // The WebSocket layer refuses frames far over the limit before reading
                    // them (a "space limit" error); say so, then give up on the socket if even
                    // that fails. Any other error is a broken or misbehaving peer.
                    tracing::debug!(conn = conn.0, error = %e, "socket error");
                    let text = e.to_string();
                    let code = if text.to_ascii_lowercase().contains("space limit") {
                        CloseCode::TooBig
                    } else {
                        CloseCode::ProtocolError
                    };
                    let reason = format!("message refused: {text}");
                    let frame = CloseFrame { code: code.code(), reason: truncate(&reason).into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break;
                }
            }
            },
            out = outbound.recv() => match out {
                Some(Outbound::Frame(frame)) => {
                    let bytes = frame.len();
                    // A peer that does not read blocks this write for good: the hub's verdict
                    // that it is not reading ends the wait.
                    let sent = tokio::select! {
                        sent = sink.send(Message::Binary(frame.into())) => sent.is_ok(),
                        (code, reason) = outflow.killed() => {
                            give_up(&mut sink, code, &reason).await;
                            false
                        }
                    };
                    outflow.sent(bytes);
                    if !sent {
                        break;
                    }
                }
                Some(Outbound::Close { code, reason }) => {
                    let frame = CloseFrame { code: code.code(), reason: truncate(&reason).into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    // Finish the closing handshake: dropping the socket with the peer's frames
                    // still unread would reset the connection, and the peer would never see the
                    // close code that says why.
                    let drain = async { while let Some(Ok(m)) = stream.next().await { if let Message::Close(_) = m { break; } } };
                    let _ = tokio::time::timeout(CLOSE_GRACE, drain).await;
                    break;
                }
                None => break,
            },
            (code, reason) = outflow.killed() => {
                give_up(&mut sink, code, &reason).await;
                break;
            }
            _ = ping.tick() => {
                if heard.elapsed() >= limits.silence_timeout {
                    let reason = format!(
                        "nothing heard for {} s (no reply to pings); reconnect to resync",
                        limits.silence_timeout.as_secs()
                    );
                    tracing::info!(conn = conn.0, token = %token_id, "closing a silent connection");
                    give_up(&mut sink, CloseCode::Policy, &reason).await;
                    break;
                }
                // Browsers and the stock client answer pings by themselves.
                let ping = sink.send(Message::Ping(Vec::new().into()));
                if !matches!(tokio::time::timeout(CLOSE_GRACE, ping).await, Ok(Ok(()))) {
                    break;
                }
            }
        }
    }
    hub.disconnect(conn);
    tracing::debug!(conn = conn.0, "disconnected");
}

/// A close reason must fit in a control frame (123 bytes).
fn truncate(reason: &str) -> String {
    let mut end = reason.len().min(120);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}

/// Send a close frame to a peer that may not be reading, for at most [`CLOSE_GRACE`], and go.
async fn give_up(sink: &mut SplitSink<WebSocket, Message>, code: CloseCode, reason: &str) {
    let frame = CloseFrame {
        code: code.code(),
        reason: truncate(reason).into(),
    };
    let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(Message::Close(Some(frame)))).await;
}

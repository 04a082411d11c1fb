//! One WebSocket connection: frames in to the hub, frames out from it, with the per-connection
//! limits checked before anything reaches the engine.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use threshold_protocol::{CloseCode, ConnId};
use tokio::sync::mpsc;

use crate::hub::{Admitted, Hub, Outbound, OUTBOUND_QUEUE};
use crate::rate_limit::RateLimiter;

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// How long a closing connection waits for the peer's close reply.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// What every connection is held to.
#[derive(Clone)]
pub struct Limits {
    pub max_frame_bytes: usize,
    pub rate: Arc<RateLimiter>,
}

pub async fn run(hub: Hub, socket: WebSocket, admitted: Admitted, limits: Limits) {
    let conn = ConnId(NEXT_CONN.fetch_add(1, Ordering::Relaxed));
    let (outbound_tx, mut outbound) = mpsc::channel(OUTBOUND_QUEUE);
    let token_id = admitted.token_id.clone();
    hub.connect(conn, outbound_tx, admitted);
    tracing::debug!(conn = conn.0, token = %token_id, "connected");
    let (mut sink, mut stream) = socket.split();
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
            incoming = stream.next() => match incoming {
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
            },
            out = outbound.recv() => match out {
                Some(Outbound::Frame(frame)) => {
                    if sink.send(Message::Binary(frame.into())).await.is_err() {
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

//! One WebSocket connection: frames in to the hub, frames out from it.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use threshold_protocol::ConnId;
use tokio::sync::mpsc;

use crate::hub::{Hub, Outbound};

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// What the upgrade decided this connection may do. Today every connection may do everything;
/// the access issue narrows this to a token's grants.
#[derive(Debug, Clone)]
pub struct Access;

pub async fn run(hub: Hub, socket: WebSocket, _access: Access) {
    let conn = ConnId(NEXT_CONN.fetch_add(1, Ordering::Relaxed));
    let (outbound_tx, mut outbound) = mpsc::unbounded_channel();
    hub.connect(conn, outbound_tx);
    tracing::debug!(conn = conn.0, "connected");
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Binary(bytes))) => hub.frame(conn, bytes.to_vec()),
                // The protocol is binary; let the engine reject anything else as malformed.
                Some(Ok(Message::Text(text))) => hub.frame(conn, text.as_bytes().to_vec()),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                Some(Ok(Message::Close(_))) | None => break,
                Some(Err(e)) => {
                    tracing::debug!(conn = conn.0, error = %e, "socket error");
                    break;
                }
            },
            out = outbound.recv() => match out {
                Some(Outbound::Frame(frame)) => {
                    if sink.send(Message::Binary(frame.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outbound::Close(reason)) => {
                    let frame = CloseFrame { code: 1008, reason: truncate(&reason).into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
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

//! The relay's engine thread: the one owner of the protocol engine and of storage.
//!
//! WebSocket tasks send it frames over a channel; it runs the engine, executes the effects in
//! order (a `Save` is on disk before any later `Send` leaves), and pushes outbound frames to
//! each connection's channel. Storage is synchronous file I/O, so it lives on its own thread
//! rather than blocking the async runtime.

use std::collections::HashMap;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use threshold_protocol::{Access, ConnId, Effect, Engine, EngineConfig};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::Sender;

use crate::doc_store;
use crate::storage::Storage;

/// Frames waiting for one connection. A peer that lets this many pile up is not reading; it is
/// closed (and resyncs when it reconnects) rather than allowed to grow the relay's memory.
pub const OUTBOUND_QUEUE: usize = 8192;

/// WebSocket close codes the relay uses. 1008 and 1009 are the standard policy and size codes;
/// 4401 is an application code the app reads as "this device's access was revoked".
pub mod close_code {
    pub const PROTOCOL_ERROR: u16 = 1002;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
    pub const SERVER_ERROR: u16 = 1011;
    pub const SHUTTING_DOWN: u16 = 1001;
    pub const REVOKED: u16 = 4401;
}

/// What a connection task receives from the hub.
#[derive(Debug)]
pub enum Outbound {
    Frame(Vec<u8>),
    Close { code: u16, reason: String },
}

/// Who is on the other end of a connection, as the upgrade established it.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub token_id: String,
    pub access: Access,
}

enum Command {
    Connect(ConnId, Sender<Outbound>, Admitted),
    Frame(ConnId, Vec<u8>),
    Reject(ConnId, u16, String),
    /// The grants of every token, after the access file changed: `None` means revoked.
    Regrant(HashMap<String, Option<Access>>),
    Disconnect(ConnId),
    Shutdown,
}

struct Peer {
    outbound: Sender<Outbound>,
    admitted: Admitted,
}

/// A cheap handle to the engine thread.
#[derive(Clone)]
pub struct Hub {
    commands: mpsc::Sender<Command>,
}

pub struct HubThread {
    hub: Hub,
    thread: JoinHandle<()>,
}

impl HubThread {
    pub fn spawn(config: EngineConfig, storage: Box<dyn Storage>) -> std::io::Result<Self> {
        let (commands, inbox) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("sync-engine".into())
            .spawn(move || run(Engine::new(config), storage, inbox))?;
        Ok(Self {
            hub: Hub { commands },
            thread,
        })
    }

    pub fn hub(&self) -> Hub {
        self.hub.clone()
    }

    /// Close every connection, finish every queued write, and stop.
    pub fn shutdown(self) {
        let _ = self.hub.commands.send(Command::Shutdown);
        if self.thread.join().is_err() {
            tracing::error!("the sync engine thread panicked");
        }
    }
}

impl Hub {
    pub fn connect(&self, conn: ConnId, outbound: Sender<Outbound>, admitted: Admitted) {
        let _ = self
            .commands
            .send(Command::Connect(conn, outbound, admitted));
    }

    /// Refuse a connection: the peer gets an `error` message saying why, then a close frame.
    pub fn reject(&self, conn: ConnId, code: u16, reason: String) {
        let _ = self.commands.send(Command::Reject(conn, code, reason));
    }

    /// Apply changed grants to every open connection: revoked tokens are cut off at once.
    pub fn regrant(&self, grants: HashMap<String, Option<Access>>) {
        let _ = self.commands.send(Command::Regrant(grants));
    }

    pub fn frame(&self, conn: ConnId, frame: Vec<u8>) {
        let _ = self.commands.send(Command::Frame(conn, frame));
    }

    pub fn disconnect(&self, conn: ConnId) {
        let _ = self.commands.send(Command::Disconnect(conn));
    }
}

fn run(mut engine: Engine, mut storage: Box<dyn Storage>, inbox: mpsc::Receiver<Command>) {
    let started = Instant::now();
    let mut conns: HashMap<ConnId, Peer> = HashMap::new();
    // Close codes for connections the hub itself refused, used when the engine's close comes.
    let mut codes: HashMap<ConnId, u16> = HashMap::new();
    loop {
        let command = match inbox.recv_timeout(Duration::from_secs(1)) {
            Ok(command) => Some(command),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let trigger = match command {
            Some(Command::Connect(conn, outbound, admitted)) => {
                engine.connect_with(conn, admitted.access.clone());
                conns.insert(conn, Peer { outbound, admitted });
                Some(conn)
            }
            Some(Command::Reject(conn, code, reason)) => {
                codes.insert(conn, code);
                engine.reject(conn, &reason);
                Some(conn)
            }
            Some(Command::Regrant(grants)) => {
                for (conn, peer) in conns.iter_mut() {
                    match grants.get(&peer.admitted.token_id).cloned().flatten() {
                        None => {
                            codes.insert(*conn, close_code::REVOKED);
                            engine.reject(*conn, "access revoked");
                        }
                        Some(access) if access != peer.admitted.access => {
                            engine.set_access(*conn, access.clone());
                            peer.admitted.access = access;
                        }
                        Some(_) => {}
                    }
                }
                None
            }
            Some(Command::Frame(conn, frame)) => {
                engine.receive(conn, &frame);
                Some(conn)
            }
            Some(Command::Disconnect(conn)) => {
                conns.remove(&conn);
                codes.remove(&conn);
                engine.disconnect(conn);
                None
            }
            Some(Command::Shutdown) => {
                for (_, peer) in conns.drain() {
                    let _ = peer.outbound.try_send(Outbound::Close {
                        code: close_code::SHUTTING_DOWN,
                        reason: "relay shutting down".into(),
                    });
                }
                break;
            }
            None => None,
        };
        engine.tick(started.elapsed().as_millis() as u64);
        execute(
            &mut engine,
            storage.as_mut(),
            &mut conns,
            &mut codes,
            trigger,
        );
    }
    tracing::info!("sync engine stopped; every acknowledged change is on disk");
}

/// Execute the engine's effects in order. If a write fails, nothing after it in this batch is
/// sent: a peer must never be told about a change the relay could not store. The connection
/// that caused the batch is closed so that its client re-syncs from scratch.
fn execute(
    engine: &mut Engine,
    storage: &mut dyn Storage,
    conns: &mut HashMap<ConnId, Peer>,
    codes: &mut HashMap<ConnId, u16>,
    trigger: Option<ConnId>,
) {
    // Loading may produce further effects (replayed messages), so drain until quiet.
    loop {
        let effects = engine.take_effects();
        if effects.is_empty() {
            return;
        }
        for effect in effects {
            match effect {
                Effect::Send { conn, frame } => {
                    let full = conns.get(&conn).is_some_and(|peer| {
                        matches!(
                            peer.outbound.try_send(Outbound::Frame(frame)),
                            Err(TrySendError::Full(_))
                        )
                    });
                    if full {
                        tracing::warn!(conn = conn.0, "peer is not reading; closing it");
                        if let Some(peer) = conns.remove(&conn) {
                            close(
                                &peer,
                                close_code::POLICY,
                                "too many unread messages; reconnect to resync",
                            );
                        }
                        engine.disconnect(conn);
                    }
                }
                Effect::Close { conn, reason } => {
                    let code = codes.remove(&conn).unwrap_or(close_code::POLICY);
                    tracing::info!(conn = conn.0, code, %reason, "closing connection");
                    if let Some(peer) = conns.remove(&conn) {
                        close(&peer, code, &reason);
                    }
                }
                Effect::Load { doc } => match doc_store::load(storage, &doc) {
                    Ok(loaded) => engine.loaded(doc, loaded),
                    Err(e) => {
                        // Treating an unreadable document as empty could let a client overwrite
                        // nothing but would hide the fault; report and give an empty view.
                        tracing::error!(%doc, error = %e, "could not load document");
                        engine.loaded(doc, Default::default());
                    }
                },
                Effect::Save { doc, chunk } => {
                    if let Err(e) = doc_store::save(storage, &doc, &chunk) {
                        tracing::error!(%doc, error = %e, "could not store a change; not acknowledging it");
                        engine.persist_failed(doc);
                        let _ = engine.take_effects();
                        if let Some(conn) = trigger {
                            if let Some(peer) = conns.remove(&conn) {
                                let reason = format!("relay storage failed: {}", e.brief());
                                close(&peer, close_code::SERVER_ERROR, &reason);
                            }
                            engine.disconnect(conn);
                            let _ = engine.take_effects();
                        }
                        return;
                    }
                }
                Effect::Warning { message } => tracing::warn!(%message),
                Effect::SaveSyncState { .. }
                | Effect::DocChanged { .. }
                | Effect::DocUnavailable { .. }
                | Effect::Ephemeral { .. } => {}
            }
        }
    }
}

/// Ask a connection task to close. A full queue cannot take the request, but then the task is
/// already behind; dropping the peer's sender ends it just the same.
fn close(peer: &Peer, code: u16, reason: &str) {
    let _ = peer.outbound.try_send(Outbound::Close {
        code,
        reason: reason.to_owned(),
    });
}

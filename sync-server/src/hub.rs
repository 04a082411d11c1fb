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

use threshold_protocol::{ConnId, Effect, Engine, EngineConfig};
use tokio::sync::mpsc::UnboundedSender;

use crate::doc_store;
use crate::storage::Storage;

/// What a connection task receives from the hub.
#[derive(Debug)]
pub enum Outbound {
    Frame(Vec<u8>),
    Close(String),
}

enum Command {
    Connect(ConnId, UnboundedSender<Outbound>),
    Frame(ConnId, Vec<u8>),
    Disconnect(ConnId),
    Shutdown,
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
    pub fn connect(&self, conn: ConnId, outbound: UnboundedSender<Outbound>) {
        let _ = self.commands.send(Command::Connect(conn, outbound));
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
    let mut conns: HashMap<ConnId, UnboundedSender<Outbound>> = HashMap::new();
    loop {
        let command = match inbox.recv_timeout(Duration::from_secs(1)) {
            Ok(command) => Some(command),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let trigger = match command {
            Some(Command::Connect(conn, outbound)) => {
                conns.insert(conn, outbound);
                engine.connect(conn);
                Some(conn)
            }
            Some(Command::Frame(conn, frame)) => {
                engine.receive(conn, &frame);
                Some(conn)
            }
            Some(Command::Disconnect(conn)) => {
                conns.remove(&conn);
                engine.disconnect(conn);
                None
            }
            Some(Command::Shutdown) => {
                for (_, outbound) in conns.drain() {
                    let _ = outbound.send(Outbound::Close("relay shutting down".into()));
                }
                break;
            }
            None => None,
        };
        engine.tick(started.elapsed().as_millis() as u64);
        execute(&mut engine, storage.as_mut(), &mut conns, trigger);
    }
    tracing::info!("sync engine stopped; every acknowledged change is on disk");
}

/// Execute the engine's effects in order. If a write fails, nothing after it in this batch is
/// sent: a peer must never be told about a change the relay could not store. The connection
/// that caused the batch is closed so that its client re-syncs from scratch.
fn execute(
    engine: &mut Engine,
    storage: &mut dyn Storage,
    conns: &mut HashMap<ConnId, UnboundedSender<Outbound>>,
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
                    if let Some(outbound) = conns.get(&conn) {
                        let _ = outbound.send(Outbound::Frame(frame));
                    }
                }
                Effect::Close { conn, reason } => {
                    tracing::info!(conn = conn.0, %reason, "closing connection");
                    if let Some(outbound) = conns.remove(&conn) {
                        let _ = outbound.send(Outbound::Close(reason));
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
                            if let Some(outbound) = conns.remove(&conn) {
                                let _ = outbound
                                    .send(Outbound::Close(format!("relay storage failed: {e}")));
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

//! The relay's engine thread: the one owner of the protocol engine and of storage.
//!
//! WebSocket tasks send it frames over a channel; it runs the engine over batches of them, stores
//! each batch's changes in one group commit before any of the batch's `Send`s leave, and pushes
//! outbound frames to each connection's channel. Storage is synchronous file I/O, so it lives on
//! its own thread rather than blocking the async runtime.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use threshold_model::access::Role;
use threshold_protocol::automerge::Automerge;
use threshold_protocol::{
    Access, CloseCode, ConnId, Decoded, DocumentId, Effect, Engine, EngineConfig,
};
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::Sender;
use tokio::sync::{oneshot, Notify};

use crate::authors::AuthorBook;
use crate::cooldown::Cooldown;
use crate::doc_store;
use crate::guard::{People, Person, RelayGuard};
use crate::history_budget::HistoryBook;
use crate::loader::{self, Found, Loader};
use crate::staged::Staged;
use crate::stale::StaleRecords;
use crate::storage::Storage;

/// Frames waiting for one connection. A peer that lets this many pile up is not reading; it is
/// closed (and resyncs when it reconnects) rather than allowed to grow the relay's memory. The
/// bytes waiting are bounded too, by [`Outflow`]: a few large frames cost more than many small.
pub const OUTBOUND_QUEUE: usize = 8192;

/// What the hub and one connection task share about the frames in flight between them.
#[derive(Debug)]
pub struct Outflow {
    /// Bytes the hub has queued that the task has not yet written to the socket.
    queued: AtomicUsize,
    /// The most that may wait; one frame is always let through, however large, so a peer that
    /// reads is never cut off by a large document.
    max_bytes: usize,
    /// Set by the hub when it gives up on a peer that is not reading: the task stops at once,
    /// even in the middle of a write the peer will never take.
    kill: Notify,
    reason: Mutex<Option<(CloseCode, String)>>,
}

impl Outflow {
    pub fn new(max_bytes: usize) -> Arc<Self> {
        Arc::new(Self {
            queued: AtomicUsize::new(0),
            max_bytes,
            kill: Notify::new(),
            reason: Mutex::new(None),
        })
    }

    /// Count a frame in, unless it would exceed the budget.
    fn admit(&self, bytes: usize) -> bool {
        let queued = self.queued.load(Ordering::Acquire);
        if queued > 0 && queued.saturating_add(bytes) > self.max_bytes {
            return false;
        }
        self.queued.fetch_add(bytes, Ordering::AcqRel);
        true
    }

    /// The task wrote (or dropped) a frame of `bytes`.
    pub fn sent(&self, bytes: usize) {
        self.queued.fetch_sub(bytes, Ordering::AcqRel);
    }

    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    fn kill(&self, code: CloseCode, reason: String) {
        *self.reason.lock().unwrap_or_else(|e| e.into_inner()) = Some((code, reason));
        self.kill.notify_one();
    }

    /// Resolves once the hub gave up on this connection, with the close it chose.
    pub async fn killed(&self) -> (CloseCode, String) {
        self.kill.notified().await;
        self.reason
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or((CloseCode::Policy, "closed by the relay".into()))
    }
}

/// What a connection task receives from the hub.
#[derive(Debug)]
pub enum Outbound {
    Frame(Vec<u8>),
    Close { code: CloseCode, reason: String },
}

/// Who is on the other end of a connection, as the upgrade established it.
#[derive(Debug, Clone)]
pub struct Admitted {
    pub token_id: String,
    pub access: Access,
    /// The token's holder and role, which the guard judges changes by.
    pub name: String,
    pub role: Role,
}

/// A connection as its task hands it to the hub.
pub struct Joining {
    pub conn: ConnId,
    pub outbound: Sender<Outbound>,
    pub outflow: Arc<Outflow>,
    pub admitted: Admitted,
}

enum Command {
    /// Register a connection; the sender is answered once the engine knows it.
    Connect(Joining, oneshot::Sender<()>),
    Frame(ConnId, Vec<u8>),
    Reject(ConnId, CloseCode, String),
    /// The grants of every token, after the access file changed: `None` means revoked. The
    /// sender is answered once every affected connection has been cut off or narrowed.
    Regrant(HashMap<String, Option<Access>>, oneshot::Sender<()>),
    Disconnect(ConnId),
    /// Read a document the relay holds in memory, for the blob routes' question "does this
    /// portal refer to that file?". The inspector gets `None` when it is not in memory: the
    /// caller then reads storage on its own thread, never this one (see [`Hub::inspect`]).
    Inspect(DocumentId, Inspector),
    /// A loader thread read and decoded a document the engine asked for.
    Loaded(DocumentId, Box<Decoded>),
    /// Another relay on the same database stored these chunks (`None`: the listener missed
    /// announcements, so every document in memory may be behind).
    Announced(Option<Vec<String>>),
    /// A loader thread read chunks another relay stored.
    Fetched(DocumentId, Vec<Vec<u8>>),
    Shutdown,
}

type Inspector = Box<dyn FnOnce(Option<&Automerge>) + Send>;

struct Peer {
    outbound: Sender<Outbound>,
    outflow: Arc<Outflow>,
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
    /// The engine judges every change with a [`RelayGuard`] binding actors in `authors` and
    /// counting clients' history in `history`.
    ///
    /// Documents are written through `storage` on the engine thread and read through `reads`
    /// (another handle on the same storage) by the loader threads.
    pub fn spawn(
        config: EngineConfig,
        storage: Box<dyn Storage>,
        reads: Arc<dyn Storage + Send + Sync>,
        staged: Staged,
        authors: AuthorBook,
        history: HistoryBook,
        cooldown: Cooldown,
    ) -> std::io::Result<Self> {
        let (commands, inbox) = mpsc::channel();
        let people = People::default();
        let stale = StaleRecords::default();
        let authors = authors.watching(stale.clone());
        let history = history.watching(stale.clone());
        let mut engine = Engine::new(config);
        engine.set_guard(Box::new(RelayGuard::new(
            people.clone(),
            authors,
            history,
            cooldown,
        )));
        let back = commands.clone();
        let loader = Loader::spawn(reads, move |found| {
            let _ = back.send(match found {
                Found::Loaded(doc, decoded) => Command::Loaded(doc, decoded),
                Found::Fetched(doc, chunks) => Command::Fetched(doc, chunks),
            });
        })?;
        let thread = std::thread::Builder::new()
            .name("sync-engine".into())
            .spawn(move || run(engine, storage, staged, loader, people, stale, inbox))?;
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
    /// Register a connection with the engine under its grant; returns once it is registered,
    /// so a grant change sent after this returns is sure to reach it.
    pub async fn connect(&self, joining: Joining) {
        let (ack, done) = oneshot::channel();
        if self.commands.send(Command::Connect(joining, ack)).is_ok() {
            let _ = done.await;
        }
    }

    /// Refuse a connection: the peer gets an `error` message saying why, then a close frame.
    pub fn reject(&self, conn: ConnId, code: CloseCode, reason: String) {
        let _ = self.commands.send(Command::Reject(conn, code, reason));
    }

    /// Apply changed grants to every open connection: revoked tokens are cut off at once.
    /// Returns once the engine has applied them: from then on no connection of a revoked
    /// token is served, and a read-only one's changes are dropped.
    pub async fn regrant(&self, grants: HashMap<String, Option<Access>>) {
        let (ack, done) = oneshot::channel();
        if self.commands.send(Command::Regrant(grants, ack)).is_ok() {
            let _ = done.await;
        }
    }

    /// Another relay stored these chunks (keys in the storage's layout), or, with `None`, may
    /// have stored anything: the documents held in memory catch up and their peers hear of it.
    pub fn announced(&self, keys: Option<Vec<String>>) {
        let _ = self.commands.send(Command::Announced(keys));
    }

    pub fn frame(&self, conn: ConnId, frame: Vec<u8>) {
        let _ = self.commands.send(Command::Frame(conn, frame));
    }

    pub fn disconnect(&self, conn: ConnId) {
        let _ = self.commands.send(Command::Disconnect(conn));
    }

    /// Run `read` on the document as the relay holds it (`None` if it has none of it).
    ///
    /// A document in memory is read on the engine thread between batches, which is cheap. One
    /// that is not is read from `storage` on a blocking thread of the runtime: loading a large
    /// portal takes long, and on the engine thread every other document's sync would wait
    /// behind it (a stream of `GET /blobs/…` could stall the relay). Reading storage still sees
    /// every change the relay has acknowledged, because a change is stored before it is
    /// acknowledged, and a document is only evicted from memory once it is stored.
    pub async fn inspect<R: Send + 'static>(
        &self,
        doc: DocumentId,
        storage: Arc<dyn Storage + Send + Sync>,
        read: impl Fn(Option<&Automerge>) -> R + Send + Sync + 'static,
    ) -> Option<R> {
        let read = Arc::new(read);
        let (reply, answer) = tokio::sync::oneshot::channel();
        let in_memory = read.clone();
        let inspector: Inspector = Box::new(move |doc| {
            let _ = reply.send(doc.map(|d| in_memory(Some(d))));
        });
        self.commands.send(Command::Inspect(doc, inspector)).ok()?;
        if let Some(answer) = answer.await.ok()? {
            return Some(answer);
        }
        tokio::task::spawn_blocking(move || read(stored_doc(storage.as_ref(), &doc).as_ref()))
            .await
            .ok()
    }
}

/// How many commands one batch takes at most, and how long the engine may work on one batch
/// before it commits and sends: enough that many changes share one round of disk syncs, little
/// enough that the first change of a batch is not kept waiting behind hundreds of others.
const MAX_BATCH: usize = 256;
const BATCH_BUDGET: Duration = Duration::from_millis(4);

/// What the engine thread owns besides the engine.
struct Shell {
    storage: Box<dyn Storage>,
    /// What the guard recorded for the changes it admitted, stored with each group commit.
    staged: Staged,
    loader: Loader,
    conns: HashMap<ConnId, Peer>,
    /// Close codes for connections the hub itself refused, used when the engine's close comes.
    codes: HashMap<ConnId, CloseCode>,
    /// Who is on each connection, for the engine's guard.
    people: People,
    /// Connections whose changes the guard refused since the relay started, for the logs.
    refusals: u64,
    /// Chunks another relay stored, fetched while the document was still loading here: applied
    /// once it has loaded (the load may have read storage before they were committed).
    early: HashMap<DocumentId, Vec<Vec<u8>>>,
    /// Documents another relay stored changes to, whose guard records the books read again.
    stale: StaleRecords,
}

/// The loop is group commit: it takes the commands already waiting (up to [`MAX_BATCH`], or
/// [`BATCH_BUDGET`] of engine time), runs them all through the engine, stores every chunk they
/// produced in one batch, and only then sends what they produced. Under light load a batch is
/// one command, as before; under heavy load one round of disk syncs serves hundreds of changes.
fn run(
    mut engine: Engine,
    storage: Box<dyn Storage>,
    staged: Staged,
    loader: Loader,
    people: People,
    stale: StaleRecords,
    inbox: mpsc::Receiver<Command>,
) {
    let started = Instant::now();
    let mut shell = Shell {
        storage,
        staged,
        loader,
        conns: HashMap::new(),
        codes: HashMap::new(),
        people,
        refusals: 0,
        early: HashMap::new(),
        stale,
    };
    loop {
        let mut next = match inbox.recv_timeout(Duration::from_secs(1)) {
            Ok(command) => Some(command),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let batch_started = Instant::now();
        let mut triggers = Vec::new();
        let mut acks = Vec::new();
        let mut shutdown = false;
        let mut taken = 0;
        while let Some(command) = next.take() {
            if matches!(command, Command::Shutdown) {
                shutdown = true;
                break;
            }
            if let Some(conn) = shell.apply(&mut engine, command, &mut acks) {
                triggers.push(conn);
            }
            taken += 1;
            if taken < MAX_BATCH && batch_started.elapsed() < BATCH_BUDGET {
                next = inbox.try_recv().ok();
            }
        }
        engine.tick(started.elapsed().as_millis() as u64);
        shell.execute(&mut engine, &triggers);
        // Only now, with the batch's closes on their way, are its grant changes done.
        for ack in acks {
            let _ = ack.send(());
        }
        if shutdown {
            for (_, peer) in shell.conns.drain() {
                close(&peer, CloseCode::ShuttingDown, "relay shutting down");
            }
            break;
        }
    }
    tracing::info!("sync engine stopped; every acknowledged change is on disk");
}

impl Shell {
    /// Feed one command to the engine. Returns the connection it came from, if any.
    fn apply(
        &mut self,
        engine: &mut Engine,
        command: Command,
        acks: &mut Vec<oneshot::Sender<()>>,
    ) -> Option<ConnId> {
        match command {
            Command::Connect(joining, ack) => {
                acks.push(ack);
                let Joining {
                    conn,
                    outbound,
                    outflow,
                    admitted,
                } = joining;
                self.with_people(|people| {
                    people.insert(
                        conn,
                        Person {
                            token_id: admitted.token_id.clone(),
                            name: admitted.name.clone(),
                            role: admitted.role,
                        },
                    )
                });
                engine.connect_as(conn, admitted.access.clone(), admitted.token_id.clone());
                self.conns.insert(
                    conn,
                    Peer {
                        outbound,
                        outflow,
                        admitted,
                    },
                );
                Some(conn)
            }
            Command::Reject(conn, code, reason) => {
                self.codes.insert(conn, code);
                engine.reject(conn, &reason);
                Some(conn)
            }
            Command::Regrant(grants, ack) => {
                acks.push(ack);
                for (conn, peer) in self.conns.iter_mut() {
                    match grants.get(&peer.admitted.token_id).cloned().flatten() {
                        None => {
                            self.codes.insert(*conn, CloseCode::Revoked);
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
            Command::Frame(conn, frame) => {
                engine.receive(conn, &frame);
                Some(conn)
            }
            Command::Disconnect(conn) => {
                self.conns.remove(&conn);
                self.codes.remove(&conn);
                self.with_people(|people| people.remove(&conn));
                engine.disconnect(conn);
                None
            }
            Command::Inspect(doc, read) => {
                read(engine.doc(&doc).filter(|d| !d.get_heads().is_empty()));
                None
            }
            Command::Loaded(doc, decoded) => {
                engine.loaded_decoded(doc, *decoded);
                for chunk in self.early.remove(&doc).unwrap_or_default() {
                    engine.apply_stored(doc, &chunk);
                }
                None
            }
            Command::Announced(keys) => {
                match keys {
                    Some(keys) => {
                        let mut per_doc: HashMap<DocumentId, Vec<String>> = HashMap::new();
                        for key in keys {
                            if let Some(doc) = threshold_protocol::storage_key::doc_of(&key) {
                                per_doc.entry(doc).or_default().push(key);
                            }
                        }
                        for (doc, keys) in per_doc {
                            // A document not in memory is read whole from storage when wanted.
                            if engine.doc(&doc).is_some() || engine.is_loading(&doc) {
                                self.loader.fetch(doc, Some(keys));
                            }
                        }
                    }
                    None => {
                        for doc in engine.held_documents() {
                            self.loader.fetch(doc, None);
                        }
                    }
                }
                None
            }
            Command::Fetched(doc, chunks) => {
                // Stored with another relay's group commit, perhaps with new guard records.
                self.stale.mark(doc);
                if engine.is_loading(&doc) {
                    self.early.entry(doc).or_default().extend(chunks);
                } else {
                    for chunk in chunks {
                        engine.apply_stored(doc, &chunk);
                    }
                }
                None
            }
            Command::Shutdown => None,
        }
    }

    /// Execute the engine's effects: loads at once (they may produce further effects), then
    /// every save of the batch in one group commit, then the sends and closes in their order. So
    /// a change is on disk before any peer hears of it or is told it was stored.
    ///
    /// If the group commit fails, nothing of the batch is sent. A peer must never hear of a
    /// change the relay could not store, and a peer whose sync message was dropped would wait
    /// forever, so every connection the batch involved is closed and resyncs when it returns.
    fn execute(&mut self, engine: &mut Engine, triggers: &[ConnId]) {
        loop {
            let mut saves = Vec::new();
            let mut outgoing = Vec::new();
            loop {
                let effects = engine.take_effects();
                if effects.is_empty() {
                    break;
                }
                for effect in effects {
                    match effect {
                        // Off this thread; the engine holds the document's messages until
                        // `Command::Loaded` brings it.
                        Effect::Load { doc } => self.loader.load(doc),
                        Effect::Save { doc, chunk } => saves.push((doc, chunk)),
                        Effect::Send { .. } | Effect::Close { .. } => outgoing.push(effect),
                        Effect::Warning { message } => tracing::warn!(%message),
                        Effect::PeerIdInUse { conn, peer } => {
                            self.codes.insert(conn, CloseCode::PeerIdInUse);
                            let token = self.conns.get(&conn).map(|p| p.admitted.token_id.clone());
                            tracing::warn!(conn = conn.0, ?token, %peer, "refused a peer id held by another token");
                        }
                        Effect::Refused { conn, doc, rule } => {
                            self.refusals += 1;
                            self.codes.insert(conn, CloseCode::Refused);
                            let token = self.conns.get(&conn).map(|p| p.admitted.token_id.clone());
                            tracing::warn!(conn = conn.0, ?token, %doc, %rule, refusals = self.refusals, "refused a change");
                        }
                        Effect::SaveSyncState { .. }
                        | Effect::DocChanged { .. }
                        | Effect::DocUnavailable { .. }
                        | Effect::Ephemeral { .. } => {}
                    }
                }
            }
            if saves.is_empty() && outgoing.is_empty() {
                return;
            }
            let docs: BTreeSet<DocumentId> = saves.iter().map(|(doc, _)| *doc).collect();
            let records = self.staged.take();
            if saves.is_empty() {
                // No change of this batch waits on the records (they are left from a batch
                // whose commit failed, or note no change): a failure keeps them for the next
                // commit, and the batch's answers go out. Withholding them would close every
                // peer, readers and newcomers too, for as long as the storage is down.
                if !records.is_empty() {
                    if let Err(e) = self.storage.put_all(&records) {
                        self.staged.restore(records);
                        tracing::warn!(error = %e, "could not store the guard's records; kept for the next commit");
                    }
                }
            } else if let Err(e) = doc_store::save_batch(self.storage.as_mut(), saves, &records) {
                self.staged.restore(records);
                tracing::error!(error = %e, documents = docs.len(), "could not store changes; not acknowledging them");
                // Memory must not run ahead of storage: the documents are read again when asked,
                // and their peers, who would hear nothing more of them, resync when they return.
                let forgotten: Vec<ConnId> = docs
                    .into_iter()
                    .flat_map(|doc| engine.forget_unstored(doc))
                    .collect();
                let reason = format!("relay storage failed: {}", e.brief());
                let involved: BTreeSet<ConnId> = triggers
                    .iter()
                    .copied()
                    .chain(outgoing.iter().filter_map(|effect| match effect {
                        Effect::Send { conn, .. } => Some(*conn),
                        _ => None,
                    }))
                    .chain(forgotten)
                    .collect();
                for conn in involved {
                    if let Some(peer) = self.conns.remove(&conn) {
                        close(&peer, CloseCode::ServerError, &reason);
                    }
                    engine.disconnect(conn);
                }
                let _ = engine.take_effects();
                return;
            }
            for effect in outgoing {
                self.deliver(engine, effect);
            }
        }
    }

    fn with_people<R>(&self, update: impl FnOnce(&mut HashMap<ConnId, Person>) -> R) -> R {
        // Only this thread locks it, so a poisoned lock means an earlier panic here; the map
        // itself is still whole.
        let mut people = self.people.lock().unwrap_or_else(|e| e.into_inner());
        update(&mut people)
    }

    fn deliver(&mut self, engine: &mut Engine, effect: Effect) {
        match effect {
            Effect::Send { conn, frame } => {
                let Some(peer) = self.conns.get(&conn) else {
                    return;
                };
                let bytes = frame.len();
                let backlog = if !peer.outflow.admit(bytes) {
                    Some(format!(
                        "not reading: {} bytes unsent (the limit is {}); reconnect to resync",
                        peer.outflow.queued(),
                        peer.outflow.max_bytes
                    ))
                } else if let Err(TrySendError::Full(_)) =
                    peer.outbound.try_send(Outbound::Frame(frame))
                {
                    peer.outflow.sent(bytes);
                    Some(format!(
                        "not reading: {OUTBOUND_QUEUE} messages unsent; reconnect to resync"
                    ))
                } else {
                    None
                };
                if let Some(reason) = backlog {
                    tracing::warn!(conn = conn.0, %reason, "peer is not reading; closing it");
                    if let Some(peer) = self.conns.remove(&conn) {
                        // Not through the queue, which the peer is not draining: the task
                        // drops the socket at once, and with it every frame still waiting.
                        peer.outflow.kill(CloseCode::Policy, reason);
                    }
                    self.with_people(|people| people.remove(&conn));
                    engine.disconnect(conn);
                }
            }
            Effect::Close { conn, reason } => {
                let code = self.codes.remove(&conn).unwrap_or(CloseCode::Policy);
                tracing::info!(conn = conn.0, code = code.code(), %reason, "closing connection");
                if let Some(peer) = self.conns.remove(&conn) {
                    close(&peer, code, &reason);
                }
            }
            _ => {}
        }
    }
}

/// A document read straight from storage, without handing it to the engine; `None` if storage
/// holds none of it.
fn stored_doc(storage: &(dyn Storage + Send + Sync), doc: &DocumentId) -> Option<Automerge> {
    let doc = loader::load(storage, doc).into_doc();
    (!doc.get_heads().is_empty()).then_some(doc)
}

/// Ask a connection task to close, after the frames already queued (an `error` message says
/// why before the close). A full queue cannot take the request, but then the task is behind and
/// would never reach it: it is stopped at once instead.
fn close(peer: &Peer, code: CloseCode, reason: &str) {
    let request = Outbound::Close {
        code,
        reason: reason.to_owned(),
    };
    if peer.outbound.try_send(request).is_err() {
        peer.outflow.kill(code, reason.to_owned());
    }
}

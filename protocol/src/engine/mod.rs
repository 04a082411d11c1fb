//! The protocol state machine: handshakes, one automerge sync state per document per peer,
//! document search across peers, and persistence requests.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash};

use crate::{
    storage_key, Access, Chunk, DocumentId, Effect, Message, PeerId, PeerMetadata, PROTOCOL_V1,
};

/// A connection as the shell numbers it. The engine never invents these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// Which end of the wire this engine is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Answers `join`, keeps documents for whoever asks, and never announces documents a peer
    /// did not ask for.
    Relay,
    /// Sends `join`, and announces every document it holds to the relay it connects to.
    Client,
}

#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub peer_id: PeerId,
    pub metadata: PeerMetadata,
    pub role: Role,
    /// Documents without peers for this long are dropped from memory (they are already stored).
    pub evict_idle_after_ms: Option<u64>,
    /// A peer asked on our behalf that stays silent this long counts as not having the document.
    pub search_timeout_ms: u64,
    /// Write a snapshot instead of another incremental chunk once this many have piled up and
    /// they add up to at least a quarter of the last snapshot's size. The second condition keeps
    /// compaction's cost proportional to the bytes written: a snapshot of a large document takes
    /// long enough to be felt, so it must be rare, while a small one is cheap to redo often.
    pub snapshot_after_chunks: usize,
    /// Emit [`Effect::SaveSyncState`] for peers with durable storage.
    pub persist_sync_states: bool,
    /// A connection that asks about more documents than this is closed with an error: no
    /// honest client needs more, and each document costs the relay memory.
    pub max_docs_per_conn: usize,
}

impl EngineConfig {
    pub fn relay(peer_id: PeerId, storage_id: String) -> Self {
        Self {
            peer_id,
            metadata: PeerMetadata {
                storage_id: Some(storage_id),
                is_ephemeral: false,
            },
            role: Role::Relay,
            evict_idle_after_ms: Some(60_000),
            search_timeout_ms: 5_000,
            snapshot_after_chunks: 64,
            persist_sync_states: false,
            max_docs_per_conn: 4096,
        }
    }

    pub fn client(peer_id: PeerId, storage_id: String) -> Self {
        Self {
            peer_id,
            metadata: PeerMetadata {
                storage_id: Some(storage_id),
                is_ephemeral: false,
            },
            role: Role::Client,
            evict_idle_after_ms: None,
            search_timeout_ms: 5_000,
            snapshot_after_chunks: 32,
            persist_sync_states: true,
            max_docs_per_conn: usize::MAX,
        }
    }
}

/// An incremental chunk at least this large, and half the document's size, is written as a
/// snapshot instead (see `Engine::persist`).
const LARGE_CHUNK_BYTES: usize = 64 * 1024;

/// What storage held for a document when the shell answered [`Effect::Load`].
#[derive(Debug, Default, Clone)]
pub struct Loaded {
    /// Snapshots and incremental chunks, in any order.
    pub chunks: Vec<Vec<u8>>,
    /// Stored sync states by the remote peer's storage id.
    pub sync_states: Vec<(String, Vec<u8>)>,
}

/// A summary for a connection indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSummary {
    /// Connections whose handshake completed.
    pub peers: usize,
    /// Documents with content that some connected peer has not acknowledged yet.
    pub docs_behind: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeerStatus {
    /// We asked, or we announced, and have not heard whether it has the document.
    Unknown,
    /// It has sent us heads: it holds the document.
    Has,
    /// It asked us for the document and holds nothing itself.
    Wants,
    /// It told us it does not have the document.
    Unavailable,
}

struct PeerDoc {
    sync: sync::State,
    status: PeerStatus,
    /// Whether to push new changes to this peer: it asked for or sent the document, or we
    /// announced it. A peer we only asked on someone else's behalf is not subscribed.
    subscribed: bool,
    saved_shared_heads: Vec<ChangeHash>,
}

struct DocEntry {
    /// `None` while storage is being read.
    doc: Option<Automerge>,
    /// Messages that arrived while loading, replayed in order once loaded.
    pending: Vec<(ConnId, Message)>,
    peers: BTreeMap<ConnId, PeerDoc>,
    saved_heads: Vec<ChangeHash>,
    chunks_since_snapshot: usize,
    bytes_since_snapshot: usize,
    snapshot_bytes: usize,
    stored_sync_states: HashMap<String, Vec<u8>>,
    /// This side's user opened or created it, so it is announced and its absence reported.
    wanted_locally: bool,
    reported_unavailable: bool,
    idle_since: Option<u64>,
    search_started: Option<u64>,
}

impl DocEntry {
    fn loading(wanted_locally: bool) -> Self {
        Self {
            doc: None,
            pending: Vec::new(),
            peers: BTreeMap::new(),
            saved_heads: Vec::new(),
            chunks_since_snapshot: 0,
            bytes_since_snapshot: 0,
            snapshot_bytes: 0,
            stored_sync_states: HashMap::new(),
            wanted_locally,
            reported_unavailable: false,
            idle_since: None,
            search_started: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.doc.as_ref().is_none_or(|d| d.get_heads().is_empty())
    }
}

struct Conn {
    /// Set once the handshake completes.
    remote: Option<(PeerId, PeerMetadata)>,
    access: Access,
    /// Documents this peer has asked about, counted against `max_docs_per_conn`.
    docs: HashSet<DocumentId>,
}

pub struct Engine {
    config: EngineConfig,
    conns: BTreeMap<ConnId, Conn>,
    docs: HashMap<DocumentId, DocEntry>,
    effects: Vec<Effect>,
    now_ms: u64,
    session_id: String,
    ephemeral_count: u64,
    ephemeral_seen: HashMap<(PeerId, String), u64>,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        Self {
            config,
            conns: BTreeMap::new(),
            docs: HashMap::new(),
            effects: Vec::new(),
            now_ms: 0,
            session_id: uuid::Uuid::new_v4().simple().to_string(),
            ephemeral_count: 0,
            ephemeral_seen: HashMap::new(),
        }
    }

    pub fn peer_id(&self) -> &PeerId {
        &self.config.peer_id
    }

    /// Everything the engine wants done since the last call, in order.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    // ----- connections -------------------------------------------------------------------

    /// A transport connection opened, with full access. A client starts the handshake at once.
    pub fn connect(&mut self, conn: ConnId) {
        self.connect_with(conn, Access::full());
    }

    /// A transport connection opened whose peer may only do what `access` allows.
    pub fn connect_with(&mut self, conn: ConnId, access: Access) {
        self.conns.insert(
            conn,
            Conn {
                remote: None,
                access,
                docs: HashSet::new(),
            },
        );
        if self.config.role == Role::Client {
            let join = Message::Join {
                sender_id: self.config.peer_id.clone(),
                peer_metadata: self.config.metadata.clone(),
                supported_protocol_versions: vec![PROTOCOL_V1.to_owned()],
            };
            self.send(conn, &join);
        }
    }

    /// Narrow or widen what a connected peer may do (a token turned read-only, say). Documents
    /// now outside its scope stop syncing with it at once.
    pub fn set_access(&mut self, conn: ConnId, access: Access) {
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        state.docs.retain(|doc| access.can_read(doc));
        state.access = access.clone();
        let mut resync = Vec::new();
        for (id, entry) in self.docs.iter_mut() {
            if !access.can_read(id) {
                entry.peers.remove(&conn);
                continue;
            }
            if let Some(pd) = entry.peers.get_mut(&conn) {
                if pd.sync.read_only == access.write {
                    pd.sync.set_read_only(!access.write);
                    resync.push(*id);
                }
            }
        }
        for id in resync {
            self.sync_one(id, conn);
        }
    }

    /// Refuse a connection on the shell's behalf (a revoked token, a rate limit): tell the peer
    /// why, close, and forget it.
    pub fn reject(&mut self, conn: ConnId, reason: &str) {
        if self.conns.contains_key(&conn) {
            self.fail(conn, reason.to_owned());
        }
    }

    /// A transport connection closed (or the shell closed it).
    pub fn disconnect(&mut self, conn: ConnId) {
        let Some(closed) = self.conns.remove(&conn) else {
            return;
        };
        // Ephemeral dedupe entries only matter while the sender is connected.
        if let Some((peer, _)) = closed.remote {
            if !self.connected_peers().any(|(_, p)| *p == peer) {
                self.ephemeral_seen.retain(|(p, _), _| *p != peer);
            }
        }
        let now = self.now_ms;
        let affected: Vec<DocumentId> = self
            .docs
            .iter_mut()
            .filter_map(|(id, entry)| {
                entry.peers.remove(&conn)?;
                if entry.peers.is_empty() {
                    entry.idle_since = Some(now);
                }
                Some(*id)
            })
            .collect();
        for doc in affected {
            self.check_unavailable(doc);
        }
    }

    pub fn connected_peers(&self) -> impl Iterator<Item = (ConnId, &PeerId)> {
        self.conns
            .iter()
            .filter_map(|(c, conn)| conn.remote.as_ref().map(|(p, _)| (*c, p)))
    }

    /// One frame arrived on a connection.
    pub fn receive(&mut self, conn: ConnId, frame: &[u8]) {
        let Some(state) = self.conns.get(&conn) else {
            return;
        };
        let established = state.remote.is_some();
        let message = match Message::decode(frame) {
            Ok(m) => m,
            Err(e) => return self.fail(conn, format!("malformed message: {e}")),
        };
        match message {
            Message::Join {
                sender_id,
                peer_metadata,
                supported_protocol_versions,
            } if self.config.role == Role::Relay => {
                if !supported_protocol_versions.iter().any(|v| v == PROTOCOL_V1) {
                    let reason = "unsupported protocol version".to_owned();
                    return self.fail_with_target(conn, sender_id, reason);
                }
                // As in the stock server, a second join from the same peer id replaces the
                // earlier connection: that is a browser reconnecting before the old socket died.
                let stale: Vec<ConnId> = self
                    .connected_peers()
                    .filter(|(c, p)| *c != conn && **p == sender_id)
                    .map(|(c, _)| c)
                    .collect();
                for old in stale {
                    self.effects.push(Effect::Close {
                        conn: old,
                        reason: "replaced by a newer connection of the same peer".into(),
                    });
                    self.disconnect(old);
                }
                let reply = Message::Peer {
                    sender_id: self.config.peer_id.clone(),
                    target_id: sender_id.clone(),
                    peer_metadata: self.config.metadata.clone(),
                    selected_protocol_version: PROTOCOL_V1.to_owned(),
                };
                self.send(conn, &reply);
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.remote = Some((sender_id, peer_metadata));
                }
                if !established {
                    self.on_established(conn);
                }
            }
            Message::Peer {
                sender_id,
                peer_metadata,
                ..
            } if self.config.role == Role::Client => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.remote = Some((sender_id, peer_metadata));
                }
                if !established {
                    self.on_established(conn);
                }
            }
            Message::Error { message, .. } => {
                self.effects.push(Effect::Close {
                    conn,
                    reason: format!("peer reported an error: {message}"),
                });
                self.disconnect(conn);
            }
            Message::Leave { .. } => {
                self.effects.push(Effect::Close {
                    conn,
                    reason: "peer left".into(),
                });
                self.disconnect(conn);
            }
            Message::Other { .. } => {}
            message if !established => self.fail(
                conn,
                format!("expected the handshake first, got `{}`", message.kind()),
            ),
            message @ (Message::Join { .. } | Message::Peer { .. }) => self.fail(
                conn,
                format!("unexpected `{}` for this end of the wire", message.kind()),
            ),
            message => self.route_doc_message(conn, message),
        }
    }

    fn on_established(&mut self, conn: ConnId) {
        if self.config.role != Role::Client {
            return;
        }
        let announce: Vec<DocumentId> = self
            .docs
            .iter()
            .filter(|(_, e)| e.doc.is_some() && (e.wanted_locally || !e.is_empty()))
            .map(|(id, _)| *id)
            .collect();
        for doc in announce {
            self.announce(doc, conn);
        }
    }

    /// Start syncing a document with a peer on our own initiative.
    fn announce(&mut self, doc: DocumentId, conn: ConnId) {
        self.ensure_peer_doc(doc, conn);
        if let Some(pd) = self.peer_doc_mut(doc, conn) {
            pd.subscribed = true;
        }
        self.sync_one(doc, conn);
    }

    // ----- documents, local side ---------------------------------------------------------

    /// Register a document created on this side and announce it.
    pub fn create(&mut self, id: DocumentId, doc: Automerge) {
        let mut entry = DocEntry::loading(true);
        entry.saved_heads = doc.get_heads();
        let snapshot = doc.save();
        entry.snapshot_bytes = snapshot.len();
        entry.doc = Some(doc);
        self.docs.insert(id, entry);
        self.effects.push(Effect::Save {
            doc: id,
            chunk: Chunk::Snapshot(snapshot),
        });
        self.effects.push(Effect::DocChanged { doc: id });
        self.announce_everywhere(id);
    }

    /// Ask for a document: from storage first, then from peers.
    pub fn open(&mut self, id: DocumentId) {
        match self.docs.get_mut(&id) {
            Some(entry) => {
                let newly_wanted = !entry.wanted_locally;
                entry.wanted_locally = true;
                entry.reported_unavailable = false;
                if newly_wanted && entry.doc.is_some() {
                    self.announce_everywhere(id);
                }
            }
            None => {
                self.docs.insert(id, DocEntry::loading(true));
                self.effects.push(Effect::Load { doc: id });
            }
        }
    }

    /// The document as this side has it, or `None` while it loads or if never opened.
    pub fn doc(&self, id: &DocumentId) -> Option<&Automerge> {
        self.docs.get(id).and_then(|e| e.doc.as_ref())
    }

    /// Whether this side holds any of the document's content (it may be loaded but empty while
    /// it is being fetched from a peer).
    pub fn has_content(&self, id: &DocumentId) -> bool {
        self.docs.get(id).is_some_and(|e| !e.is_empty())
    }

    pub fn is_loading(&self, id: &DocumentId) -> bool {
        self.docs.get(id).is_some_and(|e| e.doc.is_none())
    }

    /// Apply a local edit. Returns `None` if the document is not loaded.
    pub fn change<R>(
        &mut self,
        id: DocumentId,
        edit: impl FnOnce(&mut Automerge) -> R,
    ) -> Option<R> {
        let entry = self.docs.get_mut(&id)?;
        let doc = entry.doc.as_mut()?;
        let before = doc.get_heads();
        let result = edit(doc);
        if doc.get_heads() != before {
            self.persist(id);
            self.effects.push(Effect::DocChanged { doc: id });
            self.sync_subscribers(id, None);
        }
        Some(result)
    }

    /// Apply changes that another tab of this browser has already stored (shared storage), so
    /// they are shown and synced here without being written a second time.
    pub fn apply_stored(&mut self, id: DocumentId, chunk: &[u8]) {
        let Some(entry) = self.docs.get_mut(&id) else {
            return;
        };
        let Some(doc) = entry.doc.as_mut() else {
            // Still loading: storage already holds these changes, and the load will read them.
            return;
        };
        let before = doc.get_heads();
        if doc.load_incremental(chunk).is_err() {
            self.effects.push(Effect::Warning {
                message: format!("a change to {id} from another tab could not be read"),
            });
            return;
        }
        let after = doc.get_heads();
        if after == before {
            return;
        }
        // Everything up to `before` was stored by this side and the rest by the other tab, so
        // nothing is left to store; the next incremental chunk starts after these heads.
        if entry.saved_heads == before {
            entry.saved_heads = after;
        }
        entry.reported_unavailable = false;
        self.effects.push(Effect::DocChanged { doc: id });
        self.sync_subscribers(id, None);
    }

    /// The shell could not store the last `Save` of a document. The next save is then a full
    /// snapshot, so that nothing the failed write held is skipped by later incremental chunks.
    pub fn persist_failed(&mut self, id: DocumentId) {
        if let Some(entry) = self.docs.get_mut(&id) {
            entry.saved_heads.clear();
            entry.chunks_since_snapshot = usize::MAX;
            entry.bytes_since_snapshot = usize::MAX;
        }
    }

    /// Broadcast an ephemeral message (presence) to the peers syncing a document.
    pub fn broadcast_ephemeral(&mut self, id: DocumentId, data: Vec<u8>) {
        self.ephemeral_count += 1;
        let targets: Vec<(ConnId, PeerId)> = self.subscriber_peers(id, None);
        for (conn, target_id) in targets {
            let message = Message::Ephemeral {
                sender_id: self.config.peer_id.clone(),
                target_id,
                document_id: id,
                count: self.ephemeral_count,
                session_id: self.session_id.clone(),
                data: data.clone(),
            };
            self.send(conn, &message);
        }
    }

    /// Storage answered an [`Effect::Load`].
    pub fn loaded(&mut self, id: DocumentId, loaded: Loaded) {
        let entry = self
            .docs
            .entry(id)
            .or_insert_with(|| DocEntry::loading(false));
        if entry.doc.is_some() {
            return;
        }
        let mut doc = Automerge::new();
        let mut bad_chunks = 0;
        let chunks = storage_key::largest_first(&loaded.chunks);
        for chunk in &chunks {
            if doc.load_incremental(chunk).is_err() {
                bad_chunks += 1;
            }
        }
        entry.saved_heads = doc.get_heads();
        entry.chunks_since_snapshot = loaded.chunks.len();
        entry.snapshot_bytes = chunks.first().map_or(0, |c| c.len());
        entry.bytes_since_snapshot = chunks.iter().skip(1).map(|c| c.len()).sum();
        entry.stored_sync_states = loaded.sync_states.into_iter().collect();
        let has_content = !doc.get_heads().is_empty();
        entry.doc = Some(doc);
        entry.idle_since = Some(self.now_ms);
        let pending = std::mem::take(&mut entry.pending);
        let wanted = entry.wanted_locally;
        if bad_chunks > 0 {
            self.effects.push(Effect::Warning {
                message: format!("{bad_chunks} stored chunk(s) of {id} could not be read"),
            });
        }
        if has_content {
            self.effects.push(Effect::DocChanged { doc: id });
        }
        for (conn, message) in pending {
            if self.conns.contains_key(&conn) {
                self.process_doc_message(conn, message);
            }
        }
        if self.config.role == Role::Client && (wanted || has_content) {
            self.announce_everywhere(id);
        }
        self.check_unavailable(id);
    }

    fn announce_everywhere(&mut self, id: DocumentId) {
        if self.config.role != Role::Client {
            return;
        }
        let conns: Vec<ConnId> = self.connected_peers().map(|(c, _)| c).collect();
        for conn in conns {
            let already = self
                .docs
                .get(&id)
                .is_some_and(|e| e.peers.get(&conn).is_some_and(|p| p.subscribed));
            if !already {
                self.announce(id, conn);
            }
        }
    }

    /// Let the engine know the time; drops idle documents and ends stalled searches.
    pub fn tick(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
        let timeout = self.config.search_timeout_ms;
        let stalled: Vec<DocumentId> = self
            .docs
            .iter_mut()
            .filter_map(|(id, e)| {
                let started = e.search_started?;
                if now_ms.saturating_sub(started) < timeout {
                    return None;
                }
                e.search_started = None;
                for pd in e.peers.values_mut() {
                    if pd.status == PeerStatus::Unknown && !pd.subscribed {
                        pd.status = PeerStatus::Unavailable;
                    }
                }
                Some(*id)
            })
            .collect();
        for doc in stalled {
            self.check_unavailable(doc);
        }
        if let Some(after) = self.config.evict_idle_after_ms {
            self.docs.retain(|_, e| {
                let idle = e.peers.is_empty()
                    && !e.wanted_locally
                    && e.pending.is_empty()
                    && e.doc.is_some()
                    && e.idle_since
                        .is_some_and(|t| now_ms.saturating_sub(t) >= after);
                !idle
            });
        }
    }

    /// How many documents are held in memory (for tests and metrics).
    pub fn loaded_documents(&self) -> usize {
        self.docs.values().filter(|e| e.doc.is_some()).count()
    }

    pub fn summary(&self) -> SyncSummary {
        let connected: HashSet<ConnId> = self.connected_peers().map(|(c, _)| c).collect();
        let docs_behind = self
            .docs
            .keys()
            .filter(|id| !self.is_synced_with_all(id, &connected))
            .count();
        SyncSummary {
            peers: connected.len(),
            docs_behind,
        }
    }

    /// Whether every connected peer has acknowledged this document's current heads.
    pub fn is_doc_synced(&self, id: &DocumentId) -> bool {
        let connected: HashSet<ConnId> = self.connected_peers().map(|(c, _)| c).collect();
        !connected.is_empty() && self.is_synced_with_all(id, &connected)
    }

    fn is_synced_with_all(&self, id: &DocumentId, connected: &HashSet<ConnId>) -> bool {
        let Some(entry) = self.docs.get(id) else {
            return true;
        };
        let Some(doc) = entry.doc.as_ref() else {
            return false;
        };
        let heads = doc.get_heads();
        if heads.is_empty() {
            return true;
        }
        let ours: HashSet<&ChangeHash> = heads.iter().collect();
        connected.iter().all(|conn| {
            entry.peers.get(conn).is_some_and(|pd| {
                !pd.subscribed
                    || pd
                        .sync
                        .their_heads
                        .as_ref()
                        .is_some_and(|theirs| theirs.iter().collect::<HashSet<_>>() == ours)
            })
        })
    }

    // ----- documents, remote side --------------------------------------------------------

    fn route_doc_message(&mut self, conn: ConnId, message: Message) {
        let Some(id) = message.document_id() else {
            return;
        };
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        if !state.access.can_read(&id) {
            // Exactly the answer a document that does not exist gets, and at once: neither the
            // reply nor its timing may hint that the document is here.
            if matches!(message, Message::Request(_) | Message::Sync(_)) {
                self.answer_unavailable(conn, id);
            }
            return;
        }
        if !state.docs.contains(&id) {
            if state.docs.len() >= self.config.max_docs_per_conn {
                let limit = self.config.max_docs_per_conn;
                return self.fail(
                    conn,
                    format!("too many documents on one connection (the limit is {limit})"),
                );
            }
            state.docs.insert(id);
        }
        match self.docs.get_mut(&id) {
            Some(entry) if entry.doc.is_none() => entry.pending.push((conn, message)),
            Some(_) => self.process_doc_message(conn, message),
            None => {
                let mut entry = DocEntry::loading(false);
                entry.pending.push((conn, message));
                self.docs.insert(id, entry);
                self.effects.push(Effect::Load { doc: id });
            }
        }
    }

    fn process_doc_message(&mut self, conn: ConnId, message: Message) {
        // Messages replayed after a load were checked on arrival, but access may have narrowed
        // while storage was read.
        let allowed = message
            .document_id()
            .is_some_and(|id| self.access(conn).is_some_and(|a| a.can_read(&id)));
        if !allowed {
            return;
        }
        match message {
            Message::Request(m) => self.receive_sync(conn, m.document_id, &m.data, true),
            Message::Sync(m) => self.receive_sync(conn, m.document_id, &m.data, false),
            Message::DocUnavailable { document_id, .. } => {
                self.ensure_peer_doc(document_id, conn);
                if let Some(pd) = self.peer_doc_mut(document_id, conn) {
                    pd.status = PeerStatus::Unavailable;
                }
                self.check_unavailable(document_id);
            }
            Message::Ephemeral {
                sender_id,
                document_id,
                count,
                session_id,
                data,
                ..
            } => {
                // A read-only peer sends nothing to anyone, presence included.
                if !self.access(conn).is_some_and(|a| a.can_write(&document_id)) {
                    return;
                }
                let key = (sender_id.clone(), session_id.clone());
                if self
                    .ephemeral_seen
                    .get(&key)
                    .is_some_and(|seen| *seen >= count)
                {
                    return;
                }
                self.ephemeral_seen.insert(key, count);
                self.effects.push(Effect::Ephemeral {
                    doc: document_id,
                    sender: sender_id.clone(),
                    data: data.clone(),
                });
                for (target, target_id) in self.subscriber_peers(document_id, Some(conn)) {
                    let forwarded = Message::Ephemeral {
                        sender_id: sender_id.clone(),
                        target_id,
                        document_id,
                        count,
                        session_id: session_id.clone(),
                        data: data.clone(),
                    };
                    self.send(target, &forwarded);
                }
            }
            _ => {}
        }
    }

    fn receive_sync(&mut self, conn: ConnId, id: DocumentId, data: &[u8], is_request: bool) {
        let sync_message = match sync::Message::decode(data) {
            Ok(m) => m,
            Err(e) => return self.fail(conn, format!("malformed sync message for {id}: {e}")),
        };
        let peer_has_it = !sync_message.heads.is_empty();
        let may_write = self.access(conn).is_some_and(|a| a.can_write(&id));
        if !may_write && !sync_message.changes.is_empty() {
            self.effects.push(Effect::Warning {
                message: format!("dropped changes to {id} from a read-only peer"),
            });
        }
        self.ensure_peer_doc(id, conn);
        let Some(entry) = self.docs.get_mut(&id) else {
            return;
        };
        let (Some(doc), Some(pd)) = (entry.doc.as_mut(), entry.peers.get_mut(&conn)) else {
            return;
        };
        pd.subscribed = true;
        if is_request && pd.status != PeerStatus::Has {
            pd.status = PeerStatus::Wants;
        }
        if peer_has_it {
            pd.status = PeerStatus::Has;
        }
        let before = doc.get_heads();
        if let Err(e) = doc.receive_sync_message(&mut pd.sync, sync_message) {
            return self.fail(
                conn,
                format!("sync message for {id} could not be applied: {e}"),
            );
        }
        let changed = doc.get_heads() != before;
        if changed {
            entry.reported_unavailable = false;
            entry.search_started = None;
            self.persist(id);
            self.effects.push(Effect::DocChanged { doc: id });
            self.sync_subscribers(id, Some(conn));
        }
        // Always answer a sync message, as the automerge sync protocol expects: a peer with a
        // message in flight waits for the reply before it sends its next changes.
        self.send_sync(id, conn, true);
        self.save_sync_state(id, conn);
        let wants = self
            .peer_doc_mut(id, conn)
            .is_some_and(|pd| pd.status == PeerStatus::Wants);
        if wants && self.docs.get(&id).is_some_and(DocEntry::is_empty) {
            self.search(id, conn);
        }
        self.check_unavailable(id);
    }

    /// Someone asked for a document we lack: ask every other connected peer before answering
    /// `doc-unavailable`. This is what makes create-on-one-client, find-on-another work when
    /// the find reaches the relay before the creator's first sync message.
    fn search(&mut self, id: DocumentId, requester: ConnId) {
        // Only peers that may reach the document and write it are asked: asking anyone else
        // would tell them the id, and a read-only peer's answer could not be applied anyway.
        let others: Vec<ConnId> = self
            .connected_peers()
            .map(|(c, _)| c)
            .filter(|c| *c != requester && self.access(*c).is_some_and(|a| a.can_write(&id)))
            .collect();
        let mut asked = false;
        for conn in others {
            let known = self
                .docs
                .get(&id)
                .is_some_and(|e| e.peers.contains_key(&conn));
            if known {
                continue;
            }
            self.ensure_peer_doc(id, conn);
            self.sync_one(id, conn);
            asked = true;
        }
        if asked {
            let now = self.now_ms;
            if let Some(entry) = self.docs.get_mut(&id) {
                entry.search_started.get_or_insert(now);
            }
        }
    }

    /// If nobody can give us a document we lack, tell those who asked, once.
    fn check_unavailable(&mut self, id: DocumentId) {
        let Some(entry) = self.docs.get_mut(&id) else {
            return;
        };
        if entry.doc.is_none() || !entry.is_empty() {
            return;
        }
        let settled = entry
            .peers
            .values()
            .all(|pd| matches!(pd.status, PeerStatus::Wants | PeerStatus::Unavailable));
        if !settled {
            return;
        }
        let mut notify = Vec::new();
        for (conn, pd) in entry.peers.iter_mut() {
            if pd.status == PeerStatus::Wants {
                pd.status = PeerStatus::Unavailable;
                notify.push(*conn);
            }
        }
        let report_locally =
            entry.wanted_locally && !entry.peers.is_empty() && !entry.reported_unavailable;
        if report_locally {
            entry.reported_unavailable = true;
            self.effects.push(Effect::DocUnavailable { doc: id });
        }
        for conn in notify {
            self.answer_unavailable(conn, id);
        }
    }

    // ----- helpers -----------------------------------------------------------------------

    fn ensure_peer_doc(&mut self, id: DocumentId, conn: ConnId) {
        let persisted_state = self.durable_storage_id(conn);
        let read_only = !self.access(conn).is_some_and(|a| a.can_write(&id));
        let Some(entry) = self.docs.get_mut(&id) else {
            return;
        };
        entry.idle_since = None;
        entry.peers.entry(conn).or_insert_with(|| {
            let mut sync = persisted_state
                .and_then(|sid| entry.stored_sync_states.get(&sid))
                .and_then(|bytes| sync::State::decode(bytes).ok())
                .unwrap_or_default();
            // A read-only sync state neither applies nor asks for the peer's changes; the
            // peer is still sent everything it lacks.
            sync.read_only = read_only;
            PeerDoc {
                saved_shared_heads: sync.shared_heads.clone(),
                sync,
                status: PeerStatus::Unknown,
                subscribed: false,
            }
        });
    }

    fn peer_doc_mut(&mut self, id: DocumentId, conn: ConnId) -> Option<&mut PeerDoc> {
        self.docs.get_mut(&id)?.peers.get_mut(&conn)
    }

    fn durable_storage_id(&self, conn: ConnId) -> Option<String> {
        if !self.config.persist_sync_states {
            return None;
        }
        let (_, meta) = self.conns.get(&conn)?.remote.as_ref()?;
        if meta.is_ephemeral {
            return None;
        }
        meta.storage_id.clone()
    }

    fn access(&self, conn: ConnId) -> Option<&Access> {
        self.conns.get(&conn).map(|c| &c.access)
    }

    /// Tell a peer we do not have a document, without touching any state for it.
    fn answer_unavailable(&mut self, conn: ConnId, id: DocumentId) {
        if let Some(target_id) = self.remote_id(conn) {
            let message = Message::DocUnavailable {
                sender_id: self.config.peer_id.clone(),
                target_id,
                document_id: id,
            };
            self.send(conn, &message);
        }
    }

    fn remote_id(&self, conn: ConnId) -> Option<PeerId> {
        self.conns
            .get(&conn)?
            .remote
            .as_ref()
            .map(|(p, _)| p.clone())
    }

    fn subscriber_peers(&self, id: DocumentId, except: Option<ConnId>) -> Vec<(ConnId, PeerId)> {
        let Some(entry) = self.docs.get(&id) else {
            return Vec::new();
        };
        entry
            .peers
            .iter()
            .filter(|(c, pd)| pd.subscribed && Some(**c) != except)
            .filter(|(c, _)| self.access(**c).is_some_and(|a| a.can_read(&id)))
            .filter_map(|(c, _)| Some((*c, self.remote_id(*c)?)))
            .collect()
    }

    fn sync_subscribers(&mut self, id: DocumentId, except: Option<ConnId>) {
        for (conn, _) in self.subscriber_peers(id, except) {
            self.sync_one(id, conn);
        }
    }

    /// Send a peer whatever the automerge sync protocol says it needs from us.
    fn sync_one(&mut self, id: DocumentId, conn: ConnId) {
        self.send_sync(id, conn, false);
    }

    fn send_sync(&mut self, id: DocumentId, conn: ConnId, responding: bool) {
        let Some(target_id) = self.remote_id(conn) else {
            return;
        };
        let Some(entry) = self.docs.get_mut(&id) else {
            return;
        };
        let empty = entry.is_empty();
        let (Some(doc), Some(pd)) = (entry.doc.as_ref(), entry.peers.get_mut(&conn)) else {
            return;
        };
        // With nothing to offer, only a peer that may hold the document is worth a message.
        if !responding && empty && matches!(pd.status, PeerStatus::Wants | PeerStatus::Unavailable)
        {
            return;
        }
        let Some(sync_message) = doc.generate_sync_message(&mut pd.sync) else {
            return;
        };
        let body = crate::DocMessage {
            sender_id: self.config.peer_id.clone(),
            target_id,
            document_id: id,
            data: sync_message.encode(),
        };
        let message = if empty && pd.status == PeerStatus::Unknown {
            Message::Request(body)
        } else {
            Message::Sync(body)
        };
        self.send(conn, &message);
    }

    fn persist(&mut self, id: DocumentId) {
        let snapshot_after = self.config.snapshot_after_chunks;
        let Some(entry) = self.docs.get_mut(&id) else {
            return;
        };
        let Some(doc) = entry.doc.as_ref() else {
            return;
        };
        let heads = doc.get_heads();
        // Nothing stored yet (a document first received from a peer) is stored whole: a chunk
        // of every change since the start loads change by change, many times slower than a
        // snapshot. So is a large chunk that would be half the document (a long sync after
        // being offline); small documents are cheap to load either way.
        let due = entry.snapshot_bytes == 0
            || (entry.chunks_since_snapshot >= snapshot_after
                && entry.bytes_since_snapshot.saturating_mul(4) >= entry.snapshot_bytes);
        let incremental = if due {
            None
        } else {
            Some(doc.save_after(&entry.saved_heads)).filter(|chunk| {
                chunk.len() < LARGE_CHUNK_BYTES
                    || chunk.len().saturating_mul(2) < entry.snapshot_bytes
            })
        };
        let chunk = match incremental {
            Some(incremental) => {
                entry.chunks_since_snapshot = entry.chunks_since_snapshot.saturating_add(1);
                entry.bytes_since_snapshot =
                    entry.bytes_since_snapshot.saturating_add(incremental.len());
                Chunk::Incremental(incremental)
            }
            None => {
                let snapshot = doc.save();
                entry.chunks_since_snapshot = 0;
                entry.bytes_since_snapshot = 0;
                entry.snapshot_bytes = snapshot.len();
                Chunk::Snapshot(snapshot)
            }
        };
        entry.saved_heads = heads;
        self.effects.push(Effect::Save { doc: id, chunk });
    }

    fn save_sync_state(&mut self, id: DocumentId, conn: ConnId) {
        let Some(storage_id) = self.durable_storage_id(conn) else {
            return;
        };
        let Some(pd) = self.peer_doc_mut(id, conn) else {
            return;
        };
        if pd.sync.shared_heads == pd.saved_shared_heads {
            return;
        }
        pd.saved_shared_heads = pd.sync.shared_heads.clone();
        let state = pd.sync.encode();
        self.effects.push(Effect::SaveSyncState {
            doc: id,
            storage_id,
            state,
        });
    }

    fn send(&mut self, conn: ConnId, message: &Message) {
        self.effects.push(Effect::Send {
            conn,
            frame: message.encode(),
        });
    }

    fn fail(&mut self, conn: ConnId, reason: String) {
        let target = self.remote_id(conn).unwrap_or_else(|| PeerId::new(""));
        self.fail_with_target(conn, target, reason);
    }

    /// Tell the peer why, close, and forget the connection.
    fn fail_with_target(&mut self, conn: ConnId, target_id: PeerId, reason: String) {
        let message = Message::Error {
            sender_id: self.config.peer_id.clone(),
            target_id,
            message: reason.clone(),
        };
        self.send(conn, &message);
        self.effects.push(Effect::Close { conn, reason });
        self.disconnect(conn);
    }
}

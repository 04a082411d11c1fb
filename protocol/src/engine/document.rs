//! Documents on this side: what is held per document and per peer, local edits, and whether
//! every peer has caught up.

use std::collections::{BTreeMap, HashMap, HashSet};

use automerge::sync;
use automerge::{Automerge, ChangeHash};

use super::first_sync::FirstSync;
use super::{ConnId, Engine, Role};
use crate::{Chunk, DocumentId, Effect, Message, PeerId};

/// A summary for a connection indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSummary {
    /// Connections whose handshake completed.
    pub peers: usize,
    /// Documents with content that some connected peer has not acknowledged yet.
    pub docs_behind: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PeerStatus {
    /// We asked, or we announced, and have not heard whether it has the document.
    Unknown,
    /// It has sent us heads: it holds the document.
    Has,
    /// It asked us for the document and holds nothing itself.
    Wants,
    /// It told us it does not have the document.
    Unavailable,
}

pub(super) struct PeerDoc {
    pub(super) sync: sync::State,
    pub(super) status: PeerStatus,
    /// Whether to push new changes to this peer: it asked for or sent the document, or we
    /// announced it. A peer we only asked on someone else's behalf is not subscribed.
    pub(super) subscribed: bool,
    pub(super) saved_shared_heads: Vec<ChangeHash>,
}

pub(super) struct DocEntry {
    /// `None` while storage is being read.
    pub(super) doc: Option<Automerge>,
    /// Messages that arrived while loading, replayed in order once loaded.
    pub(super) pending: Vec<(ConnId, Message)>,
    pub(super) peers: BTreeMap<ConnId, PeerDoc>,
    pub(super) saved_heads: Vec<ChangeHash>,
    pub(super) chunks_since_snapshot: usize,
    pub(super) bytes_since_snapshot: usize,
    pub(super) snapshot_bytes: usize,
    pub(super) stored_sync_states: HashMap<String, Vec<u8>>,
    /// This side's user opened or created it, so it is announced and its absence reported.
    pub(super) wanted_locally: bool,
    pub(super) reported_unavailable: bool,
    pub(super) idle_since: Option<u64>,
    pub(super) search_started: Option<u64>,
    /// With a guard: the connection whose changes wait in the document's queue for missing
    /// dependencies. No other peer's receive may apply them (see `sync.rs`).
    pub(super) queued_by: Option<ConnId>,
    /// The last large sync message for a peer that has nothing, kept for the next such peer.
    pub(super) first_sync: FirstSync,
}

impl DocEntry {
    pub(super) fn loading(wanted_locally: bool) -> Self {
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
            queued_by: None,
            first_sync: FirstSync::default(),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.doc.as_ref().is_none_or(|d| d.get_heads().is_empty())
    }
}

impl Engine {
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
        let limits = self.config.ephemeral;
        self.ephemeral_seen.prune(&limits, now_ms);
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

    /// The documents held in memory or loading: those that must follow changes another relay
    /// stores in shared storage.
    pub fn held_documents(&self) -> Vec<DocumentId> {
        self.docs.keys().copied().collect()
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

    pub(super) fn is_synced_with_all(&self, id: &DocumentId, connected: &HashSet<ConnId>) -> bool {
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

    /// Start syncing a document with a peer on our own initiative.
    pub(super) fn announce(&mut self, doc: DocumentId, conn: ConnId) {
        self.ensure_peer_doc(doc, conn);
        if let Some(pd) = self.peer_doc_mut(doc, conn) {
            pd.subscribed = true;
        }
        self.sync_one(doc, conn);
    }

    pub(super) fn announce_everywhere(&mut self, id: DocumentId) {
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
}

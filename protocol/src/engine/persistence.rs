//! Persistence: loading a document from storage, and deciding after each change whether to
//! write an incremental chunk or a snapshot (and each peer's sync state).

use automerge::Automerge;

use super::document::DocEntry;
use super::{ConnId, Engine, Role};
use crate::{storage_key, Chunk, DocumentId, Effect};

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

/// A document built from what storage held: the expensive part of a load (every chunk read
/// into Automerge), which a shell may run on any thread before handing the result to
/// [`Engine::loaded_decoded`], so the engine's thread never waits on a large document.
pub struct Decoded {
    doc: Automerge,
    chunk_count: usize,
    snapshot_bytes: usize,
    bytes_since_snapshot: usize,
    sync_states: Vec<(String, Vec<u8>)>,
    bad_chunks: usize,
}

impl Decoded {
    /// The document itself, for a shell that only reads it.
    pub fn into_doc(self) -> Automerge {
        self.doc
    }
}

impl Loaded {
    /// Read every chunk, the largest (a snapshot) first.
    pub fn decode(self) -> Decoded {
        let mut doc = Automerge::new();
        let mut bad_chunks = 0;
        let chunks = storage_key::largest_first(&self.chunks);
        for chunk in &chunks {
            if doc.load_incremental(chunk).is_err() {
                bad_chunks += 1;
            }
        }
        Decoded {
            doc,
            chunk_count: self.chunks.len(),
            snapshot_bytes: chunks.first().map_or(0, |c| c.len()),
            bytes_since_snapshot: chunks.iter().skip(1).map(|c| c.len()).sum(),
            sync_states: self.sync_states,
            bad_chunks,
        }
    }
}

impl Engine {
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

    /// A relay could not store the last `Save` of a document: forget the document, with every
    /// peer's sync state for it. Kept in memory, it would hold changes storage lacks, and sync
    /// would tell every peer that asks (by its heads) that the relay has them: a device would
    /// show its change as stored while the database is down, and a relay that then dies loses
    /// it. Read again from storage when next asked for, it lacks them, so their sender sends
    /// them again. (A client keeps its document: its user's edits live only there.) Returns the
    /// connections that were syncing it: they would hear nothing more of it, so the shell closes
    /// them (they resync when they return).
    pub fn forget_unstored(&mut self, id: DocumentId) -> Vec<ConnId> {
        self.docs
            .remove(&id)
            .map(|entry| entry.peers.into_keys().collect())
            .unwrap_or_default()
    }

    /// Storage answered an [`Effect::Load`].
    pub fn loaded(&mut self, id: DocumentId, loaded: Loaded) {
        self.loaded_decoded(id, loaded.decode());
    }

    /// Storage answered an [`Effect::Load`], and the shell already decoded the answer
    /// ([`Loaded::decode`]), off this thread.
    pub fn loaded_decoded(&mut self, id: DocumentId, decoded: Decoded) {
        let entry = self
            .docs
            .entry(id)
            .or_insert_with(|| DocEntry::loading(false));
        if entry.doc.is_some() {
            return;
        }
        let Decoded {
            doc,
            chunk_count,
            snapshot_bytes,
            bytes_since_snapshot,
            sync_states,
            bad_chunks,
        } = decoded;
        entry.saved_heads = doc.get_heads();
        entry.chunks_since_snapshot = chunk_count;
        entry.snapshot_bytes = snapshot_bytes;
        entry.bytes_since_snapshot = bytes_since_snapshot;
        entry.stored_sync_states = sync_states.into_iter().collect();
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

    pub(super) fn persist(&mut self, id: DocumentId) {
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

    pub(super) fn save_sync_state(&mut self, id: DocumentId, conn: ConnId) {
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

    pub(super) fn durable_storage_id(&self, conn: ConnId) -> Option<String> {
        if !self.config.persist_sync_states {
            return None;
        }
        let (_, meta) = self.conns.get(&conn)?.remote.as_ref()?;
        if meta.is_ephemeral {
            return None;
        }
        meta.storage_id.clone()
    }
}

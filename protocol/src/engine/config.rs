//! What kind of peer an engine is, and the limits and thresholds it keeps.

use super::EphemeralLimits;
use crate::{PeerId, PeerMetadata};

/// Which end of the wire this engine is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Answers `join`, keeps documents for whoever asks, and never announces documents a peer
    /// did not ask for.
    Relay,
    /// Sends `join`, and announces every document it holds to the relay it connects to.
    Client,
}

/// Operations one change may carry at a relay: pasting a long text is a few 10,000 (one per
/// character), so honest changes stay far below, and an op bomb of millions is refused.
pub const DEFAULT_MAX_OPS_PER_CHANGE: usize = 200_000;

/// Operations one sync message may carry at a relay, all its changes together (a whole
/// document counts its whole history). About 75 MB of the relay's memory while it is applied;
/// a portal's history of messages, comments and forms stays far below.
pub const DEFAULT_MAX_OPS_PER_MESSAGE: usize = 1_000_000;

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
    /// A writable peer's change with more operations than this is refused before it is applied:
    /// one small compressed change can expand to millions of operations, and applying them costs
    /// memory and engine time every other peer waits behind. `None` applies everything (a
    /// browser trusts its own relay, which has already judged what it relays).
    pub max_ops_per_change: Option<usize>,
    /// A writable peer's sync message with more operations than this in all its changes (or a
    /// whole document with more changes, dependency or successor links) is refused before it is
    /// applied: many changes each under the per-change limit are the same bomb. `None` as above.
    pub max_ops_per_message: Option<usize>,
    /// What one compressed chunk in a writable peer's sync message may inflate to (automerge
    /// inflates it whole before anything can be counted). A relay sets its largest frame: a
    /// compressed chunk may cost no more than an uncompressed one could. `None` as above.
    pub max_inflated_bytes: Option<usize>,
    /// What the ephemeral (presence) de-duplication table may hold, and what it refuses.
    pub ephemeral: EphemeralLimits,
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
            max_ops_per_change: Some(DEFAULT_MAX_OPS_PER_CHANGE),
            max_ops_per_message: Some(DEFAULT_MAX_OPS_PER_MESSAGE),
            max_inflated_bytes: Some(64 * 1024 * 1024),
            ephemeral: EphemeralLimits::default(),
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
            max_ops_per_change: None,
            max_ops_per_message: None,
            max_inflated_bytes: None,
            ephemeral: EphemeralLimits::default(),
        }
    }
}

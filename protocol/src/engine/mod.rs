//! The protocol state machine: handshakes, one automerge sync state per document per peer,
//! document search across peers, and persistence requests.
//!
//! A shell calls the public methods (connection events, frames, storage answers, the time) and
//! then drains [`Engine::take_effects`]. The `impl Engine` is split by concern, one file each:
//! `config` (what kind of peer, and its limits), `connection` (handshake, access, frames in),
//! `document` (this side's documents and their sync status), `sync` (documents to and from
//! peers), `guard` (the hook a relay judges each peer's changes with), `search` (asking other
//! peers for a document nobody here has), `op_count` (operations per change and per message,
//! counted before a change is applied), `owed` (sync messages owed to peers, generated once per
//! document and peer for the frames that arrived together), `persistence` (loading, and when to write a chunk or a
//! snapshot).

use std::collections::{BTreeMap, HashMap};

use crate::{DocumentId, Effect, PeerId};

mod config;
mod connection;
mod document;
mod ephemeral;
mod first_sync;
mod guard;
mod op_count;
mod owed;
mod persistence;
mod search;
mod sync;

pub use config::{EngineConfig, Role, DEFAULT_MAX_OPS_PER_CHANGE, DEFAULT_MAX_OPS_PER_MESSAGE};
pub use connection::ConnId;
pub use document::SyncSummary;
pub use ephemeral::EphemeralLimits;
pub use guard::ChangeGuard;
pub use persistence::{Decoded, Loaded};

use connection::Conn;
use document::DocEntry;
use ephemeral::EphemeralSeen;
use owed::OwedSync;

/// One peer's protocol state: its connections, the documents it holds, and the effects
/// waiting for its shell.
pub struct Engine {
    config: EngineConfig,
    conns: BTreeMap<ConnId, Conn>,
    docs: HashMap<DocumentId, DocEntry>,
    effects: Vec<Effect>,
    /// Sync messages owed to peers, generated when the shell next takes effects (see `owed`).
    owed_sync: OwedSync,
    now_ms: u64,
    session_id: String,
    ephemeral_count: u64,
    /// Which ephemeral counts each connection's sessions have sent, to relay each once.
    ephemeral_seen: EphemeralSeen,
    /// Judges each writable peer's new changes before they are kept; `None` keeps them all.
    guard: Option<Box<dyn ChangeGuard>>,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        Self {
            config,
            conns: BTreeMap::new(),
            docs: HashMap::new(),
            effects: Vec::new(),
            owed_sync: OwedSync::default(),
            now_ms: 0,
            session_id: uuid::Uuid::new_v4().simple().to_string(),
            ephemeral_count: 0,
            ephemeral_seen: EphemeralSeen::default(),
            guard: None,
        }
    }

    /// Judge every change a peer sends with `guard` from now on (a relay enforcing its rules).
    pub fn set_guard(&mut self, guard: Box<dyn ChangeGuard>) {
        self.guard = Some(guard);
    }

    pub fn peer_id(&self) -> &PeerId {
        &self.config.peer_id
    }

    /// Everything the engine wants done since the last call, in order.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        for (id, conn, responding) in self.owed_sync.take() {
            self.send_sync(id, conn, responding);
        }
        std::mem::take(&mut self.effects)
    }

    /// How many (connection, session) pairs the ephemeral table holds, for tests and metrics.
    pub fn ephemeral_entries(&self) -> usize {
        self.ephemeral_seen.len()
    }
}

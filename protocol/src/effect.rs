//! What the engine asks its shell to do. The shell executes effects in order: every `Save` of a
//! change comes before any `Send` that carries it, so a peer never sees data the sender could
//! still lose.

use crate::{ConnId, DocumentId, PeerId};

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Write one binary frame to a connection.
    Send { conn: ConnId, frame: Vec<u8> },
    /// Close a connection; the engine has already forgotten it.
    Close { conn: ConnId, reason: String },
    /// Read every stored chunk of a document and hand them to [`crate::Engine::loaded`].
    Load { doc: DocumentId },
    /// Persist a chunk of a document (see [`Chunk`]).
    Save { doc: DocumentId, chunk: Chunk },
    /// Persist the sync state with a peer's storage, to resume cheaply after a restart.
    SaveSyncState {
        doc: DocumentId,
        storage_id: String,
        state: Vec<u8>,
    },
    /// The document's content changed (a local edit, a remote change, or it finished loading).
    DocChanged { doc: DocumentId },
    /// A document this side asked for is held by no reachable peer.
    DocUnavailable { doc: DocumentId },
    /// An ephemeral message (presence, cursors) arrived for a document.
    Ephemeral {
        doc: DocumentId,
        sender: PeerId,
        data: Vec<u8>,
    },
    /// A peer's changes were refused by the engine's guard and undone: a warning for the logs,
    /// and a `Close` of the same connection follows (a relay closes it with
    /// [`crate::CloseCode::Refused`]).
    Refused {
        conn: ConnId,
        doc: DocumentId,
        rule: String,
    },
    /// A peer tried to join with a peer id that another principal's connection holds (or to
    /// change its own): refused, and a `Close` of the same connection follows (a relay closes
    /// it with [`crate::CloseCode::PeerIdInUse`]).
    PeerIdInUse { conn: ConnId, peer: PeerId },
    /// Something went wrong that loses nothing but deserves a log line.
    Warning { message: String },
}

/// A piece of a stored document.
#[derive(Debug, Clone, PartialEq)]
pub enum Chunk {
    /// New changes since the previous save; stored beside the chunks before it.
    Incremental(Vec<u8>),
    /// The whole document. Once it is durably written, every chunk stored before it for that
    /// document may be deleted: this is compaction.
    Snapshot(Vec<u8>),
}

impl Chunk {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Chunk::Incremental(b) | Chunk::Snapshot(b) => b,
        }
    }
}

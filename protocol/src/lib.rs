//! Threshold's one engine of the automerge-repo sync protocol (version "1").
//!
//! It is sans-IO: it never touches a socket, a file, a clock or a task runtime. A shell (the relay
//! in `sync-server/`, the browser in `app/`) feeds it frames, connection events, loaded storage
//! and the time, and executes the [`Effect`]s it returns. That keeps one implementation of the
//! protocol, testable natively with simulated peers, for both sides of the wire.

mod access;
mod close_code;
mod document_id;
mod effect;
mod engine;
mod message;
mod peer_id;
pub mod storage_key;

pub use access::{Access, Scope};
pub use close_code::CloseCode;
pub use document_id::{DocumentId, DocumentIdError};
pub use effect::{Chunk, Effect};
pub use engine::{
    ChangeGuard, ConnId, Decoded, Engine, EngineConfig, EphemeralLimits, Loaded, Role, SyncSummary,
    DEFAULT_MAX_OPS_PER_CHANGE, DEFAULT_MAX_OPS_PER_MESSAGE,
};
pub use message::{DecodeError, DocMessage, Message, PROTOCOL_V1};
pub use peer_id::{PeerId, PeerMetadata};

/// Re-exported so that shells and tests use exactly the engine's automerge.
pub use automerge;

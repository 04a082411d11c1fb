//! The hook through which a relay judges the changes a peer sends before they are kept.
//!
//! The engine knows nothing of portals or people: it asks the installed [`ChangeGuard`] about
//! each batch of new changes, with the document as it would be after them, and on a refusal puts
//! the document back and ends the connection (see `sync.rs`). A browser's engine has no guard.

use automerge::{Automerge, Change};

use super::ConnId;
use crate::DocumentId;

/// Decides whether the changes one writable peer just sent may be kept.
pub trait ChangeGuard: Send {
    /// `doc_after` has `new_changes` applied (and nothing else new). `Err` names the rule the
    /// peer broke, in a sentence it is shown; the changes are then neither kept nor relayed.
    /// A guard that records anything on admission (who wrote what) records it only on `Ok`.
    fn admit(
        &mut self,
        conn: ConnId,
        doc: &DocumentId,
        doc_after: &Automerge,
        new_changes: &[Change],
    ) -> Result<(), String>;

    /// Whether changes from `conn` may be judged at all, asked before any is applied: a guard
    /// may refuse a writer in advance (one that keeps sending what it refuses), which costs
    /// nothing, where judging means applying and a refusal rebuilding the document.
    fn before_applying(&mut self, _conn: ConnId) -> Result<(), String> {
        Ok(())
    }
}

//! Documents whose guard records (authorship bindings, history usage) another relay on the same
//! database may have changed since this relay read them.
//!
//! The books keep each document's records in memory once read. With several relays, another
//! relay's group commit may store new records beside its chunks; the hub marks the document
//! here when it applies those chunks, and a book that read the records before the mark reads
//! them again and merges (records only grow), so this relay neither forgets another's bindings
//! when it writes the table again, nor lets an actor bound there be claimed here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use threshold_protocol::DocumentId;

#[derive(Clone, Default)]
pub struct StaleRecords(Arc<Mutex<HashMap<DocumentId, u64>>>);

impl StaleRecords {
    /// Another relay stored changes to `doc`, and perhaps records with them.
    pub fn mark(&self, doc: DocumentId) {
        *self.lock().entry(doc).or_default() += 1;
    }

    /// How many times `doc` was marked: a book that read it at another count reads it again.
    pub fn generation(&self, doc: &DocumentId) -> u64 {
        self.lock().get(doc).copied().unwrap_or(0)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<DocumentId, u64>> {
        // Only the engine thread uses it; a poisoned lock still holds whole counts.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

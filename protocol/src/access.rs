//! What one connection may do: which documents it may reach, and whether its changes count.
//!
//! The shell decides a connection's [`Access`] (the relay from a token's grants) and the engine
//! enforces it on every message: a document outside the scope is answered exactly as a document
//! that does not exist, and changes from a read-only peer are never applied or relayed.

use std::collections::BTreeSet;

use crate::DocumentId;

/// The documents a connection may reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every document this relay holds or will hold (the provider's own team).
    Everything,
    /// Exactly these documents (a client contact: their portal).
    Only(BTreeSet<DocumentId>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub scope: Scope,
    /// Whether this peer's changes are applied and relayed. A read-only peer still receives
    /// every change to the documents in its scope.
    pub write: bool,
}

impl Access {
    /// Everything, read and write: a browser's view of its relay, and the relay before access
    /// checks are configured (tests of the protocol alone).
    pub fn full() -> Self {
        Self {
            scope: Scope::Everything,
            write: true,
        }
    }

    /// Exactly one document.
    pub fn only(doc: DocumentId, write: bool) -> Self {
        Self {
            scope: Scope::Only(BTreeSet::from([doc])),
            write,
        }
    }

    pub fn can_read(&self, doc: &DocumentId) -> bool {
        match &self.scope {
            Scope::Everything => true,
            Scope::Only(docs) => docs.contains(doc),
        }
    }

    /// Whether this peer could hand us a document: it may reach it and its changes count.
    pub fn can_write(&self, doc: &DocumentId) -> bool {
        self.write && self.can_read(doc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_limits_reading_and_read_only_limits_writing() {
        let mine = DocumentId::random();
        let other = DocumentId::random();
        let client = Access::only(mine, true);
        assert!(client.can_read(&mine) && client.can_write(&mine));
        assert!(!client.can_read(&other) && !client.can_write(&other));
        let alumni = Access::only(mine, false);
        assert!(alumni.can_read(&mine) && !alumni.can_write(&mine));
        assert!(Access::full().can_write(&other));
    }
}

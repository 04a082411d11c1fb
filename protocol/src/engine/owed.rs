//! Sync messages owed to peers, generated once per document and peer when the shell next takes
//! effects.
//!
//! A relay's shell runs every frame that arrived together through the engine before it takes
//! the effects (see the relay's hub). Generating a sync message costs time that grows with the
//! document's history, and the message generated last carries everything earlier ones would
//! have, so each frame only notes what it owes: its sender an answer, the document's other
//! subscribers its changes. A browser's shell takes effects after every call, so there it is
//! frame by frame as before.
//!
//! What makes deferring safe is in `sync.rs` (`receive_sync`): a frame received while its peer
//! is owed a message must not let automerge conclude that the peer already knows our heads.

use std::collections::HashMap;

use super::ConnId;
use crate::DocumentId;

/// The messages owed, in the order first owed.
#[derive(Default)]
pub(super) struct OwedSync {
    order: Vec<(DocumentId, ConnId)>,
    /// Whether the message answers a frame from the peer (it is then sent even when the
    /// document is empty), by document and peer.
    responding: HashMap<(DocumentId, ConnId), bool>,
}

impl OwedSync {
    pub(super) fn owe(&mut self, id: DocumentId, conn: ConnId, responding: bool) {
        match self.responding.get_mut(&(id, conn)) {
            Some(owed) => *owed |= responding,
            None => {
                self.order.push((id, conn));
                self.responding.insert((id, conn), responding);
            }
        }
    }

    pub(super) fn contains(&self, id: DocumentId, conn: ConnId) -> bool {
        self.responding.contains_key(&(id, conn))
    }

    /// Everything owed, in order, leaving nothing owed.
    pub(super) fn take(&mut self) -> Vec<(DocumentId, ConnId, bool)> {
        let mut responding = std::mem::take(&mut self.responding);
        std::mem::take(&mut self.order)
            .into_iter()
            .map(|key| (key.0, key.1, responding.remove(&key).unwrap_or(false)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_owed_twice_is_owed_once_and_answered_if_either_was_an_answer() {
        let (one, two) = (DocumentId::random(), DocumentId::random());
        let mut owed = OwedSync::default();
        owed.owe(one, ConnId(1), false);
        owed.owe(two, ConnId(1), false);
        owed.owe(one, ConnId(1), true);
        owed.owe(one, ConnId(2), false);
        assert!(owed.contains(one, ConnId(2)));
        assert_eq!(
            owed.take(),
            vec![
                (one, ConnId(1), true),
                (two, ConnId(1), false),
                (one, ConnId(2), false)
            ]
        );
        assert!(!owed.contains(one, ConnId(1)));
        assert!(owed.take().is_empty());
    }
}

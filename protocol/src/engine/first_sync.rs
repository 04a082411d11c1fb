//! The first sync message for a peer that has nothing of a document, kept and reused.
//!
//! Every device that opens a document it does not hold yet gets the same answer: every change,
//! compressed. For a large document, building it is the engine's most expensive step (68 ms for
//! a 4 MB document with automerge 0.12, most of it compressing), and a peer that asks, stops
//! reading, is closed and asks again could keep the engine thread busy with it while every
//! other document waits. `generate_sync_message` is a function of the document and the peer's
//! sync state, so when both are the same (same heads, same state before) the message and the
//! state after are the same too: the engine keeps the last large one per document and hands it
//! to the next peer in exactly that position, and builds it again only after the document
//! changes.

use automerge::sync::{State, SyncDoc};
use automerge::{Automerge, ChangeHash, ReadDoc};

/// Messages smaller than this are cheap to build again and are not kept.
const KEEP_FROM_BYTES: usize = 64 * 1024;

/// The kept message of one document.
#[derive(Default)]
pub(super) struct FirstSync {
    kept: Option<Kept>,
}

struct Kept {
    heads: Vec<ChangeHash>,
    before: State,
    after: State,
    data: Vec<u8>,
}

impl FirstSync {
    /// The encoded sync message for a peer in `state` (updated as generating it would), reused
    /// when it was kept for exactly this document and state.
    pub(super) fn message(&mut self, doc: &Automerge, state: &mut State) -> Option<Vec<u8>> {
        // Only a peer that shares nothing with us yet and was sent nothing can be in the same
        // state as another; for any other, copying its state to compare would cost more than
        // it could save.
        let fresh = state.shared_heads.is_empty() && state.sent_hashes.is_empty();
        if !fresh {
            return doc.generate_sync_message(state).map(|m| m.encode());
        }
        let heads = doc.get_heads();
        if let Some(kept) = &self.kept {
            if kept.heads == heads && kept.before == *state {
                *state = kept.after.clone();
                return Some(kept.data.clone());
            }
        }
        let before = state.clone();
        let data = doc.generate_sync_message(state)?.encode();
        // A document waiting for missing dependencies asks for them in its messages, which its
        // heads do not show: never keep those.
        if data.len() >= KEEP_FROM_BYTES && doc.get_missing_deps(&[]).is_empty() {
            self.kept = Some(Kept {
                heads,
                before,
                after: state.clone(),
                data: data.clone(),
            });
        }
        Some(data)
    }
}

#[cfg(test)]
mod tests {
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;
    use automerge::ROOT;

    use super::*;

    fn large_doc() -> Automerge {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        // Noise (xorshift), so that compressing it leaves it large.
        let mut x: u32 = 2_463_534_242;
        let bytes: Vec<u8> = (0..200_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        tx.put(ROOT, "payload", bytes).unwrap();
        tx.commit();
        doc
    }

    /// A peer that has nothing: its state after hearing that it has nothing.
    fn fresh_peer_state(doc: &Automerge) -> State {
        let mut ours = State::new();
        let _ = doc.generate_sync_message(&mut ours);
        let mut peer = State::new();
        let hello = Automerge::new().generate_sync_message(&mut peer).unwrap();
        let mut copy = doc.clone();
        copy.receive_sync_message(&mut ours, hello).unwrap();
        ours
    }

    #[test]
    fn a_kept_message_is_exactly_what_generating_it_again_gives_and_brings_the_peer_the_document() {
        let doc = large_doc();
        let mut first_sync = FirstSync::default();
        let (mut one, mut two) = (fresh_peer_state(&doc), fresh_peer_state(&doc));
        let first = first_sync.message(&doc, &mut one).expect("a message");
        assert!(first_sync.kept.is_some(), "a large first message is kept");
        let mut generated = two.clone();
        let expected = doc.generate_sync_message(&mut generated).unwrap().encode();
        let second = first_sync.message(&doc, &mut two).expect("a message");
        assert_eq!(
            second, expected,
            "the kept message is the one generating gives"
        );
        assert_eq!(two, generated, "and the peer's state moves the same way");
        assert_eq!(first, second);
        // The peer that receives it has the document.
        let mut peer = Automerge::new();
        let mut state = State::new();
        let message = automerge::sync::Message::decode(&second).unwrap();
        peer.receive_sync_message(&mut state, message).unwrap();
        assert_eq!(peer.get_heads(), doc.get_heads());
    }

    #[test]
    fn a_changed_document_builds_its_message_again() {
        let mut doc = large_doc();
        let mut first_sync = FirstSync::default();
        let mut one = fresh_peer_state(&doc);
        first_sync.message(&doc, &mut one).unwrap();
        let mut tx = doc.transaction();
        tx.put(ROOT, "more", "x").unwrap();
        tx.commit();
        let mut two = fresh_peer_state(&doc);
        let mut generated = two.clone();
        let expected = doc.generate_sync_message(&mut generated).unwrap().encode();
        assert_eq!(first_sync.message(&doc, &mut two).unwrap(), expected);
    }
}

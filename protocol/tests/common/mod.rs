//! Helpers shared by the engine's test files.

// Each test file is its own crate and uses some of these, not all.
#![allow(dead_code)]

use automerge::transaction::Transactable;
use automerge::ROOT;
use threshold_protocol::{Chunk, DocumentId, Effect, Engine};

/// The chunk the engine asks to store for the edit just made.
pub fn saved_chunk(engine: &mut Engine) -> Chunk {
    engine
        .take_effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::Save { chunk, .. } => Some(chunk),
            _ => None,
        })
        .expect("the edit is stored")
}

/// Put `key: value` at the root of `id`, as a local edit of `engine`.
pub fn put_root(engine: &mut Engine, id: DocumentId, key: &str, value: &str) {
    engine
        .change(id, |doc| {
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put(ROOT, key, value)?;
                Ok(())
            })
            .expect("transaction commits");
        })
        .expect("document is loaded");
}

//! Where documents live in a key-value store; the same layout in the relay and the browser.
//!
//! `docs/<documentId>/incremental-<sha256>` and `docs/<documentId>/snapshot-<sha256>` hold a
//! document's chunks, named by content hash so that writing the same chunk twice is harmless.
//! `sync/<documentId>/<storageId>` holds the sync state with one remote storage.
//!
//! A snapshot replaces every chunk before it: shells write it first and only then delete the
//! older chunks, so a crash in between leaves both, which load to the same document.

use sha2::{Digest, Sha256};

use crate::{Chunk, DocumentId};

/// The prefix under which every chunk of a document is stored.
pub fn doc_prefix(doc: &DocumentId) -> String {
    format!("docs/{doc}/")
}

pub fn chunk_key(doc: &DocumentId, chunk: &Chunk) -> String {
    let hash = hex::encode(Sha256::digest(chunk.bytes()));
    let kind = match chunk {
        Chunk::Incremental(_) => "incremental",
        Chunk::Snapshot(_) => "snapshot",
    };
    format!("{}{kind}-{hash}", doc_prefix(doc))
}

pub fn sync_state_prefix(doc: &DocumentId) -> String {
    format!("sync/{doc}/")
}

pub fn sync_state_key(doc: &DocumentId, storage_id: &str) -> String {
    format!("{}{storage_id}", sync_state_prefix(doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_keys_sit_under_the_doc_prefix_and_name_their_content() {
        let doc = DocumentId::random();
        let a = chunk_key(&doc, &Chunk::Incremental(vec![1]));
        let b = chunk_key(&doc, &Chunk::Snapshot(vec![1]));
        assert!(a.starts_with(&doc_prefix(&doc)) && b.starts_with(&doc_prefix(&doc)));
        assert_ne!(a, b);
        assert_eq!(a, chunk_key(&doc, &Chunk::Incremental(vec![1])));
        assert_ne!(a, chunk_key(&doc, &Chunk::Incremental(vec![2])));
    }
}

//! Where documents live in a key-value store; the same layout in the relay and the browser.
//!
//! `docs/<documentId>/incremental-<sha256>` and `docs/<documentId>/snapshot-<sha256>` hold a
//! document's chunks, named by content hash so that writing the same chunk twice is harmless.
//! `sync/<documentId>/<storageId>` holds the sync state with one remote storage.
//!
//! Two rules about stored chunks that every shell follows, written here once:
//! - compaction: a snapshot replaces every chunk before it. Shells write it first and only then
//!   delete what [`replaced_by_snapshot`] names, so a crash in between leaves both, which load
//!   to the same document;
//! - loading: [`largest_first`], so the snapshot seeds an empty document in one step.

use sha2::{Digest, Sha256};

use crate::{Chunk, DocumentId};

/// The prefix under which every chunk of a document is stored.
pub fn doc_prefix(doc: &DocumentId) -> String {
    format!("docs/{doc}/")
}

/// The document a chunk's key belongs to, if it is a chunk key.
pub fn doc_of(key: &str) -> Option<DocumentId> {
    let rest = key.strip_prefix("docs/")?;
    let (doc, _) = rest.split_once('/')?;
    doc.parse().ok()
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

/// The keys to delete once the snapshot stored under `snapshot` is durable: every other chunk
/// of its document in `stored` (a listing of [`doc_prefix`]), except those in `newer`, chunks
/// written together with the snapshot or after it, which it does not cover. Keys of other
/// documents are never named, whatever `stored` holds.
pub fn replaced_by_snapshot<'a>(
    stored: &'a [String],
    snapshot: &str,
    newer: &[String],
) -> Vec<&'a str> {
    let Some(prefix) = snapshot.rfind('/').map(|end| &snapshot[..=end]) else {
        return Vec::new();
    };
    stored
        .iter()
        .map(String::as_str)
        .filter(|key| key.starts_with(prefix) && *key != snapshot)
        .filter(|key| !newer.iter().any(|n| n == key))
        .collect()
}

/// A document's stored chunks in the order to load them: the largest (normally the snapshot)
/// first. Into an empty document automerge loads a whole saved document at once, while into a
/// non-empty one it applies its changes one by one, which for a long history is many times
/// slower.
pub fn largest_first<C: AsRef<[u8]>>(chunks: &[C]) -> Vec<&[u8]> {
    let mut ordered: Vec<&[u8]> = chunks.iter().map(AsRef::as_ref).collect();
    ordered.sort_by_key(|chunk| std::cmp::Reverse(chunk.len()));
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_replaces_its_documents_other_chunks_but_not_newer_ones_nor_other_documents() {
        let doc = DocumentId::random();
        let other = DocumentId::random();
        let old = chunk_key(&doc, &Chunk::Incremental(vec![1]));
        let older_snapshot = chunk_key(&doc, &Chunk::Snapshot(vec![2]));
        let snapshot = chunk_key(&doc, &Chunk::Snapshot(vec![3]));
        let after = chunk_key(&doc, &Chunk::Incremental(vec![4]));
        let elsewhere = chunk_key(&other, &Chunk::Incremental(vec![1]));
        let stored = vec![
            old.clone(),
            older_snapshot.clone(),
            snapshot.clone(),
            after.clone(),
            elsewhere,
        ];
        assert_eq!(
            replaced_by_snapshot(&stored, &snapshot, std::slice::from_ref(&after)),
            vec![old.as_str(), older_snapshot.as_str()]
        );
        assert_eq!(replaced_by_snapshot(&stored, &snapshot, &[]).len(), 3);
        assert!(replaced_by_snapshot(&stored, "no-prefix", &[]).is_empty());
    }

    #[test]
    fn chunks_load_largest_first() {
        let chunks = vec![vec![1u8], vec![1, 2, 3], vec![1, 2]];
        let lengths: Vec<usize> = largest_first(&chunks).iter().map(|c| c.len()).collect();
        assert_eq!(lengths, vec![3, 2, 1]);
    }

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

    #[test]
    fn a_chunk_key_names_its_document_and_other_keys_none() {
        let doc = DocumentId::random();
        let key = chunk_key(&doc, &Chunk::Incremental(vec![1]));
        assert_eq!(doc_of(&key), Some(doc));
        assert_eq!(doc_of("authors/x.json"), None);
        assert_eq!(doc_of("docs/not-an-id/chunk"), None);
    }
}

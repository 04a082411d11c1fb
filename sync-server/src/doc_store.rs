//! Documents in the relay's storage, in the shared key layout of
//! [`threshold_protocol::storage_key`].

use threshold_protocol::automerge::{Automerge, ReadDoc};
use threshold_protocol::storage_key::{chunk_key, doc_prefix, replaced_by_snapshot};
use threshold_protocol::{Chunk, DocumentId, Loaded};

use crate::storage::{Storage, StorageError};

pub fn load(storage: &dyn Storage, doc: &DocumentId) -> Result<Loaded, StorageError> {
    let chunks = storage
        .load_prefix(&doc_prefix(doc))?
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect();
    Ok(Loaded {
        chunks,
        sync_states: Vec::new(),
    })
}

/// Durably store every chunk the engine asked to save in one batch of work (group commit).
///
/// Chunks are grouped by document, in order. Everything before a document's last snapshot is
/// covered by that snapshot and is not written at all; the incremental chunks after it are
/// concatenated into one chunk, which automerge loads exactly like the separate ones. So each
/// document costs at most two files per batch, and the storage may sync them all together.
/// Compaction (deleting what a snapshot replaces) happens only once everything is durable.
///
/// `records` (the guard's authorship and history records, see `staged.rs`) are written in the
/// same round, so a batch pays for one set of syncs whatever it holds.
pub fn save_batch(
    storage: &mut dyn Storage,
    saves: Vec<(DocumentId, Chunk)>,
    records: &[(String, Vec<u8>)],
) -> Result<(), StorageError> {
    let mut per_doc: Vec<(DocumentId, Vec<Chunk>)> = Vec::new();
    for (doc, chunk) in saves {
        match per_doc.iter_mut().find(|(d, _)| *d == doc) {
            Some((_, chunks)) => chunks.push(chunk),
            None => per_doc.push((doc, vec![chunk])),
        }
    }
    let mut writes = Vec::new();
    let mut snapshots = Vec::new();
    for (doc, chunks) in &per_doc {
        let start = chunks
            .iter()
            .rposition(|c| matches!(c, Chunk::Snapshot(_)))
            .unwrap_or(0);
        let mut incremental = Vec::new();
        for chunk in &chunks[start..] {
            match chunk {
                Chunk::Snapshot(bytes) => {
                    let key = chunk_key(doc, chunk);
                    snapshots.push((*doc, key.clone(), bytes));
                    writes.push((key, chunk.bytes().to_vec()));
                }
                Chunk::Incremental(bytes) => incremental.extend_from_slice(bytes),
            }
        }
        if !incremental.is_empty() {
            let chunk = Chunk::Incremental(incremental);
            writes.push((chunk_key(doc, &chunk), chunk.bytes().to_vec()));
        }
    }
    let chunk_count = writes.len();
    writes.extend_from_slice(records);
    storage.put_all(&writes)?;
    writes.truncate(chunk_count);
    // Everything written in this batch for a document with a snapshot is newer than, or is, the
    // snapshot; everything else under its prefix is older and now redundant.
    let written: Vec<String> = writes.into_iter().map(|(key, _)| key).collect();
    for (doc, snapshot, bytes) in snapshots {
        let stored = storage.list(&doc_prefix(&doc))?;
        let mut old = replaced_by_snapshot(&stored, &snapshot, &written);
        if storage.has_other_writers() {
            old = covered_by(storage, bytes, old)?;
        }
        if !old.is_empty() {
            storage.delete_replaced(&snapshot, &old)?;
        }
    }
    Ok(())
}

/// Of the chunks `old`, those whose every change is in `snapshot`. Another relay may have
/// stored a chunk after this one's snapshot was taken, or before its announcement arrived:
/// listed beside the snapshot, it is not covered by it, and is kept. Costs a load of the
/// snapshot, so only storages with other writers pay it, once per compaction.
fn covered_by<'a>(
    storage: &dyn Storage,
    snapshot: &[u8],
    old: Vec<&'a str>,
) -> Result<Vec<&'a str>, StorageError> {
    let Ok(mut base) = Automerge::load(snapshot) else {
        return Ok(Vec::new());
    };
    let heads = base.get_heads();
    let mut covered = Vec::new();
    for key in old {
        // Gone meanwhile: another relay's compaction found it covered by its snapshot.
        let Some(chunk) = storage.load(key)? else {
            continue;
        };
        // Loading a chunk whose changes are all in the snapshot changes nothing; a new change
        // moves the heads or, missing a dependency, waits in the queue.
        let loaded = base.load_incremental(&chunk).is_ok();
        if loaded && base.get_heads() == heads && base.get_missing_deps(&[]).is_empty() {
            covered.push(key);
        } else {
            // Not covered (or unreadable: kept for whoever can tell). Start again from the
            // snapshot alone, so later chunks are judged against it and not against this one.
            base = match Automerge::load(snapshot) {
                Ok(doc) => doc,
                Err(_) => return Ok(covered),
            };
        }
    }
    Ok(covered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::MemStorage;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ReadDoc, ROOT};

    fn edit(doc: &mut AutoCommit, key: &str) -> Vec<u8> {
        let before = doc.get_heads();
        doc.put(ROOT, key, true).expect("put");
        doc.save_after(&before)
    }

    fn reload(storage: &MemStorage, id: &DocumentId) -> AutoCommit {
        let mut doc = AutoCommit::new();
        for chunk in load(storage, id).expect("load").chunks {
            doc.load_incremental(&chunk).expect("chunk loads");
        }
        doc
    }

    #[test]
    fn a_batch_of_incremental_chunks_is_one_file_that_loads_to_the_same_document() {
        let mut storage = MemStorage::default();
        let id = DocumentId::random();
        let mut doc = AutoCommit::new();
        let saves = ["a", "b", "c"]
            .iter()
            .map(|k| (id, Chunk::Incremental(edit(&mut doc, k))))
            .collect();
        save_batch(&mut storage, saves, &[]).expect("saves");
        assert_eq!(storage.list(&doc_prefix(&id)).expect("list").len(), 1);
        let mut loaded = reload(&storage, &id);
        assert_eq!(loaded.get_heads(), doc.get_heads());
        assert!(loaded.get(ROOT, "c").expect("read").is_some());
    }

    #[test]
    fn a_snapshot_in_a_batch_replaces_older_chunks_but_keeps_later_ones() {
        let mut storage = MemStorage::default();
        let id = DocumentId::random();
        let other = DocumentId::random();
        let mut doc = AutoCommit::new();
        let mut second = AutoCommit::new();
        let first = vec![(id, Chunk::Incremental(edit(&mut doc, "old")))];
        save_batch(&mut storage, first, &[]).expect("first batch");
        let saves = vec![
            (id, Chunk::Incremental(edit(&mut doc, "before"))),
            (other, Chunk::Incremental(edit(&mut second, "x"))),
            (id, Chunk::Snapshot(doc.save())),
            (id, Chunk::Incremental(edit(&mut doc, "after"))),
        ];
        save_batch(&mut storage, saves, &[]).expect("second batch");
        let keys = storage.list(&doc_prefix(&id)).expect("list");
        assert_eq!(
            keys.len(),
            2,
            "the snapshot and the chunk after it: {keys:?}"
        );
        assert_eq!(reload(&storage, &id).get_heads(), doc.get_heads());
        assert_eq!(reload(&storage, &other).get_heads(), second.get_heads());
    }
}

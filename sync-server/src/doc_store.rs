//! Documents in the relay's storage, in the shared key layout of
//! [`threshold_protocol::storage_key`].

use threshold_protocol::storage_key::{chunk_key, doc_prefix};
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

pub fn save(
    storage: &mut dyn Storage,
    doc: &DocumentId,
    chunk: &Chunk,
) -> Result<(), StorageError> {
    let key = chunk_key(doc, chunk);
    storage.put(&key, chunk.bytes())?;
    if let Chunk::Snapshot(_) = chunk {
        for old in storage.list(&doc_prefix(doc))? {
            if old != key {
                storage.delete(&old)?;
            }
        }
    }
    Ok(())
}

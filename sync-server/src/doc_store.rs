//! Where documents live in storage, and how chunks are compacted.
//!
//! `docs/<documentId>/incremental-<sha256>` and `docs/<documentId>/snapshot-<sha256>`, named by
//! content hash so that writing the same chunk twice is harmless. A snapshot replaces every
//! chunk before it: it is written first, and only then are the older chunks deleted, so a crash
//! in between leaves both, which load to the same document.

use sha2::{Digest, Sha256};
use threshold_protocol::{Chunk, DocumentId, Loaded};

use crate::storage::{Storage, StorageError};

fn prefix(doc: &DocumentId) -> String {
    format!("docs/{doc}/")
}

pub fn load(storage: &dyn Storage, doc: &DocumentId) -> Result<Loaded, StorageError> {
    let chunks = storage
        .load_prefix(&prefix(doc))?
        .into_iter()
        .map(|(_, bytes)| bytes)
        .collect();
    Ok(Loaded {
        chunks,
        sync_states: Vec::new(),
    })
}

pub fn save(storage: &mut dyn Storage, doc: &DocumentId, chunk: &Chunk) -> Result<(), StorageError> {
    let hash = hex::encode(Sha256::digest(chunk.bytes()));
    match chunk {
        Chunk::Incremental(bytes) => storage.put(&format!("{}incremental-{hash}", prefix(doc)), bytes),
        Chunk::Snapshot(bytes) => {
            let key = format!("{}snapshot-{hash}", prefix(doc));
            storage.put(&key, bytes)?;
            for old in storage.list(&prefix(doc))? {
                if old != key {
                    storage.delete(&old)?;
                }
            }
            Ok(())
        }
    }
}

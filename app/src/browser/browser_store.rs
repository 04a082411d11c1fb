//! The store the app runs on: IndexedDB, or the in-memory twin when the browser refuses it.
//! Kept apart from the trait so that `idb_store` and `kv_store` do not import each other.

use super::idb_store::IdbStore;
use super::kv_store::{KvStore, MemStore, StoreError};

/// The store the app runs on.
pub enum BrowserStore {
    IndexedDb(IdbStore),
    Memory(MemStore),
}

impl BrowserStore {
    pub fn is_durable(&self) -> bool {
        matches!(self, BrowserStore::IndexedDb(_))
    }
}

impl KvStore for BrowserStore {
    async fn load_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        match self {
            BrowserStore::IndexedDb(s) => s.load_prefix(prefix).await,
            BrowserStore::Memory(s) => s.load_prefix(prefix).await,
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        match self {
            BrowserStore::IndexedDb(s) => s.list(prefix).await,
            BrowserStore::Memory(s) => s.list(prefix).await,
        }
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        match self {
            BrowserStore::IndexedDb(s) => s.put(key, value).await,
            BrowserStore::Memory(s) => s.put(key, value).await,
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        match self {
            BrowserStore::IndexedDb(s) => s.delete(key).await,
            BrowserStore::Memory(s) => s.delete(key).await,
        }
    }
}

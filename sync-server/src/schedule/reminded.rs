//! The reminders the scheduler has sent for one portal, by their item keys
//! (`threshold_model::notify::reminder_key`), under the storage key
//! `notify/<portal>.reminded.json`: a file in the data dir, or with `--database-url` a row in
//! the database, so that whichever relay holds the scheduler next knows what went. Rewritten
//! whole and atomically. One letter per person lists several items, so the outbox's one key per
//! letter cannot say which items were reminded; this record does.

use std::collections::BTreeSet;
use std::path::PathBuf;

use threshold_protocol::DocumentId;

use crate::postgres::PgStorage;
use crate::storage::{FsStorage, Storage, StorageError};

/// Where the scheduler keeps what it has sent.
#[derive(Clone)]
pub enum Records {
    /// The relay's data dir: one relay sends the mail.
    Dir(PathBuf),
    /// The relays' database: shared by every relay that may hold the scheduler.
    Database(PgStorage),
}

impl Records {
    fn with<R>(
        &self,
        use_it: impl FnOnce(&mut dyn Storage) -> Result<R, StorageError>,
    ) -> Result<R, StorageError> {
        match self {
            Records::Dir(dir) => use_it(&mut FsStorage::open(dir)?),
            Records::Database(db) => use_it(&mut db.clone()),
        }
    }
}

fn key(portal: &DocumentId) -> String {
    format!("notify/{portal}.reminded.json")
}

/// What was reminded; empty when nothing was, or the record cannot be read (then a reminder may
/// go again, which is better than never).
pub fn load(records: &Records, portal: &DocumentId) -> BTreeSet<String> {
    records
        .with(|storage| storage.load(&key(portal)))
        .ok()
        .flatten()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

pub fn save(
    records: &Records,
    portal: &DocumentId,
    keys: &BTreeSet<String>,
) -> Result<(), StorageError> {
    let value = serde_json::to_vec(keys).expect("a set of strings serializes");
    records.with(|storage| {
        if keys.is_empty() && storage.load(&key(portal))?.is_none() {
            return Ok(());
        }
        storage.put(&key(portal), &value)
    })
}

//! The reminders the scheduler has sent for one portal, by their item keys
//! (`threshold_model::notify::reminder_key`), in `<data dir>/notify/<portal>.reminded.json`,
//! rewritten whole and atomically. One letter per person lists several items, so the outbox's
//! one key per letter cannot say which items were reminded; this file does.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use threshold_protocol::DocumentId;

use crate::storage::write_atomically;

fn file(data_dir: &Path, portal: &DocumentId) -> PathBuf {
    data_dir
        .join("notify")
        .join(format!("{portal}.reminded.json"))
}

/// What was reminded; empty when nothing was, or the file cannot be read (then a reminder may
/// go again, which is better than never).
pub fn load(data_dir: &Path, portal: &DocumentId) -> BTreeSet<String> {
    std::fs::read(file(data_dir, portal))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

pub fn save(data_dir: &Path, portal: &DocumentId, keys: &BTreeSet<String>) -> io::Result<()> {
    let path = file(data_dir, portal);
    if keys.is_empty() && !path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    write_atomically(&path, &serde_json::to_vec(keys).map_err(io::Error::other)?)
}

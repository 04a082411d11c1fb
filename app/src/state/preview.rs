//! The ready-to-draw copy of each portal's page this device has opened
//! (`threshold_model::portal::Preview`), in localStorage beside the session: a synchronous read,
//! so the page can draw it in its first frame while the document itself loads from IndexedDB.

use gloo_storage::{LocalStorage, Storage};
use threshold_model::portal::Preview;
use threshold_protocol::DocumentId;

const PREFIX: &str = "threshold.preview.";

fn key(id: DocumentId) -> String {
    format!("{PREFIX}{id}")
}

pub fn load(id: DocumentId) -> Option<Preview> {
    LocalStorage::get(key(id)).ok()
}

/// Keep `preview` for `id`; a full storage only means no preview next time.
pub fn store(id: DocumentId, preview: &Preview) {
    let _ = LocalStorage::set(key(id), preview);
}

/// Forget every portal's preview (signing out: they name clients and tasks).
pub fn forget_all() {
    let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
        return;
    };
    let len = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..len)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect();
    for k in keys {
        let _ = storage.remove_item(&k);
    }
}

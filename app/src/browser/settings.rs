//! Small per-browser settings in localStorage (gloo-storage).

use gloo_storage::{LocalStorage, Storage};
use threshold_protocol::DocumentId;

const STORAGE_ID: &str = "threshold.storage-id";
const WORKSPACE: &str = "threshold.workspace";

/// This browser profile's storage id, told to the relay so sync states survive reloads.
pub fn storage_id() -> String {
    if let Ok(id) = LocalStorage::get::<String>(STORAGE_ID) {
        return id;
    }
    let id = uuid::Uuid::new_v4().to_string();
    let _ = LocalStorage::set(STORAGE_ID, &id);
    id
}

pub fn workspace_id() -> Option<DocumentId> {
    LocalStorage::get::<String>(WORKSPACE)
        .ok()
        .and_then(|s| s.parse().ok())
}

pub fn set_workspace_id(id: DocumentId) {
    let _ = LocalStorage::set(WORKSPACE, id.to_string());
}

//! Files in a portal: adding one (kept on this device and queued for upload before the portal
//! refers to it), removing one, and taking out the references to a file the relay refused.

use threshold_model as model;
use threshold_model::doc::FileId;
use threshold_model::portal::{read_files, Attachment};
use threshold_protocol::DocumentId;

use super::{edit_portal, try_edit_portal};
use crate::browser::storage_status::human_bytes;
use crate::state::permission::made_by_me;
use crate::state::session;
use crate::state::view_mode;
use crate::sync::{client, files};

/// Why a file of `size` bytes cannot be shared, when the relay takes at most `limit`: said
/// before any of it is read, kept or sent.
pub fn too_large(name: &str, size: u64, limit: Option<u64>) -> Option<String> {
    let limit = limit.filter(|limit| size > *limit)?;
    Some(format!(
        "{name} is {}, and files up to {} can be shared here. Nothing of it was kept or sent. Try a smaller file, or share a link to it in a comment.",
        human_bytes(size as f64),
        human_bytes(limit as f64),
    ))
}

/// Add a file the user picked or dropped: keep it here, queue it, refer to it in the portal.
/// A file over the relay's limit is refused first, so none of it is stored on this device.
pub async fn add_file(
    portal: DocumentId,
    file: web_sys::File,
    attachment: Attachment,
) -> Result<(), String> {
    if let Some(why) = too_large(&file.name(), file.size() as u64, session::max_file_bytes()) {
        return Err(why);
    }
    let files = files();
    let spec = files.keep_and_queue(portal, &file).await?;
    let by = view_mode::load().actor_name();
    if let Err(e) = try_edit_portal(portal, |tx| {
        model::portal::add_file(tx, &spec, &attachment, &by, chrono::Utc::now()).map(|_| ())
    }) {
        files.unqueue(&spec.hash).await;
        return Err(e.to_string());
    }
    files.send_queued().await;
    Ok(())
}

/// Take one file out of the portal (its bytes stay wherever they are kept).
pub fn remove_file(portal: DocumentId, file: &FileId) {
    let by = view_mode::load().actor_name();
    edit_portal(portal, |tx| {
        model::portal::remove_file(tx, file, &by, chrono::Utc::now())
    });
}

/// The relay refused the file with this hash for good: take this device's references to it out
/// of the portal (a client may remove only the files it added, and only this device queued the
/// upload), and return its name (for the message saying so). The upload queue's `on_refused`.
pub fn drop_refused_file(portal: DocumentId, hash: &str) -> String {
    let refs = client()
        .read(&portal, |doc| read_files(doc).unwrap_or_default())
        .unwrap_or_default();
    let name = refs
        .iter()
        .find(|f| f.spec.hash == hash)
        .map(|f| f.spec.name.clone())
        .unwrap_or_else(|| "A file".into());
    // Read before the edit: the document cannot be read while it is being changed.
    let own: Vec<_> = refs
        .iter()
        .filter(|f| f.spec.hash == hash && made_by_me(&portal, &["files", f.id.as_str()]))
        .collect();
    let by = view_mode::load().actor_name();
    edit_portal(portal, |tx| {
        for f in &own {
            model::portal::remove_file(tx, &f.id, &by, chrono::Utc::now())?;
        }
        Ok(())
    });
    name
}

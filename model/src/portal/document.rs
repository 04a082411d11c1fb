//! The `portal` document: one per client, shared by the provider and that client's contacts.
//!
//! Shape (schema 1), at the top level:
//! ```text
//! { schema: 1, kind: "portal", clientName: str, welcome: Text, stage: str (once moved),
//!   <one map per part, created with the document: see PORTAL_COLLECTIONS> }
//! ```
//! Each part's own shape is in the header of the file that edits it: tasks in `task.rs`,
//! contacts and links in `onboarding/welcome_pack.rs`, deliverables in
//! `offboarding/deliverable.rs`, and so on. This file keeps the frame: creating the document
//! with every collection, its client name and welcome text, and reading it whole or by what
//! changed.

use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc, ROOT};

use super::task::{read_task, task_order, tasks_of};
use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::Part;
use crate::doc::{field, ModelError, Touched};
use crate::portal::Task;

#[derive(Clone, Debug, PartialEq)]
pub struct Portal {
    pub client_name: String,
    pub welcome: String,
    /// In creation order (ties broken by id, so every device shows the same order).
    pub tasks: Vec<Task>,
    pub schema: u64,
}

/// The maps of items a portal holds, created with the document.
pub(crate) const PORTAL_COLLECTIONS: [&str; 21] = [
    "tasks",
    "exchange",
    "milestones",
    "meetings",
    "contacts",
    "links",
    "checkins",
    "people",
    "lastActivity",
    "intake",
    "metrics",
    "deliverables",
    "accessWrapUp",
    "nextSteps",
    "referrals",
    "followUps",
    "offboarding",
    "stageChangedAt",
    "files",
    "signatures",
    "brand",
];

/// A new portal document for a client.
pub fn new_portal_doc(client_name: &str, welcome: &str) -> Result<Automerge, ModelError> {
    let client_name =
        crate::doc::limits::checked(crate::doc::limits::Text::ClientName, client_name)?;
    let mut doc = Automerge::new();
    crate::doc::edit(&mut doc, |tx| {
        schema::stamp(tx, DocKind::Portal)?;
        tx.put(ROOT, "clientName", client_name.trim())?;
        let text = field::ensure_text(tx, &ROOT, "welcome")?;
        tx.splice_text(&text, 0, 0, welcome)?;
        // Every collection exists from the start. Created lazily, two devices adding the first
        // entry at once would each create the collection, and one would replace the other.
        let intake = field::ensure_map(tx, &ROOT, "intake")?;
        field::ensure_map(tx, &intake, "fields")?;
        field::ensure_map(tx, &intake, "answers")?;
        ensure_collections(tx)
    })?;
    Ok(doc)
}

/// Create what a portal made before offboarding existed lacks, before anyone edits it.
pub(crate) fn ensure_collections(tx: &mut impl Transactable) -> Result<(), ModelError> {
    for key in PORTAL_COLLECTIONS {
        field::ensure_map(tx, &ROOT, key)?;
    }
    crate::offboarding::ensure_feedback(tx)
}

pub fn read_portal(doc: &impl ReadDoc) -> Result<Portal, ModelError> {
    schema::expect_kind(doc, DocKind::Portal)?;
    let root = Record::read(doc, &ROOT);
    let tasks = tasks_of(doc, &root)?;
    Ok(Portal {
        client_name: root.string(doc, "clientName")?.unwrap_or_default(),
        welcome: root.string(doc, "welcome")?.unwrap_or_default(),
        tasks,
        schema: schema::schema_version(doc)?,
    })
}

/// [`read_portal`] as a [`Part`].
pub const PORTAL: Part<Portal> = Part {
    keys: &["kind", "schema", "clientName", "welcome", "tasks"],
    read: |doc| read_portal(doc),
};

/// The client's name alone, for views that need nothing else of the portal.
pub fn read_client_name(doc: &impl ReadDoc) -> Result<String, ModelError> {
    Ok(field::string(doc, &ROOT, "clientName")?.unwrap_or_default())
}

/// [`read_client_name`] as a [`Part`].
pub const CLIENT_NAME: Part<String> = Part {
    keys: &["clientName"],
    read: |doc| read_client_name(doc),
};

/// The portal after some changes, given the portal before them and what they touched: only the
/// touched tasks and fields are read again, so the cost follows the edit, not the document.
pub fn read_portal_update(
    doc: &impl ReadDoc,
    previous: &Portal,
    touched: &Touched,
) -> Result<Portal, ModelError> {
    if touched.everything || touched.any(&["kind", "schema"]) {
        return read_portal(doc);
    }
    let mut portal = previous.clone();
    if !touched.any(&["clientName", "welcome", "tasks"]) {
        return Ok(portal);
    }
    let root = Record::read(doc, &ROOT);
    portal.client_name = root.string(doc, "clientName")?.unwrap_or_default();
    portal.welcome = root.string(doc, "welcome")?.unwrap_or_default();
    if !touched.tasks.is_empty() {
        let tasks_obj = root.map("tasks");
        portal
            .tasks
            .retain(|t| !touched.tasks.contains(t.id.as_str()));
        for key in &touched.tasks {
            let Some(tasks_obj) = tasks_obj else { break };
            if let Some(task_obj) = field::map(doc, tasks_obj, key)? {
                portal.tasks.push(read_task(doc, key, &task_obj)?);
            }
        }
        portal.tasks.sort_by(task_order);
    }
    Ok(portal)
}

pub fn set_client_name(tx: &mut impl Transactable, name: &str) -> Result<(), ModelError> {
    let name = crate::doc::limits::checked(crate::doc::limits::Text::ClientName, name)?;
    schema::upgrade(tx, DocKind::Portal)?;
    tx.put(ROOT, "clientName", name)?;
    Ok(())
}

/// Replace the welcome message with `new_text`, recorded as the character-level insertions and
/// deletions between the old and new text, so that concurrent typing on two devices merges.
pub fn update_welcome(tx: &mut impl Transactable, new_text: &str) -> Result<(), ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let text = field::ensure_text(tx, &ROOT, "welcome")?;
    tx.update_text(&text, new_text)?;
    Ok(())
}

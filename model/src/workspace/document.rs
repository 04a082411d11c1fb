//! The `workspace` document: the provider's own, listing its client portals.
//!
//! Shape (schema 1):
//! ```text
//! { schema: 1, kind: "workspace", name: str,
//!   portals: { <portal documentId>: { clientName: str, addedAt: ts } },
//!   brand: { name, accent, logo } (the provider's brand: see `portal::brand`, which copies it) }
//! ```
//! Portals are keyed by document id, so two devices adding portals at once both keep theirs.

use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc, ROOT};
use chrono::{DateTime, Utc};
use threshold_protocol::DocumentId;

use crate::doc::schema::{self, DocKind};
use crate::doc::Part;
use crate::doc::{field, ModelError};

#[derive(Clone, Debug, PartialEq)]
pub struct Workspace {
    pub name: String,
    /// Newest first.
    pub portals: Vec<PortalEntry>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PortalEntry {
    pub id: DocumentId,
    /// The name as last recorded here; the portal document holds the authoritative one.
    pub client_name: String,
    pub added_at: Option<DateTime<Utc>>,
    /// The provider-only internal document for this client, once there is one.
    pub internal: Option<DocumentId>,
}

pub fn new_workspace_doc(name: &str) -> Result<Automerge, ModelError> {
    let mut doc = Automerge::new();
    crate::doc::edit(&mut doc, |tx| {
        schema::stamp(tx, DocKind::Workspace)?;
        tx.put(ROOT, "name", name)?;
        field::ensure_map(tx, &ROOT, "portals")?;
        for template in crate::workspace::default_templates() {
            crate::workspace::save_template(tx, &template)?;
        }
        Ok(())
    })?;
    Ok(doc)
}

pub fn read_workspace(doc: &impl ReadDoc) -> Result<Workspace, ModelError> {
    schema::expect_kind(doc, DocKind::Workspace)?;
    let mut portals = Vec::new();
    if let Some(obj) = field::map(doc, &ROOT, "portals")? {
        for key in doc.keys(&obj) {
            // Keys that are not document ids were not written by Threshold: skip, keep them.
            let (Ok(id), Some(entry)) = (key.parse::<DocumentId>(), field::map(doc, &obj, &key)?)
            else {
                continue;
            };
            portals.push(PortalEntry {
                id,
                client_name: field::string(doc, &entry, "clientName")?.unwrap_or_default(),
                added_at: field::timestamp(doc, &entry, "addedAt")?,
                internal: field::string(doc, &entry, "internal")?.and_then(|s| s.parse().ok()),
            });
        }
    }
    portals.sort_by_key(|p| std::cmp::Reverse((p.added_at, p.id)));
    Ok(Workspace {
        name: field::string(doc, &ROOT, "name")?.unwrap_or_default(),
        portals,
    })
}

/// [`read_workspace`] as a [`Part`].
pub const WORKSPACE: Part<Workspace> = Part {
    keys: &["kind", "schema", "name", "portals"],
    read: |doc| read_workspace(doc),
};

/// Record a portal in the workspace; adding one already listed only refreshes its name.
pub fn add_portal(
    tx: &mut impl Transactable,
    id: DocumentId,
    client_name: &str,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    schema::upgrade(tx, DocKind::Workspace)?;
    let portals = field::ensure_map(tx, &ROOT, "portals")?;
    let key = id.to_string();
    match field::map(tx, &portals, &key)? {
        Some(entry) => tx.put(&entry, "clientName", client_name)?,
        None => {
            let entry = tx.put_object(&portals, &key, automerge::ObjType::Map)?;
            tx.put(&entry, "clientName", client_name)?;
            field::put_timestamp(tx, &entry, "addedAt", now)?;
        }
    }
    Ok(())
}

pub fn rename_portal_entry(
    tx: &mut impl Transactable,
    id: DocumentId,
    client_name: &str,
) -> Result<(), ModelError> {
    if let Some(portals) = field::map(tx, &ROOT, "portals")? {
        if let Some(entry) = field::map(tx, &portals, &id.to_string())? {
            if field::string(tx, &entry, "clientName")?.as_deref() != Some(client_name) {
                tx.put(&entry, "clientName", client_name)?;
            }
        }
    }
    Ok(())
}

/// Record which internal document belongs to a portal.
pub fn set_portal_internal(
    tx: &mut impl Transactable,
    portal: DocumentId,
    internal: DocumentId,
) -> Result<(), ModelError> {
    let portals = field::ensure_map(tx, &ROOT, "portals")?;
    let entry = field::map(tx, &portals, &portal.to_string())?
        .ok_or_else(|| ModelError::NoSuchItem(portal.to_string()))?;
    tx.put(&entry, "internal", internal.to_string())?;
    Ok(())
}

pub fn remove_portal(tx: &mut impl Transactable, id: DocumentId) -> Result<(), ModelError> {
    if let Some(portals) = field::map(tx, &ROOT, "portals")? {
        tx.delete(&portals, id.to_string())?;
    }
    Ok(())
}

//! The welcome pack besides the message: the people to contact and the links to keep.
//!
//! Shape, inside the portal document:
//! ```text
//! contacts: { <contactId>: { name, role, email, phone, about, side: "provider"|"client" } }
//! links:    { <linkId>: { title, url, note, sensitive: bool } }
//! ```
//! A sensitive link (login details) is shown masked until someone chooses to reveal it; the
//! flag travels with the link so every device masks it.

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};

use crate::doc::schema::{self, DocKind};
use crate::doc::{field, ContactId, LinkId, ModelError};
use crate::portal::Assignee;

#[derive(Clone, Debug, PartialEq)]
pub struct ContactSpec {
    pub name: String,
    pub role: String,
    pub email: String,
    pub phone: String,
    /// What to contact them about ("billing questions", "design feedback").
    pub about: String,
    pub side: Assignee,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Contact {
    pub id: ContactId,
    pub spec: ContactSpec,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LinkSpec {
    pub title: String,
    pub url: String,
    pub note: String,
    pub sensitive: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub id: LinkId,
    pub spec: LinkSpec,
}

fn write_contact(
    tx: &mut impl Transactable,
    obj: &automerge::ObjId,
    spec: &ContactSpec,
) -> Result<(), ModelError> {
    tx.put(obj, "name", spec.name.trim())?;
    tx.put(obj, "role", spec.role.trim())?;
    tx.put(obj, "email", spec.email.trim())?;
    tx.put(obj, "phone", spec.phone.trim())?;
    tx.put(obj, "about", spec.about.trim())?;
    tx.put(obj, "side", spec.side.as_str())?;
    Ok(())
}

pub fn add_contact(
    tx: &mut impl Transactable,
    spec: &ContactSpec,
) -> Result<ContactId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let id = ContactId::new();
    let obj = field::new_item(tx, &ROOT, "contacts", id.as_str())?;
    write_contact(tx, &obj, spec)?;
    Ok(id)
}

pub fn update_contact(
    tx: &mut impl Transactable,
    id: &ContactId,
    spec: &ContactSpec,
) -> Result<(), ModelError> {
    let obj = field::existing_item(tx, &ROOT, "contacts", id.as_str())?;
    write_contact(tx, &obj, spec)
}

pub fn remove_contact(tx: &mut impl Transactable, id: &ContactId) -> Result<(), ModelError> {
    field::delete_item(tx, &ROOT, "contacts", id.as_str())
}

/// The provider's team first, then the client's people, each by name.
pub fn read_contacts(doc: &impl ReadDoc) -> Result<Vec<Contact>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, "contacts")? {
        out.push(Contact {
            id: ContactId::from_string(id),
            spec: ContactSpec {
                name: field::string(doc, &obj, "name")?.unwrap_or_default(),
                role: field::string(doc, &obj, "role")?.unwrap_or_default(),
                email: field::string(doc, &obj, "email")?.unwrap_or_default(),
                phone: field::string(doc, &obj, "phone")?.unwrap_or_default(),
                about: field::string(doc, &obj, "about")?.unwrap_or_default(),
                side: Assignee::parse(&field::string(doc, &obj, "side")?.unwrap_or_default()),
            },
        });
    }
    out.sort_by(|a, b| {
        let side = |c: &Contact| c.spec.side == Assignee::Client;
        (side(a), a.spec.name.to_lowercase(), &a.id).cmp(&(
            side(b),
            b.spec.name.to_lowercase(),
            &b.id,
        ))
    });
    Ok(out)
}

fn write_link(
    tx: &mut impl Transactable,
    obj: &automerge::ObjId,
    spec: &LinkSpec,
) -> Result<(), ModelError> {
    tx.put(obj, "title", spec.title.trim())?;
    tx.put(obj, "url", spec.url.trim())?;
    tx.put(obj, "note", spec.note.trim())?;
    tx.put(obj, "sensitive", spec.sensitive)?;
    Ok(())
}

pub fn add_link(tx: &mut impl Transactable, spec: &LinkSpec) -> Result<LinkId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let id = LinkId::new();
    let obj = field::new_item(tx, &ROOT, "links", id.as_str())?;
    write_link(tx, &obj, spec)?;
    Ok(id)
}

pub fn update_link(
    tx: &mut impl Transactable,
    id: &LinkId,
    spec: &LinkSpec,
) -> Result<(), ModelError> {
    let obj = field::existing_item(tx, &ROOT, "links", id.as_str())?;
    write_link(tx, &obj, spec)
}

pub fn remove_link(tx: &mut impl Transactable, id: &LinkId) -> Result<(), ModelError> {
    field::delete_item(tx, &ROOT, "links", id.as_str())
}

/// By title.
pub fn read_links(doc: &impl ReadDoc) -> Result<Vec<Link>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, "links")? {
        out.push(Link {
            id: LinkId::from_string(id),
            spec: LinkSpec {
                title: field::string(doc, &obj, "title")?.unwrap_or_default(),
                url: field::string(doc, &obj, "url")?.unwrap_or_default(),
                note: field::string(doc, &obj, "note")?.unwrap_or_default(),
                sensitive: field::boolean(doc, &obj, "sensitive")?.unwrap_or(false),
            },
        });
    }
    out.sort_by(|a, b| {
        (a.spec.title.to_lowercase(), &a.id).cmp(&(b.spec.title.to_lowercase(), &b.id))
    });
    Ok(out)
}

/// What to show for a sensitive value before it is revealed.
pub fn masked(value: &str) -> String {
    "•".repeat(value.chars().count().clamp(6, 12))
}

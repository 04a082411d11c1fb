//! The welcome pack besides the message: the people to contact and the links to keep.
//!
//! Shape, inside the portal document:
//! ```text
//! contacts: { <contactId>: { name, role, email, phone, about, side: "provider"|"client" } }
//! links:    { <linkId>: { title, url, note, sensitive: bool } }
//! ```
//! A sensitive link (login details) is shown masked until someone chooses to reveal it; the
//! flag travels with the link so every device masks it.

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc};

use crate::doc::collection::{self, Item, Spec};
use crate::doc::limits::{self, Text};
use crate::doc::record::Record;
use crate::doc::Part;
use crate::doc::{ContactId, LinkId, ModelError};
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

impl Spec for ContactSpec {
    type Item = Contact;

    fn write(&self, tx: &mut impl Transactable, obj: &ObjId) -> Result<(), ModelError> {
        let name = limits::checked(Text::PersonName, &self.name)?;
        tx.put(obj, "name", name)?;
        tx.put(obj, "role", self.role.trim())?;
        tx.put(obj, "email", self.email.trim())?;
        tx.put(obj, "phone", self.phone.trim())?;
        tx.put(obj, "about", self.about.trim())?;
        tx.put(obj, "side", self.side.as_str())?;
        Ok(())
    }
}

impl Item for Contact {
    const KEY: &'static str = "contacts";
    type Id = ContactId;

    fn read(doc: &impl ReadDoc, id: ContactId, r: &Record) -> Result<Option<Self>, ModelError> {
        let text = |key| r.string(doc, key).map(Option::unwrap_or_default);
        let spec = ContactSpec {
            name: text("name")?,
            role: text("role")?,
            email: text("email")?,
            phone: text("phone")?,
            about: text("about")?,
            side: Assignee::parse(&text("side")?),
        };
        Ok(Some(Contact { id, spec }))
    }

    /// The provider's team first, then the client's people, each by name.
    fn order(a: &Self, b: &Self) -> Ordering {
        let key = |c: &Self| (c.spec.side == Assignee::Client, c.spec.name.to_lowercase());
        (key(a), &a.id).cmp(&(key(b), &b.id))
    }
}

impl Spec for LinkSpec {
    type Item = Link;

    fn write(&self, tx: &mut impl Transactable, obj: &ObjId) -> Result<(), ModelError> {
        let title = limits::checked(Text::LinkTitle, &self.title)?;
        let url = limits::link_address(&self.url)?;
        tx.put(obj, "title", title)?;
        tx.put(obj, "url", url)?;
        tx.put(obj, "note", self.note.trim())?;
        tx.put(obj, "sensitive", self.sensitive)?;
        Ok(())
    }
}

impl Item for Link {
    const KEY: &'static str = "links";
    type Id = LinkId;

    fn read(doc: &impl ReadDoc, id: LinkId, r: &Record) -> Result<Option<Self>, ModelError> {
        let text = |key| r.string(doc, key).map(Option::unwrap_or_default);
        let spec = LinkSpec {
            title: text("title")?,
            url: text("url")?,
            note: text("note")?,
            sensitive: r.boolean("sensitive").unwrap_or(false),
        };
        Ok(Some(Link { id, spec }))
    }

    /// By title.
    fn order(a: &Self, b: &Self) -> Ordering {
        (a.spec.title.to_lowercase(), &a.id).cmp(&(b.spec.title.to_lowercase(), &b.id))
    }
}

pub fn add_contact(
    tx: &mut impl Transactable,
    spec: &ContactSpec,
) -> Result<ContactId, ModelError> {
    Ok(collection::add(tx, spec)?.0)
}

pub fn update_contact(
    tx: &mut impl Transactable,
    id: &ContactId,
    spec: &ContactSpec,
) -> Result<(), ModelError> {
    collection::update(tx, id, spec)
}

pub fn remove_contact(tx: &mut impl Transactable, id: &ContactId) -> Result<(), ModelError> {
    collection::remove::<Contact>(tx, id)
}

/// The provider's team first, then the client's people, each by name.
pub fn read_contacts(doc: &impl ReadDoc) -> Result<Vec<Contact>, ModelError> {
    collection::read_all(doc)
}

/// [`read_contacts`] as a [`Part`].
pub const CONTACTS: Part<Vec<Contact>> = Part {
    keys: &["contacts"],
    read: |doc| read_contacts(doc),
};

pub fn add_link(tx: &mut impl Transactable, spec: &LinkSpec) -> Result<LinkId, ModelError> {
    Ok(collection::add(tx, spec)?.0)
}

pub fn update_link(
    tx: &mut impl Transactable,
    id: &LinkId,
    spec: &LinkSpec,
) -> Result<(), ModelError> {
    collection::update(tx, id, spec)
}

pub fn remove_link(tx: &mut impl Transactable, id: &LinkId) -> Result<(), ModelError> {
    collection::remove::<Link>(tx, id)
}

/// By title.
pub fn read_links(doc: &impl ReadDoc) -> Result<Vec<Link>, ModelError> {
    collection::read_all(doc)
}

/// [`read_links`] as a [`Part`].
pub const LINKS: Part<Vec<Link>> = Part {
    keys: &["links"],
    read: |doc| read_links(doc),
};

/// What to show for a sensitive value before it is revealed.
pub fn masked(value: &str) -> String {
    "•".repeat(value.chars().count().clamp(6, 12))
}

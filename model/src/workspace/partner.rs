//! The workspace's partner directory: people we refer clients to for needs we do not cover.
//!
//! Shape, inside the workspace document:
//! ```text
//! partners: { <partnerId>: { name, service, url, email } }
//! ```

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc, ROOT};

use crate::doc::collection::{self, Item};
use crate::doc::record::Record;
use crate::doc::Part;
use crate::doc::{field, ModelError, PartnerId};

#[derive(Clone, Debug, PartialEq)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    /// What they do ("Bookkeeping", "Photography").
    pub service: String,
    pub url: String,
    pub email: String,
}

pub(crate) fn write_partner(
    tx: &mut impl Transactable,
    obj: &ObjId,
    partner: &Partner,
) -> Result<(), ModelError> {
    tx.put(obj, "name", partner.name.trim())?;
    tx.put(obj, "service", partner.service.trim())?;
    tx.put(obj, "url", partner.url.trim())?;
    tx.put(obj, "email", partner.email.trim())?;
    Ok(())
}

pub(crate) fn read_partner_record(
    doc: &impl ReadDoc,
    id: PartnerId,
    r: &Record,
) -> Result<Partner, ModelError> {
    let text = |key| r.string(doc, key).map(Option::unwrap_or_default);
    Ok(Partner {
        id,
        name: text("name")?,
        service: text("service")?,
        url: text("url")?,
        email: text("email")?,
    })
}

impl Item for Partner {
    const KEY: &'static str = "partners";
    type Id = PartnerId;

    fn read(doc: &impl ReadDoc, id: PartnerId, r: &Record) -> Result<Option<Self>, ModelError> {
        read_partner_record(doc, id, r).map(Some)
    }

    /// By name.
    fn order(a: &Self, b: &Self) -> Ordering {
        (a.name.to_lowercase(), &a.id).cmp(&(b.name.to_lowercase(), &b.id))
    }
}

/// Add a partner (its `id` is kept) or replace an existing one's details. Not
/// [`collection::add`]: the id comes with the partner, and the workspace is not upgraded.
pub fn save_partner(tx: &mut impl Transactable, partner: &Partner) -> Result<(), ModelError> {
    if partner.name.trim().is_empty() {
        return Err(ModelError::Rule("A partner needs a name.".into()));
    }
    let obj = match field::item(tx, &ROOT, "partners", partner.id.as_str())? {
        Some(obj) => obj,
        None => field::new_item(tx, &ROOT, "partners", partner.id.as_str())?,
    };
    write_partner(tx, &obj, partner)
}

pub fn remove_partner(tx: &mut impl Transactable, id: &PartnerId) -> Result<(), ModelError> {
    collection::remove::<Partner>(tx, id)
}

/// By name.
pub fn read_partners(doc: &impl ReadDoc) -> Result<Vec<Partner>, ModelError> {
    collection::read_all(doc)
}

/// [`read_partners`] as a [`Part`].
pub const PARTNERS: Part<Vec<Partner>> = Part {
    keys: &["partners"],
    read: |doc| read_partners(doc),
};

//! The workspace's partner directory: people we refer clients to for needs we do not cover.
//!
//! Shape, inside the workspace document:
//! ```text
//! partners: { <partnerId>: { name, service, url, email } }
//! ```

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc, ROOT};

use crate::doc::record::Record;
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
    id: String,
    r: &Record,
) -> Result<Partner, ModelError> {
    Ok(Partner {
        id: PartnerId::from_string(id),
        name: r.string(doc, "name")?.unwrap_or_default(),
        service: r.string(doc, "service")?.unwrap_or_default(),
        url: r.string(doc, "url")?.unwrap_or_default(),
        email: r.string(doc, "email")?.unwrap_or_default(),
    })
}

/// Add a partner (its `id` is kept) or replace an existing one's details.
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
    field::delete_item(tx, &ROOT, "partners", id.as_str())
}

/// By name.
pub fn read_partners(doc: &impl ReadDoc) -> Result<Vec<Partner>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, "partners")? {
        out.push(read_partner_record(doc, id, &Record::read(doc, &obj))?);
    }
    out.sort_by(|a, b| (a.name.to_lowercase(), &a.id).cmp(&(b.name.to_lowercase(), &b.id)));
    Ok(out)
}

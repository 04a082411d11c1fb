//! What comes after the engagement: suggestions for the client to act on, partners we refer them
//! to for needs we do not cover.
//!
//! Shape, inside the portal document:
//! ```text
//! nextSteps: { <nextStepId>: { text, done: bool, createdAt: ts } }
//! referrals: { <partnerId>: { name, service, url, email, note } }
//! ```
//! A referral is a copy of the partner's entry: the client cannot read the workspace.

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, Utc};

use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::{field, ModelError, NextStepId, PartnerId};
use crate::workspace::Partner;

#[derive(Clone, Debug, PartialEq)]
pub struct NextStep {
    pub id: NextStepId,
    pub text: String,
    pub done: bool,
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Referral {
    pub partner: Partner,
    /// Why we suggest them for this client.
    pub note: String,
}

pub fn add_next_step(
    tx: &mut impl Transactable,
    text: &str,
    now: DateTime<Utc>,
) -> Result<NextStepId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    if text.trim().is_empty() {
        return Err(ModelError::Rule("Write the next step.".into()));
    }
    let id = NextStepId::new();
    let obj = field::new_item(tx, &ROOT, "nextSteps", id.as_str())?;
    tx.put(&obj, "text", text.trim())?;
    tx.put(&obj, "done", false)?;
    field::put_timestamp(tx, &obj, "createdAt", now)?;
    Ok(id)
}

pub fn set_next_step_done(
    tx: &mut impl Transactable,
    id: &NextStepId,
    done: bool,
) -> Result<(), ModelError> {
    let obj = field::existing_item(tx, &ROOT, "nextSteps", id.as_str())?;
    tx.put(&obj, "done", done)?;
    Ok(())
}

pub fn remove_next_step(tx: &mut impl Transactable, id: &NextStepId) -> Result<(), ModelError> {
    field::delete_item(tx, &ROOT, "nextSteps", id.as_str())
}

pub fn read_next_steps(doc: &impl ReadDoc) -> Result<Vec<NextStep>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, "nextSteps")? {
        let r = Record::read(doc, &obj);
        out.push(NextStep {
            id: NextStepId::from_string(id),
            text: r.string(doc, "text")?.unwrap_or_default(),
            done: r.boolean("done").unwrap_or(false),
            created_at: r.timestamp("createdAt"),
        });
    }
    out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(out)
}

/// Refer the client to a partner from the workspace's directory. Referring the same partner
/// again updates the note instead of listing them twice.
pub fn refer_partner(
    tx: &mut impl Transactable,
    partner: &Partner,
    note: &str,
) -> Result<(), ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let referrals = field::ensure_map(tx, &ROOT, "referrals")?;
    let obj = match field::map(tx, &referrals, partner.id.as_str())? {
        Some(obj) => obj,
        None => tx.put_object(&referrals, partner.id.as_str(), automerge::ObjType::Map)?,
    };
    crate::workspace::write_partner(tx, &obj, partner)?;
    tx.put(&obj, "note", note.trim())?;
    Ok(())
}

pub fn remove_referral(tx: &mut impl Transactable, id: &PartnerId) -> Result<(), ModelError> {
    field::delete_item(tx, &ROOT, "referrals", id.as_str())
}

pub fn read_referrals(doc: &impl ReadDoc) -> Result<Vec<Referral>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, "referrals")? {
        let r = Record::read(doc, &obj);
        out.push(Referral {
            partner: crate::workspace::read_partner_record(doc, id, &r)?,
            note: r.string(doc, "note")?.unwrap_or_default(),
        });
    }
    out.sort_by(|a, b| (&a.partner.name, &a.partner.id).cmp(&(&b.partner.name, &b.partner.id)));
    Ok(out)
}

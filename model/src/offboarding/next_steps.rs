//! What comes after the engagement: suggestions for the client to act on, partners we refer them
//! to for needs we do not cover.
//!
//! Shape, inside the portal document:
//! ```text
//! nextSteps: { <nextStepId>: { text, done: bool, createdAt: ts } }
//! referrals: { <partnerId>: { name, service, url, email, note } }
//! ```
//! A referral is a copy of the partner's entry: the client cannot read the workspace.

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, Utc};

use crate::doc::collection::{self, Item};
use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::Part;
use crate::doc::{field, ModelError, NextStepId, PartnerId};
use crate::workspace::{read_partner_record, write_partner, Partner};

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

impl Item for NextStep {
    const KEY: &'static str = "nextSteps";
    type Id = NextStepId;

    fn read(doc: &impl ReadDoc, id: NextStepId, r: &Record) -> Result<Option<Self>, ModelError> {
        Ok(Some(NextStep {
            id,
            text: r.string(doc, "text")?.unwrap_or_default(),
            done: r.boolean("done").unwrap_or(false),
            created_at: r.timestamp("createdAt"),
        }))
    }

    fn order(a: &Self, b: &Self) -> Ordering {
        (a.created_at, &a.id).cmp(&(b.created_at, &b.id))
    }
}

/// Keyed by the partner's id, so referring a partner twice updates one entry.
impl Item for Referral {
    const KEY: &'static str = "referrals";
    type Id = PartnerId;

    fn read(doc: &impl ReadDoc, id: PartnerId, r: &Record) -> Result<Option<Self>, ModelError> {
        Ok(Some(Referral {
            partner: read_partner_record(doc, id, r)?,
            note: r.string(doc, "note")?.unwrap_or_default(),
        }))
    }

    fn order(a: &Self, b: &Self) -> Ordering {
        (&a.partner.name, &a.partner.id).cmp(&(&b.partner.name, &b.partner.id))
    }
}

pub fn add_next_step(
    tx: &mut impl Transactable,
    text: &str,
    now: DateTime<Utc>,
) -> Result<NextStepId, ModelError> {
    if text.trim().is_empty() {
        return Err(ModelError::Rule("Write the next step.".into()));
    }
    let (id, obj) = collection::add_empty::<NextStep>(tx)?;
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
    let obj = collection::get::<NextStep>(tx, id)?;
    tx.put(&obj, "done", done)?;
    Ok(())
}

pub fn remove_next_step(tx: &mut impl Transactable, id: &NextStepId) -> Result<(), ModelError> {
    collection::remove::<NextStep>(tx, id)
}

pub fn read_next_steps(doc: &impl ReadDoc) -> Result<Vec<NextStep>, ModelError> {
    collection::read_all(doc)
}

/// [`read_next_steps`] as a [`Part`].
pub const NEXT_STEPS: Part<Vec<NextStep>> = Part {
    keys: &["nextSteps"],
    read: |doc| read_next_steps(doc),
};

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
    write_partner(tx, &obj, partner)?;
    tx.put(&obj, "note", note.trim())?;
    Ok(())
}

pub fn remove_referral(tx: &mut impl Transactable, id: &PartnerId) -> Result<(), ModelError> {
    collection::remove::<Referral>(tx, id)
}

pub fn read_referrals(doc: &impl ReadDoc) -> Result<Vec<Referral>, ModelError> {
    collection::read_all(doc)
}

/// [`read_referrals`] as a [`Part`].
pub const REFERRALS: Part<Vec<Referral>> = Part {
    keys: &["referrals"],
    read: |doc| read_referrals(doc),
};

//! Check-ins: dated notes either side can write and both can read.
//!
//! Shape, inside the portal document:
//! `checkins: { <checkinId>: { author, side, body, at: ts } }`

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use chrono::{DateTime, Utc};

use crate::doc::collection::{self, Item};
use crate::doc::record::Record;
use crate::doc::Part;
use crate::doc::{field, CheckinId, ModelError};
use crate::portal::Assignee;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Checkin {
    pub id: CheckinId,
    pub author: String,
    pub side: Assignee,
    pub body: String,
    pub at: Option<DateTime<Utc>>,
}

impl Item for Checkin {
    const KEY: &'static str = "checkins";
    type Id = CheckinId;

    fn read(doc: &impl ReadDoc, id: CheckinId, r: &Record) -> Result<Option<Self>, ModelError> {
        Ok(Some(Checkin {
            id,
            author: r.string(doc, "author")?.unwrap_or_default(),
            side: Assignee::parse(&r.string(doc, "side")?.unwrap_or_default()),
            body: r.string(doc, "body")?.unwrap_or_default(),
            at: r.timestamp("at"),
        }))
    }

    /// Newest first.
    fn order(a: &Self, b: &Self) -> Ordering {
        (b.at, &b.id).cmp(&(a.at, &a.id))
    }
}

pub fn add_checkin(
    tx: &mut impl Transactable,
    author: &str,
    side: Assignee,
    body: &str,
    at: DateTime<Utc>,
) -> Result<CheckinId, ModelError> {
    let body = crate::doc::limits::checked(crate::doc::limits::Text::CheckinBody, body)?;
    let (id, obj) = collection::add_empty::<Checkin>(tx)?;
    tx.put(&obj, "author", author)?;
    tx.put(&obj, "side", side.as_str())?;
    tx.put(&obj, "body", body.trim())?;
    field::put_timestamp(tx, &obj, "at", at)?;
    Ok(id)
}

/// Newest first.
pub fn read_checkins(doc: &impl ReadDoc) -> Result<Vec<Checkin>, ModelError> {
    collection::read_all(doc)
}

/// [`read_checkins`] as a [`Part`].
pub const CHECKINS: Part<Vec<Checkin>> = Part {
    keys: &["checkins"],
    read: |doc| read_checkins(doc),
};

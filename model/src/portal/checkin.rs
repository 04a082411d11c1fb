//! Check-ins: dated notes either side can write and both can read.
//!
//! Shape, inside the portal document:
//! `checkins: { <checkinId>: { author, side, body, at: ts } }`

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, Utc};

use crate::doc::schema::{self, DocKind};
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

pub fn add_checkin(
    tx: &mut impl Transactable,
    author: &str,
    side: Assignee,
    body: &str,
    at: DateTime<Utc>,
) -> Result<CheckinId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let id = CheckinId::new();
    let obj = field::new_item(tx, &ROOT, "checkins", id.as_str())?;
    tx.put(&obj, "author", author)?;
    tx.put(&obj, "side", side.as_str())?;
    tx.put(&obj, "body", body.trim())?;
    field::put_timestamp(tx, &obj, "at", at)?;
    Ok(id)
}

/// Newest first.
pub fn read_checkins(doc: &impl ReadDoc) -> Result<Vec<Checkin>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, "checkins")? {
        out.push(Checkin {
            id: CheckinId::from_string(id),
            author: field::string(doc, &obj, "author")?.unwrap_or_default(),
            side: Assignee::parse(&field::string(doc, &obj, "side")?.unwrap_or_default()),
            body: field::string(doc, &obj, "body")?.unwrap_or_default(),
            at: field::timestamp(doc, &obj, "at")?,
        });
    }
    out.sort_by(|a, b| (b.at, &b.id).cmp(&(a.at, &a.id)));
    Ok(out)
}

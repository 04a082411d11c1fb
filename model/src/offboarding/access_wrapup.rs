//! Access wrap-up: the shared software access to remove at the end of the engagement, who
//! removes it and by when, confirmed by both sides.
//!
//! Shape, inside the portal document:
//! ```text
//! accessWrapUp: { <accessId>: { tool, remover: "provider"|"client", by: "YYYY-MM-DD", createdAt: ts,
//!                               confirmed: { provider: ts, client: ts } } }
//! ```
//! Each side confirms in its own key, so both confirming at once keeps both.

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use chrono::{DateTime, NaiveDate, Utc};

use crate::doc::collection::{self, Item};
use crate::doc::record::Record;
use crate::doc::Part;
use crate::doc::{field, AccessId, ModelError};
use crate::portal::Assignee;

#[derive(Clone, Debug, PartialEq)]
pub struct AccessItem {
    pub id: AccessId,
    /// The tool and what access ("Admin seat in our Figma team").
    pub tool: String,
    /// The side that removes it.
    pub remover: Assignee,
    pub by: Option<NaiveDate>,
    pub confirmed_by_provider: Option<DateTime<Utc>>,
    pub confirmed_by_client: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
}

impl AccessItem {
    pub fn confirmed_by(&self, side: Assignee) -> Option<DateTime<Utc>> {
        match side {
            Assignee::Provider => self.confirmed_by_provider,
            Assignee::Client => self.confirmed_by_client,
        }
    }

    /// Removed, as both sides confirm.
    pub fn is_wrapped_up(&self) -> bool {
        self.confirmed_by_provider.is_some() && self.confirmed_by_client.is_some()
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.is_wrapped_up() && self.by.is_some_and(|d| d < today)
    }
}

impl Item for AccessItem {
    const KEY: &'static str = "accessWrapUp";
    type Id = AccessId;

    fn read(doc: &impl ReadDoc, id: AccessId, r: &Record) -> Result<Option<Self>, ModelError> {
        let confirmed = r.map("confirmed").map(|c| Record::read(doc, c));
        let when = |side: Assignee| confirmed.as_ref().and_then(|c| c.timestamp(side.as_str()));
        Ok(Some(AccessItem {
            id,
            tool: r.string(doc, "tool")?.unwrap_or_default(),
            remover: Assignee::parse(&r.string(doc, "remover")?.unwrap_or_default()),
            by: r.date(doc, "by")?,
            confirmed_by_provider: when(Assignee::Provider),
            confirmed_by_client: when(Assignee::Client),
            created_at: r.timestamp("createdAt"),
        }))
    }

    /// By date (undated last), then in the order they were added.
    fn order(a: &Self, b: &Self) -> Ordering {
        let key = |i: &Self| (i.by.is_none(), i.by, i.created_at);
        (key(a), &a.id).cmp(&(key(b), &b.id))
    }
}

pub fn add_access_item(
    tx: &mut impl Transactable,
    tool: &str,
    remover: Assignee,
    by: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<AccessId, ModelError> {
    if tool.trim().is_empty() {
        return Err(ModelError::Rule(
            "Name the tool whose access is removed.".into(),
        ));
    }
    let (id, obj) = collection::add_empty::<AccessItem>(tx)?;
    tx.put(&obj, "tool", tool.trim())?;
    tx.put(&obj, "remover", remover.as_str())?;
    field::put_date(tx, &obj, "by", by)?;
    field::put_timestamp(tx, &obj, "createdAt", now)?;
    tx.put_object(&obj, "confirmed", automerge::ObjType::Map)?;
    Ok(id)
}

pub fn update_access_item(
    tx: &mut impl Transactable,
    id: &AccessId,
    remover: Assignee,
    by: Option<NaiveDate>,
) -> Result<(), ModelError> {
    let obj = collection::get::<AccessItem>(tx, id)?;
    tx.put(&obj, "remover", remover.as_str())?;
    field::put_date(tx, &obj, "by", by)
}

/// One side confirms the access is gone (`at: Some`), or withdraws its confirmation.
pub fn confirm_access_removed(
    tx: &mut impl Transactable,
    id: &AccessId,
    side: Assignee,
    at: Option<DateTime<Utc>>,
) -> Result<(), ModelError> {
    let obj = collection::get::<AccessItem>(tx, id)?;
    let confirmed = field::ensure_map(tx, &obj, "confirmed")?;
    match at {
        Some(at) => field::put_timestamp(tx, &confirmed, side.as_str(), at),
        None => Ok(tx.delete(&confirmed, side.as_str())?),
    }
}

pub fn remove_access_item(tx: &mut impl Transactable, id: &AccessId) -> Result<(), ModelError> {
    collection::remove::<AccessItem>(tx, id)
}

/// By date (undated last), then in the order they were added.
pub fn read_access_wrapup(doc: &impl ReadDoc) -> Result<Vec<AccessItem>, ModelError> {
    collection::read_all(doc)
}

/// [`read_access_wrapup`] as a [`Part`].
pub const ACCESS_WRAPUP: Part<Vec<AccessItem>> = Part {
    keys: &["accessWrapUp"],
    read: |doc| read_access_wrapup(doc),
};

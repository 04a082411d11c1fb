//! The timeline: milestones with target dates, reached (and celebrated) on both sides.
//!
//! Shape, inside the portal document:
//! ```text
//! milestones: { <milestoneId>: { title, target: "YYYY-MM-DD", reachedAt: ts } }
//! ```

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use chrono::{DateTime, NaiveDate, Utc};

use crate::doc::collection::{self, Item};
use crate::doc::record::Record;
use crate::doc::Part;
use crate::doc::{field, MilestoneId, ModelError};

#[derive(Clone, Debug, PartialEq)]
pub struct Milestone {
    pub id: MilestoneId,
    pub title: String,
    pub target: Option<NaiveDate>,
    pub reached_at: Option<DateTime<Utc>>,
}

impl Milestone {
    pub fn is_late(&self, today: NaiveDate) -> bool {
        self.reached_at.is_none() && self.target.is_some_and(|t| t < today)
    }
}

impl Item for Milestone {
    const KEY: &'static str = "milestones";
    type Id = MilestoneId;

    fn read(doc: &impl ReadDoc, id: MilestoneId, r: &Record) -> Result<Option<Self>, ModelError> {
        Ok(Some(Milestone {
            id,
            title: r.string(doc, "title")?.unwrap_or_default(),
            target: r.date(doc, "target")?,
            reached_at: r.timestamp("reachedAt"),
        }))
    }

    /// By target date (undated last).
    fn order(a: &Self, b: &Self) -> Ordering {
        (a.target.is_none(), a.target, &a.id).cmp(&(b.target.is_none(), b.target, &b.id))
    }
}

pub fn add_milestone(
    tx: &mut impl Transactable,
    title: &str,
    target: Option<NaiveDate>,
) -> Result<MilestoneId, ModelError> {
    let title = crate::doc::limits::checked(crate::doc::limits::Text::MilestoneTitle, title)?;
    let (id, obj) = collection::add_empty::<Milestone>(tx)?;
    tx.put(&obj, "title", title)?;
    field::put_date(tx, &obj, "target", target)?;
    Ok(id)
}

/// Mark a milestone reached (or not). Reaching it again keeps the first time.
pub fn set_milestone_reached(
    tx: &mut impl Transactable,
    id: &MilestoneId,
    reached: Option<DateTime<Utc>>,
) -> Result<(), ModelError> {
    let obj = collection::get::<Milestone>(tx, id)?;
    match reached {
        Some(at) => {
            if field::timestamp(tx, &obj, "reachedAt")?.is_none() {
                field::put_timestamp(tx, &obj, "reachedAt", at)?;
            }
        }
        None => tx.delete(&obj, "reachedAt")?,
    }
    Ok(())
}

pub fn remove_milestone(tx: &mut impl Transactable, id: &MilestoneId) -> Result<(), ModelError> {
    collection::remove::<Milestone>(tx, id)
}

/// By target date (undated last).
pub fn read_milestones(doc: &impl ReadDoc) -> Result<Vec<Milestone>, ModelError> {
    collection::read_all(doc)
}

/// [`read_milestones`] as a [`Part`].
pub const MILESTONES: Part<Vec<Milestone>> = Part {
    keys: &["milestones"],
    read: |doc| read_milestones(doc),
};

/// Milestones reached in `now` that were not reached in `before`: what to celebrate when a
/// change arrives, on whichever side sees it.
pub fn newly_reached(before: &[Milestone], now: &[Milestone]) -> Vec<MilestoneId> {
    now.iter()
        .filter(|m| m.reached_at.is_some())
        .filter(|m| {
            !before
                .iter()
                .any(|b| b.id == m.id && b.reached_at.is_some())
        })
        .map(|m| m.id.clone())
        .collect()
}

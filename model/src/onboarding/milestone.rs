//! The timeline: milestones with target dates, reached (and celebrated) on both sides.
//!
//! Shape, inside the portal document:
//! ```text
//! milestones: { <milestoneId>: { title, target: "YYYY-MM-DD", reachedAt: ts } }
//! ```

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, NaiveDate, Utc};

use crate::doc::schema::{self, DocKind};
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

pub fn add_milestone(
    tx: &mut impl Transactable,
    title: &str,
    target: Option<NaiveDate>,
) -> Result<MilestoneId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let id = MilestoneId::new();
    let obj = field::new_item(tx, &ROOT, "milestones", id.as_str())?;
    tx.put(&obj, "title", title.trim())?;
    field::put_date(tx, &obj, "target", target)?;
    Ok(id)
}

/// Mark a milestone reached (or not). Reaching it again keeps the first time.
pub fn set_milestone_reached(
    tx: &mut impl Transactable,
    id: &MilestoneId,
    reached: Option<DateTime<Utc>>,
) -> Result<(), ModelError> {
    let obj = field::existing_item(tx, &ROOT, "milestones", id.as_str())?;
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
    field::delete_item(tx, &ROOT, "milestones", id.as_str())
}

/// By target date (undated last).
pub fn read_milestones(doc: &impl ReadDoc) -> Result<Vec<Milestone>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, "milestones")? {
        out.push(Milestone {
            id: MilestoneId::from_string(id),
            title: field::string(doc, &obj, "title")?.unwrap_or_default(),
            target: field::date(doc, &obj, "target")?,
            reached_at: field::timestamp(doc, &obj, "reachedAt")?,
        });
    }
    out.sort_by(|a, b| {
        (a.target.is_none(), a.target, &a.id).cmp(&(b.target.is_none(), b.target, &b.id))
    });
    Ok(out)
}

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

//! Where a client is in the relationship, and the moves between stages.
//!
//! `invited → onboarding → active → offboarding → alumni`, with `cancelled` reachable from any
//! stage but alumni. Stored as `stage` in the portal document.

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, Utc};

use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::words::stored_words;
use crate::doc::Part;
use crate::doc::{field, ModelError};

stored_words! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Stage {
        Invited = "invited" / "Invited",
        Onboarding = "onboarding" / "Onboarding",
        Active = "active" / "Active",
        Offboarding = "offboarding" / "Offboarding",
        Alumni = "alumni" / "Alumni",
        Cancelled = "cancelled" / "Cancelled",
    }
    // A portal without a stage is being onboarded: that is where every portal starts.
    unknown => Onboarding
}

impl Stage {
    /// Whether the engagement is over (alumni, or cancelled): the client's contacts keep the
    /// portal as a read-only archive.
    pub fn is_closed(&self) -> bool {
        matches!(self, Stage::Alumni | Stage::Cancelled)
    }

    /// Stages this one may move to.
    pub fn next_stages(&self) -> &'static [Stage] {
        match self {
            Stage::Invited => &[Stage::Onboarding, Stage::Cancelled],
            Stage::Onboarding => &[Stage::Active, Stage::Cancelled],
            Stage::Active => &[Stage::Offboarding, Stage::Cancelled],
            Stage::Offboarding => &[Stage::Alumni, Stage::Active, Stage::Cancelled],
            Stage::Alumni => &[Stage::Active],
            Stage::Cancelled => &[Stage::Onboarding],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a client cannot move from {from} to {to}")]
pub struct StageError {
    pub from: &'static str,
    pub to: &'static str,
}

pub fn read_stage(doc: &impl ReadDoc) -> Result<Stage, ModelError> {
    Ok(Stage::parse(
        &field::string(doc, &ROOT, "stage")?.unwrap_or_default(),
    ))
}

/// [`read_stage`] as a [`Part`].
pub const STAGE: Part<Stage> = Part {
    keys: &["stage"],
    read: |doc| read_stage(doc),
};

/// When the client last entered each stage they have been in.
pub fn read_stage_dates(doc: &impl ReadDoc) -> Result<Vec<(Stage, DateTime<Utc>)>, ModelError> {
    let Some(dates) = field::map(doc, &ROOT, "stageChangedAt")? else {
        return Ok(Vec::new());
    };
    let record = Record::read(doc, &dates);
    Ok(Stage::ALL
        .into_iter()
        .filter_map(|s| Some((s, record.timestamp(s.as_str())?)))
        .collect())
}

/// Move the client to another stage, if that move is allowed from where they are.
///
/// Becoming alumni is the end of offboarding, so it waits until every invoice is paid. Ending
/// the engagement either way schedules the follow-ups, counted from `now`.
pub fn set_stage(
    tx: &mut impl Transactable,
    to: Stage,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let from = read_stage(tx)?;
    if from == to {
        return Ok(());
    }
    if !from.next_stages().contains(&to) {
        return Err(ModelError::Stage(StageError {
            from: from.as_str(),
            to: to.as_str(),
        }));
    }
    if to == Stage::Alumni {
        if let Some(why) = crate::offboarding::unpaid_reason(&crate::onboarding::read_exchange(tx)?)
        {
            return Err(ModelError::Rule(why));
        }
    }
    tx.put(ROOT, "stage", to.as_str())?;
    let dates = field::ensure_map(tx, &ROOT, "stageChangedAt")?;
    field::put_timestamp(tx, &dates, to.as_str(), now)?;
    if to.is_closed() {
        crate::offboarding::schedule_follow_ups(tx, now.date_naive())?;
    }
    Ok(())
}

//! Where a client is in the relationship, and the moves between stages.
//!
//! `invited → onboarding → active → offboarding → alumni`, with `cancelled` reachable from any
//! stage but alumni. Stored as `stage` in the portal document.

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};

use crate::schema::{self, DocKind};
use crate::{field, ModelError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Invited,
    Onboarding,
    Active,
    Offboarding,
    Alumni,
    Cancelled,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Invited,
        Stage::Onboarding,
        Stage::Active,
        Stage::Offboarding,
        Stage::Alumni,
        Stage::Cancelled,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Stage::Invited => "invited",
            Stage::Onboarding => "onboarding",
            Stage::Active => "active",
            Stage::Offboarding => "offboarding",
            Stage::Alumni => "alumni",
            Stage::Cancelled => "cancelled",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Stage::Invited => "Invited",
            Stage::Onboarding => "Onboarding",
            Stage::Active => "Active",
            Stage::Offboarding => "Offboarding",
            Stage::Alumni => "Alumni",
            Stage::Cancelled => "Cancelled",
        }
    }

    /// A portal without a stage is being onboarded: that is where every portal starts.
    pub fn parse(s: &str) -> Self {
        Stage::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .unwrap_or(Stage::Onboarding)
    }

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

/// Move the client to another stage, if that move is allowed from where they are.
pub fn set_stage(tx: &mut impl Transactable, to: Stage) -> Result<(), ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let from = read_stage(tx)?;
    if from != to && !from.next_stages().contains(&to) {
        return Err(ModelError::Stage(StageError {
            from: from.as_str(),
            to: to.as_str(),
        }));
    }
    tx.put(ROOT, "stage", to.as_str())?;
    Ok(())
}

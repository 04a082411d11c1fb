//! A client's health from cadence: how long since they last did anything in the portal, and how
//! much is overdue, judged by the stage they are in. The reasons are part of the result, so the
//! dashboard can say why.
//!
//! Only what is due counts: a portal the client was invited to yesterday is not a concern
//! because they have not opened it yet, and an engagement that has ended (alumni, cancelled) is
//! not judged on a plan that is now history.

use chrono::{DateTime, Utc};

use crate::portal::Stage;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HealthLevel {
    Good,
    NeedsAttention,
    AtRisk,
    /// The engagement has ended; there is nothing to judge.
    Ended,
}

impl HealthLevel {
    pub fn label(&self) -> &'static str {
        match self {
            HealthLevel::Good => "Good",
            HealthLevel::NeedsAttention => "Needs attention",
            HealthLevel::AtRisk => "At risk",
            HealthLevel::Ended => "Ended",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Health {
    pub level: HealthLevel,
    pub reasons: Vec<String>,
}

/// What health is judged on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signals {
    pub stage: Stage,
    pub last_client_activity: Option<DateTime<Utc>>,
    /// Since when the portal has waited on the client: when it entered its current stage, or
    /// `None` when no stage date is known (a portal just made).
    pub waiting_since: Option<DateTime<Utc>>,
    pub overdue: usize,
}

/// A client who has never opened the portal is a concern only once it has waited this long.
pub const FIRST_VISIT_GRACE_DAYS: i64 = 7;

/// Quiet for a week needs attention; for two weeks is a risk. Likewise one and three overdue
/// items. Ended engagements are reported as ended.
pub fn health(s: Signals, now: DateTime<Utc>) -> Health {
    match s.stage {
        Stage::Alumni => return ended("Alumni: the engagement ended well"),
        Stage::Cancelled => return ended("Cancelled: the engagement has ended"),
        _ => {}
    }
    let mut level = HealthLevel::Good;
    let mut reasons = Vec::new();
    match s.last_client_activity {
        Some(at) => {
            let days = (now - at).num_days();
            if days >= 14 {
                level = level.max(HealthLevel::AtRisk);
                reasons.push(format!("No activity from the client for {days} days"));
            } else if days >= 7 {
                level = level.max(HealthLevel::NeedsAttention);
                reasons.push(format!("No activity from the client for {days} days"));
            }
        }
        None => match s.waiting_since.map(|at| (now - at).num_days()) {
            Some(days) if days >= FIRST_VISIT_GRACE_DAYS => {
                level = level.max(HealthLevel::NeedsAttention);
                reasons.push(format!(
                    "The client has not opened the portal in the {days} days since it started"
                ));
            }
            _ => reasons.push("Not opened by the client yet".to_owned()),
        },
    }
    let overdue = s.overdue;
    if overdue >= 3 {
        level = level.max(HealthLevel::AtRisk);
    } else if overdue >= 1 {
        level = level.max(HealthLevel::NeedsAttention);
    }
    if overdue > 0 {
        reasons.push(format!(
            "{overdue} overdue item{}",
            if overdue == 1 { "" } else { "s" }
        ));
    }
    if reasons.is_empty() {
        reasons.push("Active recently, nothing overdue".to_owned());
    }
    Health { level, reasons }
}

fn ended(reason: &str) -> Health {
    Health {
        level: HealthLevel::Ended,
        reasons: vec![reason.to_owned()],
    }
}

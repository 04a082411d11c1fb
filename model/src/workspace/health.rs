//! A client's health from cadence: how long since they last did anything in the portal, and how
//! much is overdue. The reasons are part of the result, so the dashboard can say why.

use chrono::{DateTime, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HealthLevel {
    Good,
    NeedsAttention,
    AtRisk,
}

impl HealthLevel {
    pub fn label(&self) -> &'static str {
        match self {
            HealthLevel::Good => "Good",
            HealthLevel::NeedsAttention => "Needs attention",
            HealthLevel::AtRisk => "At risk",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Health {
    pub level: HealthLevel,
    pub reasons: Vec<String>,
}

/// Quiet for a week needs attention; for two weeks is a risk. Likewise one and three overdue
/// items.
pub fn health(
    last_client_activity: Option<DateTime<Utc>>,
    overdue: usize,
    now: DateTime<Utc>,
) -> Health {
    let mut level = HealthLevel::Good;
    let mut reasons = Vec::new();
    match last_client_activity {
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
        None => {
            level = level.max(HealthLevel::NeedsAttention);
            reasons.push("The client has not opened the portal yet".to_owned());
        }
    }
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

//! Exit analytics for the workspace: how long onboarding takes, why clients leave, how likely
//! they are to recommend us (NPS), and which alumni are due a follow-up.

use automerge::ReadDoc;
use chrono::{DateTime, NaiveDate, Utc};

use crate::doc::ModelError;
use crate::offboarding::{read_exit_feedback, read_follow_ups, FollowUp, LeaveReason};
use crate::portal::{read_client_name, read_stage, read_stage_dates, Stage};

/// What one portal contributes to the analytics.
#[derive(Clone, Debug, PartialEq)]
pub struct ExitRecord {
    pub client_name: String,
    pub stage: Stage,
    /// From the start of onboarding to becoming active, in days.
    pub days_to_onboard: Option<f64>,
    pub reasons: Vec<LeaveReason>,
    pub score: Option<u8>,
    pub follow_ups: Vec<FollowUp>,
}

/// The top-level keys of a portal [`exit_record`] reads. (Not a [`crate::doc::Part`]: the record
/// also takes when the portal was added.)
pub const EXIT_RECORD_KEYS: &[&str] = &[
    "stageChangedAt",
    "feedback",
    "clientName",
    "stage",
    "followUps",
];

/// Read a portal's part. `added_at` is when the portal was created (from the workspace's
/// index): the start of onboarding when the portal never recorded one.
pub fn exit_record(
    doc: &impl ReadDoc,
    added_at: Option<DateTime<Utc>>,
) -> Result<ExitRecord, ModelError> {
    let dates = read_stage_dates(doc)?;
    let at = |stage| dates.iter().find(|(s, _)| *s == stage).map(|(_, t)| *t);
    let started = at(Stage::Onboarding).or(added_at);
    let days_to_onboard = match (started, at(Stage::Active)) {
        (Some(start), Some(active)) if active >= start => {
            Some((active - start).num_seconds() as f64 / 86_400.0)
        }
        _ => None,
    };
    let feedback = read_exit_feedback(doc)?;
    Ok(ExitRecord {
        client_name: read_client_name(doc)?,
        stage: read_stage(doc)?,
        days_to_onboard,
        reasons: feedback.reasons,
        score: feedback.score,
        follow_ups: read_follow_ups(doc)?,
    })
}

/// The three groups of the Net Promoter Score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NpsGroup {
    Detractor,
    Passive,
    Promoter,
}

impl NpsGroup {
    /// 0–6 detract, 7–8 are passive, 9–10 promote.
    pub fn of(score: u8) -> Self {
        match score {
            0..=6 => NpsGroup::Detractor,
            7 | 8 => NpsGroup::Passive,
            _ => NpsGroup::Promoter,
        }
    }
}

/// The Net Promoter Score of some 0–10 scores: the percentage of promoters minus the percentage
/// of detractors, rounded to a whole number from −100 to 100. None without scores.
pub fn nps(scores: &[u8]) -> Option<i32> {
    if scores.is_empty() {
        return None;
    }
    let count = |g| scores.iter().filter(|s| NpsGroup::of(**s) == g).count() as f64;
    let n = scores.len() as f64;
    Some(((count(NpsGroup::Promoter) - count(NpsGroup::Detractor)) / n * 100.0).round() as i32)
}

/// The median of some numbers (the mean of the middle two for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    })
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExitAnalytics {
    pub median_days_to_onboard: Option<f64>,
    pub onboarded: usize,
    /// Most frequent first.
    pub reasons: Vec<(LeaveReason, usize)>,
    /// How many clients gave each score, 0 to 10.
    pub score_counts: [usize; 11],
    pub nps: Option<i32>,
    /// Client name and follow-up, soonest first.
    pub follow_ups_due: Vec<(String, FollowUp)>,
}

impl ExitAnalytics {
    pub fn responses(&self) -> usize {
        self.score_counts.iter().sum()
    }
}

pub fn exit_analytics(records: &[ExitRecord], today: NaiveDate) -> ExitAnalytics {
    let days: Vec<f64> = records.iter().filter_map(|r| r.days_to_onboard).collect();
    let mut reasons: Vec<(LeaveReason, usize)> = LeaveReason::ALL
        .into_iter()
        .map(|reason| {
            (
                reason,
                records
                    .iter()
                    .filter(|r| r.reasons.contains(&reason))
                    .count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let scores: Vec<u8> = records.iter().filter_map(|r| r.score).collect();
    let mut score_counts = [0; 11];
    for s in &scores {
        score_counts[usize::from(*s).min(10)] += 1;
    }
    let mut follow_ups_due: Vec<(String, FollowUp)> = records
        .iter()
        .filter(|r| r.stage.is_closed())
        .flat_map(|r| {
            r.follow_ups
                .iter()
                .filter(|f| f.is_due(today))
                .map(|f| (r.client_name.clone(), f.clone()))
        })
        .collect();
    follow_ups_due.sort_by(|a, b| (a.1.due, &a.0).cmp(&(b.1.due, &b.0)));
    ExitAnalytics {
        median_days_to_onboard: median(&days),
        onboarded: days.len(),
        reasons,
        score_counts,
        nps: nps(&scores),
        follow_ups_due,
    }
}

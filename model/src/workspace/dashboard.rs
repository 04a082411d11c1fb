//! One line per client for the provider's dashboard: stage, onboarding progress, the next due
//! item, and health with its reasons.
//!
//! Activity is recorded in the portal as the last time each side changed anything:
//! `lastActivity: { provider: ts, client: ts }`.

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, NaiveDate, Utc};

use crate::doc::{field, ModelError};
use crate::offboarding::read_follow_ups;
use crate::onboarding::read_exchange;
use crate::onboarding::read_intake;
use crate::onboarding::read_meetings;
use crate::onboarding::read_milestones;
use crate::portal::outstanding;
use crate::portal::{read_portal, Assignee};
use crate::portal::{read_stage, read_stage_dates, Stage};
use crate::workspace::{health, Health, Signals};

/// Note that one side has just worked in the portal.
pub fn record_activity(
    tx: &mut impl Transactable,
    side: Assignee,
    at: DateTime<Utc>,
) -> Result<(), ModelError> {
    let activity = field::ensure_map(tx, &ROOT, "lastActivity")?;
    field::put_timestamp(tx, &activity, side.as_str(), at)
}

pub fn last_activity(
    doc: &impl ReadDoc,
    side: Assignee,
) -> Result<Option<DateTime<Utc>>, ModelError> {
    match field::map(doc, &ROOT, "lastActivity")? {
        Some(activity) => field::timestamp(doc, &activity, side.as_str()),
        None => Ok(None),
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientSummary {
    pub client_name: String,
    pub stage: Stage,
    /// Steps done and steps in all, across tasks, intake questions, documents and milestones.
    pub progress: (usize, usize),
    /// The earliest dated thing still open, with its date.
    pub next_due: Option<(String, NaiveDate)>,
    pub health: Health,
}

impl ClientSummary {
    /// How far the plan is done, while it is the work at hand: an ended engagement shows no
    /// percentage (a plan left at 66% by an alumni client is history, not progress).
    pub fn percent(&self) -> Option<u32> {
        if self.stage.is_closed() {
            return None;
        }
        let (done, total) = self.progress;
        Some((done * 100).checked_div(total).unwrap_or(0) as u32)
    }
}

/// The top-level keys of a portal [`summarize`] reads. (Not a [`crate::doc::Part`]: the summary
/// also takes the time.)
pub const SUMMARY_KEYS: &[&str] = &[
    "kind",
    "schema",
    "clientName",
    "welcome",
    "tasks",
    "intake",
    "exchange",
    "milestones",
    "meetings",
    "stage",
    "followUps",
    "lastActivity",
    "stageChangedAt",
];

pub fn summarize(
    doc: &impl ReadDoc,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<ClientSummary, ModelError> {
    let portal = read_portal(doc)?;
    let intake = read_intake(doc)?;
    let exchange = read_exchange(doc)?;
    let milestones = read_milestones(doc)?;
    let answered = intake.progress();
    let done = portal.tasks.iter().filter(|t| t.done).count()
        + answered.answered
        + exchange.iter().filter(|e| e.status.is_settled()).count()
        + milestones.iter().filter(|m| m.reached_at.is_some()).count();
    let total = portal.tasks.len() + answered.total + exchange.len() + milestones.len();
    // After the end, the plan is history: what is due is the next follow-up.
    let stage = read_stage(doc)?;
    let mut dated: Vec<(NaiveDate, String)> = if stage.is_closed() {
        read_follow_ups(doc)?
            .into_iter()
            .filter(|f| f.done_at.is_none())
            .map(|f| (f.due, f.title()))
            .collect()
    } else {
        let tasks = portal
            .tasks
            .iter()
            .filter(|t| !t.done)
            .filter_map(|t| Some((t.due?, t.title.clone())));
        let documents = exchange
            .iter()
            .filter(|e| !e.status.is_settled())
            .filter_map(|e| Some((e.due?, e.name.clone())));
        let milestones = milestones
            .iter()
            .filter(|m| m.reached_at.is_none())
            .filter_map(|m| Some((m.target?, m.title.clone())));
        tasks.chain(documents).chain(milestones).collect()
    };
    dated.sort();
    let overdue = outstanding(
        &intake,
        &exchange,
        &portal.tasks,
        &read_meetings(doc)?,
        today,
    )
    .overdue_count()
        + milestones.iter().filter(|m| m.is_late(today)).count();
    Ok(ClientSummary {
        client_name: portal.client_name,
        stage,
        progress: (done, total),
        next_due: dated.into_iter().next().map(|(d, t)| (t, d)),
        health: health(
            Signals {
                stage,
                last_client_activity: last_activity(doc, Assignee::Client)?,
                waiting_since: read_stage_dates(doc)?
                    .into_iter()
                    .find(|(s, _)| *s == stage)
                    .map(|(_, at)| at),
                overdue,
            },
            now,
        ),
    })
}

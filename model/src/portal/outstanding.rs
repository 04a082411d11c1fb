//! "What's outstanding": everything waiting on the client and everything waiting on us, in one
//! list each, overdue first.

use chrono::NaiveDate;

use crate::onboarding::Intake;
use crate::onboarding::{ExchangeItem, ExchangeStatus};
use crate::onboarding::{Meeting, MeetingKind};
use crate::portal::{Assignee, Task};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OutstandingKind {
    IntakeAnswer,
    Signature,
    Payment,
    Document,
    Task,
    Meeting,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutstandingItem {
    pub kind: OutstandingKind,
    pub title: String,
    pub due: Option<NaiveDate>,
    pub overdue: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outstanding {
    pub waiting_on_client: Vec<OutstandingItem>,
    pub waiting_on_us: Vec<OutstandingItem>,
}

impl Outstanding {
    pub fn overdue_count(&self) -> usize {
        self.waiting_on_client
            .iter()
            .chain(&self.waiting_on_us)
            .filter(|i| i.overdue)
            .count()
    }
}

fn exchange_kind(item: &ExchangeItem) -> OutstandingKind {
    let name = item.name.to_lowercase();
    match item.status {
        ExchangeStatus::Sent if name.contains("invoice") => OutstandingKind::Payment,
        ExchangeStatus::Sent => OutstandingKind::Signature,
        _ => OutstandingKind::Document,
    }
}

/// Everything open, split by who acts next. A portal with no first meeting on the calendar
/// also waits on the provider to schedule one.
pub fn outstanding(
    intake: &Intake,
    exchange: &[ExchangeItem],
    tasks: &[Task],
    meetings: &[Meeting],
    today: NaiveDate,
) -> Outstanding {
    let mut result = Outstanding::default();
    if !meetings.iter().any(|m| m.spec.kind == MeetingKind::First) {
        result.waiting_on_us.push(OutstandingItem {
            kind: OutstandingKind::Meeting,
            title: "Schedule the first meeting".to_owned(),
            due: None,
            overdue: false,
        });
    }
    let progress = intake.progress();
    for field in intake
        .fields
        .iter()
        .filter(|f| progress.required_missing.contains(&f.id))
    {
        result.waiting_on_client.push(OutstandingItem {
            kind: OutstandingKind::IntakeAnswer,
            title: format!("Answer “{}”", field.spec.label),
            due: None,
            overdue: false,
        });
    }
    for item in exchange {
        let entry = OutstandingItem {
            kind: exchange_kind(item),
            title: item.name.clone(),
            due: item.due,
            overdue: item.is_overdue(today),
        };
        if item.waits_on_client() {
            result.waiting_on_client.push(entry);
        } else if item.waits_on_us() {
            result.waiting_on_us.push(entry);
        }
    }
    for task in tasks.iter().filter(|t| !t.done) {
        let entry = OutstandingItem {
            kind: OutstandingKind::Task,
            title: task.title.clone(),
            due: task.due,
            overdue: task.due.is_some_and(|d| d < today),
        };
        match task.assignee {
            Assignee::Client => result.waiting_on_client.push(entry),
            Assignee::Provider => result.waiting_on_us.push(entry),
        }
    }
    let order = |i: &OutstandingItem| (!i.overdue, i.due.is_none(), i.due, i.title.clone());
    result.waiting_on_client.sort_by_key(order);
    result.waiting_on_us.sort_by_key(order);
    result
}

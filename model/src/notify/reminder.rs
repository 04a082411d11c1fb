//! Due reminders: a task or document due tomorrow, due today, or overdue gets one reminder for
//! each of those, to the side that owes it, in the morning of that person's day. A reminder
//! whose moment passed while nothing ran (the relay was down for a day) is not sent late: only
//! the one that applies now goes, so nobody gets "due tomorrow" on the day after.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Timelike, Utc};

use crate::onboarding::{Direction, ExchangeItem, ExchangeStatus};
use crate::portal::{Assignee, Task};

/// Reminders go out from this hour of the person's local day (not in the night).
pub const SEND_AT_HOUR: u32 = 8;

/// Something with a due date that one side owes.
#[derive(Clone, Debug, PartialEq)]
pub struct Owed {
    /// Stable across runs: `task:<id>` or `document:<id>`.
    pub key: String,
    pub title: String,
    pub side: Assignee,
    pub due: NaiveDate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DueWhen {
    Tomorrow,
    Today,
    Overdue,
}

/// One reminder sent, remembered so it is never sent twice.
pub type ReminderKey = (String, DueWhen);

#[derive(Clone, Debug, PartialEq)]
pub struct Reminder {
    pub item: Owed,
    pub when: DueWhen,
}

impl Reminder {
    pub fn key(&self) -> ReminderKey {
        (self.item.key.clone(), self.when)
    }
}

/// Open tasks with a due date, owed by their assignee's side.
pub fn owed_tasks(tasks: &[Task]) -> Vec<Owed> {
    tasks
        .iter()
        .filter(|t| !t.done)
        .filter_map(|t| {
            Some(Owed {
                key: format!("task:{}", t.id.as_str()),
                title: t.title.clone(),
                side: t.assignee,
                due: t.due?,
            })
        })
        .collect()
}

/// Documents with a due date that one side still owes: a document the provider needs from the
/// client (or one the provider sends) while it is only requested, and an invoice sent to the
/// client until it is paid.
pub fn owed_exchange(items: &[ExchangeItem]) -> Vec<Owed> {
    items
        .iter()
        .filter_map(|i| {
            let side = match (i.direction, i.status) {
                (Direction::WeNeed, ExchangeStatus::Requested) => Assignee::Client,
                (Direction::WeSend, ExchangeStatus::Requested) => Assignee::Provider,
                (Direction::WeSend, ExchangeStatus::Sent) if i.invoice => Assignee::Client,
                _ => return None,
            };
            Some(Owed {
                key: format!("document:{}", i.id.as_str()),
                title: i.name.clone(),
                side,
                due: i.due?,
            })
        })
        .collect()
}

/// Which reminder applies on `today` for something due on `due`.
pub fn when_due(due: NaiveDate, today: NaiveDate) -> Option<DueWhen> {
    match (due - today).num_days() {
        1 => Some(DueWhen::Tomorrow),
        0 => Some(DueWhen::Today),
        d if d < 0 => Some(DueWhen::Overdue),
        _ => None,
    }
}

/// The reminders to send at `now` to a person in time zone `offset` (UTC when unknown), given
/// those already sent. Nothing before [`SEND_AT_HOUR`] of their local day.
pub fn due_reminders(
    owed: &[Owed],
    now: DateTime<Utc>,
    offset: Option<FixedOffset>,
    sent: &BTreeSet<ReminderKey>,
) -> Vec<Reminder> {
    let local =
        now.with_timezone(&offset.unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC")));
    if local.hour() < SEND_AT_HOUR {
        return Vec::new();
    }
    let today = local.date_naive();
    owed.iter()
        .filter_map(|item| {
            let when = when_due(item.due, today)?;
            let reminder = Reminder {
                item: item.clone(),
                when,
            };
            (!sent.contains(&reminder.key())).then_some(reminder)
        })
        .collect()
}

/// The next moment worth running the rules again for this person: their next local
/// [`SEND_AT_HOUR`]. A scheduler may run more often; the rules are idempotent given `sent`.
pub fn next_run(now: DateTime<Utc>, offset: Option<FixedOffset>) -> DateTime<Utc> {
    let offset = offset.unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"));
    let local = now.with_timezone(&offset);
    let today_at = local
        .date_naive()
        .and_hms_opt(SEND_AT_HOUR, 0, 0)
        .expect("a valid hour")
        .and_local_timezone(offset)
        .single()
        .expect("a fixed offset has one local time");
    let at = if today_at > local {
        today_at
    } else {
        today_at + Duration::days(1)
    };
    at.with_timezone(&Utc)
}

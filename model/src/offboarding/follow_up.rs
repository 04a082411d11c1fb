//! Follow-ups after the engagement ends: at 3, 6 and 12 months, dates editable.
//!
//! Shape, inside the portal document:
//! ```text
//! followUps: { "m3"|"m6"|"m12": { months: int, due: "YYYY-MM-DD", doneAt: ts, note } }
//! ```
//! Each follow-up is keyed by its month count, so two devices ending the engagement at once
//! schedule the same three follow-ups, not six.

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, Months, NaiveDate, Utc};

use crate::doc::record::Record;
use crate::doc::Part;
use crate::doc::{field, ModelError};
use crate::formats::ics::{Calendar, Event, EventTime};

/// After how many months the standard follow-ups fall.
pub const FOLLOW_UP_MONTHS: [u32; 3] = [3, 6, 12];

#[derive(Clone, Debug, PartialEq)]
pub struct FollowUp {
    pub key: String,
    pub months: u32,
    pub due: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
    pub note: String,
}

impl FollowUp {
    /// Its date has come and nobody has done it yet.
    pub fn is_due(&self, today: NaiveDate) -> bool {
        self.done_at.is_none() && self.due <= today
    }

    pub fn title(&self) -> String {
        format!("{}-month follow-up", self.months)
    }
}

/// `months` calendar months after `end`. A day the month lacks becomes its last day: 31 August
/// plus 6 months is 28 February, or 29 in a leap year.
pub fn follow_up_date(end: NaiveDate, months: u32) -> NaiveDate {
    end.checked_add_months(Months::new(months)).unwrap_or(end)
}

/// Schedule the 3, 6 and 12-month follow-ups from `end`, keeping any already scheduled (their
/// dates may have been edited).
pub fn schedule_follow_ups(tx: &mut impl Transactable, end: NaiveDate) -> Result<(), ModelError> {
    let map = field::ensure_map(tx, &ROOT, "followUps")?;
    for months in FOLLOW_UP_MONTHS {
        let key = format!("m{months}");
        if field::map(tx, &map, &key)?.is_some() {
            continue;
        }
        let obj = tx.put_object(&map, key.as_str(), automerge::ObjType::Map)?;
        tx.put(&obj, "months", i64::from(months))?;
        field::put_date(tx, &obj, "due", Some(follow_up_date(end, months)))?;
    }
    Ok(())
}

fn obj(tx: &impl ReadDoc, key: &str) -> Result<automerge::ObjId, ModelError> {
    field::existing_item(tx, &ROOT, "followUps", key)
}

pub fn set_follow_up_due(
    tx: &mut impl Transactable,
    key: &str,
    due: NaiveDate,
) -> Result<(), ModelError> {
    let obj = obj(tx, key)?;
    field::put_date(tx, &obj, "due", Some(due))
}

/// Mark a follow-up done (with what came of it), or open it again with `None`.
pub fn set_follow_up_done(
    tx: &mut impl Transactable,
    key: &str,
    done: Option<DateTime<Utc>>,
    note: &str,
) -> Result<(), ModelError> {
    let obj = obj(tx, key)?;
    match done {
        Some(at) => field::put_timestamp(tx, &obj, "doneAt", at)?,
        None => tx.delete(&obj, "doneAt")?,
    }
    tx.put(&obj, "note", note.trim())?;
    Ok(())
}

/// Soonest first.
pub fn read_follow_ups(doc: &impl ReadDoc) -> Result<Vec<FollowUp>, ModelError> {
    let mut out = Vec::new();
    for (key, obj) in field::items(doc, &ROOT, "followUps")? {
        let r = Record::read(doc, &obj);
        let Some(due) = r.date(doc, "due")? else {
            continue;
        };
        out.push(FollowUp {
            months: r.number("months").unwrap_or(0.0) as u32,
            due,
            done_at: r.timestamp("doneAt"),
            note: r.string(doc, "note")?.unwrap_or_default(),
            key,
        });
    }
    out.sort_by_key(|f| (f.due, f.months));
    Ok(out)
}

/// [`read_follow_ups`] as a [`Part`].
pub const FOLLOW_UPS: Part<Vec<FollowUp>> = Part {
    keys: &["followUps"],
    read: |doc| read_follow_ups(doc),
};

/// The follow-ups as all-day events, for the provider's calendar.
pub fn follow_ups_to_ics(
    follow_ups: &[FollowUp],
    portal: &str,
    client_name: &str,
    now: DateTime<Utc>,
) -> String {
    let mut calendar = Calendar::new(now);
    for f in follow_ups {
        calendar.event(&Event {
            uid: format!("{}-{}@threshold", portal, f.key),
            when: EventTime::AllDay(f.due),
            summary: crate::formats::ics::summary(&f.title(), client_name),
            description: format!(
                "Check in with {}: how are things {} months on?",
                if client_name.trim().is_empty() {
                    "the client"
                } else {
                    client_name.trim()
                },
                f.months
            ),
            location: String::new(),
        });
    }
    calendar.finish()
}

//! Follow-ups after the engagement ends: at 3, 6 and 12 months, dates editable.
//!
//! Shape, inside the portal document:
//! ```text
//! followUps: { "m3"|"m6"|"m12": { months: int, due: "YYYY-MM-DD", doneAt: ts, note,
//!                                  mode: "remind-me"|"email-client", message } }
//! ```
//! Each follow-up is keyed by its month count, so two devices ending the engagement at once
//! schedule the same three follow-ups, not six.
//!
//! On its date the relay acts on the follow-up's `mode`: it reminds the provider to reach out
//! (the default, so nothing goes to a client unless the provider chose it), or emails the
//! client the `message` the provider edited, or, while that is empty,
//! [`default_follow_up_message`].

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, Months, NaiveDate, Utc};

use crate::doc::record::Record;
use crate::doc::words::stored_words;
use crate::doc::Part;
use crate::doc::{field, ModelError};
use crate::formats::ics::{Calendar, Event, EventTime};

/// After how many months the standard follow-ups fall.
pub const FOLLOW_UP_MONTHS: [u32; 3] = [3, 6, 12];

stored_words! {
    /// What the relay does on a follow-up's date.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum FollowUpMode {
        RemindMe = "remind-me" / "Remind me to reach out",
        EmailClient = "email-client" / "Email the client",
    }
    // A word from a newer version sends nothing to the client.
    unknown => RemindMe
}

#[derive(Clone, Debug, PartialEq)]
pub struct FollowUp {
    pub key: String,
    pub months: u32,
    pub due: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
    pub note: String,
    pub mode: FollowUpMode,
    /// The check-in email's text as the provider edited it; empty until they do.
    pub message: String,
}

impl FollowUp {
    /// Its date has come and nobody has done it yet.
    pub fn is_due(&self, today: NaiveDate) -> bool {
        self.done_at.is_none() && self.due <= today
    }

    pub fn title(&self) -> String {
        format!("{}-month follow-up", self.months)
    }

    /// The text the client gets: the provider's, or the default while they have written none.
    pub fn message_or_default(&self, client_name: &str, provider: &str) -> String {
        if self.message.trim().is_empty() {
            default_follow_up_message(self.months, client_name, provider)
        } else {
            self.message.clone()
        }
    }
}

/// The check-in email as the app prefills it, in the product's voice: short, warm, and easy to
/// answer. `provider` signs it; either name may be empty.
pub fn default_follow_up_message(months: u32, client_name: &str, provider: &str) -> String {
    let greeting = match client_name.trim() {
        "" => "Hello,".to_owned(),
        name => format!("Hello {name},"),
    };
    let span = match months {
        12 => "a year".to_owned(),
        1 => "a month".to_owned(),
        m => format!("{m} months"),
    };
    let sign = match provider.trim() {
        "" => String::new(),
        name => format!("\n\n{name}"),
    };
    format!(
        "{greeting}\n\nIt has been {span} since we wrapped up, and we wanted to check in: how are things going? \
Is what we built together still serving you well, and is there anything we could help with?\n\n\
Just reply to this email; we read every answer.{sign}"
    )
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

/// Choose what happens on the follow-up's date.
pub fn set_follow_up_mode(
    tx: &mut impl Transactable,
    key: &str,
    mode: FollowUpMode,
) -> Result<(), ModelError> {
    let obj = obj(tx, key)?;
    tx.put(&obj, "mode", mode.as_str())?;
    Ok(())
}

/// The check-in email's text; an empty text means the default again.
pub fn set_follow_up_message(
    tx: &mut impl Transactable,
    key: &str,
    message: &str,
) -> Result<(), ModelError> {
    let obj = obj(tx, key)?;
    tx.put(&obj, "message", message.trim())?;
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
            mode: FollowUpMode::parse(&r.string(doc, "mode")?.unwrap_or_default()),
            message: r.string(doc, "message")?.unwrap_or_default(),
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

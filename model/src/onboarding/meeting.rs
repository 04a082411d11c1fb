//! Meetings (first, next, any other) and their export as iCalendar (RFC 5545).
//!
//! Shape, inside the portal document:
//! ```text
//! meetings: { <meetingId>: { title, kind: "first"|"next"|"other", startsAt: ts,
//!                            durationMinutes: uint, timeZone: IANA name, agenda, location, notes } }
//! ```
//! The start is stored as an instant; the time zone is the organiser's, for display.

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc};
use chrono::{DateTime, Duration, Utc};

use crate::doc::collection::{self, Item, Spec};
use crate::doc::limits::{self, Text};
use crate::doc::record::Record;
use crate::doc::words::stored_words;
use crate::doc::Part;
use crate::doc::{field, MeetingId, ModelError};
use crate::formats::ics::{Calendar, Event, EventTime};

stored_words! {
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum MeetingKind {
        First = "first",
        Next = "next",
        Other = "other",
    }
    unknown => Other
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MeetingSpec {
    pub title: String,
    pub kind: MeetingKind,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: u32,
    pub time_zone: String,
    pub agenda: String,
    /// A room, an address, or a video link.
    pub location: String,
    pub notes: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Meeting {
    pub id: MeetingId,
    pub spec: MeetingSpec,
}

impl Meeting {
    pub fn ends_at(&self) -> DateTime<Utc> {
        self.spec.starts_at + Duration::minutes(i64::from(self.spec.duration_minutes))
    }
}

impl Spec for MeetingSpec {
    type Item = Meeting;

    fn write(&self, tx: &mut impl Transactable, obj: &ObjId) -> Result<(), ModelError> {
        let title = limits::checked(Text::MeetingTitle, &self.title)?;
        let minutes = i64::from(self.duration_minutes);
        limits::in_range(
            "A meeting's length in minutes",
            minutes,
            limits::MEETING_MINUTES,
        )?;
        tx.put(obj, "title", title)?;
        tx.put(obj, "kind", self.kind.as_str())?;
        field::put_timestamp(tx, obj, "startsAt", self.starts_at)?;
        tx.put(obj, "durationMinutes", u64::from(self.duration_minutes))?;
        tx.put(obj, "timeZone", self.time_zone.trim())?;
        tx.put(obj, "agenda", self.agenda.as_str())?;
        tx.put(obj, "location", self.location.trim())?;
        tx.put(obj, "notes", self.notes.as_str())?;
        Ok(())
    }
}

impl Item for Meeting {
    const KEY: &'static str = "meetings";
    type Id = MeetingId;

    /// A meeting with no start cannot be placed on a calendar, so it is skipped.
    fn read(doc: &impl ReadDoc, id: MeetingId, r: &Record) -> Result<Option<Self>, ModelError> {
        let Some(starts_at) = r.timestamp("startsAt") else {
            return Ok(None);
        };
        let text = |key| r.string(doc, key).map(Option::unwrap_or_default);
        let spec = MeetingSpec {
            title: text("title")?,
            kind: MeetingKind::parse(&text("kind")?),
            starts_at,
            duration_minutes: r
                .uint("durationMinutes")
                .and_then(|m| u32::try_from(m).ok())
                .unwrap_or(30),
            time_zone: r.string(doc, "timeZone")?.unwrap_or_else(|| "UTC".into()),
            agenda: text("agenda")?,
            location: text("location")?,
            notes: text("notes")?,
        };
        Ok(Some(Meeting { id, spec }))
    }

    /// In start order.
    fn order(a: &Self, b: &Self) -> Ordering {
        (a.spec.starts_at, &a.id).cmp(&(b.spec.starts_at, &b.id))
    }
}

pub fn add_meeting(
    tx: &mut impl Transactable,
    spec: &MeetingSpec,
) -> Result<MeetingId, ModelError> {
    Ok(collection::add(tx, spec)?.0)
}

pub fn update_meeting(
    tx: &mut impl Transactable,
    id: &MeetingId,
    spec: &MeetingSpec,
) -> Result<(), ModelError> {
    collection::update(tx, id, spec)
}

pub fn remove_meeting(tx: &mut impl Transactable, id: &MeetingId) -> Result<(), ModelError> {
    collection::remove::<Meeting>(tx, id)
}

/// In start order.
pub fn read_meetings(doc: &impl ReadDoc) -> Result<Vec<Meeting>, ModelError> {
    collection::read_all(doc)
}

/// [`read_meetings`] as a [`Part`].
pub const MEETINGS: Part<Vec<Meeting>> = Part {
    keys: &["meetings"],
    read: |doc| read_meetings(doc),
};

/// The next meeting from `now` on, if any.
pub fn next_meeting(meetings: &[Meeting], now: DateTime<Utc>) -> Option<&Meeting> {
    meetings.iter().find(|m| m.ends_at() >= now)
}

/// An iCalendar file with one event per meeting, for "add to calendar". `portal_name` goes into
/// each summary so the event makes sense in a calendar full of others.
pub fn meetings_to_ics(meetings: &[Meeting], portal_name: &str, now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new(now);
    for meeting in meetings {
        let spec = &meeting.spec;
        let mut description = spec.agenda.trim().to_owned();
        if !spec.notes.trim().is_empty() {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            description.push_str(spec.notes.trim());
        }
        calendar.event(&Event {
            uid: format!("{}@threshold", meeting.id),
            when: EventTime::Between(spec.starts_at, meeting.ends_at()),
            summary: crate::formats::ics::summary(&spec.title, portal_name),
            description,
            location: spec.location.trim().to_owned(),
        });
    }
    calendar.finish()
}

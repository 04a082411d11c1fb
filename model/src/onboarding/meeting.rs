//! Meetings (first, next, any other) and their export as iCalendar (RFC 5545).
//!
//! Shape, inside the portal document:
//! ```text
//! meetings: { <meetingId>: { title, kind: "first"|"next"|"other", startsAt: ts,
//!                            durationMinutes: uint, timeZone: IANA name, agenda, location, notes } }
//! ```
//! The start is stored as an instant; the time zone is the organiser's, for display.

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, Duration, Utc};

use crate::doc::schema::{self, DocKind};
use crate::doc::{field, MeetingId, ModelError};
use crate::formats::ics::{Calendar, Event, EventTime};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MeetingKind {
    First,
    Next,
    Other,
}

impl MeetingKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            MeetingKind::First => "first",
            MeetingKind::Next => "next",
            MeetingKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "first" => MeetingKind::First,
            "next" => MeetingKind::Next,
            _ => MeetingKind::Other,
        }
    }
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

fn write(
    tx: &mut impl Transactable,
    obj: &automerge::ObjId,
    spec: &MeetingSpec,
) -> Result<(), ModelError> {
    tx.put(obj, "title", spec.title.trim())?;
    tx.put(obj, "kind", spec.kind.as_str())?;
    field::put_timestamp(tx, obj, "startsAt", spec.starts_at)?;
    tx.put(obj, "durationMinutes", u64::from(spec.duration_minutes))?;
    tx.put(obj, "timeZone", spec.time_zone.trim())?;
    tx.put(obj, "agenda", spec.agenda.as_str())?;
    tx.put(obj, "location", spec.location.trim())?;
    tx.put(obj, "notes", spec.notes.as_str())?;
    Ok(())
}

pub fn add_meeting(
    tx: &mut impl Transactable,
    spec: &MeetingSpec,
) -> Result<MeetingId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let id = MeetingId::new();
    let obj = field::new_item(tx, &ROOT, "meetings", id.as_str())?;
    write(tx, &obj, spec)?;
    Ok(id)
}

pub fn update_meeting(
    tx: &mut impl Transactable,
    id: &MeetingId,
    spec: &MeetingSpec,
) -> Result<(), ModelError> {
    let obj = field::existing_item(tx, &ROOT, "meetings", id.as_str())?;
    write(tx, &obj, spec)
}

pub fn remove_meeting(tx: &mut impl Transactable, id: &MeetingId) -> Result<(), ModelError> {
    field::delete_item(tx, &ROOT, "meetings", id.as_str())
}

/// In start order.
pub fn read_meetings(doc: &impl ReadDoc) -> Result<Vec<Meeting>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, "meetings")? {
        let Some(starts_at) = field::timestamp(doc, &obj, "startsAt")? else {
            continue;
        };
        out.push(Meeting {
            id: MeetingId::from_string(id),
            spec: MeetingSpec {
                title: field::string(doc, &obj, "title")?.unwrap_or_default(),
                kind: MeetingKind::parse(&field::string(doc, &obj, "kind")?.unwrap_or_default()),
                starts_at,
                duration_minutes: field::uint(doc, &obj, "durationMinutes")?
                    .and_then(|m| u32::try_from(m).ok())
                    .unwrap_or(30),
                time_zone: field::string(doc, &obj, "timeZone")?.unwrap_or_else(|| "UTC".into()),
                agenda: field::string(doc, &obj, "agenda")?.unwrap_or_default(),
                location: field::string(doc, &obj, "location")?.unwrap_or_default(),
                notes: field::string(doc, &obj, "notes")?.unwrap_or_default(),
            },
        });
    }
    out.sort_by(|a, b| (a.spec.starts_at, &a.id).cmp(&(b.spec.starts_at, &b.id)));
    Ok(out)
}

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

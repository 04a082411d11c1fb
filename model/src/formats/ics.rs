//! Writing iCalendar files (RFC 5545): meetings and follow-ups, to add to any calendar.

use chrono::{DateTime, NaiveDate, Utc};

/// When an event happens: a span of time, or a whole day.
pub(crate) enum EventTime {
    Between(DateTime<Utc>, DateTime<Utc>),
    AllDay(NaiveDate),
}

pub(crate) struct Event {
    /// Stable across exports, so importing the file again updates the event instead of doubling it.
    pub uid: String,
    pub when: EventTime,
    pub summary: String,
    pub description: String,
    /// A place or a video link; a link is also given as the event's URL.
    pub location: String,
}

/// A calendar being written, one line per property.
pub(crate) struct Calendar {
    lines: Vec<String>,
    stamp: String,
}

/// `title — portal`, so an event makes sense in a calendar full of others.
pub(crate) fn summary(title: &str, portal_name: &str) -> String {
    if portal_name.trim().is_empty() {
        title.to_owned()
    } else {
        format!("{} — {}", title, portal_name.trim())
    }
}

impl Calendar {
    pub(crate) fn new(now: DateTime<Utc>) -> Self {
        Self {
            lines: vec![
                "BEGIN:VCALENDAR".to_owned(),
                "VERSION:2.0".to_owned(),
                "PRODID:-//Threshold//Client portal//EN".to_owned(),
                "CALSCALE:GREGORIAN".to_owned(),
                "METHOD:PUBLISH".to_owned(),
            ],
            stamp: ics_time(now),
        }
    }

    pub(crate) fn event(&mut self, event: &Event) {
        let lines = &mut self.lines;
        lines.push("BEGIN:VEVENT".to_owned());
        lines.push(format!("UID:{}", event.uid));
        lines.push(format!("DTSTAMP:{}", self.stamp));
        match event.when {
            EventTime::Between(start, end) => {
                lines.push(format!("DTSTART:{}", ics_time(start)));
                lines.push(format!("DTEND:{}", ics_time(end)));
            }
            EventTime::AllDay(day) => {
                lines.push(format!("DTSTART;VALUE=DATE:{}", day.format("%Y%m%d")));
                let next = day.succ_opt().unwrap_or(day);
                lines.push(format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")));
            }
        }
        lines.push(format!("SUMMARY:{}", ics_escape(&event.summary)));
        if !event.description.is_empty() {
            lines.push(format!("DESCRIPTION:{}", ics_escape(&event.description)));
        }
        if !event.location.is_empty() {
            lines.push(format!("LOCATION:{}", ics_escape(&event.location)));
            if event.location.starts_with("https://") {
                lines.push(format!("URL:{}", event.location));
            }
        }
        lines.push("END:VEVENT".to_owned());
    }

    pub(crate) fn finish(mut self) -> String {
        self.lines.push("END:VCALENDAR".to_owned());
        self.lines.iter().map(|l| fold(l)).collect()
    }
}

fn ics_time(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT escaping of RFC 5545 §3.3.11.
fn ics_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Lines are at most 75 octets, continued with CRLF and a space (RFC 5545 §3.1), never splitting
/// a UTF-8 character; every line ends with CRLF. Some parsers trim whitespace on both sides of a
/// fold rather than removing only the folding space, so folds fall between two non-space
/// characters: characters move down to the continuation until that holds.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut current: Vec<char> = Vec::new();
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            let mut carried: Vec<char> = Vec::new();
            while current.len() > 1 && carried.len() < 16 {
                let first_below = carried.first().copied().unwrap_or(c);
                let last_above = current.last().copied();
                if first_below.is_whitespace() || last_above.is_some_and(char::is_whitespace) {
                    if let Some(moved) = current.pop() {
                        carried.insert(0, moved);
                    }
                } else {
                    break;
                }
            }
            out.extend(current.drain(..));
            out.push_str("\r\n ");
            width = 1 + carried.iter().map(|ch| ch.len_utf8()).sum::<usize>();
            current = carried;
        }
        current.push(c);
        width += len;
    }
    out.extend(current);
    out.push_str("\r\n");
    out
}

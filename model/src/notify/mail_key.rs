//! The outbox keys of scheduled mail. A key names one letter to one person for one reason, so
//! the relay's outbox (which queues at most once per key, across restarts) makes each reminder
//! and each follow-up go once, and the app can tell from `GET /api/portals/{id}/mail` which
//! were sent. Keys are file names: only ASCII letters, digits, `-` and `_`.

use chrono::NaiveDate;

use super::DueWhen;

/// `s` with anything but `[A-Za-z0-9_]` as `_`: `-` separates a key's parts.
fn part(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

impl DueWhen {
    pub fn as_str(&self) -> &'static str {
        match self {
            DueWhen::Tomorrow => "tomorrow",
            DueWhen::Today => "today",
            DueWhen::Overdue => "overdue",
        }
    }
}

/// One due reminder: the item (`task:<id>`), its due date (a moved date is a new reminder),
/// which of the three, and the person (a stable id the relay derives from their address).
pub fn reminder_key(
    portal: &str,
    item: &str,
    due: NaiveDate,
    when: DueWhen,
    person: &str,
) -> String {
    format!(
        "reminder-{}-{}-{}-{}-{}",
        part(portal),
        part(item),
        due.format("%Y%m%d"),
        when.as_str(),
        part(person)
    )
}

/// Every letter of one follow-up (`m3`) starts with this.
pub fn follow_up_prefix(portal: &str, follow_up: &str) -> String {
    format!("follow-up-{}-{}-", part(portal), part(follow_up))
}

/// One follow-up to one person.
pub fn follow_up_key(portal: &str, follow_up: &str, person: &str) -> String {
    format!("{}{}", follow_up_prefix(portal, follow_up), part(person))
}

/// One digest to one person: named by the moment its oldest item was noticed, so the same
/// batch is the same key after a restart, and the next batch (which starts later) a new one.
pub fn digest_key(portal: &str, person: &str, first_at: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "digest-{}-{}-{}",
        part(portal),
        part(person),
        first_at.format("%Y%m%dT%H%M%S%3f")
    )
}

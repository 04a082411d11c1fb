//! When a follow-up goes out: from [`SEND_AT_HOUR`] of the recipient's local day on its date.
//! Unlike a due reminder, a follow-up whose morning passed while nothing ran still goes (late is
//! better than never for a check-in); the relay's outbox key makes it go once.

use chrono::{DateTime, FixedOffset, Timelike, Utc};

use super::reminder::SEND_AT_HOUR;
use crate::offboarding::FollowUp;

/// The follow-ups to act on at `now` for a recipient in time zone `offset` (UTC when unknown):
/// not done, and their date has come in that person's morning.
pub fn due_follow_ups(
    follow_ups: &[FollowUp],
    now: DateTime<Utc>,
    offset: Option<FixedOffset>,
) -> Vec<FollowUp> {
    let local =
        now.with_timezone(&offset.unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC")));
    let today = local.date_naive();
    follow_ups
        .iter()
        .filter(|f| f.done_at.is_none())
        .filter(|f| f.due < today || (f.due == today && local.hour() >= SEND_AT_HOUR))
        .cloned()
        .collect()
}

//! Who has the app open: for each token, whether a `/sync` connection of it is live, and when
//! its last one closed, on the relay's [`Clock`].
//!
//! This is the digest's proxy for "already saw it in the app": a person whose device was
//! connected at or after an item appeared had it on their screen's data (the app shows what
//! waits on them on the overview and in each view), so a digest need not tell them again. The
//! relay cannot know what was looked at, and asking devices to report reads would be a new
//! channel to trust; a live connection is what the relay itself observes. Kept in memory: after
//! a restart nobody counts as having seen anything, so a digest errs towards telling.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use crate::clock::Clock;

#[derive(Clone, Debug, Default)]
struct Seen {
    live: usize,
    last: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Default)]
pub struct Presence {
    clock: Clock,
    tokens: Arc<Mutex<HashMap<String, Seen>>>,
}

/// Held for as long as a connection lives; its drop records the time the connection ended.
pub struct Here {
    presence: Presence,
    token: String,
}

impl Presence {
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            tokens: Arc::default(),
        }
    }

    /// A connection of `token` opened.
    pub fn arrive(&self, token: &str) -> Here {
        let now = self.clock.now();
        let mut all = self.tokens.lock().expect("presence lock");
        let seen = all.entry(token.to_owned()).or_default();
        seen.live += 1;
        seen.last = Some(now);
        Here {
            presence: self.clone(),
            token: token.to_owned(),
        }
    }

    /// The latest moment `token` was connected: now while it is, else when its last
    /// connection ended; `None` if never since the relay started.
    pub fn last_seen(&self, token: &str) -> Option<DateTime<Utc>> {
        let all = self.tokens.lock().expect("presence lock");
        let seen = all.get(token)?;
        if seen.live > 0 {
            Some(self.clock.now())
        } else {
            seen.last
        }
    }
}

impl Drop for Here {
    fn drop(&mut self) {
        let now = self.presence.clock.now();
        let mut all = self.presence.tokens.lock().expect("presence lock");
        if let Some(seen) = all.get_mut(&self.token) {
            seen.live = seen.live.saturating_sub(1);
            seen.last = Some(seen.last.map_or(now, |l| l.max(now)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    #[test]
    fn a_token_counts_as_seen_now_while_connected_and_at_its_last_close_after() {
        let start = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let clock = Clock::manual(start);
        let presence = Presence::new(clock.clone());
        assert_eq!(presence.last_seen("t1"), None);
        let first = presence.arrive("t1");
        let second = presence.arrive("t1");
        clock.set(start + Duration::minutes(5));
        drop(first);
        assert_eq!(
            presence.last_seen("t1"),
            Some(start + Duration::minutes(5)),
            "still connected on another device"
        );
        clock.set(start + Duration::minutes(7));
        drop(second);
        clock.set(start + Duration::minutes(30));
        assert_eq!(presence.last_seen("t1"), Some(start + Duration::minutes(7)));
    }
}

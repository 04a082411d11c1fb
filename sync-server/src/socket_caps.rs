//! How many WebSockets may be open at once: per token, and in all. Checked at the upgrade, so a
//! refused socket costs the relay one HTTP answer.
//!
//! Client tokens share all but a reserve of the total, which only provider (owner and team)
//! tokens may use: a flood of client sockets cannot lock the provider out of their own relay.
//!
//! A token whose changes the relay keeps refusing (close 4403) cools down: after
//! [`REFUSALS_BEFORE_COOLDOWN`] refusals within [`REFUSAL_WINDOW`], its next socket waits
//! [`COOLDOWN`] from the last one. Judging a change means applying it, up to the op limits, so
//! a device reconnecting to send a forbidden change in a loop would otherwise take the relay's
//! time for as long as it liked. An honest device is refused only when it has fallen behind a
//! rule (edits made offline after the portal ended), and the app says so; waiting a minute
//! before it tries again costs it nothing.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Refusals of one token's changes, within [`REFUSAL_WINDOW`], after which it cools down.
pub const REFUSALS_BEFORE_COOLDOWN: usize = 3;
pub const REFUSAL_WINDOW: Duration = Duration::from_secs(600);
/// How long after its last refusal a cooling token's sockets are refused.
pub const COOLDOWN: Duration = Duration::from_secs(60);

use crate::error::AppError;

#[derive(Clone, Copy, Debug)]
pub struct SocketLimits {
    /// WebSockets one token may hold open (one per device and tab; a few devices each).
    pub per_token: usize,
    /// WebSockets open in all.
    pub total: usize,
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_token: HashMap<String, usize>,
    /// When each token's recent changes were refused, oldest first, within the window.
    refusals: HashMap<String, VecDeque<Instant>>,
}

pub struct SocketCaps {
    limits: SocketLimits,
    counts: Mutex<Counts>,
}

/// One open WebSocket, counted until it is dropped.
pub struct SocketPermit {
    caps: Arc<SocketCaps>,
    token_id: String,
}

impl SocketCaps {
    pub fn new(limits: SocketLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            counts: Mutex::default(),
        })
    }

    /// The part of the total kept for provider tokens: an eighth, at least one.
    fn provider_reserve(&self) -> usize {
        (self.limits.total / 8).max(1)
    }

    /// Count a new socket of `token_id`, or say which limit it would break.
    pub fn admit(
        self: &Arc<Self>,
        token_id: &str,
        provider: bool,
    ) -> Result<SocketPermit, AppError> {
        self.admit_at(token_id, provider, Instant::now())
    }

    fn admit_at(
        self: &Arc<Self>,
        token_id: &str,
        provider: bool,
        now: Instant,
    ) -> Result<SocketPermit, AppError> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(wait) = cooling(&mut counts, token_id, now) {
            return Err(AppError::CoolingDown {
                refusals: REFUSALS_BEFORE_COOLDOWN,
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
            });
        }
        let mine = counts.per_token.get(token_id).copied().unwrap_or(0);
        if mine >= self.limits.per_token {
            return Err(AppError::TooManyConnections(format!(
                "this token already has {mine} open connections (the limit is {})",
                self.limits.per_token
            )));
        }
        let room = if provider {
            self.limits.total
        } else {
            self.limits.total.saturating_sub(self.provider_reserve())
        };
        if counts.total >= room {
            return Err(AppError::Busy(format!(
                "the relay is at its limit of {} open connections; try again later",
                self.limits.total
            )));
        }
        counts.total += 1;
        *counts.per_token.entry(token_id.to_owned()).or_default() += 1;
        Ok(SocketPermit {
            caps: Arc::clone(self),
            token_id: token_id.to_owned(),
        })
    }
}

impl SocketPermit {
    /// The relay refused a change this socket sent (and closes it with 4403).
    pub fn note_refusal(&self) {
        self.note_refusal_at(Instant::now());
    }

    fn note_refusal_at(&self, now: Instant) {
        let mut counts = self.caps.counts.lock().unwrap_or_else(|e| e.into_inner());
        let recent = counts.refusals.entry(self.token_id.clone()).or_default();
        recent.push_back(now);
        // Only the last few matter; the window drops the rest as time passes.
        while recent.len() > REFUSALS_BEFORE_COOLDOWN {
            recent.pop_front();
        }
    }
}

/// How much longer `token_id` cools down, if it does; forgets refusals past the window.
fn cooling(counts: &mut Counts, token_id: &str, now: Instant) -> Option<Duration> {
    let recent = counts.refusals.get_mut(token_id)?;
    while recent
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) > REFUSAL_WINDOW)
    {
        recent.pop_front();
    }
    let Some(last) = recent.back().copied() else {
        counts.refusals.remove(token_id);
        return None;
    };
    if recent.len() < REFUSALS_BEFORE_COOLDOWN {
        return None;
    }
    COOLDOWN.checked_sub(now.saturating_duration_since(last))
}

impl Drop for SocketPermit {
    fn drop(&mut self) {
        let mut counts = self.caps.counts.lock().unwrap_or_else(|e| e.into_inner());
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_token.get_mut(&self.token_id) {
            *n -= 1;
            if *n == 0 {
                counts.per_token.remove(&self.token_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_capped_and_providers_keep_a_reserve() {
        let caps = SocketCaps::new(SocketLimits {
            per_token: 2,
            total: 8,
        });
        let a1 = caps.admit("a", false).unwrap();
        let _a2 = caps.admit("a", false).unwrap();
        assert!(matches!(
            caps.admit("a", false),
            Err(AppError::TooManyConnections(_))
        ));
        drop(a1);
        let _a3 = caps.admit("a", false).unwrap();
        let mut held = Vec::new();
        for i in 0..5 {
            held.push(caps.admit(&format!("c{i}"), false).unwrap());
        }
        assert!(
            matches!(caps.admit("c9", false), Err(AppError::Busy(_))),
            "7 of 8 for clients"
        );
        let _owner = caps
            .admit("owner", true)
            .expect("the reserve is the provider's");
        assert!(matches!(caps.admit("owner", true), Err(AppError::Busy(_))));
    }

    #[test]
    fn a_token_refused_three_times_in_ten_minutes_waits_a_minute_from_the_last() {
        let caps = SocketCaps::new(SocketLimits {
            per_token: 4,
            total: 16,
        });
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        let cooling = |r: Result<SocketPermit, AppError>| match r {
            Err(AppError::CoolingDown {
                retry_after_secs, ..
            }) => Some(retry_after_secs),
            Ok(_) => None,
            Err(e) => panic!("{e}"),
        };
        // Two refusals, far apart from a third: no cool-down.
        caps.admit_at("c", false, at(0))
            .unwrap()
            .note_refusal_at(at(0));
        caps.admit_at("c", false, at(1))
            .unwrap()
            .note_refusal_at(at(1));
        let third = caps.admit_at("c", false, at(700)).unwrap();
        third.note_refusal_at(at(700));
        assert_eq!(
            cooling(caps.admit_at("c", false, at(701))),
            None,
            "the first two are past the window"
        );
        // Three within the window: refused until a minute after the last, and only that token.
        caps.admit_at("c", false, at(710))
            .unwrap()
            .note_refusal_at(at(710));
        assert_eq!(
            cooling(caps.admit_at("c", false, at(711))),
            None,
            "two in the window"
        );
        caps.admit_at("c", false, at(715))
            .unwrap()
            .note_refusal_at(at(715));
        assert_eq!(cooling(caps.admit_at("c", false, at(720))), Some(55));
        assert_eq!(cooling(caps.admit_at("other", false, at(720))), None);
        assert_eq!(cooling(caps.admit_at("c", false, at(774))), Some(1));
        assert_eq!(
            cooling(caps.admit_at("c", false, at(776))),
            None,
            "free again"
        );
        drop(third);
    }
}

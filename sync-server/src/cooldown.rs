//! A client token whose changes the relay keeps refusing cools down.
//!
//! Judging a change means applying it, and undoing a refused one means rebuilding the document:
//! on a large portal that is seconds of the engine thread, during which every document waits.
//! A device sending forbidden changes in a loop (or on many sockets at once) could hold the relay
//! for as long as it liked. So after [`REFUSALS_BEFORE_COOLDOWN`] refusals within
//! [`REFUSAL_WINDOW`], the token's changes are refused before anything is applied (which costs
//! nothing), and its new sockets at the upgrade, for [`COOLDOWN`] from its last refusal, doubled
//! for each refusal past the third, up to [`LONGEST_COOLDOWN`]. Every refusal in the meantime
//! counts, so a device that keeps trying waits longer.
//!
//! Client tokens only: a client can make the provider's own writes break the shape rules (by
//! giving its task fields odd shapes), and must not be able to lock the provider out that way.
//! An honest device is refused only when it has fallen behind a rule (edits made offline after
//! the portal ended); the app stops sending after a refusal and says so.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const REFUSALS_BEFORE_COOLDOWN: usize = 3;
pub const REFUSAL_WINDOW: Duration = Duration::from_secs(600);
pub const COOLDOWN: Duration = Duration::from_secs(60);
pub const LONGEST_COOLDOWN: Duration = Duration::from_secs(3600);
/// Refusals kept per token: enough for the longest cool-down (60 s doubled six times).
const KEPT: usize = REFUSALS_BEFORE_COOLDOWN + 6;

/// Shared by the upgrade (socket admission) and the engine's guard. Cheap to clone.
#[derive(Clone, Default, Debug)]
pub struct Cooldown(Arc<Mutex<HashMap<String, VecDeque<Instant>>>>);

impl Cooldown {
    /// The relay refused a change of this (client) token.
    pub fn note_refusal(&self, token_id: &str) {
        self.note_at(token_id, Instant::now());
    }

    fn note_at(&self, token_id: &str, now: Instant) {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let recent = all.entry(token_id.to_owned()).or_default();
        recent.push_back(now);
        while recent.len() > KEPT {
            recent.pop_front();
        }
    }

    /// How much longer this token cools down, if it does: the refusals it has left within the
    /// window, and the wait.
    pub fn wait(&self, token_id: &str) -> Option<(usize, Duration)> {
        self.wait_at(token_id, Instant::now())
    }

    fn wait_at(&self, token_id: &str, now: Instant) -> Option<(usize, Duration)> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let recent = all.get_mut(token_id)?;
        while recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > REFUSAL_WINDOW)
        {
            recent.pop_front();
        }
        let Some(last) = recent.back().copied() else {
            all.remove(token_id);
            return None;
        };
        let n = recent.len();
        if n < REFUSALS_BEFORE_COOLDOWN {
            return None;
        }
        let doublings = (n - REFUSALS_BEFORE_COOLDOWN).min(16) as u32;
        let length = COOLDOWN
            .saturating_mul(1 << doublings)
            .min(LONGEST_COOLDOWN);
        let left = length.checked_sub(now.saturating_duration_since(last))?;
        (!left.is_zero()).then_some((n, left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_refusals_in_ten_minutes_cool_a_token_for_a_minute_from_the_last_and_more_double_it() {
        let cooldown = Cooldown::default();
        let t0 = Instant::now();
        let at = |secs: u64| t0 + Duration::from_secs(secs);
        let wait = |secs| cooldown.wait_at("c", at(secs)).map(|(_, d)| d.as_secs());
        cooldown.note_at("c", at(0));
        cooldown.note_at("c", at(1));
        // The first two are past the window by the third.
        cooldown.note_at("c", at(700));
        assert_eq!(wait(701), None);
        cooldown.note_at("c", at(710));
        assert_eq!(wait(711), None, "two in the window");
        cooldown.note_at("c", at(715));
        assert_eq!(wait(720), Some(55));
        assert_eq!(cooldown.wait_at("other", at(720)), None, "only that token");
        assert_eq!(wait(776), None, "free a minute after the last");
        // A fourth within the window: two minutes from it; a fifth: four.
        cooldown.note_at("c", at(780));
        assert_eq!(wait(780), Some(120));
        cooldown.note_at("c", at(790));
        assert_eq!(wait(790), Some(240));
        // However many, never longer than an hour.
        for s in 791..830 {
            cooldown.note_at("c", at(s));
        }
        assert_eq!(wait(830), Some(3599));
    }
}

//! The one clock the relay's scheduled work reads (`schedule`): system time, or, when the relay
//! is started with the hidden `--test-clock <RFC3339>` flag, a manual time that only
//! `PUT /api/test/clock {"now": "…"}` (an owner token) moves. Whoever waits on the clock
//! ([`Clock::moved`]) wakes when it is moved, so tests drive days of the relay's schedule
//! without sleeping for real minutes.
//!
//! A struct with two states, not a trait: the relay holds exactly one clock chosen at start,
//! handlers and the scheduler share it by cloning, and a trait object or a type parameter
//! through the server's state would buy nothing but plumbing. The manual state carries a tokio
//! `watch` channel, which is both the current time and the wake-up.
//!
//! - `PUT /api/test/clock`: `404` unless the relay runs on a test clock; then owner tokens only.
//!   With email on, it answers once the scheduler has finished a pass at the new time, so a
//!   test can tell "nothing was sent" from "not yet".

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::routing::put;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use threshold_model::access::Role;
use tokio::sync::watch;

use crate::caller::Caller;
use crate::error::AppError;
use crate::rate_limit::HttpLimiter;
use crate::token_store::TokenStore;

#[derive(Clone, Debug)]
pub struct Clock {
    /// `None`: system time.
    manual: Option<Arc<Manual>>,
}

#[derive(Debug)]
struct Manual {
    time: watch::Sender<DateTime<Utc>>,
    /// The time of the scheduler's last finished pass, so that moving the clock can answer
    /// once the relay has acted on the new time.
    passed: watch::Sender<Option<DateTime<Utc>>>,
}

/// A clock's moves, as a stream: [`Moves::next`] resolves once for every move (or run of moves)
/// made since the previous call, so a move during a scheduler pass is not missed.
pub struct Moves(Option<watch::Receiver<DateTime<Utc>>>);

impl Moves {
    pub async fn next(&mut self) {
        match &mut self.0 {
            // The sender lives as long as the clock, which outlives the scheduler.
            Some(time) => {
                let _ = time.changed().await;
            }
            None => std::future::pending().await,
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    pub fn system() -> Self {
        Self { manual: None }
    }

    /// A clock standing at `start` until [`Clock::set`] moves it.
    pub fn manual(start: DateTime<Utc>) -> Self {
        Self {
            manual: Some(Arc::new(Manual {
                time: watch::Sender::new(start),
                passed: watch::Sender::new(None),
            })),
        }
    }

    pub fn is_manual(&self) -> bool {
        self.manual.is_some()
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.manual {
            Some(m) => *m.time.borrow(),
            None => Utc::now(),
        }
    }

    /// Move a manual clock (forwards or back) and wake everyone waiting on it. A system clock
    /// is not moved: `false`.
    pub fn set(&self, now: DateTime<Utc>) -> bool {
        match &self.manual {
            Some(m) => {
                m.time.send_replace(now);
                true
            }
            None => false,
        }
    }

    /// Every later move of a manual clock; nothing ever for the system clock (its time passes
    /// on its own, so waiters sleep instead).
    pub fn moves(&self) -> Moves {
        Moves(self.manual.as_ref().map(|m| m.time.subscribe()))
    }

    /// The scheduler finished a pass at `now`.
    pub fn passed(&self, now: DateTime<Utc>) {
        if let Some(m) = &self.manual {
            m.passed.send_replace(Some(now));
        }
    }

    /// Wait until a pass at `now` (or later) has finished; `false` after `limit`.
    pub async fn pass_at(&self, now: DateTime<Utc>, limit: std::time::Duration) -> bool {
        let Some(m) = &self.manual else {
            return true;
        };
        let mut passed = m.passed.subscribe();
        tokio::time::timeout(limit, passed.wait_for(|p| p.is_some_and(|p| p >= now)))
            .await
            .is_ok_and(|r| r.is_ok())
    }
}

#[derive(Clone)]
pub struct ClockState {
    pub clock: Clock,
    /// Whether a scheduler runs (email is on): then moving the clock answers once it has run
    /// a pass at the new time.
    pub scheduled: bool,
    pub tokens: TokenStore,
    pub http: Arc<HttpLimiter>,
}

impl FromRef<ClockState> for TokenStore {
    fn from_ref(state: &ClockState) -> TokenStore {
        state.tokens.clone()
    }
}

impl FromRef<ClockState> for Arc<HttpLimiter> {
    fn from_ref(state: &ClockState) -> Arc<HttpLimiter> {
        state.http.clone()
    }
}

#[derive(Deserialize)]
struct SetClock {
    now: String,
}

pub fn routes(state: ClockState) -> Router {
    Router::new()
        .route("/api/test/clock", put(set_clock))
        .with_state(state)
}

async fn set_clock(
    State(s): State<ClockState>,
    caller: Result<Caller, AppError>,
    Json(body): Json<SetClock>,
) -> Result<StatusCode, AppError> {
    // Checked before the token: a relay on the system clock has no such route at all.
    if !s.clock.is_manual() {
        return Err(AppError::NotFound);
    }
    let Caller(me) = caller?;
    if me.role != Role::Owner || me.read_only {
        return Err(AppError::Forbidden(
            "only the owner moves the test clock".into(),
        ));
    }
    let now = DateTime::parse_from_rfc3339(body.now.trim())
        .map_err(|e| AppError::BadRequest(format!("now: {e} (RFC 3339 expected)")))?
        .with_timezone(&Utc);
    s.clock.set(now);
    tracing::info!(%now, "test clock moved");
    if s.scheduled
        && !s
            .clock
            .pass_at(now, std::time::Duration::from_secs(60))
            .await
    {
        return Err(AppError::Busy(
            "the clock moved, but the scheduler has not finished a pass at the new time".into(),
        ));
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn moving_a_manual_clock_wakes_its_waiters_and_the_system_clock_cannot_be_moved() {
        let start = DateTime::parse_from_rfc3339("2026-03-09T05:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::manual(start);
        assert_eq!(clock.now(), start);
        let mut moves = clock.moves();
        let later = start + chrono::Duration::hours(3);
        // Moved before anyone waits: the next wait still sees it.
        assert!(clock.set(later));
        tokio::time::timeout(std::time::Duration::from_secs(5), moves.next())
            .await
            .expect("a move wakes the waiter");
        assert_eq!(clock.now(), later);

        let waiter = tokio::spawn({
            let clock = clock.clone();
            async move {
                clock
                    .pass_at(later, std::time::Duration::from_secs(5))
                    .await
            }
        });
        clock.passed(start);
        tokio::task::yield_now().await;
        assert!(
            !waiter.is_finished(),
            "a pass at an earlier time is not the one"
        );
        clock.passed(later);
        assert!(waiter.await.unwrap());

        assert!(!Clock::system().set(later));
        assert!(!Clock::system().is_manual());
    }
}

//! How many WebSockets may be open at once: per token, and in all. Checked at the upgrade, so a
//! refused socket costs the relay one HTTP answer.
//!
//! Client tokens share all but a reserve of the total, which only provider (owner and team)
//! tokens may use: a flood of client sockets cannot lock the provider out of their own relay.
//!
//! A client token cooling down after refused changes ([`crate::cooldown`]) is refused here too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::cooldown::Cooldown;

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
}

pub struct SocketCaps {
    limits: SocketLimits,
    counts: Mutex<Counts>,
    cooldown: Cooldown,
}

/// One open WebSocket, counted until it is dropped.
pub struct SocketPermit {
    caps: Arc<SocketCaps>,
    token_id: String,
}

impl SocketCaps {
    pub fn new(limits: SocketLimits, cooldown: Cooldown) -> Arc<Self> {
        Arc::new(Self {
            limits,
            counts: Mutex::default(),
            cooldown,
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
        if let Some((refusals, wait)) = self.cooldown.wait(token_id).filter(|_| !provider) {
            return Err(AppError::CoolingDown {
                refusals,
                retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
            });
        }
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
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
        let caps = SocketCaps::new(
            SocketLimits {
                per_token: 2,
                total: 8,
            },
            Cooldown::default(),
        );
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
}

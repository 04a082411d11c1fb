//! Messages per second per token: a token bucket shared by every connection of one token, so
//! opening more sockets does not buy a peer more throughput. The same buckets limit HTTP
//! requests on `/api` and `/blobs` ([`HttpLimiter`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    /// Sustained messages per second.
    pub per_second: f64,
    /// How many may arrive at once (a provider opening a workspace asks for every portal).
    pub burst: f64,
}

struct Bucket {
    tokens: f64,
    refilled: Instant,
}

pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Take one message from the token's allowance; `false` once it is spent.
    pub fn allow(&self, token_id: &str, now: Instant) -> bool {
        self.take(token_id, now).is_ok()
    }

    /// Take one from the allowance, or say how long until there is one again.
    pub fn take(&self, token_id: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().expect("rate limiter lock");
        let bucket = buckets.entry(token_id.to_owned()).or_insert(Bucket {
            tokens: self.limit.burst,
            refilled: now,
        });
        let elapsed = now.saturating_duration_since(bucket.refilled).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.limit.per_second).min(self.limit.burst);
        bucket.refilled = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let per_second = self.limit.per_second.max(f64::MIN_POSITIVE);
            Err(Duration::from_secs_f64(
                ((1.0 - bucket.tokens) / per_second).min(3600.0),
            ))
        }
    }
}

/// The HTTP side: a bucket per token on `/api` and `/blobs`, and one bucket shared by every
/// request that carries no valid token (each costs a hash and an access-file check to refuse,
/// and a caller without a token has no bucket of its own to spend).
pub struct HttpLimiter {
    pub per_token: RateLimiter,
    pub unauthenticated: RateLimiter,
}

/// The key of the shared bucket for requests without a valid token. Token ids are hex, so it
/// cannot collide with one.
pub const UNAUTHENTICATED: &str = "(no valid token)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_sustained_rate_and_tokens_are_separate() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 10.0,
            burst: 5.0,
        });
        let t0 = Instant::now();
        assert_eq!((0..8).filter(|_| limiter.allow("a", t0)).count(), 5);
        assert!(limiter.allow("b", t0), "another token has its own bucket");
        let later = t0 + Duration::from_millis(200);
        assert_eq!((0..8).filter(|_| limiter.allow("a", later)).count(), 2);
    }

    #[test]
    fn a_spent_allowance_says_when_the_next_one_comes() {
        let limiter = RateLimiter::new(RateLimit {
            per_second: 2.0,
            burst: 1.0,
        });
        let t0 = Instant::now();
        assert_eq!(limiter.take("a", t0), Ok(()));
        let wait = limiter.take("a", t0).unwrap_err();
        assert!(wait > Duration::from_millis(400) && wait <= Duration::from_millis(500));
    }
}

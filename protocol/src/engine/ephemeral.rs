//! The ephemeral de-duplication table: which (connection, session) pairs have sent which count,
//! so a repeated presence message is not relayed twice.
//!
//! Entries are keyed by the connection a message arrived on, never by the sender id the
//! message claims: a claimed id costs nothing to forge, so a table keyed by it could be filled
//! under names nobody would ever prune. Keyed by connection, every entry goes when its
//! connection closes, and the table is bounded per connection, in total, and in age.

use std::collections::BTreeMap;

use super::ConnId;

/// What the table may hold. Presence needs a handful of sessions per connection (one per tab
/// the peer relays for, which is one) and only the latest count of each.
#[derive(Clone, Copy, Debug)]
pub struct EphemeralLimits {
    /// Sessions remembered per connection; the oldest is forgotten to admit another.
    pub sessions_per_conn: usize,
    /// Sessions remembered in all; the oldest is forgotten to admit another.
    pub sessions: usize,
    /// An entry not refreshed for this long is forgotten.
    pub ttl_ms: u64,
    /// A longer session id is refused (automerge-repo's are a few dozen characters).
    pub max_session_id_bytes: usize,
    /// A larger ephemeral payload is refused (presence is a few hundred bytes).
    pub max_data_bytes: usize,
}

impl Default for EphemeralLimits {
    fn default() -> Self {
        Self {
            sessions_per_conn: 16,
            sessions: 4096,
            ttl_ms: 5 * 60 * 1000,
            max_session_id_bytes: 128,
            max_data_bytes: 64 * 1024,
        }
    }
}

struct Seen {
    count: u64,
    at_ms: u64,
}

#[derive(Default)]
pub(super) struct EphemeralSeen {
    /// Ordered by connection so one connection's entries are a range.
    entries: BTreeMap<(ConnId, String), Seen>,
}

impl EphemeralSeen {
    /// Whether `count` is news for this session on this connection; if so, it is remembered.
    pub(super) fn fresh(
        &mut self,
        limits: &EphemeralLimits,
        conn: ConnId,
        session: &str,
        count: u64,
        now_ms: u64,
    ) -> bool {
        let key = (conn, session.to_owned());
        if let Some(seen) = self.entries.get_mut(&key) {
            if seen.count >= count {
                return false;
            }
            seen.count = count;
            seen.at_ms = now_ms;
            return true;
        }
        let mine = self.of(conn).count();
        if mine >= limits.sessions_per_conn.max(1) {
            let oldest = oldest(self.of(conn));
            self.remove(oldest);
        }
        if self.entries.len() >= limits.sessions.max(1) {
            let oldest = oldest(self.entries.iter());
            self.remove(oldest);
        }
        self.entries.insert(
            key,
            Seen {
                count,
                at_ms: now_ms,
            },
        );
        true
    }

    /// Forget everything a closed connection sent.
    pub(super) fn drop_conn(&mut self, conn: ConnId) {
        let keys: Vec<(ConnId, String)> = self.of(conn).map(|(k, _)| k.clone()).collect();
        for key in keys {
            self.entries.remove(&key);
        }
    }

    /// Forget entries older than the limits allow.
    pub(super) fn prune(&mut self, limits: &EphemeralLimits, now_ms: u64) {
        self.entries
            .retain(|_, seen| now_ms.saturating_sub(seen.at_ms) < limits.ttl_ms);
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    fn of(&self, conn: ConnId) -> impl Iterator<Item = (&(ConnId, String), &Seen)> {
        self.entries
            .range((conn, String::new())..)
            .take_while(move |((c, _), _)| *c == conn)
    }

    fn remove(&mut self, key: Option<(ConnId, String)>) {
        if let Some(key) = key {
            self.entries.remove(&key);
        }
    }
}

fn oldest<'a>(
    entries: impl Iterator<Item = (&'a (ConnId, String), &'a Seen)>,
) -> Option<(ConnId, String)> {
    entries
        .min_by_key(|(_, seen)| seen.at_ms)
        .map(|(key, _)| key.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> EphemeralLimits {
        EphemeralLimits {
            sessions_per_conn: 2,
            sessions: 3,
            ttl_ms: 100,
            ..EphemeralLimits::default()
        }
    }

    #[test]
    fn repeats_are_stale_and_the_table_stays_within_its_bounds() {
        let mut seen = EphemeralSeen::default();
        let l = limits();
        assert!(seen.fresh(&l, ConnId(1), "a", 1, 0));
        assert!(!seen.fresh(&l, ConnId(1), "a", 1, 1), "a repeat");
        assert!(seen.fresh(&l, ConnId(1), "a", 2, 2));
        assert!(seen.fresh(&l, ConnId(1), "b", 1, 3));
        assert!(seen.fresh(&l, ConnId(1), "c", 1, 4));
        assert_eq!(seen.of(ConnId(1)).count(), 2, "per connection");
        assert!(seen.fresh(&l, ConnId(2), "a", 1, 5));
        assert!(seen.fresh(&l, ConnId(3), "a", 1, 6));
        assert_eq!(seen.len(), 3, "in all");
        seen.drop_conn(ConnId(3));
        assert_eq!(seen.len(), 2);
        seen.prune(&l, 104);
        assert_eq!(seen.len(), 1, "only the entry from t=5 is young enough");
    }
}

//! The one-time sign-in links, as `<data dir>/sign-in/links.json`, or with `--database-url` the
//! `sign_in_links` table (so a link sent through one relay works through any, once): for each,
//! the SHA-256 of its secret, the token it signs in as, when it expires and whether it was used.
//! A link is marked used (durably) before the device gets its token, so it works once even
//! across a crash.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::postgres::health::Health;
use crate::postgres::{error_text, Pool};
use crate::storage::write_atomically;
use crate::token::hash_secret;

const PREFIX: &str = "tsl_";

/// How long a link works.
pub const LIFETIME: Duration = Duration::hours(1);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkRecord {
    pub hash: String,
    pub token_id: String,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Not shaped like a sign-in link at all.
    #[error("this is not a sign-in link")]
    Malformed,
    /// Unknown, expired or already used: one answer for all three, so a guess learns nothing.
    #[error("this sign-in link has expired or was already used")]
    Spent,
    #[error("the sign-in links could not be stored: {0}")]
    Io(#[from] io::Error),
}

#[derive(Clone)]
pub struct SignInLinks {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    File {
        file: PathBuf,
        links: Arc<Mutex<Vec<LinkRecord>>>,
    },
    /// With the relay's knowledge of whether the database is down, so that a link asked for
    /// or redeemed during an outage fails at once instead of waiting out the pool's timeout.
    Database(Pool, Health),
}

/// Whether `secret` is shaped like one of ours: the prefix and 32 bytes of base58.
fn well_formed(secret: &str) -> bool {
    secret
        .strip_prefix(PREFIX)
        .and_then(|rest| bs58::decode(rest).into_vec().ok())
        .is_some_and(|bytes| bytes.len() == 32)
}

impl SignInLinks {
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        let dir = data_dir.join("sign-in");
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("links.json");
        let links = match std::fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(io::Error::other)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        Ok(Self {
            backend: Backend::File {
                file,
                links: Arc::new(Mutex::new(links)),
            },
        })
    }

    /// The links in the relays' database (already migrated by `postgres::open`). Blocking calls:
    /// use them off the runtime.
    pub fn open_database(pool: Pool, health: Health) -> Self {
        Self {
            backend: Backend::Database(pool, health),
        }
    }

    fn save(file: &Path, links: &mut Vec<LinkRecord>, now: DateTime<Utc>) -> io::Result<()> {
        // Spent links are kept only while they could still be presented, to answer "spent".
        links.retain(|l| l.expires_at + LIFETIME > now);
        let json = serde_json::to_vec_pretty(&*links).map_err(io::Error::other)?;
        write_atomically(file, &json)
    }

    /// A new link for `token_id`; the secret is returned once and only its hash is kept.
    pub fn mint(&self, token_id: &str, now: DateTime<Utc>) -> io::Result<String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(io::Error::other)?;
        let secret = format!("{PREFIX}{}", bs58::encode(bytes).into_string());
        let record = LinkRecord {
            hash: hash_secret(&secret),
            token_id: token_id.to_owned(),
            expires_at: now + LIFETIME,
            used_at: None,
        };
        match &self.backend {
            Backend::File { file, links } => {
                let mut links = links.lock().expect("sign-in links lock");
                links.push(record);
                Self::save(file, &mut links, now)?;
            }
            Backend::Database(pool, health) => {
                let mut client = health.checkout(pool).map_err(io::Error::other)?;
                let expired = (now - LIFETIME).timestamp_millis();
                client
                    .execute(
                        "DELETE FROM sign_in_links WHERE expires_at < $1",
                        &[&expired],
                    )
                    .and_then(|_| {
                        client.execute(
                            "INSERT INTO sign_in_links (hash, token_id, expires_at) \
                             VALUES ($1, $2, $3)",
                            &[
                                &record.hash,
                                &record.token_id,
                                &record.expires_at.timestamp_millis(),
                            ],
                        )
                    })
                    .map_err(|e| io::Error::other(error_text(&e)))?;
            }
        }
        Ok(secret)
    }

    /// Spend a link: the token id it signs in as. Marked used on disk before this returns.
    pub fn redeem(&self, secret: &str, now: DateTime<Utc>) -> Result<String, LinkError> {
        let secret = secret.trim();
        if !well_formed(secret) {
            return Err(LinkError::Malformed);
        }
        let hash = hash_secret(secret);
        let (file, links) = match &self.backend {
            Backend::File { file, links } => (file, links),
            Backend::Database(pool, health) => {
                // One statement: of two relays redeeming the same link at once, one gets it.
                let mut client = health.checkout(pool).map_err(io::Error::other)?;
                let now = now.timestamp_millis();
                let row = client
                    .query_opt(
                        "UPDATE sign_in_links SET used_at = $2 \
                         WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 \
                         RETURNING token_id",
                        &[&hash, &now],
                    )
                    .map_err(|e| io::Error::other(error_text(&e)))?;
                return row.map(|r| r.get(0)).ok_or(LinkError::Spent);
            }
        };
        let mut links = links.lock().expect("sign-in links lock");
        let link = links
            .iter_mut()
            .find(|l| l.hash == hash)
            .ok_or(LinkError::Spent)?;
        if link.used_at.is_some() || link.expires_at <= now {
            return Err(LinkError::Spent);
        }
        link.used_at = Some(now);
        let token_id = link.token_id.clone();
        Self::save(file, &mut links, now)?;
        Ok(token_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_works_once_within_the_hour_and_only_its_hash_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let links = SignInLinks::open(dir.path()).unwrap();
        let t0 = Utc::now();
        let secret = links.mint("abc123", t0).unwrap();
        let stored = std::fs::read_to_string(dir.path().join("sign-in/links.json")).unwrap();
        assert!(!stored.contains(&secret), "the secret is not stored");
        // A restart keeps it.
        let links = SignInLinks::open(dir.path()).unwrap();
        assert_eq!(
            links.redeem(&secret, t0 + Duration::minutes(59)).unwrap(),
            "abc123"
        );
        assert!(matches!(
            links.redeem(&secret, t0 + Duration::minutes(59)),
            Err(LinkError::Spent)
        ));
        let reopened = SignInLinks::open(dir.path()).unwrap();
        assert!(
            matches!(reopened.redeem(&secret, t0), Err(LinkError::Spent)),
            "used stays used"
        );
    }

    #[test]
    fn with_a_database_a_link_sent_through_one_relay_works_once_through_another() {
        let cluster = crate::postgres::throwaway::Cluster::start().expect("starts PostgreSQL");
        let url = cluster.database("links").expect("creates");
        let relay_a = SignInLinks::open_database(
            crate::postgres::open(&url).expect("opens"),
            Health::default(),
        );
        let relay_b = SignInLinks::open_database(
            crate::postgres::open(&url).expect("opens"),
            Health::default(),
        );
        let t0 = Utc::now();
        let secret = relay_a.mint("abc123", t0).unwrap();
        let late = relay_a.mint("abc123", t0 - LIFETIME).unwrap();
        assert_eq!(
            relay_b.redeem(&secret, t0 + Duration::minutes(59)).unwrap(),
            "abc123"
        );
        for relay in [&relay_a, &relay_b] {
            assert!(
                matches!(relay.redeem(&secret, t0), Err(LinkError::Spent)),
                "used once, used everywhere"
            );
        }
        assert!(matches!(relay_b.redeem(&late, t0), Err(LinkError::Spent)));
        let unknown = format!("{PREFIX}{}", bs58::encode([7u8; 32]).into_string());
        assert!(matches!(
            relay_b.redeem(&unknown, t0),
            Err(LinkError::Spent)
        ));
        assert!(matches!(
            relay_b.redeem("tsl_", t0),
            Err(LinkError::Malformed)
        ));
    }

    #[test]
    fn an_expired_an_unknown_and_a_malformed_link_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let links = SignInLinks::open(dir.path()).unwrap();
        let t0 = Utc::now();
        let secret = links.mint("abc123", t0).unwrap();
        assert!(matches!(
            links.redeem(&secret, t0 + LIFETIME),
            Err(LinkError::Spent)
        ));
        let unknown = format!("{PREFIX}{}", bs58::encode([7u8; 32]).into_string());
        assert!(matches!(links.redeem(&unknown, t0), Err(LinkError::Spent)));
        for bad in [
            "",
            "tsl_",
            "thr_abc",
            "tsl_0OIl",
            &secret[..secret.len() - 3],
        ] {
            assert!(
                matches!(links.redeem(bad, t0), Err(LinkError::Malformed)),
                "{bad}"
            );
        }
    }
}

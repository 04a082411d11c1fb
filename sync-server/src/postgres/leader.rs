//! One relay among several sends the scheduled mail: the one holding a PostgreSQL session
//! advisory lock on a connection of its own. The lock lives as long as that session, so when
//! the holder dies (or loses the database) it is released, and the next relay to ask takes it.
//! No home-made election: the database already knows which sessions are alive.

use std::sync::Mutex;
use std::time::Duration;

use ::postgres::{Client, Config, NoTls};

/// The lock's key, shared by every relay on a database: any constant no other lock uses.
const SCHEDULER_LOCK: i64 = 0x7468_7265_7368_0001;

pub struct Leadership {
    config: Config,
    /// The session holding the lock, while this relay holds it.
    held: Mutex<Option<Client>>,
}

impl Leadership {
    pub fn new(url: &str) -> Result<Self, super::DatabaseError> {
        let mut config: Config = url
            .parse()
            .map_err(|e: ::postgres::Error| super::DatabaseError::BadUrl(e.to_string()))?;
        config.connect_timeout(Duration::from_secs(5));
        Ok(Self {
            config,
            held: Mutex::new(None),
        })
    }

    /// Whether this relay holds the lock now, taking it if it is free. Blocking.
    pub fn hold(&self) -> bool {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = held.as_mut() {
            if client.is_valid(Duration::from_secs(2)).is_ok() {
                return true;
            }
            // The session is gone, and the lock with it: another relay may hold it now.
            tracing::warn!("lost the scheduler's lock with its database session");
            *held = None;
        }
        let Ok(mut client) = self.config.connect(NoTls) else {
            return false;
        };
        let taken = client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&SCHEDULER_LOCK])
            .map(|row| row.get::<_, bool>(0))
            .unwrap_or(false);
        if taken {
            tracing::info!("this relay sends the scheduled mail (it holds the scheduler's lock)");
            *held = Some(client);
        }
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_relay_holds_the_scheduler_and_another_takes_it_when_the_holder_is_gone() {
        let cluster = super::super::throwaway::Cluster::start().expect("starts PostgreSQL");
        let url = cluster.database("leader").expect("creates");
        let a = Leadership::new(&url).expect("url");
        let b = Leadership::new(&url).expect("url");
        assert!(a.hold(), "the first to ask holds it");
        assert!(a.hold(), "and keeps it");
        assert!(!b.hold(), "the other does not");
        drop(a);
        // The database ends the session a moment after the socket closes.
        let mut tries = 0;
        while !b.hold() {
            tries += 1;
            assert!(
                tries < 100,
                "once the holder's session ends, the other takes it"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

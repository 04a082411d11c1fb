//! Whether the database is known to be down, shared by every handle of one relay on its pool.
//!
//! The pool waits up to its connection timeout (seconds) for a connection before it gives up.
//! That is right for a database that is merely busy, but while it is down every caller would
//! wait the whole timeout for each failure, and the engine thread's group commit is one of
//! them: each failed commit would hold every document of the relay for that long, readers
//! included. So once a connection-level failure is seen (by a checkout, a query, or the
//! `LISTEN` connection dropping), checkouts stop waiting: they take a connection the pool
//! already holds, or fail at once. The pool keeps reconnecting in the background (it keeps a
//! minimum of idle connections), so the first checkout after the database returns finds one and
//! marks it up again, as does the listener reconnecting.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ::postgres::error::SqlState;
use ::postgres::NoTls;
use r2d2_postgres::PostgresConnectionManager;

use super::Pool;

pub type Connection = r2d2::PooledConnection<PostgresConnectionManager<NoTls>>;

/// Cheap to clone; every clone shares the one flag.
#[derive(Clone, Default, Debug)]
pub struct Health {
    down: Arc<AtomicBool>,
}

impl Health {
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }

    /// A connection to the database failed, or the database said it is shutting down.
    pub fn lost(&self) {
        if !self.down.swap(true, Ordering::AcqRel) {
            tracing::warn!("the database is down; storage fails at once until it answers again");
        }
    }

    /// A connection to the database works again.
    pub fn found(&self) {
        if self.down.swap(false, Ordering::AcqRel) {
            tracing::info!("the database answers again");
        }
    }

    /// A connection from `pool`: waiting the pool's timeout while the database is thought up,
    /// not at all while it is known down.
    pub fn checkout(&self, pool: &Pool) -> Result<Connection, r2d2::Error> {
        if !self.is_down() {
            return pool.get().inspect_err(|_| self.lost());
        }
        // A zero wait still asks the pool for a new connection, so it keeps trying to connect.
        let connection = pool.get_timeout(Duration::ZERO)?;
        self.found();
        Ok(connection)
    }

    /// Note a failed query: one that lost its connection, or that the database refused because
    /// it is shutting down, means the database is down. Other errors (a refused row) do not.
    pub fn note(&self, e: &::postgres::Error) {
        if connection_lost(e) {
            self.lost();
        }
    }
}

fn connection_lost(e: &::postgres::Error) -> bool {
    if e.is_closed() {
        return true;
    }
    match e.code() {
        // Class 08 (connection exception) and 57P01–57P03 (shutting down, cannot connect now).
        Some(code) => {
            code.code().starts_with("08")
                || [
                    SqlState::ADMIN_SHUTDOWN,
                    SqlState::CRASH_SHUTDOWN,
                    SqlState::CANNOT_CONNECT_NOW,
                ]
                .contains(code)
        }
        // No SQLSTATE: a failure of the socket is one; a value that did not convert is not.
        None => std::error::Error::source(e).is_some_and(|cause| cause.is::<std::io::Error>()),
    }
}

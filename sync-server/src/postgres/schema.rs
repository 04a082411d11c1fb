//! The database's schema, as numbered migrations applied at start.
//!
//! `schema_version` holds the number of the last migration applied. A relay applies the ones
//! it knows and the database lacks, in one transaction under an advisory lock, so several
//! relays starting at once apply each exactly once. A database whose version is newer than the
//! relay knows is refused: an older relay would misread what a newer one wrote.

use ::postgres::Client;

use super::DatabaseError;

/// Each migration, in order; the schema's version is how many have been applied. Never edit
/// one that has shipped: add another.
const MIGRATIONS: &[&str] = &[
    // 1: the key-value entries behind `Storage` (documents, authorship and history records),
    // and the access state (workspace and token records) as one JSON row, changed under a row
    // lock as the file is under its file lock.
    r#"
    CREATE TABLE entries (
        key text COLLATE "C" PRIMARY KEY,
        value bytea NOT NULL
    );
    CREATE TABLE access (
        id smallint PRIMARY KEY CHECK (id = 1),
        state jsonb NOT NULL
    );
    INSERT INTO access (id, state) VALUES (1, '{}');
    "#,
    // 2: the portal's files, shared by every relay (`blob_store.rs` says why `bytea`). The hash
    // is checked before a row is written and again when one is read.
    r#"
    CREATE TABLE blobs (
        hash text COLLATE "C" PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
        size bigint NOT NULL,
        content bytea NOT NULL
    );
    "#,
    // 3: one-time sign-in links, shared so a link sent through one relay works through any, and
    // once: redeeming is one `UPDATE … WHERE used_at IS NULL`. Times in milliseconds since 1970.
    r#"
    CREATE TABLE sign_in_links (
        hash text COLLATE "C" PRIMARY KEY,
        token_id text NOT NULL,
        expires_at bigint NOT NULL,
        used_at bigint
    );
    "#,
];

/// The schema version this relay writes.
pub const CURRENT: i32 = MIGRATIONS.len() as i32;

/// Any 64-bit number other users of the database are unlikely to pick.
const MIGRATION_LOCK: i64 = 0x7468_7265_7368_6f6c; // "threshol"

pub fn migrate(client: &mut Client) -> Result<(), DatabaseError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    // Quietly: a second start would otherwise log a notice that the table exists.
    tx.batch_execute(
        "SET LOCAL client_min_messages = warning; \
         CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)",
    )?;
    let found: i32 = match tx.query_opt("SELECT version FROM schema_version", &[])? {
        Some(row) => row.get(0),
        None => {
            tx.execute("INSERT INTO schema_version (version) VALUES (0)", &[])?;
            0
        }
    };
    if found > CURRENT {
        return Err(DatabaseError::SchemaTooNew {
            found,
            known: CURRENT,
        });
    }
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        tracing::info!(version = n + 1, "applying a database migration");
        tx.batch_execute(sql)?;
    }
    tx.execute("UPDATE schema_version SET version = $1", &[&CURRENT])?;
    tx.commit()?;
    Ok(())
}

/// The schema version the database holds (0 before any migration).
pub fn version(client: &mut Client) -> Result<i32, DatabaseError> {
    match client.query_opt("SELECT version FROM schema_version", &[]) {
        Ok(row) => Ok(row.map(|r| r.get(0)).unwrap_or(0)),
        // No table yet.
        Err(e) if e.code() == Some(&::postgres::error::SqlState::UNDEFINED_TABLE) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

//! PostgreSQL behind the relay's narrow storage traits (`serve --database-url`), so several
//! relay processes can serve the same documents and tokens.
//!
//! The client is the synchronous `postgres` crate with an `r2d2` pool, not `tokio-postgres`:
//! every caller of [`Storage`] is synchronous (the engine thread's group commit, the loader
//! threads, `spawn_blocking` readers), and an async client would need a runtime handle and a
//! `block_on` at each of them. The synchronous client must never be called on a runtime worker:
//! async code reaches it through `spawn_blocking` or `block_in_place`.
//!
//! Documents and the guard's records live in one key-value table, `entries`, with the same
//! keys as the files of the data dir ([`Storage`] is a key-value trait); its keys sort
//! bytewise (`COLLATE "C"`), as the filesystem storage's listings do.

pub mod health;
pub mod leader;
pub mod listen;
pub mod schema;
pub mod throwaway;

use std::collections::BTreeMap;
use std::time::Duration;

use ::postgres::NoTls;
use r2d2_postgres::PostgresConnectionManager;

use crate::storage::{check_key, Storage, StorageError};
pub use health::Health;

pub type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// Why the database could not be used at start.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("the database URL is not valid: {0}")]
    BadUrl(String),
    #[error("cannot reach the database: {0}")]
    Unreachable(String),
    #[error(
        "the database's schema is version {found}, newer than this relay knows ({known}); \
         run a newer relay, or restore a backup taken before the upgrade"
    )]
    SchemaTooNew { found: i32, known: i32 },
    #[error("the database refused a query: {0}")]
    Query(#[from] ::postgres::Error),
}

/// Connections one relay keeps: the engine thread, two loaders, the blob and API readers, and
/// the listener, with room to spare. Each PostgreSQL connection is a process there, so a relay
/// takes few.
const POOL_SIZE: u32 = 8;

/// How long a caller waits for a connection before the database counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connect, apply the schema migrations, and return the pool. Blocking: call it off the runtime.
pub fn open(url: &str) -> Result<Pool, DatabaseError> {
    let mut config: ::postgres::Config = url
        .parse()
        .map_err(|e: ::postgres::Error| DatabaseError::BadUrl(e.to_string()))?;
    config.connect_timeout(CONNECT_TIMEOUT);
    // One connection first, for a clear error: the pool's own would only say it timed out.
    let mut client = config
        .connect(NoTls)
        .map_err(|e| DatabaseError::Unreachable(error_text(&e)))?;
    schema::migrate(&mut client)?;
    drop(client);
    let manager = PostgresConnectionManager::new(config, NoTls);
    r2d2::Pool::builder()
        .max_size(POOL_SIZE)
        .min_idle(Some(1))
        .connection_timeout(CONNECT_TIMEOUT)
        // A connection the database dropped (a restart) is found out before it is handed out.
        .test_on_check_out(true)
        .build(manager)
        .map_err(|e| DatabaseError::Unreachable(e.to_string()))
}

/// The whole cause of a client error: `postgres::Error`'s own text is often just "db error".
pub fn error_text(e: &::postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

/// Whether the database refused for want of disk space (SQLSTATE 53100): it answers, but can
/// keep nothing until there is room, which is worth saying rather than "unavailable".
pub fn is_disk_full(e: &::postgres::Error) -> bool {
    e.code() == Some(&::postgres::error::SqlState::DISK_FULL)
}

/// Whether the database answers, for `/healthz`. Blocking, but at once while `health` knows
/// the database is down.
pub fn reachable(pool: &Pool, health: &Health) -> bool {
    let Ok(mut client) = health.checkout(pool) else {
        return false;
    };
    match client.simple_query("SELECT 1") {
        Ok(_) => true,
        Err(e) => {
            health.note(&e);
            false
        }
    }
}

/// The storage id every relay on this database gives clients: they all serve one storage, so a
/// client's sync state with it holds whichever relay it reaches. Made by the first relay.
pub fn storage_id(pool: &Pool) -> Result<String, DatabaseError> {
    let mut client = pool
        .get()
        .map_err(|e| DatabaseError::Unreachable(e.to_string()))?;
    let fresh = uuid::Uuid::new_v4().to_string();
    client.execute(
        "INSERT INTO entries (key, value) VALUES ('relay-storage-id', $1) \
         ON CONFLICT (key) DO NOTHING",
        &[&fresh.as_bytes()],
    )?;
    let row = client.query_one(
        "SELECT value FROM entries WHERE key = 'relay-storage-id'",
        &[],
    )?;
    let id: Vec<u8> = row.get(0);
    Ok(String::from_utf8_lossy(&id).trim().to_owned())
}

/// The channel on which a relay announces the document chunks each group commit stored.
pub const DOCS_CHANNEL: &str = "threshold_docs";

/// A `NOTIFY` payload may hold 8000 bytes; keys are about 80, so a batch of many documents is
/// announced in several.
const MAX_PAYLOAD: usize = 7000;

/// Document chunks and the guard's records, in the `entries` table.
#[derive(Clone)]
pub struct PgStorage {
    pool: Pool,
    /// Set on the relay's writing handle: its name, on the first line of each announcement, so
    /// it can ignore its own.
    announce_as: Option<String>,
    /// Shared with the relay's other handles on the pool: while the database is known down,
    /// every call fails at once instead of waiting for a connection (see `health.rs`).
    health: Health,
}

/// One announcement of stored chunks, as [`PgStorage::put_all`] sends it.
#[derive(Debug, PartialEq)]
pub struct Announcement {
    pub origin: String,
    pub keys: Vec<String>,
}

impl Announcement {
    pub fn parse(payload: &str) -> Option<Self> {
        let mut lines = payload.lines();
        let origin = lines.next()?.to_owned();
        Some(Self {
            origin,
            keys: lines.map(str::to_owned).collect(),
        })
    }
}

impl PgStorage {
    pub fn new(pool: Pool) -> Self {
        Self {
            pool,
            announce_as: None,
            health: Health::default(),
        }
    }

    /// A handle whose writes of document chunks are announced on [`DOCS_CHANNEL`] in the same
    /// transaction, so other relays hear of exactly the chunks that were committed.
    pub fn announcing(pool: Pool, origin: String) -> Self {
        Self {
            pool,
            announce_as: Some(origin),
            health: Health::default(),
        }
    }

    /// This handle, sharing `health` with the relay's other handles on the same pool.
    pub fn sharing(mut self, health: Health) -> Self {
        self.health = health;
        self
    }

    fn client(&self) -> Result<health::Connection, StorageError> {
        self.health
            .checkout(&self.pool)
            .map_err(|e| StorageError::Database(format!("no connection: {e}")))
    }

    /// A failed query's error, noting in `health` whether it means the database is down.
    fn db(&self) -> impl Fn(::postgres::Error) -> StorageError + '_ {
        |e| {
            self.health.note(&e);
            db(e)
        }
    }
}

/// `origin` then one key a line, in payloads of at most [`MAX_PAYLOAD`] bytes.
fn payloads<'a>(origin: &str, keys: impl Iterator<Item = &'a &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for key in keys {
        if !current.is_empty() && current.len() + key.len() + 1 > MAX_PAYLOAD {
            out.push(std::mem::take(&mut current));
        }
        if current.is_empty() {
            current.push_str(origin);
        }
        current.push('\n');
        current.push_str(key);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn db(e: ::postgres::Error) -> StorageError {
    if is_disk_full(&e) {
        return StorageError::DatabaseFull(error_text(&e));
    }
    StorageError::Database(error_text(&e))
}

/// The smallest string greater than every string that starts with `prefix`, for a range scan
/// the primary key's index serves (keys are ASCII, checked by `check_key`, and sort bytewise).
fn prefix_end(prefix: &str) -> String {
    let mut end = prefix.as_bytes().to_vec();
    while let Some(last) = end.pop() {
        if last < 0x7f {
            end.push(last + 1);
            return String::from_utf8(end).expect("ASCII");
        }
    }
    // Only an empty (or all-DEL) prefix: everything matches; U+FFFF sorts after any ASCII key.
    "\u{ffff}".to_owned()
}

impl Storage for PgStorage {
    fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let rows = self
            .client()?
            .query(
                "SELECT key FROM entries WHERE key >= $1 AND key < $2 ORDER BY key",
                &[&prefix, &prefix_end(prefix)],
            )
            .map_err(self.db())?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn load(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        let row = self
            .client()?
            .query_opt("SELECT value FROM entries WHERE key = $1", &[&key])
            .map_err(self.db())?;
        Ok(row.map(|r| r.get(0)))
    }

    fn put(&mut self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        self.put_all(&[(key.to_owned(), value.to_vec())])
    }

    /// Group commit: the whole batch in one statement and one transaction, so it costs one
    /// commit (one WAL flush) and is stored entirely or not at all.
    fn put_all(&mut self, entries: &[(String, Vec<u8>)]) -> Result<(), StorageError> {
        // One row per key, the latest value: an upsert may not touch a row twice.
        let mut latest: BTreeMap<&str, &[u8]> = BTreeMap::new();
        for (key, value) in entries {
            check_key(key)?;
            latest.insert(key, value);
        }
        if latest.is_empty() {
            return Ok(());
        }
        let keys: Vec<&str> = latest.keys().copied().collect();
        let values: Vec<&[u8]> = latest.values().copied().collect();
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(self.db())?;
        tx.execute(
            "INSERT INTO entries (key, value) SELECT * FROM unnest($1::text[], $2::bytea[]) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&keys, &values],
        )
        .map_err(self.db())?;
        if let Some(origin) = &self.announce_as {
            let chunks = keys.iter().filter(|k| k.starts_with("docs/"));
            for payload in payloads(origin, chunks) {
                tx.execute("SELECT pg_notify($1, $2)", &[&DOCS_CHANNEL, &payload])
                    .map_err(self.db())?;
            }
        }
        tx.commit().map_err(self.db())?;
        Ok(())
    }

    fn delete(&mut self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        self.client()?
            .execute("DELETE FROM entries WHERE key = $1", &[&key])
            .map_err(self.db())?;
        Ok(())
    }

    fn has_other_writers(&self) -> bool {
        true
    }

    /// In one transaction under the document's advisory lock, so two relays compacting the
    /// same document take turns: the second finds its snapshot deleted by the first (which
    /// found it covered) and deletes nothing, rather than each deleting the other's snapshot.
    fn delete_replaced(&mut self, snapshot: &str, old: &[&str]) -> Result<(), StorageError> {
        check_key(snapshot)?;
        for key in old {
            check_key(key)?;
        }
        let document = snapshot.rsplit_once('/').map_or(snapshot, |(doc, _)| doc);
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(self.db())?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            &[&document],
        )
        .map_err(self.db())?;
        let present = tx
            .query_opt("SELECT 1 FROM entries WHERE key = $1", &[&snapshot])
            .map_err(self.db())?
            .is_some();
        if present {
            tx.execute("DELETE FROM entries WHERE key = ANY($1)", &[&old])
                .map_err(self.db())?;
        }
        tx.commit().map_err(self.db())?;
        Ok(())
    }

    /// One query rather than a listing and a read per key.
    fn load_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let rows = self
            .client()?
            .query(
                "SELECT key, value FROM entries WHERE key >= $1 AND key < $2 ORDER BY key",
                &[&prefix, &prefix_end(prefix)],
            )
            .map_err(self.db())?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::tests::exercise;
    use threshold_protocol::automerge::transaction::Transactable;
    use threshold_protocol::automerge::{AutoCommit, ROOT};
    use threshold_protocol::storage_key::doc_prefix;
    use threshold_protocol::{Chunk, DocumentId};

    fn storage(cluster: &throwaway::Cluster, name: &str) -> (PgStorage, String) {
        let url = cluster.database(name).expect("creates a database");
        (PgStorage::new(open(&url).expect("opens and migrates")), url)
    }

    fn edit(doc: &mut AutoCommit, key: &str) -> Vec<u8> {
        let before = doc.get_heads();
        doc.put(ROOT, key, true).expect("put");
        doc.save_after(&before)
    }

    #[test]
    fn postgres_storage_passes_the_storage_conformance_tests_and_group_commit() {
        let cluster = throwaway::Cluster::start().expect("starts PostgreSQL");
        exercise(&mut storage(&cluster, "conformance").0);

        // The relay's group commit, with a snapshot that compacts older chunks.
        let (mut pg, _) = storage(&cluster, "group_commit");
        let id = DocumentId::random();
        let mut doc = AutoCommit::new();
        let first = vec![(id, Chunk::Incremental(edit(&mut doc, "old")))];
        let records = [("authors/x.json".to_owned(), b"[]".to_vec())];
        crate::doc_store::save_batch(&mut pg, first, &records).expect("first batch");
        let saves = vec![
            (id, Chunk::Incremental(edit(&mut doc, "before"))),
            (id, Chunk::Snapshot(doc.save())),
            (id, Chunk::Incremental(edit(&mut doc, "after"))),
        ];
        crate::doc_store::save_batch(&mut pg, saves, &[]).expect("second batch");
        assert_eq!(pg.list(&doc_prefix(&id)).expect("lists").len(), 2);
        let mut loaded = AutoCommit::new();
        for chunk in crate::doc_store::load(&pg, &id).expect("loads").chunks {
            loaded.load_incremental(&chunk).expect("chunk loads");
        }
        assert_eq!(loaded.get_heads(), doc.get_heads());
        assert_eq!(
            pg.load("authors/x.json").expect("loads").as_deref(),
            Some(&b"[]"[..])
        );
    }

    #[test]
    fn a_failed_batch_stores_nothing_and_a_stopped_database_fails_writes_at_once_until_it_returns()
    {
        let cluster = throwaway::Cluster::start().expect("starts PostgreSQL");
        let (mut pg, url) = storage(&cluster, "faults");
        // A fault inside the database halfway through a batch (a trigger refusing one row).
        let mut client = ::postgres::Client::connect(&url, NoTls).expect("connects");
        client
            .batch_execute(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN \
                   IF NEW.key = 'docs/a/poison' THEN RAISE EXCEPTION 'refused'; END IF; \
                   RETURN NEW; END $$ LANGUAGE plpgsql; \
                 CREATE TRIGGER refuse BEFORE INSERT ON entries \
                   FOR EACH ROW EXECUTE FUNCTION refuse();",
            )
            .expect("adds the trigger");
        let batch = vec![
            ("docs/a/one".to_owned(), b"1".to_vec()),
            ("docs/a/two".to_owned(), b"2".to_vec()),
        ];
        let mut bad = batch.clone();
        bad.push(("docs/a/poison".to_owned(), b"x".to_vec()));
        assert!(matches!(pg.put_all(&bad), Err(StorageError::Database(_))));
        assert!(
            pg.list("docs/a/").expect("lists").is_empty(),
            "all or nothing"
        );

        assert!(!pg.health.is_down(), "a refused row is not an outage");

        pg.put_all(&batch).expect("stores");
        drop(client);
        cluster.stop().expect("stops");
        let three = [("docs/a/three".to_owned(), b"3".to_vec())];
        let failed = pg.put_all(&three);
        assert!(
            matches!(failed, Err(StorageError::Database(_))),
            "{failed:?}"
        );
        assert!(pg.health.is_down(), "the failure showed the database down");
        // Known down, writes fail without waiting for a connection: ten of them fail while a
        // checkout that waits the pool's timeout is still waiting.
        let (done, waited) = std::sync::mpsc::channel();
        let pool = pg.pool.clone();
        let yardstick = std::thread::spawn(move || {
            let _ = pool.get();
            let _ = done.send(());
        });
        for _ in 0..10 {
            assert!(pg.put_all(&three).is_err());
        }
        assert!(
            waited.try_recv().is_err(),
            "ten writes failed before one checkout timed out"
        );
        yardstick.join().expect("yardstick");

        cluster.start_server().expect("restarts");
        // The pool reconnects in the background; the first checkout that finds a connection
        // marks the database up again.
        let mut tries = 0;
        while pg.put_all(&three).is_err() {
            tries += 1;
            assert!(tries < 300, "storage works again once the database is back");
            std::thread::sleep(Duration::from_millis(100));
        }
        assert!(!pg.health.is_down());
        assert_eq!(pg.list("docs/a/").expect("lists").len(), 3);
    }

    #[test]
    fn an_unreachable_database_and_a_newer_schema_are_refused_clearly() {
        let cluster = throwaway::Cluster::start().expect("starts PostgreSQL");
        let url = cluster.database("newer").expect("creates");
        open(&url).expect("migrates");
        open(&url).expect("a second start applies nothing twice");
        let mut client = ::postgres::Client::connect(&url, NoTls).expect("connects");
        assert_eq!(
            schema::version(&mut client).expect("reads"),
            schema::CURRENT
        );
        client
            .execute("UPDATE schema_version SET version = version + 1", &[])
            .expect("bumps");
        let Err(err) = open(&url) else {
            panic!("refused")
        };
        assert!(matches!(err, DatabaseError::SchemaTooNew { .. }), "{err}");
        assert!(err.to_string().contains("newer than this relay knows"));
        drop(client);
        cluster.stop().expect("stops");
        let Err(err) = open(&url) else {
            panic!("refused")
        };
        assert!(matches!(err, DatabaseError::Unreachable(_)), "{err}");
    }

    /// A storage that runs `before_list` once, on its first listing: how a test puts another
    /// relay's write between a group commit's snapshot and compaction's listing.
    struct ListHook<S> {
        inner: S,
        before_list: std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>,
    }

    impl<S: Storage> Storage for ListHook<S> {
        fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
            let hook = self.before_list.lock().expect("hook").take();
            if let Some(hook) = hook {
                hook();
            }
            self.inner.list(prefix)
        }
        fn load(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
            self.inner.load(key)
        }
        fn put(&mut self, key: &str, value: &[u8]) -> Result<(), StorageError> {
            self.inner.put(key, value)
        }
        fn delete(&mut self, key: &str) -> Result<(), StorageError> {
            self.inner.delete(key)
        }
        fn put_all(&mut self, entries: &[(String, Vec<u8>)]) -> Result<(), StorageError> {
            self.inner.put_all(entries)
        }
        fn has_other_writers(&self) -> bool {
            self.inner.has_other_writers()
        }
        fn delete_replaced(&mut self, snapshot: &str, old: &[&str]) -> Result<(), StorageError> {
            self.inner.delete_replaced(snapshot, old)
        }
    }

    #[test]
    fn compaction_keeps_a_chunk_another_relay_wrote_between_the_snapshot_and_the_listing() {
        use std::sync::{Arc, Barrier};
        use threshold_protocol::automerge::ReadDoc;

        let cluster = throwaway::Cluster::start().expect("starts PostgreSQL");
        let (pg_a, url) = storage(&cluster, "compaction");
        let mut pg_b = PgStorage::new(open(&url).expect("opens"));
        let id = DocumentId::random();
        let mut a = AutoCommit::new();
        let first = vec![(id, Chunk::Incremental(edit(&mut a, "first")))];
        crate::doc_store::save_batch(&mut pg_a.clone(), first, &[]).expect("first batch");
        // Relay B holds the document too, and changes it; relay A changes it and takes a
        // snapshot before it has heard of B's change.
        let mut b = a.fork();
        let from_b = edit(&mut b, "from_b");
        let from_a = edit(&mut a, "from_a");
        let snapshot = a.save();

        // B's group commit runs after A's put its snapshot and before A lists what it replaces.
        let turn = Arc::new(Barrier::new(2));
        let writer = std::thread::spawn({
            let turn = turn.clone();
            move || {
                turn.wait();
                let saves = vec![(id, Chunk::Incremental(from_b))];
                crate::doc_store::save_batch(&mut pg_b, saves, &[]).expect("B's batch");
                turn.wait();
            }
        });
        let mut hooked = ListHook {
            inner: pg_a.clone(),
            before_list: std::sync::Mutex::new(Some(Box::new(move || {
                turn.wait();
                turn.wait();
            }))),
        };
        let saves = vec![
            (id, Chunk::Incremental(from_a)),
            (id, Chunk::Snapshot(snapshot)),
        ];
        crate::doc_store::save_batch(&mut hooked, saves, &[]).expect("A's batch");
        writer.join().expect("B's thread");

        let mut loaded = AutoCommit::new();
        for chunk in crate::doc_store::load(&pg_a, &id).expect("loads").chunks {
            loaded.load_incremental(&chunk).expect("chunk loads");
        }
        for key in ["first", "from_a", "from_b"] {
            assert!(
                loaded.get(ROOT, key).expect("reads").is_some(),
                "{key} is stored"
            );
        }
        assert_eq!(
            pg_a.list(&doc_prefix(&id)).expect("lists").len(),
            2,
            "the chunk the snapshot covers is compacted away; B's and the snapshot stay"
        );
    }

    #[test]
    fn two_relays_compacting_one_document_never_delete_each_others_snapshot() {
        let cluster = throwaway::Cluster::start().expect("starts PostgreSQL");
        let (mut pg_a, url) = storage(&cluster, "snapshots");
        let mut pg_b = PgStorage::new(open(&url).expect("opens"));
        let (snap_a, snap_b) = ("docs/d/snapshot-a", "docs/d/snapshot-b");
        pg_a.put_all(&[
            (snap_a.to_owned(), b"a".to_vec()),
            (snap_b.to_owned(), b"b".to_vec()),
        ])
        .expect("stores both");
        // Each relay found the other's snapshot covered by its own; A compacts first.
        pg_a.delete_replaced(snap_a, &[snap_b]).expect("A compacts");
        pg_b.delete_replaced(snap_b, &[snap_a]).expect("B compacts");
        assert_eq!(
            pg_a.list("docs/d/").expect("lists"),
            vec![snap_a.to_owned()]
        );
    }

    #[test]
    fn a_prefix_range_covers_exactly_the_keys_that_start_with_it() {
        assert_eq!(prefix_end("docs/abc/"), "docs/abc0");
        assert!("docs/abc/zzz".as_bytes() < prefix_end("docs/abc/").as_bytes());
        assert!("docs/abd".as_bytes() >= prefix_end("docs/abc/").as_bytes());
    }
}

//! The relay's blob store: file contents, named by their SHA-256, under `<data dir>/blobs/`.
//!
//! `blobs/<first two hex digits>/<sha256>` holds a blob; `blobs/.incoming/` holds uploads in
//! progress. An upload is written to a temporary file while its hash is computed, synced, and
//! renamed into place only if the hash matches and it stayed under the size limit, so no
//! partial blob is ever visible. Temporary files left by a crash are removed at start.
//!
//! With a database (`serve --database-url`), the `blobs` table is the store every relay shares
//! and the data dir's `blobs/` is this relay's cache of it: an upload is checked and written
//! here as above, then inserted, and acknowledged only once committed; a blob another relay
//! stored is read from the table, checked against its hash again, and written here before it is
//! served. Blobs never change under their hash, so a cached copy can never be stale, and files
//! are still served from disk with byte ranges.
//!
//! The table holds each blob as `bytea`, not as a large object: a row is inserted, backed up by
//! `pg_dump` and deleted like any other, with no `lo_unlink` bookkeeping or orphaned objects,
//! and TOAST compresses and chunks it. Its cost is that a blob travels to and from the database
//! whole, in memory: bounded by `--max-blob-bytes` (50 MiB by default), far below `bytea`'s 1 GB.

use std::io;
use std::path::{Path, PathBuf};

use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use ::postgres::NoTls;

use crate::postgres::Pool;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the file is larger than this relay accepts ({limit} bytes at most)")]
    TooLarge { limit: u64 },
    #[error("the content's SHA-256 is {actual}, not {expected}")]
    HashMismatch { expected: String, actual: String },
    #[error("the upload was interrupted: {0}")]
    Body(String),
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("the database failed: {0}")]
    Database(String),
    #[error("the database's disk is full: {0}")]
    DatabaseFull(String),
}

#[derive(Clone)]
pub struct BlobStore {
    dir: PathBuf,
    max_bytes: u64,
    /// The blobs every relay on the database shares; `dir` is then a cache of it.
    shared: Option<Pool>,
}

impl BlobStore {
    /// Open the store under `data_dir`, removing uploads a crash left half-written.
    pub fn open(data_dir: &Path, max_bytes: u64) -> io::Result<Self> {
        let dir = data_dir.join("blobs");
        let incoming = dir.join(".incoming");
        std::fs::create_dir_all(&incoming)?;
        for entry in std::fs::read_dir(&incoming)? {
            let entry = entry?;
            tracing::info!(path = %entry.path().display(), "removing an interrupted upload");
            let _ = std::fs::remove_file(entry.path());
        }
        Ok(Self {
            dir,
            max_bytes,
            shared: None,
        })
    }

    /// Keep blobs in the database's `blobs` table, shared with every relay on it.
    pub fn shared(mut self, pool: Pool) -> Self {
        self.shared = Some(pool);
        self
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Where the blob `hash` lives. `hash` must already be checked as 64 lowercase hex digits.
    pub fn path(&self, hash: &str) -> PathBuf {
        self.dir.join(&hash[..2]).join(hash)
    }

    /// Whether the blob is stored: in the database if there is one (a copy in this relay's cache
    /// may be from an upload whose insert a crash cut short), else on disk.
    pub async fn contains(&self, hash: &str) -> Result<bool, BlobError> {
        let Some(pool) = self.shared.clone() else {
            return Ok(self.path(hash).is_file());
        };
        let hash = hash.to_owned();
        blocking(move || {
            let row = client(&pool)?
                .query_opt("SELECT 1 FROM blobs WHERE hash = $1", &[&hash])
                .map_err(db)?;
            Ok(row.is_some())
        })
        .await
    }

    /// The blob's file on this relay's disk, fetched from the database into the cache first
    /// when another relay stored it; `None` when it is stored nowhere.
    pub async fn local(&self, hash: &str) -> Result<Option<PathBuf>, BlobError> {
        let path = self.path(hash);
        if path.is_file() {
            return Ok(Some(path));
        }
        let Some(pool) = self.shared.clone() else {
            return Ok(None);
        };
        let wanted = hash.to_owned();
        let content: Option<Vec<u8>> = blocking(move || {
            let row = client(&pool)?
                .query_opt("SELECT content FROM blobs WHERE hash = $1", &[&wanted])
                .map_err(db)?;
            Ok(row.map(|r| r.get(0)))
        })
        .await?;
        let Some(content) = content else {
            return Ok(None);
        };
        // Checked again on the way in (`write_checked`): a row altered in the database is
        // refused rather than served under a hash it does not have. No size limit: another
        // relay may have accepted it under a larger one.
        let body = futures_util::stream::iter([Ok::<_, io::Error>(Bytes::from(content))]);
        self.write_checked(hash, body, u64::MAX).await?;
        Ok(Some(path))
    }

    /// Store `body` as the blob `hash`. Nothing is visible under `hash` unless all of it
    /// arrived, hashed to `hash`, and was synced to disk, and, with a database, committed there.
    pub async fn put<E: std::fmt::Display>(
        &self,
        hash: &str,
        body: impl Stream<Item = Result<Bytes, E>> + Unpin,
    ) -> Result<u64, BlobError> {
        let size = self.write_checked(hash, body, self.max_bytes).await?;
        let Some(pool) = self.shared.clone() else {
            return Ok(size);
        };
        let path = self.path(hash);
        let key = hash.to_owned();
        let inserted = blocking(move || {
            let content = std::fs::read(&path)?;
            client(&pool)?
                .execute(
                    "INSERT INTO blobs (hash, size, content) VALUES ($1, $2, $3) \
                     ON CONFLICT (hash) DO NOTHING",
                    &[&key, &(content.len() as i64), &content],
                )
                .map_err(db)?;
            Ok(())
        })
        .await;
        if let Err(e) = inserted {
            // Not kept here either, so the next upload of it stores it in the database.
            let _ = tokio::fs::remove_file(self.path(hash)).await;
            return Err(e);
        }
        Ok(size)
    }

    /// Write `body` to this relay's disk as the blob `hash`, if it hashes to `hash` and stays
    /// within `limit` bytes.
    async fn write_checked<E: std::fmt::Display>(
        &self,
        hash: &str,
        mut body: impl Stream<Item = Result<Bytes, E>> + Unpin,
        limit: u64,
    ) -> Result<u64, BlobError> {
        let temp = Incoming::new(
            self.dir
                .join(".incoming")
                .join(uuid::Uuid::new_v4().to_string()),
        );
        let mut file = tokio::fs::File::create(&temp.0).await?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| BlobError::Body(e.to_string()))?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(BlobError::TooLarge { limit });
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await?;
        }
        let actual = hex(&hasher.finalize());
        if actual != hash {
            return Err(BlobError::HashMismatch {
                expected: hash.to_owned(),
                actual,
            });
        }
        file.sync_all().await?;
        drop(file);
        let target = self.path(hash);
        let parent = target.parent().unwrap_or(&self.dir).to_owned();
        tokio::fs::create_dir_all(&parent).await?;
        tokio::fs::rename(&temp.0, &target).await?;
        temp.keep();
        // The rename is durable only once the directory is synced.
        tokio::task::spawn_blocking(move || std::fs::File::open(&parent)?.sync_all())
            .await
            .map_err(io::Error::other)??;
        Ok(size)
    }
}

/// Run the synchronous database client off the runtime's workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, BlobError> + Send + 'static,
) -> Result<T, BlobError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| BlobError::Database(e.to_string()))?
}

fn client(
    pool: &Pool,
) -> Result<r2d2::PooledConnection<r2d2_postgres::PostgresConnectionManager<NoTls>>, BlobError> {
    pool.get()
        .map_err(|e| BlobError::Database(format!("no connection: {e}")))
}

fn db(e: ::postgres::Error) -> BlobError {
    if crate::postgres::is_disk_full(&e) {
        return BlobError::DatabaseFull(crate::postgres::error_text(&e));
    }
    BlobError::Database(crate::postgres::error_text(&e))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A temporary upload file, removed when dropped unless it was renamed into place.
struct Incoming(PathBuf, bool);

impl Incoming {
    fn new(path: PathBuf) -> Self {
        Self(path, false)
    }

    fn keep(mut self) {
        self.1 = true;
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        if !self.1 {
            let _ = std::fs::remove_file(&self.0);
        }
    }
}

//! The relay's blob store: file contents, named by their SHA-256, under `<data dir>/blobs/`.
//!
//! `blobs/<first two hex digits>/<sha256>` holds a blob; `blobs/.incoming/` holds uploads in
//! progress. An upload is written to a temporary file while its hash is computed, synced, and
//! renamed into place only if the hash matches and it stayed under the size limit, so no
//! partial blob is ever visible. Temporary files left by a crash are removed at start.

use std::io;
use std::path::{Path, PathBuf};

use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

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
}

#[derive(Clone, Debug)]
pub struct BlobStore {
    dir: PathBuf,
    max_bytes: u64,
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
        Ok(Self { dir, max_bytes })
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Where the blob `hash` lives. `hash` must already be checked as 64 lowercase hex digits.
    pub fn path(&self, hash: &str) -> PathBuf {
        self.dir.join(&hash[..2]).join(hash)
    }

    pub fn contains(&self, hash: &str) -> bool {
        self.path(hash).is_file()
    }

    /// Store `body` as the blob `hash`. Nothing is visible under `hash` unless all of it
    /// arrived, hashed to `hash`, and was synced to disk.
    pub async fn put<E: std::fmt::Display>(
        &self,
        hash: &str,
        mut body: impl Stream<Item = Result<Bytes, E>> + Unpin,
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
            if size > self.max_bytes {
                return Err(BlobError::TooLarge {
                    limit: self.max_bytes,
                });
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

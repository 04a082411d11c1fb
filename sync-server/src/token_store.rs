//! The relay's access file (`<data dir>/access.json`): the workspace id and every token record.
//!
//! Both the running relay and the offline `sync-server token …` commands change it. Every change
//! takes an exclusive lock (`access.lock`), re-reads the file, applies itself, and writes the
//! whole file atomically, so neither side overwrites the other. The relay re-reads the file when
//! it changes underneath it (see `server::watch_access_file`), which is how a revocation made
//! from the command line cuts open connections.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use threshold_model::access::{NewToken, Role};
use threshold_protocol::DocumentId;

use crate::postgres::{self as pg, Pool};
use crate::storage::write_atomically;
use crate::token::{hash_secret, mint, Minted, TokenError, TokenRecord};

const ACCESS_FILE: &str = "access.json";
const LOCK_FILE: &str = "access.lock";
/// The PostgreSQL channel a change of the access state is announced on.
pub const ACCESS_CHANNEL: &str = "threshold_access";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessState {
    /// The provider's workspace document, registered by the first provider browser so that
    /// every other provider device opens the same one.
    #[serde(default, with = "threshold_model::access::optional_doc_id")]
    pub workspace: Option<DocumentId>,
    #[serde(default)]
    pub tokens: Vec<TokenRecord>,
}

impl AccessState {
    /// The active token whose secret this is.
    pub fn authenticate(&self, secret: &str) -> Option<&TokenRecord> {
        let hash = hash_secret(secret);
        self.tokens
            .iter()
            .find(|t| t.is_active() && constant_time_eq(t.hash.as_bytes(), hash.as_bytes()))
    }

    pub fn find(&self, id: &str) -> Option<&TokenRecord> {
        self.tokens.iter().find(|t| t.id == id)
    }

    fn find_mut(&mut self, id: &str) -> Result<&mut TokenRecord, StoreError> {
        self.tokens
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| StoreError::NoSuchToken(id.to_owned()))
    }

    /// Refuse a change that took away the last owner token able to write (the change is then
    /// not written): without one, only the command line could manage access again.
    fn keep_an_owner(&self, changed_an_owner: bool) -> Result<(), StoreError> {
        let owners = self.tokens.iter().filter(|t| t.is_writing_owner()).count();
        if changed_an_owner && owners == 0 {
            return Err(StoreError::LastOwner);
        }
        Ok(())
    }
}

/// Comparing hashes in constant time costs nothing and removes a timing question entirely.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("no token has the id `{0}`")]
    NoSuchToken(String),
    #[error("the token `{0}` is revoked")]
    Revoked(String),
    #[error("this is the last owner token that can write; mint another owner token first")]
    LastOwner,
    #[error("the workspace is already {0}")]
    WorkspaceTaken(DocumentId),
    #[error("the access file {path} is unreadable: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("could not write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database failed: {0}")]
    Database(String),
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        StoreError::Database(pg::error_text(&e))
    }
}

impl StoreError {
    /// Whether the disk, not the request, is at fault (a full disk, a read-only mount).
    pub fn is_io(&self) -> bool {
        matches!(self, StoreError::Io { .. } | StoreError::Database(_))
    }
}

/// Where the access state is kept.
#[derive(Clone)]
enum Backend {
    /// `access.json` in this data dir.
    File,
    /// The `access` row of this database.
    Database(Pool),
}

/// The access file, shared by every request handler of the relay.
#[derive(Clone)]
pub struct TokenStore {
    dir: PathBuf,
    backend: Backend,
    state: Arc<RwLock<AccessState>>,
    /// The access file's modification time and length when it was last read.
    stamp: Arc<Mutex<Option<(SystemTime, u64)>>>,
}

impl TokenStore {
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            path: data_dir.to_owned(),
            source,
        })?;
        let state = read_file(&data_dir.join(ACCESS_FILE))?;
        Ok(Self {
            dir: data_dir.to_owned(),
            backend: Backend::File,
            state: Arc::new(RwLock::new(state)),
            stamp: Arc::new(Mutex::new(file_stamp(&data_dir.join(ACCESS_FILE)))),
        })
    }

    /// The access state in a database (already migrated by [`pg::open`]), shared by every
    /// relay on it. Blocking.
    pub fn open_database(pool: Pool) -> Result<Self, StoreError> {
        let state = read_row(&pool)?;
        Ok(Self {
            dir: PathBuf::new(),
            backend: Backend::Database(pool),
            state: Arc::new(RwLock::new(state)),
            stamp: Arc::new(Mutex::new(None)),
        })
    }

    /// Whether the state is in a database (announced with `NOTIFY`) rather than a file.
    pub fn in_database(&self) -> bool {
        matches!(self.backend, Backend::Database(_))
    }

    pub fn snapshot(&self) -> AccessState {
        self.state.read().expect("access state lock").clone()
    }

    /// The active token with this secret. A token minted a moment ago from the command line
    /// is found too: on an unknown secret the file is re-read if it changed since the last read
    /// (one `stat`, so a flood of bad tokens costs little more than a hash each).
    pub fn authenticate(&self, secret: &str) -> Option<TokenRecord> {
        let known = self
            .state
            .read()
            .expect("access state lock")
            .authenticate(secret)
            .cloned();
        if known.is_some() {
            return known;
        }
        // In a database, a token minted on another relay a moment ago may not have been
        // announced yet: the row is read again (the unauthenticated rate limit bounds how often).
        let current = file_stamp(&self.dir.join(ACCESS_FILE));
        if !self.in_database() && *self.stamp.lock().expect("stamp lock") == current {
            return None;
        }
        if let Err(e) = self.reload() {
            tracing::error!(error = %e, "could not re-read the access file");
            return None;
        }
        self.state
            .read()
            .expect("access state lock")
            .authenticate(secret)
            .cloned()
    }

    /// Re-read the file if another process changed it. Returns whether anything changed.
    ///
    /// Under the file lock, like every change: read without it, a change this process made
    /// between the read and the update below (an invite minted through the API) would be
    /// replaced by the older content, and the new token would be unknown here until the next
    /// reload.
    pub fn reload(&self) -> Result<bool, StoreError> {
        let fresh = match &self.backend {
            Backend::File => {
                let _lock = self.lock()?;
                let path = self.dir.join(ACCESS_FILE);
                let stamp = file_stamp(&path);
                let fresh = read_file(&path)?;
                *self.stamp.lock().expect("stamp lock") = stamp;
                fresh
            }
            Backend::Database(pool) => blocking(|| read_row(pool))?,
        };
        let mut state = self.state.write().expect("access state lock");
        if *state == fresh {
            return Ok(false);
        }
        *state = fresh;
        Ok(true)
    }

    /// The access file's lock, shared with the command line: held until the guard is dropped.
    fn lock(&self) -> Result<fs::File, StoreError> {
        let lock_path = self.dir.join(LOCK_FILE);
        let io = |source| StoreError::Io {
            path: lock_path.clone(),
            source,
        };
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io)?;
        lock.lock().map_err(io)?;
        Ok(lock)
    }

    /// Lock the file, apply `change` to its latest content, and write it back whole.
    fn modify<R>(
        &self,
        change: impl FnOnce(&mut AccessState) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        if let Backend::Database(pool) = &self.backend {
            return blocking(|| self.modify_row(pool, change));
        }
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Io { path, source }
        };
        let lock = self.lock()?;
        let path = self.dir.join(ACCESS_FILE);
        let mut state = read_file(&path)?;
        let result = change(&mut state)?;
        let json = serde_json::to_vec_pretty(&state).expect("access state serializes");
        write_atomically(&path, &json).map_err(io(&path))?;
        *self.state.write().expect("access state lock") = state;
        // The lock is released when `lock` is dropped, after the new state is visible.
        drop(lock);
        Ok(result)
    }

    /// [`Self::modify`] on the database row: the row lock serializes every relay's changes, and
    /// the `NOTIFY` is delivered to the others only if the change commits.
    fn modify_row<R>(
        &self,
        pool: &Pool,
        change: impl FnOnce(&mut AccessState) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        let mut client = pool
            .get()
            .map_err(|e| StoreError::Database(format!("no connection: {e}")))?;
        let mut tx = client.transaction()?;
        let row = tx.query_one(
            "SELECT state::text FROM access WHERE id = 1 FOR UPDATE",
            &[],
        )?;
        let mut state = parse_row(row.get(0))?;
        let result = change(&mut state)?;
        let json = serde_json::to_string(&state).expect("access state serializes");
        tx.execute(
            "UPDATE access SET state = $1::text::jsonb WHERE id = 1",
            &[&json],
        )?;
        tx.execute("SELECT pg_notify($1, '')", &[&ACCESS_CHANNEL])?;
        tx.commit()?;
        *self.state.write().expect("access state lock") = state;
        Ok(result)
    }

    pub fn create(&self, request: NewToken) -> Result<Minted, StoreError> {
        let minted = mint(request, Utc::now())?;
        let record = minted.record.clone();
        self.modify(move |state| {
            state.tokens.push(record);
            Ok(())
        })?;
        Ok(minted)
    }

    /// Revoke a token (kept, marked, for the record). Revoking twice is not an error.
    pub fn revoke(&self, id: &str) -> Result<TokenRecord, StoreError> {
        self.modify(|state| {
            let record = state.find_mut(id)?;
            if record.revoked_at.is_some() {
                return Ok(record.clone());
            }
            let was_owner = record.is_writing_owner();
            record.revoked_at = Some(Utc::now());
            let revoked = record.clone();
            state.keep_an_owner(was_owner)?;
            Ok(revoked)
        })
    }

    pub fn set_read_only(&self, id: &str, read_only: bool) -> Result<TokenRecord, StoreError> {
        self.modify(|state| {
            let record = state.find_mut(id)?;
            if record.revoked_at.is_some() {
                return Err(StoreError::Revoked(id.to_owned()));
            }
            let was_owner = record.is_writing_owner();
            record.read_only = read_only;
            let changed = record.clone();
            state.keep_an_owner(was_owner)?;
            Ok(changed)
        })
    }

    /// Turn every client token of a portal read-only (offboarding complete) or back.
    pub fn set_portal_read_only(
        &self,
        portal: DocumentId,
        read_only: bool,
    ) -> Result<Vec<TokenRecord>, StoreError> {
        self.modify(|state| {
            let mut changed = Vec::new();
            for record in state.tokens.iter_mut() {
                if record.role == Role::Client && record.portal == Some(portal) {
                    record.read_only = read_only;
                    changed.push(record.clone());
                }
            }
            Ok(changed)
        })
    }

    /// Remember where the holder of token `id` is (their UTC offset, in minutes). Writes only
    /// when it changed, so a session start costs a read.
    pub fn set_utc_offset(&self, id: &str, minutes: i32) -> Result<(), StoreError> {
        if self.snapshot().find(id).and_then(|t| t.utc_offset_minutes) == Some(minutes) {
            return Ok(());
        }
        self.modify(|state| {
            state.find_mut(id)?.utc_offset_minutes = Some(minutes);
            Ok(())
        })
    }

    /// Register the workspace once; registering the same id again is fine.
    pub fn register_workspace(&self, workspace: DocumentId) -> Result<(), StoreError> {
        self.modify(|state| match state.workspace {
            Some(existing) if existing != workspace => Err(StoreError::WorkspaceTaken(existing)),
            _ => {
                state.workspace = Some(workspace);
                Ok(())
            }
        })
    }
}

/// Run blocking database work from anywhere: the synchronous client must not run on a runtime
/// worker, and the request handlers that change tokens are async.
fn blocking<R>(work: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

fn read_row(pool: &Pool) -> Result<AccessState, StoreError> {
    let mut client = pool
        .get()
        .map_err(|e| StoreError::Database(format!("no connection: {e}")))?;
    let row = client.query_one("SELECT state::text FROM access WHERE id = 1", &[])?;
    parse_row(row.get(0))
}

fn parse_row(json: &str) -> Result<AccessState, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        path: PathBuf::from("the database's access row"),
        reason: e.to_string(),
    })
}

fn file_stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn read_file(path: &Path) -> Result<AccessState, StoreError> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
            path: path.to_owned(),
            reason: e.to_string(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AccessState::default()),
        Err(source) => Err(StoreError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> NewToken {
        NewToken {
            role: Role::Owner,
            portal: None,
            read_only: false,
            name: "Owner".into(),
            email: None,
        }
    }

    #[test]
    fn two_handles_on_one_data_dir_never_overwrite_each_other() {
        let dir = tempfile::tempdir().expect("temp dir");
        let relay = TokenStore::open(dir.path()).expect("opens");
        let cli = TokenStore::open(dir.path()).expect("opens");
        let a = relay.create(owner()).expect("creates");
        let b = cli.create(owner()).expect("creates");
        assert!(relay.reload().expect("reloads"));
        let state = relay.snapshot();
        assert_eq!(state.tokens.len(), 2);
        assert!(relay.authenticate(&a.secret).is_some());
        assert!(relay.authenticate(&b.secret).is_some());
        let raw = fs::read_to_string(dir.path().join(ACCESS_FILE)).expect("file");
        assert!(!raw.contains(&a.secret) && !raw.contains(&b.secret));
    }

    #[test]
    fn a_revoked_token_no_longer_authenticates_and_the_last_owner_stays() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = TokenStore::open(dir.path()).expect("opens");
        let first = store.create(owner()).expect("creates");
        assert!(matches!(
            store.revoke(&first.record.id),
            Err(StoreError::LastOwner)
        ));
        let second = store.create(owner()).expect("creates");
        store.revoke(&first.record.id).expect("revokes");
        assert!(store.authenticate(&first.secret).is_none());
        assert!(store.authenticate(&second.secret).is_some());
    }

    #[test]
    fn two_relays_on_one_database_share_tokens_and_a_revocation() {
        let cluster = crate::postgres::throwaway::Cluster::start().expect("starts PostgreSQL");
        let url = cluster.database("tokens").expect("creates");
        let relay_a = TokenStore::open_database(crate::postgres::open(&url).unwrap()).unwrap();
        let relay_b = TokenStore::open_database(crate::postgres::open(&url).unwrap()).unwrap();
        let a = relay_a.create(owner()).expect("creates");
        let b = relay_b
            .create(owner())
            .expect("creates on the other, not over the first");
        assert!(
            relay_b.authenticate(&a.secret).is_some(),
            "a token minted on another relay is found at once"
        );
        assert!(relay_a.reload().expect("reloads"));
        assert_eq!(relay_a.snapshot().tokens.len(), 2);
        relay_b.revoke(&a.record.id).expect("revokes");
        assert!(relay_a.reload().expect("reloads"));
        assert!(relay_a.authenticate(&a.secret).is_none());
        assert!(relay_a.authenticate(&b.secret).is_some());
    }

    #[test]
    fn the_workspace_is_registered_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = TokenStore::open(dir.path()).expect("opens");
        let w = DocumentId::random();
        store.register_workspace(w).expect("registers");
        store.register_workspace(w).expect("same id again is fine");
        assert!(matches!(
            store.register_workspace(DocumentId::random()),
            Err(StoreError::WorkspaceTaken(_))
        ));
    }
}

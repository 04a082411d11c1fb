//! Who each Automerge actor is: the relay binds an actor id to the token whose connection first
//! sent an admitted change by it, one table per document, in `<data dir>/authors/<id>.json`.
//!
//! A table only grows, and each write replaces the whole file atomically, so a reader (the
//! `/api/portals/{id}/authors` route, a restart) sees the table before or after a binding, never
//! a part of one. Writes are staged and stored in the engine thread's group commit (see
//! `staged.rs`), before any peer hears of the change that made the binding.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use threshold_model::access::Author;
use threshold_protocol::DocumentId;

use crate::staged::Staged;
use crate::storage::{FsStorage, Storage};

const DIR: &str = "authors";

/// Every document's binding table, read from disk once and kept.
pub struct AuthorBook {
    /// The relay's storage (the data dir's files, or the database's entries).
    reads: Arc<dyn Storage + Send + Sync>,
    tables: HashMap<DocumentId, Vec<Author>>,
    staged: Staged,
}

impl AuthorBook {
    /// Tables are read from `<data_dir>/authors`; new bindings are staged in `staged`, whose
    /// keys are relative to `data_dir` (the relay's storage root).
    pub fn open(data_dir: &Path, staged: Staged) -> io::Result<Self> {
        std::fs::create_dir_all(data_dir.join(DIR))?;
        let reads = FsStorage::open(data_dir).map_err(io::Error::other)?;
        Ok(Self::on(Arc::new(reads), staged))
    }

    /// Tables read from the relay's storage, whichever it is; new bindings are staged in
    /// `staged`, whose keys are that storage's.
    pub fn on(reads: Arc<dyn Storage + Send + Sync>, staged: Staged) -> Self {
        Self {
            reads,
            tables: HashMap::new(),
            staged,
        }
    }

    /// The bindings of `doc`, from memory or else from disk.
    pub fn table(&mut self, doc: &DocumentId) -> io::Result<&[Author]> {
        if !self.tables.contains_key(doc) {
            let table = read_stored(self.reads.as_ref(), doc)?;
            self.tables.insert(*doc, table);
        }
        Ok(&self.tables[doc])
    }

    /// Add bindings to `doc`'s table: at once in memory, and on disk with the group commit of
    /// the batch that admitted the change.
    pub fn bind(&mut self, doc: &DocumentId, new: Vec<Author>) -> io::Result<()> {
        let mut table = self.table(doc)?.to_vec();
        table.extend(new);
        let json = serde_json::to_vec_pretty(&table).map_err(io::Error::other)?;
        self.staged.stage(format!("{DIR}/{doc}.json"), json);
        self.tables.insert(*doc, table);
        Ok(())
    }
}

/// The bindings of `doc` as stored under `data_dir`, for readers outside the engine thread.
pub fn read(data_dir: &Path, doc: &DocumentId) -> io::Result<Vec<Author>> {
    read_table(&data_dir.join(DIR), doc)
}

fn read_stored(reads: &dyn Storage, doc: &DocumentId) -> io::Result<Vec<Author>> {
    match reads.load(&format!("{DIR}/{doc}.json")) {
        Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(io::Error::other),
        Ok(None) => Ok(Vec::new()),
        Err(e) => Err(io::Error::other(e)),
    }
}

fn read_table(dir: &Path, doc: &DocumentId) -> io::Result<Vec<Author>> {
    match std::fs::read(table_path(dir, doc)) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(io::Error::other),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// A document id is base58, so it is a safe file name as it is.
fn table_path(dir: &Path, doc: &DocumentId) -> PathBuf {
    dir.join(format!("{doc}.json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use threshold_model::access::Role;

    fn author(actor: &str, token: &str) -> Author {
        Author {
            actor: actor.into(),
            token_id: token.into(),
            name: format!("holder of {token}"),
            role: Role::Client,
        }
    }

    #[test]
    fn bindings_survive_a_reopen_once_committed_and_stay_per_document() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        let (one, two) = (DocumentId::random(), DocumentId::random());
        let staged = Staged::default();
        let mut book = AuthorBook::open(&dir, staged.clone()).unwrap();
        book.bind(&one, vec![author("aa", "t1")]).unwrap();
        book.bind(&one, vec![author("bb", "t2")]).unwrap();
        assert!(
            read(&dir, &one).unwrap().is_empty(),
            "on disk only with the group commit"
        );
        // What the hub's group commit does.
        let mut storage = crate::storage::FsStorage::open(&dir).unwrap();
        crate::storage::Storage::put_all(&mut storage, &staged.take()).unwrap();
        let mut reopened = AuthorBook::open(&dir, Staged::default()).unwrap();
        assert_eq!(
            reopened.table(&one).unwrap(),
            &[author("aa", "t1"), author("bb", "t2")]
        );
        assert!(reopened.table(&two).unwrap().is_empty());
        assert_eq!(read(&dir, &one).unwrap().len(), 2);
    }
}

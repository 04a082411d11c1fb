//! Who each Automerge actor is: the relay binds an actor id to the token whose connection first
//! sent an admitted change by it, one table per document, in `<data dir>/authors/<id>.json`.
//!
//! A table only grows, and each write replaces the whole file atomically, so a reader (the
//! `/api/portals/{id}/authors` route, a restart) sees the table before or after a binding, never
//! a part of one. Writes are staged and stored in the engine thread's group commit (see
//! `staged.rs`), before any peer hears of the change that made the binding.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::Arc;

use threshold_model::access::Author;
use threshold_protocol::DocumentId;

use crate::staged::Staged;
use crate::stale::StaleRecords;
use crate::storage::{FsStorage, Storage};

const DIR: &str = "authors";

/// Every document's binding table, read from disk once and kept.
pub struct AuthorBook {
    /// The relay's storage (the data dir's files, or the database's entries).
    reads: Arc<dyn Storage + Send + Sync>,
    /// Each table, with the generation of `stale` it was read at.
    tables: HashMap<DocumentId, (u64, Vec<Author>)>,
    staged: Staged,
    stale: StaleRecords,
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
            stale: StaleRecords::default(),
        }
    }

    /// This book, reading a table again once `stale` says another relay may have changed it.
    pub fn watching(mut self, stale: StaleRecords) -> Self {
        self.stale = stale;
        self
    }

    /// The bindings of `doc`, from memory or else from storage. A table another relay may have
    /// changed is read again and merged with what this relay holds (tables only grow; this
    /// relay's newest bindings may still be staged, not stored).
    pub fn table(&mut self, doc: &DocumentId) -> io::Result<&[Author]> {
        let generation = self.stale.generation(doc);
        let current = self.tables.get(doc).is_some_and(|(g, _)| *g == generation);
        if !current {
            let mut table = read_stored(self.reads.as_ref(), doc)?;
            if let Some((_, held)) = self.tables.remove(doc) {
                for author in held {
                    if !table.iter().any(|a| a.actor == author.actor) {
                        table.push(author);
                    }
                }
            }
            self.tables.insert(*doc, (generation, table));
        }
        Ok(&self.tables[doc].1)
    }

    /// Add bindings to `doc`'s table: at once in memory, and on disk with the group commit of
    /// the batch that admitted the change.
    pub fn bind(&mut self, doc: &DocumentId, new: Vec<Author>) -> io::Result<()> {
        let mut table = self.table(doc)?.to_vec();
        table.extend(new);
        let json = serde_json::to_vec_pretty(&table).map_err(io::Error::other)?;
        self.staged.stage(format!("{DIR}/{doc}.json"), json);
        let generation = self.stale.generation(doc);
        self.tables.insert(*doc, (generation, table));
        Ok(())
    }
}

/// The bindings of `doc` as the relay's storage holds them (the data dir's files, or the
/// relays' database), for readers outside the engine thread.
pub fn read(reads: &dyn Storage, doc: &DocumentId) -> io::Result<Vec<Author>> {
    read_stored(reads, doc)
}

fn read_stored(reads: &dyn Storage, doc: &DocumentId) -> io::Result<Vec<Author>> {
    match reads.load(&format!("{DIR}/{doc}.json")) {
        Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(io::Error::other),
        Ok(None) => Ok(Vec::new()),
        Err(e) => Err(io::Error::other(e)),
    }
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
    fn a_table_another_relay_changed_is_read_again_and_merged_before_this_relay_writes_it() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        let doc = DocumentId::random();
        let commit = |staged: &Staged| {
            let mut storage = crate::storage::FsStorage::open(&dir).unwrap();
            crate::storage::Storage::put_all(&mut storage, &staged.take()).unwrap();
        };
        let (staged_a, staged_b) = (Staged::default(), Staged::default());
        let stale = StaleRecords::default();
        let mut relay_a = AuthorBook::open(&dir, staged_a.clone())
            .unwrap()
            .watching(stale.clone());
        let mut relay_b = AuthorBook::open(&dir, staged_b.clone()).unwrap();
        relay_a.bind(&doc, vec![author("aa", "t1")]).unwrap();
        commit(&staged_a);
        // Relay B binds an actor and commits; relay A hears of B's chunks.
        relay_b.bind(&doc, vec![author("bb", "t2")]).unwrap();
        commit(&staged_b);
        stale.mark(doc);
        assert!(
            relay_a.table(&doc).unwrap().iter().any(|a| a.actor == "bb"),
            "relay A sees B's binding, so nobody else can claim that actor through A"
        );
        relay_a.bind(&doc, vec![author("cc", "t1")]).unwrap();
        commit(&staged_a);
        let stored: Vec<String> = read(&crate::storage::FsStorage::open(&dir).unwrap(), &doc)
            .unwrap()
            .into_iter()
            .map(|a| a.actor)
            .collect();
        assert_eq!(stored, ["aa", "bb", "cc"], "A's write keeps B's binding");
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
            read(&crate::storage::FsStorage::open(&dir).unwrap(), &one)
                .unwrap()
                .is_empty(),
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
        assert_eq!(
            read(&crate::storage::FsStorage::open(&dir).unwrap(), &one)
                .unwrap()
                .len(),
            2
        );
    }
}

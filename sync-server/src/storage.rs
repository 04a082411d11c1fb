//! Key-value storage behind one narrow trait, with a filesystem implementation and an in-memory
//! twin for tests (PostgreSQL's is in `postgres/`). Keys are `/`-separated paths of safe
//! characters.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("storage key `{0}` is not allowed")]
    BadKey(String),
    #[error("storage I/O failed at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The database behind `--database-url` failed or could not be reached.
    #[error("database storage failed: {0}")]
    Database(String),
    /// The database answers but has no disk space left for what it was given.
    #[error("the database's disk is full: {0}")]
    DatabaseFull(String),
}

impl StorageError {
    /// The cause without the path, for messages that leave the relay (paths are private).
    pub fn brief(&self) -> String {
        match self {
            StorageError::BadKey(_) => "bad storage key".to_owned(),
            StorageError::Io { source, .. } => source.to_string(),
            StorageError::Database(_) => "the database is unavailable".to_owned(),
            StorageError::DatabaseFull(_) => "the database's disk is full".to_owned(),
        }
    }
}

pub trait Storage: Send {
    /// The keys that start with `prefix`, in order.
    fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError>;
    fn load(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError>;
    /// Durably store a value: once this returns, a crash does not lose it.
    fn put(&mut self, key: &str, value: &[u8]) -> Result<(), StorageError>;
    fn delete(&mut self, key: &str) -> Result<(), StorageError>;

    /// Durably store several values: once this returns `Ok`, a crash loses none of them. After
    /// an error, any of them may or may not be stored (each whole or not at all). Storages
    /// override this to pay for durability once per batch rather than once per value.
    fn put_all(&mut self, entries: &[(String, Vec<u8>)]) -> Result<(), StorageError> {
        for (key, value) in entries {
            self.put(key, value)?;
        }
        Ok(())
    }

    /// Whether other processes write this storage too (several relays on one database). Then a
    /// chunk listed beside a new snapshot may hold changes the snapshot lacks (another relay
    /// wrote it, and this one has not applied it yet), so compaction checks before deleting.
    fn has_other_writers(&self) -> bool {
        false
    }

    /// Delete `old`, the chunks the snapshot stored under `snapshot` replaces, unless that
    /// snapshot is gone: with other writers, another relay's compaction may have deleted it as
    /// covered by its own, and deleting what it replaced too would lose them both.
    fn delete_replaced(&mut self, snapshot: &str, old: &[&str]) -> Result<(), StorageError> {
        if self.has_other_writers() && self.load(snapshot)?.is_none() {
            return Ok(());
        }
        for key in old {
            self.delete(key)?;
        }
        Ok(())
    }

    /// Every entry whose key starts with `prefix`, in key order.
    fn load_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let mut out = Vec::new();
        for key in self.list(prefix)? {
            // A key deleted between listing and reading is simply gone.
            if let Some(bytes) = self.load(&key)? {
                out.push((key, bytes));
            }
        }
        Ok(out)
    }
}

pub(crate) fn check_key(key: &str) -> Result<(), StorageError> {
    let safe = !key.is_empty()
        && key.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if safe {
        Ok(())
    } else {
        Err(StorageError::BadKey(key.to_owned()))
    }
}

/// Files under a data directory: one file per key. Writes go to a temporary file that is
/// fsynced and then renamed over the final name, so a reader (or a restart after SIGKILL) sees
/// either the whole value or nothing.
pub struct FsStorage {
    root: PathBuf,
}

impl FsStorage {
    pub fn open(root: &Path) -> Result<Self, StorageError> {
        fs::create_dir_all(root).map_err(|source| StorageError::Io {
            path: root.to_owned(),
            source,
        })?;
        Ok(Self {
            root: root.to_owned(),
        })
    }

    /// Remove the temporary files of writes that never completed (the relay was killed between
    /// writing and renaming one). They are not data: nothing reads them, and a reader never sees
    /// them, but left in place they would accumulate. Call it at start, before anything writes.
    pub fn remove_leftovers(&self) -> std::io::Result<usize> {
        fn sweep(dir: &Path) -> std::io::Result<usize> {
            let mut removed = 0;
            for entry in fs::read_dir(dir)? {
                let entry = entry?;
                let path = entry.path();
                if entry.file_type()?.is_dir() {
                    // The file store keeps its own unfinished uploads, and clears them itself.
                    if entry.file_name() != "blobs" {
                        removed += sweep(&path)?;
                    }
                } else if entry.file_name().to_string_lossy().starts_with(".tmp-") {
                    fs::remove_file(&path)?;
                    removed += 1;
                }
            }
            Ok(removed)
        }
        sweep(&self.root)
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StorageError + '_ {
        move |source| StorageError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

impl Storage for FsStorage {
    fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        // Prefixes name a directory (`docs/<id>/`); list it.
        let dir_key = prefix.trim_end_matches('/');
        check_key(dir_key)?;
        let dir = self.root.join(dir_key);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Self::io(&dir)(e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(Self::io(&dir))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            // Leftover temporary files are writes that never completed: not data.
            if name.starts_with(".tmp-") || !entry.path().is_file() {
                continue;
            }
            out.push(format!("{dir_key}/{name}"));
        }
        out.sort();
        Ok(out)
    }

    fn load(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        check_key(key)?;
        let path = self.root.join(key);
        match fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Self::io(&path)(e)),
        }
    }

    fn put(&mut self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        check_key(key)?;
        let path = self.root.join(key);
        let dir = path.parent().unwrap_or(&self.root).to_owned();
        fs::create_dir_all(&dir).map_err(Self::io(&dir))?;
        write_atomically(&path, value).map_err(|source| StorageError::Io {
            path: path.clone(),
            source,
        })
    }

    /// Group commit: values in different directories (documents) are written by a few threads at
    /// once, and within a directory every file is written and synced before the renames, which
    /// share one directory sync. Concurrent syncs on one filesystem also share journal commits.
    fn put_all(&mut self, entries: &[(String, Vec<u8>)]) -> Result<(), StorageError> {
        let mut dirs: BTreeMap<PathBuf, Vec<(PathBuf, &[u8])>> = BTreeMap::new();
        for (key, value) in entries {
            check_key(key)?;
            let path = self.root.join(key);
            let dir = path.parent().unwrap_or(&self.root).to_owned();
            dirs.entry(dir).or_default().push((path, value));
        }
        let dirs: Vec<_> = dirs.into_iter().collect();
        let workers = dirs.len().clamp(1, MAX_WRITER_THREADS);
        let per_worker = dirs.len().div_ceil(workers);
        std::thread::scope(|scope| {
            let handles: Vec<_> = dirs
                .chunks(per_worker.max(1))
                .map(|share| {
                    scope.spawn(move || -> Result<(), StorageError> {
                        for (dir, files) in share {
                            fs::create_dir_all(dir).map_err(Self::io(dir))?;
                            write_all_atomically(dir, files)
                                .map_err(|(path, source)| StorageError::Io { path, source })?;
                        }
                        Ok(())
                    })
                })
                .collect();
            handles
                .into_iter()
                .try_for_each(|handle| handle.join().expect("a storage writer thread panicked"))
        })
    }

    fn delete(&mut self, key: &str) -> Result<(), StorageError> {
        check_key(key)?;
        let path = self.root.join(key);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Self::io(&path)(e)),
        }
    }
}

/// Write a whole file so that a reader, or a restart after SIGKILL, sees the old content or the
/// new, never a part: a temporary file in the same directory, fsynced, renamed over the name,
/// then the directory fsynced so the rename itself survives a crash. A failed write (a full
/// disk) removes its temporary file and leaves the old content in place.
pub fn write_atomically(path: &Path, value: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    write_all_atomically(dir, &[(path.to_owned(), value)]).map_err(|(_, e)| e)
}

/// How many threads one batch of writes may use. Syncs mostly wait on the disk, so a few more
/// threads than cores keep it busy without flooding it.
const MAX_WRITER_THREADS: usize = 8;

/// [`write_atomically`] for several files in one directory, paying for one directory sync: every
/// temporary file is written and synced, then each is renamed over its name, then the directory
/// is synced. A failure removes the temporary files not yet renamed, and names the path it was
/// writing.
fn write_all_atomically(
    dir: &Path,
    files: &[(PathBuf, &[u8])],
) -> Result<(), (PathBuf, std::io::Error)> {
    let mut pending: Vec<(PathBuf, &Path)> = Vec::new();
    let result = (|| {
        for (path, value) in files {
            let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
            pending.push((tmp.clone(), path));
            let mut file = fs::File::create(&tmp).map_err(at(path))?;
            file.write_all(value).map_err(at(path))?;
            file.sync_all().map_err(at(path))?;
        }
        while let Some((tmp, path)) = pending.pop() {
            if let Err(e) = fs::rename(&tmp, path) {
                let _ = fs::remove_file(&tmp);
                return Err(at(path)(e));
            }
        }
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(at(dir))
    })();
    for (tmp, _) in pending {
        let _ = fs::remove_file(tmp);
    }
    result
}

/// Attach the path being written to an I/O error.
fn at(path: &Path) -> impl FnOnce(std::io::Error) -> (PathBuf, std::io::Error) + '_ {
    move |e| (path.to_owned(), e)
}

/// The in-memory twin, for tests.
#[derive(Default)]
pub struct MemStorage {
    entries: BTreeMap<String, Vec<u8>>,
}

impl Storage for MemStorage {
    fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        Ok(self
            .entries
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect())
    }

    fn load(&self, key: &str) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.entries.get(key).cloned())
    }

    fn put(&mut self, key: &str, value: &[u8]) -> Result<(), StorageError> {
        check_key(key)?;
        self.entries.insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn delete(&mut self, key: &str) -> Result<(), StorageError> {
        self.entries.remove(key);
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// What every storage must do; run against each implementation (PostgreSQL's in
    /// `postgres/`).
    pub(crate) fn exercise(storage: &mut dyn Storage) {
        storage.put("docs/abc/incremental-1", b"one").expect("put");
        storage.put("docs/abc/snapshot-2", b"two").expect("put");
        storage
            .put("docs/abd/incremental-1", b"other")
            .expect("put");
        let loaded = storage.load_prefix("docs/abc/").expect("load");
        assert_eq!(
            loaded,
            vec![
                ("docs/abc/incremental-1".to_owned(), b"one".to_vec()),
                ("docs/abc/snapshot-2".to_owned(), b"two".to_vec()),
            ]
        );
        storage.delete("docs/abc/incremental-1").expect("delete");
        storage
            .delete("docs/abc/never-existed")
            .expect("deleting nothing is fine");
        assert_eq!(storage.load_prefix("docs/abc/").expect("load").len(), 1);
        assert!(storage.load_prefix("docs/none/").expect("load").is_empty());
        assert!(matches!(
            storage.put("../escape", b"x"),
            Err(StorageError::BadKey(_))
        ));
        let batch: Vec<(String, Vec<u8>)> = (0..20)
            .map(|i| (format!("docs/d{}/incremental-{i}", i % 7), vec![i as u8]))
            .collect();
        storage.put_all(&batch).expect("put_all");
        for (key, value) in &batch {
            assert_eq!(storage.load(key).expect("load").as_ref(), Some(value));
        }
        assert!(matches!(
            storage.put_all(&[("ok/key".into(), vec![]), ("../escape".into(), vec![])]),
            Err(StorageError::BadKey(_))
        ));
    }

    #[test]
    fn the_filesystem_and_memory_storages_agree() {
        let dir = tempfile::tempdir().expect("temp dir");
        exercise(&mut FsStorage::open(dir.path()).expect("opens"));
        exercise(&mut MemStorage::default());
    }
    #[test]
    fn leftover_temporary_files_are_removed_at_start_and_data_is_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let mut storage = FsStorage::open(tmp.path()).unwrap();
        storage.put("docs/abc/chunk", b"data").unwrap();
        fs::write(tmp.path().join("docs/abc/.tmp-123"), b"half").unwrap();
        fs::write(tmp.path().join(".tmp-456"), b"half").unwrap();
        assert_eq!(storage.remove_leftovers().unwrap(), 2);
        assert_eq!(
            storage.load("docs/abc/chunk").unwrap().as_deref(),
            Some(&b"data"[..])
        );
        assert_eq!(
            fs::read_dir(tmp.path().join("docs/abc")).unwrap().count(),
            1
        );
    }

    #[test]
    fn leftover_temporary_files_are_not_data() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut storage = FsStorage::open(dir.path()).expect("opens");
        storage.put("docs/abc/snapshot-1", b"whole").expect("put");
        fs::write(dir.path().join("docs/abc/.tmp-deadbeef"), b"half").expect("write");
        assert_eq!(storage.load_prefix("docs/abc/").expect("load").len(), 1);
    }
}

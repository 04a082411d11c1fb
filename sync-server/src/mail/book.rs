//! A small record kept as one JSON file under `<data dir>/mail/` (people's email choices, the
//! workspace's sender), read once at start and rewritten whole and atomically on each change:
//! these hold a handful of entries, changed by a person clicking, so a database would be more
//! machinery than the data.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::storage::write_atomically;

#[derive(Clone)]
pub struct Book<T> {
    file: PathBuf,
    value: Arc<Mutex<T>>,
}

impl<T: Serialize + DeserializeOwned + Default + Clone> Book<T> {
    /// Open `<data dir>/mail/<name>`, empty (the default) when it does not exist yet.
    pub fn open(data_dir: &Path, name: &str) -> io::Result<Self> {
        let dir = data_dir.join("mail");
        std::fs::create_dir_all(&dir)?;
        let file = dir.join(name);
        let value = match std::fs::read(&file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} cannot be read: {e}", file.display()),
                )
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => T::default(),
            Err(e) => return Err(e),
        };
        Ok(Self {
            file,
            value: Arc::new(Mutex::new(value)),
        })
    }

    pub fn get(&self) -> T {
        self.value.lock().expect("book lock").clone()
    }

    /// Change the record and write it durably before anyone else reads or changes it; if the
    /// write fails, the record stays as it was.
    pub fn update<R>(&self, change: impl FnOnce(&mut T) -> R) -> io::Result<R> {
        let mut value = self.value.lock().expect("book lock");
        let mut next = value.clone();
        let answer = change(&mut next);
        let json = serde_json::to_vec_pretty(&next).map_err(io::Error::other)?;
        write_atomically(&self.file, &json)?;
        *value = next;
        Ok(answer)
    }
}

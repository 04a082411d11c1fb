//! Loading documents from storage off the engine thread.
//!
//! Reading a large document's chunks and building it in Automerge can take a second or more (a
//! bloated portal took 1.25 s). On the engine thread, every other document's sync would wait
//! that long. So the hub hands each [`Effect::Load`](threshold_protocol::Effect) to a small
//! pool of loader threads, which read storage, decode the document, and send it back as a
//! command; the engine keeps serving other documents meanwhile, and holds the messages for this
//! one until it arrives.
//!
//! Reading from another handle on the same storage is safe: the engine asks for a document
//! only when it holds none of it, so nothing writes that document while it loads, and every
//! earlier write was complete (renamed into place) before the engine's batch ended.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use threshold_protocol::{Decoded, DocumentId};

use crate::doc_store;
use crate::storage::Storage;

/// Threads that load at once: two, so one large document does not hold up every other load,
/// and loads never take all of a small machine's cores from the engine.
const LOADERS: usize = 2;

/// What a loader thread is asked for.
enum Job {
    Load(DocumentId),
    /// Chunks another relay stored (`None`: every chunk of the document).
    Fetch(DocumentId, Option<Vec<String>>),
}

/// What a loader thread found.
pub enum Found {
    Loaded(DocumentId, Box<Decoded>),
    /// The bytes of the chunks asked for that still exist.
    Fetched(DocumentId, Vec<Vec<u8>>),
}

/// Where loads are asked for; dropping it ends the loader threads.
pub struct Loader {
    jobs: mpsc::Sender<Job>,
}

impl Loader {
    /// Start the loader threads: each reads `storage`, decodes, and calls `done` with the result.
    pub fn spawn(
        storage: Arc<dyn Storage + Send + Sync>,
        done: impl Fn(Found) + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let done = Arc::new(done);
        for n in 0..LOADERS {
            let (queue, storage, done) = (queue.clone(), storage.clone(), done.clone());
            std::thread::Builder::new()
                .name(format!("doc-loader-{n}"))
                .spawn(move || loop {
                    // Only this pool locks the queue; a poisoned lock still holds the queue.
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    match next {
                        Ok(Job::Load(doc)) => {
                            done(Found::Loaded(doc, Box::new(load(storage.as_ref(), &doc))));
                        }
                        Ok(Job::Fetch(doc, keys)) => {
                            done(Found::Fetched(doc, fetch(storage.as_ref(), &doc, keys)));
                        }
                        Err(_) => return,
                    }
                })?;
        }
        Ok(Self { jobs })
    }

    pub fn load(&self, doc: DocumentId) {
        let _ = self.jobs.send(Job::Load(doc));
    }

    /// Read chunks another relay stored (`None`: all of the document's).
    pub fn fetch(&self, doc: DocumentId, keys: Option<Vec<String>>) {
        let _ = self.jobs.send(Job::Fetch(doc, keys));
    }
}

/// The chunks under `keys`, or the whole document. A chunk compacted away meanwhile is covered
/// by a later snapshot, which is announced too; if none of them is left, the whole document is
/// read, so nothing announced is missed.
fn fetch(storage: &dyn Storage, doc: &DocumentId, keys: Option<Vec<String>>) -> Vec<Vec<u8>> {
    let whole = || match doc_store::load(storage, doc) {
        Ok(loaded) => loaded.chunks,
        Err(e) => {
            tracing::error!(%doc, error = %e, "could not read another relay's changes");
            Vec::new()
        }
    };
    let Some(keys) = keys else {
        return whole();
    };
    let mut found = Vec::new();
    for key in &keys {
        match storage.load(key) {
            Ok(Some(bytes)) => found.push(bytes),
            Ok(None) => return whole(),
            Err(e) => {
                tracing::error!(%doc, error = %e, "could not read another relay's changes");
                return whole();
            }
        }
    }
    found
}

/// A document as storage holds it, decoded. An unreadable one is reported and given as empty:
/// treating it as missing silently would hide the fault.
pub fn load(storage: &dyn Storage, doc: &DocumentId) -> Decoded {
    match doc_store::load(storage, doc) {
        Ok(loaded) => loaded.decode(),
        Err(e) => {
            tracing::error!(%doc, error = %e, "could not load document");
            threshold_protocol::Loaded::default().decode()
        }
    }
}

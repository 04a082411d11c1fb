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

/// Where loads are asked for; dropping it ends the loader threads.
pub struct Loader {
    jobs: mpsc::Sender<DocumentId>,
}

impl Loader {
    /// Start the loader threads: each reads `storage`, decodes, and calls `done` with the result.
    pub fn spawn(
        storage: Arc<dyn Storage + Send + Sync>,
        done: impl Fn(DocumentId, Decoded) + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<DocumentId>();
        let queue = Arc::new(Mutex::new(queue));
        let done = Arc::new(done);
        for n in 0..LOADERS {
            let (queue, storage, done) = (queue.clone(), storage.clone(), done.clone());
            std::thread::Builder::new()
                .name(format!("doc-loader-{n}"))
                .spawn(move || loop {
                    // Only this pool locks the queue; a poisoned lock still holds the queue.
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(doc) = next else {
                        return;
                    };
                    done(doc, load(storage.as_ref(), &doc));
                })?;
        }
        Ok(Self { jobs })
    }

    pub fn load(&self, doc: DocumentId) {
        let _ = self.jobs.send(doc);
    }
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

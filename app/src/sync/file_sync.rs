//! Files on this device: the bytes of every file added here or opened here, kept in IndexedDB
//! (a database of their own, `threshold-files`), and the queue of uploads to the relay.
//!
//! Adding a file keeps its bytes and queues its upload before anything is sent, then records the
//! reference in the portal (`actions::add_file`). The queue survives reloads and retries every
//! few seconds and when the browser comes back online, so a file added offline reaches the
//! relay once it can. Keys:
//! `blob/<sha256>` the bytes, `size/<sha256>` their length, `upload/<sha256>` a queued upload.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use leptos::prelude::*;
use sha2::{Digest, Sha256};
use threshold_model::portal::FileSpec;
use threshold_protocol::DocumentId;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::browser::{BrowserStore, KvStore, MemStore};
use crate::relay::blobs::{self, BlobError};
use crate::state::session;

/// How often a waiting upload is tried again.
const RETRY_MS: u32 = 3_000;

#[derive(Clone, Copy)]
pub struct FileSignals {
    /// Files waiting to reach the relay, by hash.
    pub queued: RwSignal<BTreeSet<String>>,
    /// Upload progress, 0.0 to 1.0, of the files being sent now.
    pub progress: RwSignal<BTreeMap<String, f64>>,
    /// Uploads the relay refused for good, by hash: (file name, why).
    pub failed: RwSignal<BTreeMap<String, (String, String)>>,
    /// Files kept on this device, by hash, with their sizes.
    pub kept: RwSignal<BTreeMap<String, u64>>,
}

/// What to do when the relay refuses a file for good: take the portal's references to the
/// file (by hash) out, and return the file's name. Given by `main`, so that this queue does not
/// edit documents itself.
pub type OnRefused = fn(DocumentId, &str) -> String;

pub struct FileSync {
    store: BrowserStore,
    pub signals: FileSignals,
    sending: RefCell<bool>,
    on_refused: OnRefused,
}

thread_local! {
    static FILES: RefCell<Option<Rc<FileSync>>> = const { RefCell::new(None) };
}

/// The app's one file store. Installed by `main` before anything is mounted.
pub fn files() -> Rc<FileSync> {
    FILES
        .with(|f| f.borrow().clone())
        .expect("file store installed before mount")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Open the file store, and start sending what a previous visit left queued.
pub async fn install(on_refused: OnRefused) {
    let store = match crate::browser::IdbStore::open("threshold-files").await {
        Ok(store) => BrowserStore::IndexedDb(store),
        Err(e) => {
            leptos::logging::error!("IndexedDB unavailable for files, keeping them in memory: {e}");
            BrowserStore::Memory(MemStore::default())
        }
    };
    let sizes = store.load_prefix("size/").await.unwrap_or_default();
    let queued = store.list("upload/").await.unwrap_or_default();
    let store_rc = Rc::new(FileSync {
        store,
        signals: FileSignals {
            queued: RwSignal::new(
                queued
                    .iter()
                    .map(|k| k["upload/".len()..].to_owned())
                    .collect(),
            ),
            progress: RwSignal::new(BTreeMap::new()),
            failed: RwSignal::new(BTreeMap::new()),
            kept: RwSignal::new(
                sizes
                    .into_iter()
                    .map(|(k, v)| {
                        let size = v.try_into().map(u64::from_le_bytes).unwrap_or(0);
                        (k["size/".len()..].to_owned(), size)
                    })
                    .collect(),
            ),
        },
        sending: RefCell::new(false),
        on_refused,
    });
    FILES.with(|f| *f.borrow_mut() = Some(store_rc));
    // Back online: send at once rather than at the next retry.
    if let Some(window) = web_sys::window() {
        let on_online = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
            wasm_bindgen_futures::spawn_local(async { files().send_queued().await });
        });
        let _ =
            window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
        on_online.forget();
    }
    wasm_bindgen_futures::spawn_local(async {
        loop {
            files().send_queued().await;
            gloo_timers::future::TimeoutFuture::new(RETRY_MS).await;
        }
    });
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Queued {
    portal: String,
}

impl FileSync {
    /// Bytes used by files kept on this device.
    pub fn kept_bytes(&self) -> u64 {
        self.signals.kept.with(|k| k.values().sum())
    }

    /// Keep the bytes of a file the user picked or dropped and queue its upload, before anything
    /// refers to it: a file added offline, or in a tab then closed, is never lost. The caller
    /// then records the reference (see `actions::add_file`) and calls [`Self::send_queued`], or
    /// [`Self::unqueue`] if it could not.
    pub async fn keep_and_queue(
        &self,
        portal: DocumentId,
        file: &web_sys::File,
    ) -> Result<FileSpec, String> {
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| format!("Could not read {}.", file.name()))?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        let hash = hex(&Sha256::digest(&bytes));
        self.keep(&hash, &bytes).await?;
        let queued = serde_json::to_vec(&Queued {
            portal: portal.to_string(),
        })
        .unwrap_or_default();
        self.store
            .put(&format!("upload/{hash}"), &queued)
            .await
            .map_err(|e| e.to_string())?;
        self.signals.queued.update(|q| {
            q.insert(hash.clone());
        });
        Ok(FileSpec {
            hash,
            name: file.name(),
            size: bytes.len() as u64,
            mime: file.type_(),
        })
    }

    /// Nothing refers to the file after all, so nothing should be sent.
    pub async fn unqueue(&self, hash: &str) {
        self.finish(hash).await;
    }

    async fn keep(&self, hash: &str, bytes: &[u8]) -> Result<(), String> {
        self.store
            .put(&format!("blob/{hash}"), bytes)
            .await
            .map_err(|e| format!("Could not keep the file on this device: {e}"))?;
        let size = bytes.len() as u64;
        let _ = self
            .store
            .put(&format!("size/{hash}"), &size.to_le_bytes())
            .await;
        self.signals.kept.update(|k| {
            k.insert(hash.to_owned(), size);
        });
        Ok(())
    }

    /// The file's bytes: from this device if kept, otherwise from the relay (and kept, so it
    /// opens offline next time).
    pub async fn open(&self, hash: &str, name: &str, mime: &str) -> Result<Vec<u8>, String> {
        let key = format!("blob/{hash}");
        if let Ok(found) = self.store.load_prefix(&key).await {
            if let Some((_, bytes)) = found.into_iter().find(|(k, _)| *k == key) {
                return Ok(bytes);
            }
        }
        let token = session::token().ok_or("This device is not signed in.")?;
        match blobs::get(&token, hash, name, mime).await {
            Ok(bytes) => {
                let _ = self.keep(hash, &bytes).await;
                Ok(bytes)
            }
            Err(BlobError::NotYet) => Err(format!(
                "{name} has not reached the relay yet. It opens once whoever added it is online."
            )),
            // Said for opening, not in the upload queue's words.
            Err(BlobError::Offline) => Err(format!(
                "{name} is not on this device yet, and the relay can't be reached. Open it again once you are online."
            )),
            Err(BlobError::Unauthorized) => Err(format!(
                "{name} can't be fetched: this device is no longer signed in. Open your invite link again, or ask for a new one."
            )),
            Err(BlobError::TooLarge(why) | BlobError::Refused(why)) => Err(format!(
                "Couldn't open {name}: {}. Try again later.",
                why.trim_end_matches('.')
            )),
        }
    }

    /// Send every queued upload that can go now. One run at a time.
    pub async fn send_queued(&self) {
        if self.sending.replace(true) {
            return;
        }
        let queued = self.store.load_prefix("upload/").await.unwrap_or_default();
        for (key, value) in queued {
            let hash = key["upload/".len()..].to_owned();
            let Ok(entry) = serde_json::from_slice::<Queued>(&value) else {
                let _ = self.store.delete(&key).await;
                continue;
            };
            if !self.send_one(&hash, &entry).await {
                break;
            }
        }
        *self.sending.borrow_mut() = false;
    }

    /// Try one upload. Returns whether to go on with the next (not when the relay is away).
    async fn send_one(&self, hash: &str, entry: &Queued) -> bool {
        let Some(token) = session::token() else {
            return false;
        };
        let key = format!("blob/{hash}");
        let bytes = match self.store.load_prefix(&key).await {
            Ok(found) => found.into_iter().find(|(k, _)| *k == key).map(|(_, b)| b),
            Err(_) => None,
        };
        let Some(bytes) = bytes else {
            // The bytes are gone (storage cleared): nothing left to send.
            self.finish(hash).await;
            return true;
        };
        let progress = self.signals.progress;
        let tracked = hash.to_owned();
        progress.update(|p| {
            p.insert(tracked.clone(), 0.0);
        });
        let result = blobs::put(&token, hash, &bytes, move |done| {
            progress.update(|p| {
                p.insert(tracked.clone(), done);
            });
        })
        .await;
        progress.update(|p| {
            p.remove(hash);
        });
        match result {
            Ok(()) => {
                self.finish(hash).await;
                true
            }
            // Not referred to by the portal at the relay yet: its change is still on its way.
            Err(BlobError::NotYet) => true,
            Err(BlobError::Offline) => false,
            Err(BlobError::Unauthorized) => false,
            Err(e @ (BlobError::TooLarge(_) | BlobError::Refused(_))) => {
                let why = match e {
                    BlobError::Refused(why) => format!(
                        "The relay refused it ({}). Add it again, or share a link to it instead.",
                        why.trim_end_matches('.')
                    ),
                    other => other.to_string(),
                };
                self.refuse(hash, entry, &why);
                self.finish(hash).await;
                true
            }
        }
    }

    async fn finish(&self, hash: &str) {
        let _ = self.store.delete(&format!("upload/{hash}")).await;
        self.signals.queued.update(|q| {
            q.remove(hash);
        });
    }

    /// The relay refused a file for good: say why, and let `on_refused` take its references out
    /// of the portal so nobody waits for a file that will never arrive.
    fn refuse(&self, hash: &str, entry: &Queued, why: &str) {
        let Ok(portal) = entry.portal.parse::<DocumentId>() else {
            return;
        };
        let name = (self.on_refused)(portal, hash);
        self.signals.failed.update(|f| {
            f.insert(hash.to_owned(), (name, why.to_owned()));
        });
    }
}

/// A `blob:` URL for showing bytes in the page (an image, a PDF). Revoke it when done.
pub fn object_url(bytes: &[u8], mime: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes).into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

//! The browser shell around the protocol engine: IndexedDB for storage, one WebSocket to the
//! relay with reconnect and backoff, and signals for the UI.
//!
//! Effects run in the engine's order through one queue, so a change is committed to IndexedDB
//! before any frame carrying it is sent. UI notifications (`DocChanged`) skip the queue so the
//! screen never waits for storage.

use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use threshold_model::doc::Touched;
use threshold_protocol::automerge::Automerge;
use threshold_protocol::storage_key::{
    chunk_key, doc_prefix, replaced_by_snapshot, sync_state_key, sync_state_prefix,
};
use threshold_protocol::{
    Chunk, CloseCode, ConnId, DocumentId, Effect, Engine, EngineConfig, Loaded, PeerId,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::doc_changes::DocChanges;
use super::refusal::Refusal;
use crate::browser::TabChannel;
use crate::browser::{BrowserStore, KvStore, StoreError};
use crate::browser::{TransportEvents, WsTransport};
use crate::state::ConnectionStatus;

const BACKOFF_START_MS: u32 = 500;
const BACKOFF_MAX_MS: u32 = 15_000;

/// Signals the UI subscribes to. They are plain data, so components can copy them freely.
#[derive(Clone, Copy)]
pub struct SyncSignals {
    /// Bumped whenever any open document changes. Views of one document track that document's
    /// own revision instead ([`SyncClient::revision_of`], [`SyncClient::changed_since`]).
    pub revision: RwSignal<u64>,
    pub status: RwSignal<ConnectionStatus>,
    pub unavailable: RwSignal<HashSet<DocumentId>>,
    /// The last storage failure, shown to the user until the next successful write.
    pub storage_error: RwSignal<Option<String>>,
    /// A change the portal's rules refused, shown until dismissed (or, from the relay, until
    /// this device's copy is discarded).
    pub refusal: RwSignal<Option<Refusal>>,
}

pub struct SyncClient {
    engine: RefCell<Engine>,
    store: BrowserStore,
    relay_url: String,
    transport: RefCell<Option<(ConnId, WsTransport)>>,
    next_conn: Cell<u64>,
    queue: RefCell<VecDeque<Effect>>,
    draining: Cell<bool>,
    backoff_ms: Cell<u32>,
    reconnect_pending: Cell<bool>,
    /// Set when the relay cut this device off (revoked token, refused change): no more
    /// reconnecting.
    stopped: Cell<bool>,
    /// The text of the last `error` message the relay sent, kept for the close that follows it
    /// (a refusal names its rule there).
    relay_error: RefCell<Option<String>>,
    /// Whether a connection to the relay has completed its handshake since the page loaded.
    connected_before: Cell<bool>,
    tabs: RefCell<Option<TabChannel>>,
    /// Revisions per document and what each touched, so that an edit re-reads only the views
    /// of the part it changed.
    changes: RefCell<DocChanges>,
    pub signals: SyncSignals,
    me: RefCell<Weak<SyncClient>>,
}

thread_local! {
    static CLIENT: RefCell<Option<Rc<SyncClient>>> = const { RefCell::new(None) };
}

/// The app's one sync client. Installed by `main` before anything is mounted.
pub fn client() -> Rc<SyncClient> {
    CLIENT
        .with(|c| c.borrow().clone())
        .expect("sync client installed before mount")
}

/// Tell the page that a change to `doc` is now in IndexedDB, as a `threshold:persisted` event on
/// `window` whose detail is the document id. Nothing in the app listens; it is for tools that
/// measure or watch the app from outside (the client benchmark times keystroke to persisted).
fn announce_persisted(doc: &DocumentId) {
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&JsValue::from_str(&doc.to_string()));
    if let (Some(window), Ok(event)) = (
        web_sys::window(),
        web_sys::CustomEvent::new_with_event_init_dict("threshold:persisted", &init),
    ) {
        let _ = window.dispatch_event(&event);
    }
}

/// A performance mark, once per document per page load: when its bytes came out of IndexedDB
/// (`threshold:read:<id>`) and when the engine had loaded them (`threshold:loaded:<id>`). They
/// let the client benchmark split a cold open into reading, loading and rendering.
fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

impl SyncClient {
    pub fn install(store: BrowserStore, relay_url: String) -> Rc<Self> {
        let config = EngineConfig::client(
            PeerId::random("browser"),
            crate::browser::settings::storage_id(),
        );
        let client = Rc::new(Self {
            engine: RefCell::new(Engine::new(config)),
            store,
            relay_url,
            transport: RefCell::new(None),
            next_conn: Cell::new(1),
            queue: RefCell::new(VecDeque::new()),
            draining: Cell::new(false),
            backoff_ms: Cell::new(BACKOFF_START_MS),
            reconnect_pending: Cell::new(false),
            stopped: Cell::new(false),
            relay_error: RefCell::new(None),
            connected_before: Cell::new(false),
            tabs: RefCell::new(None),
            changes: RefCell::new(DocChanges::default()),
            signals: SyncSignals {
                revision: RwSignal::new(0),
                status: RwSignal::new(ConnectionStatus::Connecting),
                unavailable: RwSignal::new(HashSet::new()),
                storage_error: RwSignal::new(None),
                refusal: RwSignal::new(None),
            },
            me: RefCell::new(Weak::new()),
        });
        *client.me.borrow_mut() = Rc::downgrade(&client);
        CLIENT.with(|c| *c.borrow_mut() = Some(client.clone()));
        let weak = Rc::downgrade(&client);
        *client.tabs.borrow_mut() = TabChannel::open(move |doc, chunk| {
            if let Some(me) = weak.upgrade() {
                me.engine.borrow_mut().apply_stored(doc, &chunk);
                me.pump();
            }
        });
        client.watch_network();
        client.connect();
        client
    }

    pub fn is_durable(&self) -> bool {
        self.store.is_durable()
    }

    fn me(&self) -> Option<Rc<SyncClient>> {
        self.me.borrow().upgrade()
    }

    // ----- documents ---------------------------------------------------------------------

    pub fn create(&self, id: DocumentId, doc: Automerge) {
        self.engine.borrow_mut().create(id, doc);
        self.pump();
    }

    pub fn open(&self, id: DocumentId) {
        self.signals.unavailable.update(|s| {
            s.remove(&id);
        });
        self.engine.borrow_mut().open(id);
        self.pump();
    }

    /// A signal bumped whenever `id` changes (loaded, edited here, or changed by a peer).
    pub fn revision_of(&self, id: DocumentId) -> ArcRwSignal<u64> {
        self.changes.borrow_mut().signal(id)
    }

    /// The current revision of `id`, and what changed since revision `seen` (0: never seen).
    pub fn changed_since(&self, id: &DocumentId, seen: u64) -> (u64, Touched) {
        self.changes.borrow().since(id, seen)
    }

    /// Read a document, if it is loaded.
    pub fn read<R>(&self, id: &DocumentId, read: impl FnOnce(&Automerge) -> R) -> Option<R> {
        self.engine.borrow().doc(id).map(read)
    }

    /// Apply a local edit; it is persisted, then sent.
    pub fn change<R>(&self, id: DocumentId, edit: impl FnOnce(&mut Automerge) -> R) -> Option<R> {
        let result = self.engine.borrow_mut().change(id, edit);
        self.pump();
        result
    }

    /// Resolves once every queued effect has run: all local edits are in IndexedDB.
    pub async fn flushed(&self) {
        while self.draining.get() || !self.queue.borrow().is_empty() {
            gloo_timers::future::TimeoutFuture::new(10).await;
        }
    }

    // ----- effects -----------------------------------------------------------------------

    fn pump(&self) {
        let effects = self.engine.borrow_mut().take_effects();
        let mut changed = Vec::new();
        for effect in effects {
            match effect {
                Effect::DocChanged { doc } => changed.push(doc),
                Effect::DocUnavailable { doc } => self.signals.unavailable.update(|s| {
                    s.insert(doc);
                }),
                Effect::Warning { message } => leptos::logging::warn!("{message}"),
                Effect::Ephemeral { .. } => {}
                other => self.queue.borrow_mut().push_back(other),
            }
        }
        // Storage first: the drain's first step (the IndexedDB write) is queued ahead of the
        // views' re-render, so the write is under way while the screen updates.
        if !self.draining.get() && !self.queue.borrow().is_empty() {
            if let Some(me) = self.me() {
                self.draining.set(true);
                wasm_bindgen_futures::spawn_local(async move { me.drain().await });
            }
        }
        if !changed.is_empty() {
            changed.sort();
            changed.dedup();
            for doc in changed {
                let signal = {
                    let engine = self.engine.borrow();
                    engine
                        .doc(&doc)
                        .map(|d| self.changes.borrow_mut().record(doc, d))
                };
                if let Some(signal) = signal {
                    signal.update(|r| *r += 1);
                }
            }
            self.signals.revision.update(|r| *r += 1);
        }
        self.refresh_status();
    }

    async fn drain(self: Rc<Self>) {
        loop {
            let next = self.queue.borrow_mut().pop_front();
            let Some(effect) = next else { break };
            match effect {
                Effect::Send { conn, frame } => self.send(conn, &frame),
                Effect::Close { conn, reason } => {
                    leptos::logging::warn!("relay connection closed: {reason}");
                    if self.relay_error.borrow().is_some() {
                        // The relay said why and closes the socket itself: wait for its close
                        // code (a refusal stops syncing), or drop it if it does not come.
                        self.close_after_error(conn);
                    } else {
                        self.drop_transport(conn);
                        self.schedule_reconnect();
                    }
                }
                Effect::Load { doc } => {
                    let loaded = self.load(doc).await;
                    mark(&format!("threshold:read:{doc}"));
                    self.engine.borrow_mut().loaded(doc, loaded);
                    mark(&format!("threshold:loaded:{doc}"));
                    self.pump();
                }
                Effect::Save { doc, chunk } => {
                    if let Err(e) = self.save(&doc, &chunk).await {
                        // Nothing queued after this may leave: a peer must not be told about
                        // a change this device could not keep. The engine re-saves in full.
                        self.signals.storage_error.set(Some(e.to_string()));
                        self.engine.borrow_mut().persist_failed(doc);
                        self.queue
                            .borrow_mut()
                            .retain(|e| !matches!(e, Effect::Send { .. }));
                        if let Some((conn, _)) = self.transport.borrow_mut().take() {
                            self.engine.borrow_mut().disconnect(conn);
                        }
                        self.schedule_reconnect();
                    } else {
                        announce_persisted(&doc);
                        if let Some(tabs) = self.tabs.borrow().as_ref() {
                            tabs.announce(&doc, chunk.bytes());
                        }
                        if self.signals.storage_error.get_untracked().is_some() {
                            self.signals.storage_error.set(None);
                        }
                    }
                }
                Effect::SaveSyncState {
                    doc,
                    storage_id,
                    state,
                } => {
                    let key = sync_state_key(&doc, &storage_id);
                    if let Err(e) = self.store.put(&key, &state).await {
                        leptos::logging::warn!("could not save a sync state: {e}");
                    }
                }
                _ => {}
            }
        }
        self.draining.set(false);
        self.refresh_status();
    }

    async fn load(&self, doc: DocumentId) -> Loaded {
        let chunks = match self.store.load_prefix(&doc_prefix(&doc)).await {
            Ok(entries) => entries.into_iter().map(|(_, bytes)| bytes).collect(),
            Err(e) => {
                leptos::logging::error!("could not read {doc} from this device: {e}");
                Vec::new()
            }
        };
        let prefix = sync_state_prefix(&doc);
        let sync_states = self
            .store
            .load_prefix(&prefix)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(key, bytes)| (key[prefix.len()..].to_owned(), bytes))
            .collect();
        Loaded {
            chunks,
            sync_states,
        }
    }

    async fn save(&self, doc: &DocumentId, chunk: &Chunk) -> Result<(), StoreError> {
        let key = chunk_key(doc, chunk);
        self.store.put(&key, chunk.bytes()).await?;
        // The snapshot is committed, so the chunks before it can go (the shared compaction rule).
        // Effects run one at a time in the engine's order, so no newer chunk is stored yet.
        if let Chunk::Snapshot(_) = chunk {
            let stored = self.store.list(&doc_prefix(doc)).await?;
            for old in replaced_by_snapshot(&stored, &key, &[]) {
                self.store.delete(old).await?;
            }
        }
        Ok(())
    }

    // ----- connection --------------------------------------------------------------------

    fn send(&self, conn: ConnId, frame: &[u8]) {
        if let Some((current, transport)) = self.transport.borrow().as_ref() {
            if *current == conn && transport.is_open() {
                let _ = transport.send(frame);
            }
        }
    }

    /// Stop syncing for good: the relay no longer accepts this device's token. Everything on
    /// the device stays readable.
    pub fn stop(&self) {
        self.stopped.set(true);
        let conn = self.transport.borrow().as_ref().map(|(c, _)| *c);
        if let Some(conn) = conn {
            self.drop_transport(conn);
        }
        self.refresh_status();
    }

    fn connect(&self) {
        if self.stopped.get() || self.transport.borrow().is_some() || !navigator_online() {
            self.refresh_status();
            return;
        }
        let conn = ConnId(self.next_conn.get());
        self.next_conn.set(conn.0 + 1);
        let weak = self.me.borrow().clone();
        let (w_open, w_frame, w_close) = (weak.clone(), weak.clone(), weak);
        let events = TransportEvents {
            on_open: Box::new(move || {
                if let Some(me) = w_open.upgrade() {
                    me.engine.borrow_mut().connect(conn);
                    me.pump();
                }
            }),
            on_frame: Box::new(move |frame| {
                if let Some(me) = w_frame.upgrade() {
                    if let Ok(threshold_protocol::Message::Error { message, .. }) =
                        threshold_protocol::Message::decode(&frame)
                    {
                        *me.relay_error.borrow_mut() = Some(message);
                    }
                    let was_connected = me.engine.borrow().connected_peers().count() > 0;
                    me.engine.borrow_mut().receive(conn, &frame);
                    if !was_connected && me.engine.borrow().connected_peers().count() > 0 {
                        me.backoff_ms.set(BACKOFF_START_MS);
                        // What the token may do can change while a device is away (alumni).
                        // The first connection needs no check: start-up asks the relay already
                        // (`actions::confirm_session`).
                        if me.connected_before.replace(true) {
                            wasm_bindgen_futures::spawn_local(async {
                                let _ = crate::state::session::refresh().await;
                            });
                        }
                    }
                    me.engine.borrow_mut().tick(now_ms());
                    me.pump();
                }
            }),
            on_close: Box::new(move |code, reason| {
                if let Some(me) = w_close.upgrade() {
                    let was_connected = me.engine.borrow().connected_peers().count() > 0;
                    me.drop_transport(conn);
                    let relay_error = me.relay_error.borrow_mut().take();
                    if code == CloseCode::Refused.code() {
                        // Reconnecting would send the refused change again: stop, and let the
                        // person discard this device's copy (see `discard_refused`).
                        leptos::logging::warn!("the relay refused a change: {reason}");
                        me.stop();
                        let rule = relay_error
                            .filter(|m| !m.is_empty())
                            .unwrap_or_else(|| reason.clone());
                        me.signals.refusal.set(Some(Refusal::Relay {
                            rule,
                            doc: refused_doc(),
                        }));
                        return;
                    }
                    let revoked = code == CloseCode::Revoked.code();
                    if revoked {
                        leptos::logging::warn!("the relay closed the connection: {reason}");
                    }
                    // A refused upgrade looks like any failed connection from here, so ask the
                    // relay whether the token still holds before trying again.
                    if revoked || !was_connected {
                        wasm_bindgen_futures::spawn_local(async move {
                            if let Err(crate::relay::api::ApiError::Unauthorized) =
                                crate::state::session::refresh().await
                            {
                                me.stop();
                            } else {
                                me.schedule_reconnect();
                            }
                        });
                    } else {
                        me.schedule_reconnect();
                    }
                }
            }),
        };
        match WsTransport::open(&self.relay_url, events) {
            Ok(transport) => *self.transport.borrow_mut() = Some((conn, transport)),
            Err(e) => {
                leptos::logging::warn!("could not open a WebSocket: {e:?}");
                self.schedule_reconnect();
            }
        }
        self.refresh_status();
    }

    /// The relay sent an `error` message: give it a moment to close with its code, then drop
    /// the socket and reconnect as after any other error.
    fn close_after_error(&self, conn: ConnId) {
        let weak = self.me.borrow().clone();
        wasm_bindgen_futures::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(2_000).await;
            if let Some(me) = weak.upgrade() {
                let still_open = me.transport.borrow().as_ref().map(|(c, _)| *c) == Some(conn);
                if still_open && !me.stopped.get() {
                    me.relay_error.borrow_mut().take();
                    me.drop_transport(conn);
                    me.schedule_reconnect();
                }
            }
        });
    }

    /// Discard this device's copy of a document the relay refused a change to (its chunks and
    /// sync states), then reload the page so the document comes back from the relay. Only what
    /// the relay never acknowledged is lost: everything else is on the relay.
    pub async fn discard_refused(&self, doc: DocumentId) -> Result<(), StoreError> {
        self.stop();
        // Anything the engine still had queued for storage is written first, so that nothing
        // is written back after the delete.
        self.flushed().await;
        for prefix in [doc_prefix(&doc), sync_state_prefix(&doc)] {
            for key in self.store.list(&prefix).await? {
                self.store.delete(&key).await?;
            }
        }
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
        Ok(())
    }

    fn drop_transport(&self, conn: ConnId) {
        let current = self.transport.borrow().as_ref().map(|(c, _)| *c);
        if current == Some(conn) {
            // Dropping the transport detaches its handlers and closes the socket.
            let transport = self.transport.borrow_mut().take();
            drop(transport);
        }
        self.engine.borrow_mut().disconnect(conn);
        self.pump();
    }

    fn schedule_reconnect(&self) {
        if self.stopped.get() || self.reconnect_pending.replace(true) {
            return;
        }
        let delay = self.backoff_ms.get();
        // Up to a quarter of jitter, so many tabs do not reconnect in lockstep.
        let jitter = (js_sys::Math::random() * f64::from(delay) / 4.0) as u32;
        self.backoff_ms.set((delay * 2).min(BACKOFF_MAX_MS));
        let weak = self.me.borrow().clone();
        wasm_bindgen_futures::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(delay + jitter).await;
            if let Some(me) = weak.upgrade() {
                me.reconnect_pending.set(false);
                me.connect();
            }
        });
        self.refresh_status();
    }

    /// Follow the browser's online/offline events: drop the socket at once when the network
    /// goes, and reconnect without waiting for the backoff when it returns.
    fn watch_network(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let weak = self.me.borrow().clone();
        let on_offline = Closure::<dyn FnMut()>::new(move || {
            if let Some(me) = weak.upgrade() {
                let conn = me.transport.borrow().as_ref().map(|(c, _)| *c);
                if let Some(conn) = conn {
                    me.drop_transport(conn);
                }
                me.refresh_status();
            }
        });
        let weak = self.me.borrow().clone();
        let on_online = Closure::<dyn FnMut()>::new(move || {
            if let Some(me) = weak.upgrade() {
                me.backoff_ms.set(BACKOFF_START_MS);
                me.connect();
            }
        });
        let _ =
            window.add_event_listener_with_callback("offline", on_offline.as_ref().unchecked_ref());
        let _ =
            window.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
        // These listeners live as long as the page.
        on_offline.forget();
        on_online.forget();
    }

    fn refresh_status(&self) {
        let status = {
            let engine = self.engine.borrow();
            let summary = engine.summary();
            if self.transport.borrow().is_none() {
                ConnectionStatus::Offline
            } else if summary.peers == 0 {
                ConnectionStatus::Connecting
            } else if summary.docs_behind > 0 || !self.queue.borrow().is_empty() {
                ConnectionStatus::Syncing
            } else {
                ConnectionStatus::Synced
            }
        };
        if self.signals.status.get_untracked() != status {
            self.signals.status.set(status);
        }
    }
}

/// The document a refusal is about: the portal in view (a client's device holds only theirs).
fn refused_doc() -> Option<DocumentId> {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok());
    match hash.map(|h| crate::state::route::Route::parse(&h)) {
        Some(crate::state::route::Route::Portal(id, _)) => Some(id),
        _ => crate::state::session::client_portal(),
    }
}

fn navigator_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

//! Wiring only: open storage, start the sync client, open the workspace, mount the UI.

mod actions;
mod components;
mod connection_status;
mod dates;
mod download;
mod idb_store;
mod kv_store;
mod route;
mod service_worker;
mod settings;
mod storage_status;
mod sync_client;
mod tab_channel;
mod view_mode;
mod ws_transport;

use kv_store::{BrowserStore, MemStore};

fn relay_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let host = location
        .as_ref()
        .and_then(|l| l.host().ok())
        .unwrap_or_default();
    let secure = location
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "https:");
    format!("{}://{host}/sync", if secure { "wss" } else { "ws" })
}

fn main() {
    console_error_panic_hook::set_once();
    // Storage opens before anything is mounted, so before Leptos sets up its executor.
    wasm_bindgen_futures::spawn_local(async {
        let store = match idb_store::IdbStore::open("threshold").await {
            Ok(store) => BrowserStore::IndexedDb(store),
            Err(e) => {
                leptos::logging::error!("IndexedDB unavailable, keeping data in memory: {e}");
                BrowserStore::Memory(MemStore::default())
            }
        };
        sync_client::SyncClient::install(store, relay_url());
        actions::ensure_workspace();
        leptos::mount::mount_to_body(components::App);
    });
}

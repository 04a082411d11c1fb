//! Thin wrappers over browser APIs, one per file: storage (IndexedDB behind the `KvStore`
//! trait), the loading screen, the relay's WebSocket, the tab channel, the service worker, downloads, the
//! clipboard, keeping focus across redraws, the theme, and local settings. Nothing here knows about documents or the UI.

pub mod boot_screen;
mod browser_store;
pub mod clipboard;
pub mod download;
pub mod focus_keeper;
mod idb_store;
mod kv_store;
pub mod service_worker;
pub mod settings;
pub mod storage_status;
mod tab_channel;
pub mod theme;
mod ws_transport;

pub use browser_store::BrowserStore;
pub use idb_store::IdbStore;
pub use kv_store::{KvStore, MemStore, StoreError};
pub use tab_channel::TabChannel;
pub use ws_transport::{TransportEvents, WsTransport};

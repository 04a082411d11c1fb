//! Wiring only: find this device's token, open storage, start the sync client, mount the UI.

mod actions;
mod browser;
mod components;
mod relay;
mod state;
mod sync;

use browser::{BrowserStore, IdbStore, MemStore};
use state::session;

/// The relay's WebSocket, with the token as a query parameter: the stock automerge-repo client
/// can only set a URL, so that is where the relay looks for it.
fn relay_url(token: &str) -> String {
    let location = web_sys::window().map(|w| w.location());
    let host = location
        .as_ref()
        .and_then(|l| l.host().ok())
        .unwrap_or_default();
    let secure = location
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "https:");
    let scheme = if secure { "wss" } else { "ws" };
    format!("{scheme}://{host}/sync?token={token}")
}

fn main() {
    console_error_panic_hook::set_once();
    browser::focus_keeper::install();
    // A sign-in link opened on this device: the sign-in page exchanges it for a token.
    if let Some(secret) = session::take_sign_in_from_url() {
        browser::boot_screen::dismiss();
        leptos::mount::mount_to_body(move || {
            leptos::view! { <components::SignIn redeem=secret.clone()/> }
        });
        return;
    }
    let token = session::take_token_from_url().or_else(session::stored_token);
    let Some(token) = token else {
        // Not signed in: only the page that takes an invite link or sends a sign-in link.
        browser::boot_screen::dismiss();
        leptos::mount::mount_to_body(|| leptos::view! { <components::SignIn/> });
        return;
    };
    session::install(token.clone());
    // Storage opens before anything is mounted, so before Leptos sets up its executor.
    wasm_bindgen_futures::spawn_local(async move {
        let store = match IdbStore::open("threshold").await {
            Ok(store) => BrowserStore::IndexedDb(store),
            Err(e) => {
                leptos::logging::error!("IndexedDB unavailable, keeping data in memory: {e}");
                BrowserStore::Memory(MemStore::default())
            }
        };
        sync::SyncClient::install(store, relay_url(&token));
        sync::install_files(actions::drop_refused_file).await;
        actions::open_home();
        browser::boot_screen::dismiss();
        leptos::mount::mount_to_body(components::App);
        actions::confirm_session().await;
    });
}

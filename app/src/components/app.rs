use leptos::prelude::*;

use super::portal_page::PortalPage;
use super::status_badge::StatusBadge;
use super::workspace_page::WorkspacePage;
use crate::route::{use_route, Route};
use crate::service_worker;
use crate::storage_status::{self, human_bytes, StorageStatus};
use crate::sync_client::client;

#[component]
pub fn App() -> impl IntoView {
    let route = use_route();
    provide_context(RwSignal::new(crate::view_mode::load()));
    let storage_error = client().signals.storage_error;
    let durable = client().is_durable();
    let update_available = RwSignal::new(false);
    service_worker::register(update_available);
    let storage = RwSignal::new(StorageStatus::default());
    storage_status::watch(storage);
    let (updating, set_updating) = signal(false);
    let on_update = move |_| {
        set_updating.set(true);
        leptos::task::spawn_local(service_worker::apply_update());
    };
    view! {
        <header class="topbar">
            <a class="brand" href="#/">
                <span class="brand-mark" aria-hidden="true">"◆"</span>
                "Threshold"
            </a>
            <StatusBadge/>
        </header>
        <Show when=move || !durable>
            <p class="banner banner-warn" role="alert">
                "This browser does not allow storage for this site, so nothing is kept on this device once the tab closes."
            </p>
        </Show>
        <Show when=move || update_available.get()>
            <div class="banner banner-info" role="status">
                "A new version of Threshold is available. "
                <button type="button" class="button" on:click=on_update disabled=updating>
                    {move || if updating.get() { "Updating…" } else { "Reload to update" }}
                </button>
            </div>
        </Show>
        <Show when=move || storage.with(StorageStatus::low_space)>
            <p class="banner banner-warn" role="alert">
                "This device is almost out of storage space for Threshold. Free some space so that new edits can be kept offline."
            </p>
        </Show>
        {move || storage_error.get().map(|e| view! {
            <p class="banner banner-error" role="alert">
                "Could not save on this device: " {e} ". Your last edit is kept in memory and will be saved again."
            </p>
        })}
        <main class="page">
            {move || match route.get() {
                Route::Workspace => view! { <WorkspacePage/> }.into_any(),
                Route::Portal(id) => view! { <PortalPage id=id/> }.into_any(),
                Route::NotFound(hash) => view! {
                    <section class="card empty">
                        <h1>"Page not found"</h1>
                        <p>"Nothing lives at " <code>{hash}</code> "."</p>
                        <a class="button" href="#/">"Back to clients"</a>
                    </section>
                }.into_any(),
            }}
        </main>
        <footer class="footer" aria-label="Storage on this device">
            {move || {
                let s = storage.get();
                let used = s.usage.map(|u| format!("{} stored on this device", human_bytes(u))).unwrap_or_default();
                let persistence = match s.persisted {
                    Some(true) => "Storage is persistent: the browser will not clear it on its own.",
                    Some(false) => "The browser has not granted persistent storage and may clear this data when space runs low. Installing the app usually grants it.",
                    None => "",
                };
                let warn = s.persisted == Some(false);
                view! {
                    <p class="small muted" data-testid="storage-usage">{used}</p>
                    <p class="small" class:warn=warn data-testid="storage-persistence">{persistence}</p>
                }
            }}
        </footer>
    }
}

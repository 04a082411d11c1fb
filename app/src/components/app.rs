use leptos::prelude::*;

use super::portal_page::PortalPage;
use super::status_badge::StatusBadge;
use super::workspace_page::WorkspacePage;
use crate::route::{use_route, Route};
use crate::sync_client::client;

#[component]
pub fn App() -> impl IntoView {
    let route = use_route();
    let storage_error = client().signals.storage_error;
    let durable = client().is_durable();
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
    }
}

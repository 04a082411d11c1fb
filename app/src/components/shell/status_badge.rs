//! The connection indicator in the header. It is a button: a tap (or a click, or Enter) shows
//! what the state means and what to do about it, so the explanation reaches touch screens too,
//! where a hover tooltip never appears.

use leptos::prelude::*;

use crate::state::ConnectionStatus;
use crate::sync::client;

/// The connection indicator: a live region, so screen readers hear when sync state changes.
#[component]
pub fn StatusBadge() -> impl IntoView {
    let status = client().signals.status;
    let open = RwSignal::new(false);
    let class = move || {
        let tone = match status.get() {
            ConnectionStatus::Offline => "offline",
            ConnectionStatus::Connecting => "connecting",
            ConnectionStatus::Syncing => "syncing",
            ConnectionStatus::Synced => "synced",
        };
        format!("status status-{tone}")
    };
    view! {
        <div class="status-wrap">
            <button
                type="button"
                class=class
                aria-live="polite"
                aria-expanded=move || open.get().to_string()
                aria-controls="status-explanation"
                data-testid="connection-status"
                title=move || status.get().describe()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="status-dot" aria-hidden="true"></span>
                {move || status.get().label()}
            </button>
            <Show when=move || open.get()>
                <p class="status-explanation" id="status-explanation">
                    {move || status.get().describe()}
                </p>
            </Show>
        </div>
    }
}

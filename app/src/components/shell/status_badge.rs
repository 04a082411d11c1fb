use leptos::prelude::*;

use crate::state::ConnectionStatus;
use crate::sync::client;

/// The connection indicator: a live region, so screen readers hear when sync state changes.
#[component]
pub fn StatusBadge() -> impl IntoView {
    let status = client().signals.status;
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
        <p
            class=class
            role="status"
            aria-live="polite"
            data-testid="connection-status"
            title=move || status.get().describe()
        >
            <span class="status-dot" aria-hidden="true"></span>
            {move || status.get().label()}
        </p>
    }
}

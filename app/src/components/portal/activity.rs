//! The activity feed: who changed what, read from the portal's change history, each change
//! named after the person the relay verified for its actor.

use leptos::prelude::*;
use threshold_model::portal::activity;
use threshold_protocol::DocumentId;

use crate::state::authors::{name_for, portal_authors, refresh};

#[component]
pub fn ActivitySection(id: DocumentId) -> impl IntoView {
    // Reading the feed walks the change history, so it is only read while someone looks at it,
    // not on every keystroke.
    let (open, set_open) = signal(false);
    let authors = portal_authors();
    let revision = crate::sync::client().revision_of(id);
    let feed = Memo::new(move |_| {
        if !open.get() {
            return Vec::new();
        }
        revision.track();
        crate::sync::client()
            .read(&id, |doc| activity(doc, 25).ok())
            .flatten()
            .unwrap_or_default()
    });
    view! {
        <section class="card" aria-labelledby="activity-heading" id="activity">
            <details on:toggle=move |ev| {
                use wasm_bindgen::JsCast;
                let is_open = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok()).is_some_and(|d| d.open());
                set_open.set(is_open);
                if is_open {
                    // An actor may have been bound since the page opened.
                    refresh(id, authors);
                }
            }>
                <summary><h2 id="activity-heading" class="inline-heading">"Activity"</h2></summary>
                <ul class="activity-list" aria-label="Recent activity">
                    {move || feed.get().into_iter().map(|e| view! {
                        <li>
                            <strong>{name_for(&e.actor, &e.who)}</strong>
                            " changed " {e.what.join(", ")}
                            <span class="muted small">{e.at.map(|t| format!(" · {}", crate::state::dates::show_moment(t)))}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        </section>
    }
}

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::{activity, add_checkin, read_checkins, Assignee};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::doc_memo;

#[component]
pub fn CheckinsSection(id: DocumentId) -> impl IntoView {
    let checkins = doc_memo(id, &["checkins"], |doc| read_checkins(doc).ok());
    let view = use_view();
    let (body, set_body) = signal(String::new());
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = body.get_untracked().trim().to_owned();
        if text.is_empty() {
            return;
        }
        let mode = view.get_untracked();
        let side = if mode == ViewMode::Client {
            Assignee::Client
        } else {
            Assignee::Provider
        };
        actions::edit_portal(id, |tx| {
            add_checkin(tx, &mode.actor_name(), side, &text, chrono::Utc::now()).map(|_| ())
        });
        set_body.set(String::new());
    };
    view! {
        <section class="card" aria-labelledby="checkins-heading" id="checkins">
            <h2 id="checkins-heading">"Check-ins"</h2>
            <form class="stack" on:submit=on_add aria-label="Add a check-in" novalidate>
                <label for="checkin-body">"New check-in"</label>
                <textarea id="checkin-body" rows="2" placeholder="How is it going? What happened this week?" prop:value=body
                    on:input=move |ev| set_body.set(event_target_value(&ev))></textarea>
                <div><button type="submit" class="button primary">"Post check-in"</button></div>
            </form>
            <ul class="comment-list" aria-label="Check-ins">
                {move || checkins.get().unwrap_or_default().into_iter().map(|c| view! {
                    <li><strong>{c.author}</strong>
                        <span class="muted small">{c.at.map(|t| t.format(" · %-d %b %Y %H:%M").to_string())}</span>
                        <p>{c.body}</p></li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn ActivitySection(id: DocumentId) -> impl IntoView {
    // Reading the feed walks the change history, so it is only read while someone looks at it,
    // not on every keystroke.
    let (open, set_open) = signal(false);
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
            }>
                <summary><h2 id="activity-heading" class="inline-heading">"Activity"</h2></summary>
                <ul class="activity-list" aria-label="Recent activity">
                    {move || feed.get().into_iter().map(|e| view! {
                        <li>
                            <strong>{e.who}</strong>
                            " changed " {e.what.join(", ")}
                            <span class="muted small">{e.at.map(|t| t.format(" · %-d %b %H:%M").to_string())}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        </section>
    }
}

//! Check-ins: short notes either side leaves on how the engagement is going.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::portal::{add_checkin, Assignee, CHECKINS};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::state::authors::verified_name;
use crate::state::permission::archive;
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::part_memo;

#[component]
pub fn CheckinsSection(id: DocumentId) -> impl IntoView {
    let checkins = part_memo(id, CHECKINS);
    let view = use_view();
    let (body, set_body) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = body.get_untracked();
        let mode = view.get_untracked();
        let side = if mode == ViewMode::Client {
            Assignee::Client
        } else {
            Assignee::Provider
        };
        if actions::save_portal(id, set_error, |tx| {
            add_checkin(tx, &mode.actor_name(), side, &text, chrono::Utc::now()).map(|_| ())
        }) {
            set_body.set(String::new());
        }
    };
    view! {
        <section class="card" aria-labelledby="checkins-heading" id="checkins">
            <h2 id="checkins-heading">"Check-ins"</h2>
            <Show when=move || !archive()>
            <form class="stack" on:submit=on_add aria-label="Add a check-in" novalidate data-add-form>
                <label for="checkin-body">"New check-in"</label>
                <textarea id="checkin-body" rows="2" placeholder="How is it going? What happened this week?" prop:value=body
                    on:input=move |ev| set_body.set(event_target_value(&ev))></textarea>
                <div><button type="submit" class="button primary">"Post check-in"</button></div>
            </form>
            <p class="field-error" role="alert">{move || error.get()}</p>
            </Show>
            <ul class="comment-list" aria-label="Check-ins">
                {move || checkins.get().unwrap_or_default().into_iter().map(|c| view! {
                    <li><strong>{verified_name(&id, &["checkins", c.id.as_str()], "author", &c.author)}</strong>
                        <span class="muted small">{c.at.map(|t| format!(" · {}", crate::state::dates::show_moment(t)))}</span>
                        <p>{c.body}</p></li>
                }).collect_view()}
            </ul>
        </section>
    }
}

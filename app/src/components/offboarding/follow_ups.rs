use leptos::prelude::*;
use threshold_model::offboarding::{set_follow_up_done, set_follow_up_due, FOLLOW_UPS};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::state::dates::{input_value, parse_date, today};
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::part_memo;

/// Follow-ups at 3, 6 and 12 months after the end; the provider moves their dates and marks
/// them done. Their calendar file is under "Take your portal with you".
#[component]
pub fn FollowUpsSection(id: DocumentId) -> impl IntoView {
    let view = use_view();
    let follow_ups = part_memo(id, FOLLOW_UPS);
    view! {
        <Show when=move || follow_ups.with(|f| f.as_ref().is_some_and(|f| !f.is_empty()))>
            <section class="card" aria-labelledby="follow-ups-heading" id="follow-ups">
                <h2 id="follow-ups-heading">"Follow-ups"</h2>
                <p class="muted small">"We check in after the engagement to see how things are going."</p>
                <ul class="follow-ups" aria-label="Follow-ups">
                    {move || follow_ups.get().unwrap_or_default().into_iter().map(|f| {
                        let key = StoredValue::new(f.key.clone());
                        let title = f.title();
                        let due = f.is_due(today());
                        let done = f.done_at.is_some();
                        let note = StoredValue::new(f.note.clone());
                        view! {
                            <li class="row" class:overdue=due>
                                <Show when=move || view.get() == ViewMode::Provider fallback={
                                    let title = title.clone();
                                    move || view! { <span class="grow">{format!("{title}: {}", crate::state::dates::show(f.due))}</span> }
                                }>
                                    <label class="inline grow">
                                        <input type="checkbox" prop:checked=done aria-label=format!("Done: {}", title.clone())
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                actions::edit_portal(id, |tx| set_follow_up_done(tx, &key.get_value(), on.then(chrono::Utc::now), &note.get_value()));
                                            }/>
                                        {title.clone()}
                                    </label>
                                    <input type="date" aria-label=format!("Date of the {}", title.to_lowercase()) prop:value=input_value(Some(f.due))
                                        on:change=move |ev| {
                                            if let Some(d) = parse_date(&event_target_value(&ev)) {
                                                actions::edit_portal(id, |tx| set_follow_up_due(tx, &key.get_value(), d));
                                            }
                                        }/>
                                    {due.then(|| view! { <span class="badge badge-late">"Due"</span> })}
                                </Show>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

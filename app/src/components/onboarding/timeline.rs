//! The timeline: milestones with their target dates, reached or not.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::onboarding::{
    add_milestone, newly_reached, set_milestone_reached, Milestone, MILESTONES,
};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::widgets::{AddRow, TextField};
use crate::state::dates::{parse_date, today};
use crate::state::permission::{may, Act};
use crate::state::view_mode::use_view;
use crate::sync::part_memo;

#[component]
pub fn TimelineSection(id: DocumentId) -> impl IntoView {
    let milestones = part_memo(id, MILESTONES);
    let view = use_view();
    let (celebrating, set_celebrating) = signal(Vec::<String>::new());
    // Celebrate milestones that become reached while the portal is open, whichever side (or
    // device) marked them: the comparison runs on every change that arrives.
    Effect::new(move |previous: Option<Vec<Milestone>>| {
        let now = milestones.get().unwrap_or_default();
        if let Some(before) = previous {
            let reached = newly_reached(&before, &now);
            if !reached.is_empty() {
                let titles = now
                    .iter()
                    .filter(|m| reached.contains(&m.id))
                    .map(|m| m.title.clone())
                    .collect();
                set_celebrating.set(titles);
            }
        }
        now
    });
    let (title, set_title) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (target, set_target) = signal(String::new());
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let t = title.get_untracked();
        let date = parse_date(&target.get_untracked());
        if !actions::save_portal(id, set_error, |tx| add_milestone(tx, &t, date).map(|_| ())) {
            return;
        }
        set_title.set(String::new());
        set_target.set(String::new());
    };
    let list = move || milestones.get().unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="timeline-heading" id="timeline">
            <h2 id="timeline-heading">"Timeline"</h2>
            <Show when=move || !celebrating.get().is_empty()>
                <div class="celebration" role="status">
                    <span aria-hidden="true">"🎉 "</span>
                    {move || format!("Milestone reached: {}", celebrating.get().join(", "))}
                    <button type="button" class="button ghost small" on:click=move |_| set_celebrating.set(Vec::new())>"Dismiss"</button>
                </div>
            </Show>
            <Show when=move || !list().is_empty() fallback=|| view! { <p class="muted">"No milestones yet."</p> }>
                <ol class="timeline" aria-label="Milestones">
                    <For each=list key=|m| (m.id.clone(), m.title.clone(), m.target, m.reached_at)
                        children=move |m| {
                            let late = m.is_late(today());
                            let reached = m.reached_at.is_some();
                            let when = m.target.map(crate::state::dates::show).unwrap_or_else(|| "No date".into());
                            let mid = m.id.clone();
                            view! {
                                <li class="milestone" class:reached=reached class:late=late>
                                    // Whoever may not mark milestones (the client, an archive) reads where
                                    // the timeline stands from the rail's dot, with its state in words for
                                    // a screen reader; a checkbox is there only to be used.
                                    <Show when=move || may(view.get(), &Act::EditMilestones) fallback={
                                        let title = m.title.clone();
                                        move || view! {
                                            <strong>{title.clone()}
                                                <span class="visually-hidden">{if reached { " (reached)" } else { " (not reached)" }}</span>
                                            </strong>
                                        }
                                    }>
                                    <label class="inline">
                                        <input type="checkbox" prop:checked=reached
                                            aria-label=format!("Reached: {}", m.title)
                                            on:change={
                                                let mid = mid.clone();
                                                move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    actions::edit_portal(id, |tx| set_milestone_reached(tx, &mid, on.then(chrono::Utc::now)));
                                                }
                                            }/>
                                        <strong>{m.title.clone()}</strong>
                                    </label>
                                    </Show>
                                    <span class="muted small">{when}</span>
                                    {late.then(|| view! { <span class="badge badge-late">"Late"</span> })}
                                </li>
                            }
                        }/>
                </ol>
            </Show>
            <Show when=move || may(view.get(), &Act::EditMilestones)>
                <AddRow label="Add a milestone" button="Add milestone" on_add=on_add error=error>
                    <TextField id="milestone-title" label="Milestone" grow=true value=title set_value=set_title/>
                    <TextField id="milestone-target" label="Target date" kind="date" value=target set_value=set_target/>
                </AddRow>
            </Show>
        </section>
    }
}

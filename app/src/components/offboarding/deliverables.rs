use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::offboarding::{
    acknowledge_deliverable, add_deliverable, remove_deliverable, set_handover, update_deliverable,
    Deliverable, DeliverableSpec, Handover, DELIVERABLES, DELIVERABLE_CANDIDATES,
};
use threshold_model::portal::Attachment;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::files::Attachments;
use crate::components::widgets::{AddRow, RemoveButton, TextField};
use crate::state::authors::verified_name;
use crate::state::dates::{input_value, parse_date};
use crate::state::permission::{archive, may, Act};
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::part_memo;

/// The deliverables review: every deliverable of the engagement with its owner, date and
/// handover notes; the client acknowledges each in their view.
#[component]
pub fn DeliverablesSection(id: DocumentId) -> impl IntoView {
    let view = use_view();
    let deliverables = part_memo(id, DELIVERABLES);
    let candidates = part_memo(id, DELIVERABLE_CANDIDATES);
    let (title, set_title) = signal(String::new());
    let (owner, set_owner) = signal(String::new());
    let (due, set_due) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let spec = DeliverableSpec {
            title: title.get_untracked(),
            owner: owner.get_untracked(),
            due: parse_date(&due.get_untracked()),
        };
        match actions::try_edit_portal(id, |tx| {
            add_deliverable(tx, &spec, None, chrono::Utc::now()).map(|_| ())
        }) {
            Ok(()) => {
                set_title.set(String::new());
                set_due.set(String::new());
                set_error.set(None);
            }
            Err(e) => set_error.set(Some(e.to_string())),
        }
    };
    let acknowledged = move || {
        deliverables.get().map(|d| {
            let done = d.iter().filter(|d| d.acknowledged.is_some()).count();
            format!("{done} of {} acknowledged", d.len())
        })
    };
    view! {
        <section class="card" aria-labelledby="deliverables-heading" id="deliverables">
            <div class="section-head">
                <h2 id="deliverables-heading">"Deliverables review"</h2>
                <p class="muted small" data-testid="deliverables-progress">{acknowledged}</p>
            </div>
            <p class="muted small">{move || if archive() {
                "Everything we delivered, with how to use and look after it."
            } else if view.get() == ViewMode::Client {
                "Everything we delivered, with how to use and look after it. Tick each one you have received."
            } else {
                "Every deliverable of the engagement in one place, with handover notes. The client acknowledges each one."
            }}</p>
            <ul class="deliverable-list" aria-label="Deliverables">
                <For each=move || deliverables.get().unwrap_or_default()
                    key=|d| format!("{d:?}")
                    children=move |d| view! { <DeliverableItem portal=id deliverable=d/> }/>
            </ul>
            <Show when=move || may(view.get(), &Act::EditDeliverables)>
                <Show when=move || candidates.with(|c| c.as_ref().is_some_and(|c| !c.is_empty()))>
                    <div class="candidates">
                        <h3>"From the plan"</h3>
                        <p class="muted small">"Finished tasks and documents you sent that the review does not list yet."</p>
                        <ul aria-label="Deliverables from the plan">
                            {move || candidates.get().unwrap_or_default().into_iter().map(|(source, title)| {
                                let label = format!("Add {title} to the review");
                                let t = title.clone();
                                view! {
                                    <li class="row">
                                        <span class="grow">{title}</span>
                                        <button type="button" class="button small" aria-label=label on:click=move |_| {
                                            let spec = DeliverableSpec { title: t.clone(), ..DeliverableSpec::default() };
                                            actions::edit_portal(id, |tx| add_deliverable(tx, &spec, Some(&source), chrono::Utc::now()).map(|_| ()));
                                        }>"Add"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </div>
                </Show>
                <AddRow label="Add a deliverable" button="Add deliverable" on_add=on_add error=error>
                    <TextField id="deliverable-title" label="Deliverable" placeholder="e.g. Brand guidelines" grow=true value=title set_value=set_title/>
                    <TextField id="deliverable-owner" label="Owner" value=owner set_value=set_owner/>
                    <TextField id="deliverable-due" label="Due date" kind="date" value=due set_value=set_due/>
                </AddRow>
            </Show>
        </section>
    }
}

#[component]
fn DeliverableItem(portal: DocumentId, deliverable: Deliverable) -> impl IntoView {
    let view = use_view();
    let d = deliverable;
    let title = d.spec.title.clone();
    let handover = StoredValue::new(d.handover.clone());
    let id = StoredValue::new(d.id.clone());
    let spec = StoredValue::new(d.spec.clone());
    let save_handover = move |change: fn(&mut Handover, String), value: String| {
        let mut h = handover.get_value();
        change(&mut h, value);
        actions::edit_portal(portal, |tx| set_handover(tx, &id.get_value(), &h));
    };
    let save_spec = move |change: fn(&mut DeliverableSpec, String), value: String| {
        let mut s = spec.get_value();
        change(&mut s, value);
        actions::edit_portal(portal, |tx| update_deliverable(tx, &id.get_value(), &s));
    };
    let acknowledged = d.acknowledged.clone();
    // Closures, so the verified name appears once the relay names the person.
    let deliverable_id = d.id.clone();
    let ack_text = acknowledged.clone().map(|(at, by)| {
        move || {
            let by = verified_name(
                &portal,
                &["deliverables", deliverable_id.as_str()],
                "acknowledgedBy",
                &by,
            );
            format!(
                "Acknowledged by {by} on {}",
                crate::state::dates::show_at(at)
            )
        }
    });
    let provider = move || view.get() == ViewMode::Provider;
    let may_edit = move || may(view.get(), &Act::EditDeliverables);
    let empty_notes = d.handover.is_empty();
    let meta = [
        (!d.spec.owner.is_empty()).then(|| format!("Owner: {}", d.spec.owner)),
        d.spec
            .due
            .map(|due| format!("Due {}", crate::state::dates::show(due))),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let notes = [
        (
            "How to use it",
            d.handover.how_to_use.clone(),
            (|h: &mut Handover, v| h.how_to_use = v) as fn(&mut Handover, String),
        ),
        (
            "Looking after it",
            d.handover.maintenance.clone(),
            |h: &mut Handover, v| h.maintenance = v,
        ),
        (
            "How long tasks take",
            d.handover.time_needed.clone(),
            |h: &mut Handover, v| h.time_needed = v,
        ),
    ];
    let received = acknowledged.is_some();
    let (title_in_box, title_to_remove) = (title.clone(), title.clone());
    let title_in_box = StoredValue::new(title_in_box);
    view! {
        <li class="deliverable" class:acknowledged=received>
            <div class="row">
                <Show when=move || !archive() fallback={
                    let title = title.clone();
                    move || view! {
                        <span class="inline grow">
                            <span class="task-mark" class:done=received role="img" aria-label=if received { "Received" } else { "Not received yet" }>{if received { "✓" } else { "" }}</span>
                            <strong>{title.clone()}</strong>
                        </span>
                    }
                }>
                <label class="inline grow">
                    <input type="checkbox" prop:checked=received
                        aria-label=format!("Received: {}", title_in_box.get_value())
                        disabled=provider
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let by = view.get_untracked().actor_name();
                            actions::edit_portal(portal, |tx| acknowledge_deliverable(tx, &id.get_value(), on.then_some(by.as_str()), chrono::Utc::now()));
                        }/>
                    <strong>{title_in_box.get_value()}</strong>
                </label>
                </Show>
                <Show when=may_edit>
                    <RemoveButton what="deliverable" name=title_to_remove.clone()
                        on_remove=move |()| actions::edit_portal(portal, |tx| remove_deliverable(tx, &id.get_value()))/>
                </Show>
            </div>
            <p class="muted small">{meta}{ack_text.map(|t| view! { <span class="badge badge-done">{t}</span> })}</p>
            <Show when=may_edit>
                <div class="row small-fields">
                    <label class="inline">"Owner"
                        <input type="text" aria-label=format!("Owner of {}", spec.get_value().title) prop:value=spec.get_value().owner
                            on:change=move |ev| save_spec(|s, v| s.owner = v, event_target_value(&ev))/>
                    </label>
                    <label class="inline">"Due"
                        <input type="date" aria-label=format!("Due date of {}", spec.get_value().title) prop:value=input_value(spec.get_value().due)
                            on:change=move |ev| save_spec(|s, v| s.due = parse_date(&v), event_target_value(&ev))/>
                    </label>
                </div>
            </Show>
            <Attachments portal=portal attachment=Attachment::Deliverable(d.id.clone()) label=d.spec.title.clone()/>
            // Open for the provider, who writes the notes, and for the client once there are some.
            <details class="handover" open=move || provider() || !empty_notes>
                <summary>"Handover notes"</summary>
                {notes.into_iter().map(|(label, value, change)| {
                    let aria = format!("{label}: {}", spec.get_value().title);
                    // The notes are the provider's record: the client reads them as text.
                    let shown = if value.is_empty() { "Not written yet.".to_owned() } else { value.clone() };
                    view! {
                        <Show when=may_edit fallback=move || view! {
                            <div class="stacked handover-note"><span class="small muted">{label}</span><p>{shown.clone()}</p></div>
                        }>
                            <label class="stacked">{label}
                                <textarea rows="2" aria-label=aria.clone() prop:value=value.clone()
                                    on:change=move |ev| save_handover(change, event_target_value(&ev))></textarea>
                            </label>
                        </Show>
                    }
                }).collect_view()}
            </details>
        </li>
    }
}

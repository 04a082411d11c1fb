use leptos::prelude::*;
use threshold_model::{
    outstanding, read_exchange, read_intake, read_meetings, read_portal, OutstandingItem,
    OutstandingKind,
};
use threshold_protocol::DocumentId;

use super::doc_memo::doc_memo;
use crate::dates::today;
use crate::view_mode::{use_view, ViewMode};

fn kind_label(kind: OutstandingKind) -> &'static str {
    match kind {
        OutstandingKind::IntakeAnswer => "Intake",
        OutstandingKind::Signature => "Signature",
        OutstandingKind::Payment => "Payment",
        OutstandingKind::Document => "Document",
        OutstandingKind::Task => "Task",
        OutstandingKind::Meeting => "Meeting",
    }
}

fn item_list(items: Vec<OutstandingItem>, label: &'static str) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted small">"Nothing waiting."</p> }.into_any();
    }
    view! {
        <ul class="outstanding-list" aria-label=label>
            {items.into_iter().map(|i| view! {
                <li class:overdue=i.overdue>
                    <span class="badge">{kind_label(i.kind)}</span>
                    " " {i.title}
                    {i.due.map(|d| view! { <span class="muted small">{format!(" · due {}", d.format("%-d %b"))}</span> })}
                    {i.overdue.then(|| view! { <span class="badge badge-late">"Overdue"</span> })}
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn OutstandingSection(id: DocumentId) -> impl IntoView {
    let view = use_view();
    let result = doc_memo(id, |doc| {
        let tasks = read_portal(doc).ok()?.tasks;
        Some(outstanding(
            &read_intake(doc).ok()?,
            &read_exchange(doc).ok()?,
            &tasks,
            &read_meetings(doc).ok()?,
            today(),
        ))
    });
    // Each side reads "waiting on you" for its own list.
    let (client_title, us_title) = (
        move || {
            if view.get() == ViewMode::Client {
                "Waiting on you"
            } else {
                "Waiting on the client"
            }
        },
        move || {
            if view.get() == ViewMode::Client {
                "Waiting on your provider"
            } else {
                "Waiting on us"
            }
        },
    );
    view! {
        <section class="card" aria-labelledby="outstanding-heading" id="outstanding">
            <h2 id="outstanding-heading">"What's outstanding"</h2>
            <div class="grid-2">
                <div>
                    <h3>{client_title}</h3>
                    {move || item_list(result.get().map(|r| r.waiting_on_client).unwrap_or_default(), "Waiting on the client")}
                </div>
                <div>
                    <h3>{us_title}</h3>
                    {move || item_list(result.get().map(|r| r.waiting_on_us).unwrap_or_default(), "Waiting on the provider")}
                </div>
            </div>
        </section>
    }
}

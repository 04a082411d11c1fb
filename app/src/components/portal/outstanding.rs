//! What's outstanding: what waits on the client and what on the provider, most urgent first,
//! a page of each before "Show all".

use leptos::prelude::*;
use threshold_model::onboarding::{
    read_exchange, read_intake, read_meetings, EXCHANGE, INTAKE, MEETINGS,
};
use threshold_model::portal::{outstanding, place_of, OutstandingItem, OutstandingKind, Task};
use threshold_protocol::DocumentId;

use super::overview::view_of;
use crate::state::dates::today;
use crate::state::route::Route;
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::doc_memo;

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

/// How many items each list shows before "Show all": the most urgent come first, and a plan of
/// hundreds of open tasks would otherwise bury them (and cost a long render on every edit).
const SHOWN: usize = 25;

fn item_list(
    portal: DocumentId,
    items: Vec<OutstandingItem>,
    label: &'static str,
    show_all: RwSignal<bool>,
) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted small">"Nothing waiting."</p> }.into_any();
    }
    let total = items.len();
    let hidden = if show_all.get() {
        0
    } else {
        total.saturating_sub(SHOWN)
    };
    view! {
        <ul class="outstanding-list" aria-label=label>
            {items.into_iter().take(total - hidden).map(|i| view! {
                <li class:overdue=i.overdue>
                    <span class="badge">{kind_label(i.kind)}</span>
                    // Each item leads to the view where it is done.
                    " " <a href=Route::Portal(portal, view_of(place_of(i.kind))).href()>{i.title}</a>
                    {i.due.map(|d| view! { <span class="muted small">{format!(" · due {}", crate::state::dates::show(d))}</span> })}
                    {i.overdue.then(|| view! { <span class="badge badge-late">"Overdue"</span> })}
                </li>
            }).collect_view()}
        </ul>
        {(hidden > 0).then(|| view! {
            <button type="button" class="button ghost small" on:click=move |_| show_all.set(true)>
                {format!("Show all {total}")}
            </button>
        })}
    }
    .into_any()
}

#[component]
pub fn OutstandingSection(id: DocumentId, tasks: Signal<Vec<Task>>) -> impl IntoView {
    let view = use_view();
    let provider = crate::state::voice::use_provider_name(id);
    // The tasks come from the portal page, which reads them once for every view of them.
    let rest = doc_memo(id, &[INTAKE.keys, EXCHANGE.keys, MEETINGS.keys], |doc| {
        Some((
            read_intake(doc).ok()?,
            read_exchange(doc).ok()?,
            read_meetings(doc).ok()?,
        ))
    });
    let result = Memo::new(move |_| {
        let (intake, exchange, meetings) = rest.get()?;
        Some(tasks.with(|tasks| outstanding(&intake, &exchange, tasks, &meetings, today())))
    });
    let (show_all_client, show_all_us) = (RwSignal::new(false), RwSignal::new(false));
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
                format!(
                    "Waiting on {}",
                    provider.get().unwrap_or_else(|| "your provider".into())
                )
            } else {
                "Waiting on us".into()
            }
        },
    );
    view! {
        <section class="card" aria-labelledby="outstanding-heading" id="outstanding">
            <h2 id="outstanding-heading">"What's outstanding"</h2>
            <div class="grid-2">
                <div>
                    <h3>{client_title}</h3>
                    {move || item_list(id, result.get().map(|r| r.waiting_on_client).unwrap_or_default(), "Waiting on the client", show_all_client)}
                </div>
                <div>
                    <h3>{us_title}</h3>
                    {move || item_list(id, result.get().map(|r| r.waiting_on_us).unwrap_or_default(), "Waiting on the provider", show_all_us)}
                </div>
            </div>
        </section>
    }
}

//! The portal's views as a navigation bar, each with its count or state ("Intake 3/9",
//! "Documents 2 waiting", "People 2"), as the model's `view_counts` words them. It wraps onto a second line on a phone rather than scrolling
//! sideways, so the page never grows wider than the screen.

use leptos::prelude::*;
use threshold_model::onboarding::{read_exchange, read_intake, EXCHANGE, INTAKE};
use threshold_model::portal::{view_counts, Side, Stage, Task, ViewFacts, CHECKINS, FILES};
use threshold_protocol::DocumentId;

use crate::state::route::{PortalView, Route};
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::{doc_memo, part_memo};

#[component]
pub(super) fn PortalNav(
    id: DocumentId,
    current: Signal<PortalView>,
    tasks: Signal<Vec<Task>>,
    stage: Memo<Option<Stage>>,
    offboarding: Signal<bool>,
    /// How many people have access, once the relay has said (the provider's side only).
    people: Signal<Option<usize>>,
) -> impl IntoView {
    let view = use_view();
    let intake = doc_memo(id, &[INTAKE.keys], |doc| {
        let p = read_intake(doc).ok()?.progress();
        Some((p.answered, p.total))
    });
    let exchange = doc_memo(id, &[EXCHANGE.keys], |doc| {
        let items = read_exchange(doc).ok()?;
        Some((
            items.iter().filter(|i| i.waits_on_client()).count(),
            items.iter().filter(|i| i.waits_on_us()).count(),
        ))
    });
    let files = part_memo(id, FILES);
    let checkins = part_memo(id, CHECKINS);
    // The counts are the model's (`view_counts`): what is open, for this side, and nothing open
    // once the engagement has ended.
    let counts = Memo::new(move |_| {
        let (answered, questions) = intake.get().unwrap_or_default();
        let (on_client, on_us) = exchange.get().unwrap_or_default();
        let facts = ViewFacts {
            stage: stage.get(),
            offboarding_started: offboarding.get(),
            open_tasks: tasks.with(|t| t.iter().filter(|t| !t.done).count()),
            questions_answered: answered,
            questions,
            documents_waiting_on_client: on_client,
            documents_waiting_on_us: on_us,
            files: files.with(|f| f.as_ref().map_or(0, Vec::len)),
            checkins: checkins.with(|c| c.as_ref().map_or(0, Vec::len)),
            people: people.get(),
        };
        let side = match view.get() {
            ViewMode::Client => Side::Client,
            ViewMode::Provider => Side::Provider,
        };
        view_counts(side, &facts)
    });
    let count = move |v: PortalView| -> Option<String> {
        counts.with(|c| match v {
            PortalView::Overview => None,
            PortalView::Plan => c.plan.clone(),
            PortalView::Intake => c.intake.clone(),
            PortalView::Documents => c.documents.clone(),
            PortalView::Files => c.files.clone(),
            PortalView::Offboarding => c.offboarding.clone(),
            PortalView::Activity => c.activity.clone(),
            PortalView::People => c.people.clone(),
        })
    };
    // The client sees the views that are theirs: no people or internal notes, and offboarding
    // only once it has started.
    let shown = move |v: PortalView| match v {
        PortalView::People => view.get() == ViewMode::Provider,
        PortalView::Offboarding => view.get() == ViewMode::Provider || offboarding.get(),
        _ => true,
    };
    view! {
        <nav class="portal-nav" aria-label="Portal">
            <ul>
                {PortalView::ALL.into_iter().map(|v| view! {
                    <Show when=move || shown(v)>
                        <li>
                            <a href=Route::Portal(id, v).href()
                                aria-current=move || (current.get() == v).then_some("page")>
                                <span class="nav-label">{v.label()}</span>
                                {move || count(v).map(|c| view! { <span class="nav-count">{c}</span> })}
                            </a>
                        </li>
                    </Show>
                }).collect_view()}
            </ul>
        </nav>
    }
}

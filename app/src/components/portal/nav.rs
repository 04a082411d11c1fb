//! The portal's views as a navigation bar, each with its count or state ("Intake 3/9",
//! "Documents 2 waiting"). It wraps onto a second line on a phone rather than scrolling
//! sideways, so the page never grows wider than the screen.

use leptos::prelude::*;
use threshold_model::onboarding::{read_exchange, read_intake, EXCHANGE, INTAKE};
use threshold_model::portal::{Stage, Task, CHECKINS, FILES};
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
    let count = move |v: PortalView| -> Option<String> {
        let client = view.get() == ViewMode::Client;
        match v {
            PortalView::Overview | PortalView::People => None,
            PortalView::Plan => {
                let open = tasks.with(|t| t.iter().filter(|t| !t.done).count());
                (open > 0).then(|| format!("{open} open"))
            }
            PortalView::Intake => intake
                .get()
                .filter(|(_, total)| *total > 0)
                .map(|(a, t)| format!("{a}/{t}")),
            PortalView::Documents => exchange.get().and_then(|(on_client, on_us)| {
                let n = if client { on_client } else { on_client + on_us };
                (n > 0).then(|| format!("{n} waiting"))
            }),
            PortalView::Files => files
                .get()
                .map(|f| f.len())
                .filter(|n| *n > 0)
                .map(|n| n.to_string()),
            PortalView::Offboarding => Some(match stage.get() {
                Some(Stage::Offboarding) => "under way".to_owned(),
                Some(Stage::Alumni) => "done".to_owned(),
                _ if offboarding.get() => "started".to_owned(),
                _ => "not started".to_owned(),
            }),
            PortalView::Activity => checkins
                .get()
                .map(|c| c.len())
                .filter(|n| *n > 0)
                .map(|n| n.to_string()),
        }
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

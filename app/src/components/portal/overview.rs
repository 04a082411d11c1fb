//! The overview's next-step card: the one thing to do next on this side, decided by the model
//! (`portal::next_step`), with a link to the view where it is done.

use leptos::prelude::*;
use threshold_model::offboarding::{
    read_access_wrapup, read_deliverables, read_exit_feedback, read_offboarding, CHECKLIST,
    OFFBOARDING,
};
use threshold_model::onboarding::{
    read_exchange, read_intake, read_meetings, EXCHANGE, INTAKE, MEETINGS,
};
use threshold_model::portal::{
    next_step, outstanding, Assignee, OffboardingFacts, Side, Stage, StepFacts, StepPlace, Task,
};
use threshold_protocol::DocumentId;

use crate::state::dates::today;
use crate::state::route::{PortalView, Route};
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::{doc_memo, part_memo};

pub(super) fn view_of(place: StepPlace) -> PortalView {
    match place {
        StepPlace::Overview => PortalView::Overview,
        StepPlace::Plan => PortalView::Plan,
        StepPlace::Intake => PortalView::Intake,
        StepPlace::Documents => PortalView::Documents,
        StepPlace::Offboarding => PortalView::Offboarding,
        StepPlace::People => PortalView::People,
    }
}

#[component]
pub(super) fn NextStepCard(
    id: DocumentId,
    tasks: Signal<Vec<Task>>,
    stage: Memo<Option<Stage>>,
) -> impl IntoView {
    let view = use_view();
    let rest = doc_memo(id, &[INTAKE.keys, EXCHANGE.keys, MEETINGS.keys], |doc| {
        Some((
            read_intake(doc).ok()?,
            read_exchange(doc).ok()?,
            read_meetings(doc).ok()?,
        ))
    });
    let checklist = part_memo(id, CHECKLIST);
    let offboarding = doc_memo(
        id,
        &[
            OFFBOARDING.keys,
            &["deliverables", "accessWrapUp", "feedback"],
        ],
        |doc| {
            let started = read_offboarding(doc).ok()?.started_at.is_some();
            if !started {
                return Some(None);
            }
            let deliverables = read_deliverables(doc).ok()?;
            let access = read_access_wrapup(doc).ok()?;
            Some(Some(OffboardingFacts {
                to_acknowledge: deliverables
                    .iter()
                    .filter(|d| d.acknowledged.is_none())
                    .count(),
                client_access_to_confirm: access
                    .iter()
                    .filter(|a| a.remover == Assignee::Client && a.confirmed_by_client.is_none())
                    .count(),
                feedback_submitted: read_exit_feedback(doc).ok()?.submitted.is_some(),
                goodbye_blockers: Vec::new(),
            }))
        },
    );
    // Who has access is the relay's to say, asked as the portal opens (the provider's side).
    let invited = use_context::<super::PeopleWithAccess>()
        .map(|p| p.0)
        .unwrap_or_else(|| RwSignal::new(None));
    let step = Memo::new(move |_| {
        let (intake, exchange, meetings) = rest.get()?;
        let outstanding =
            tasks.with(|tasks| outstanding(&intake, &exchange, tasks, &meetings, today()));
        let mut off = offboarding.get().flatten();
        if let Some(off) = off.as_mut() {
            off.goodbye_blockers = checklist
                .get()
                .unwrap_or_default()
                .into_iter()
                .filter(|i| i.blocks_goodbye && !i.is_complete())
                .map(|i| i.label.to_owned())
                .collect();
        }
        let facts = StepFacts {
            stage: stage.get().unwrap_or(Stage::Onboarding),
            outstanding: &outstanding,
            clients_invited: invited.get(),
            offboarding: off,
        };
        let side = match view.get() {
            ViewMode::Client => Side::Client,
            ViewMode::Provider => Side::Provider,
        };
        Some(next_step(side, &facts))
    });
    view! {
        {move || step.get().map(|s| {
            let href = Route::Portal(id, view_of(s.place)).href();
            view! {
                <section class="card next-step" aria-labelledby="next-step-heading" data-testid="next-step">
                    <p class="eyebrow">"Next step"</p>
                    <h2 id="next-step-heading">{s.title}</h2>
                    <p>{s.detail}</p>
                    {s.action.map(|a| view! { <a class="button primary" href=href>{a}</a> })}
                </section>
            }
        })}
    }
}

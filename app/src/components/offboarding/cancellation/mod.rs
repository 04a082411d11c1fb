//! Leaving early, one file per part: the section (what happened, and who sees which part), the
//! provider's save offer settings, and the client's flow with one file per step.

mod feedback_step;
mod flow;
mod offer_step;
mod reason_step;
mod save_offer;

use leptos::prelude::*;
use threshold_model::offboarding::OFFBOARDING;
use threshold_model::portal::Stage;
use threshold_protocol::DocumentId;

use crate::state::permission::{may, Act};
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::part_memo;
use flow::CancelFlow;
use save_offer::SaveOfferSettings;

/// Where the flow to leave early lives on the page.
pub const CANCEL_SECTION: &str = "leave-early";

/// Leaving early. The client finds it at the end of their overview, a quiet place rather than the first thing they see: a reason (required), the save
/// offer the provider configured (if any), a score, then the cancellation itself. The provider
/// configures the offer here and sees how a cancellation went.
#[component]
pub fn CancellationSection(id: DocumentId, stage: Memo<Option<Stage>>) -> impl IntoView {
    let view = use_view();
    let settings = part_memo(id, OFFBOARDING);
    let ended = move || stage.get().is_some_and(|s| s.is_closed());
    view! {
        <section class="card cancellation" aria-labelledby="cancel-heading" id=CANCEL_SECTION>
            <h2 id="cancel-heading">{move || if view.get() == ViewMode::Client { "Leaving early?" } else { "If the client leaves early" }}</h2>
            {move || settings.get().and_then(|s| s.cancellation).map(|c| view! {
                <p class="banner banner-info" role="status">{format!(
                    "Cancelled by {} on {}: {}{}",
                    c.by, crate::state::dates::show_at(c.at), c.reason.label(),
                    if c.detail.is_empty() { String::new() } else { format!(" — “{}”", c.detail) },
                )}</p>
            })}
            {move || settings.get().and_then(|s| s.offer_accepted_at).map(|at| view! {
                <p class="badge badge-done" role="status">{format!("The client accepted the save offer on {}", crate::state::dates::show_at(at))}</p>
            })}
            <Show when=move || may(view.get(), &Act::EditOffboarding)>
                <SaveOfferSettings id=id offer=Signal::derive(move || settings.get().and_then(|s| s.save_offer))/>
            </Show>
            <Show when=move || view.get() == ViewMode::Client && !ended()>
                <CancelFlow id=id offer=Signal::derive(move || settings.get().and_then(|s| s.save_offer))
                    accepted=Signal::derive(move || settings.get().and_then(|s| s.offer_accepted_at).is_some())/>
            </Show>
        </section>
    }
}

//! The client's way out, step by step: closed, the reason, the save offer (if any), the score
//! and the confirmation. The steps' markup is in their own files; the decisions are here.

use leptos::prelude::*;
use threshold_model::offboarding::{
    accept_save_offer, cancel_engagement, set_exit_score, LeaveReason, SaveOffer,
};
use threshold_protocol::DocumentId;

use super::feedback_step::FeedbackStep;
use super::offer_step::OfferStep;
use super::reason_step::ReasonStep;
use crate::actions;
use crate::state::view_mode::use_view;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Closed,
    Reason,
    Offer,
    Feedback,
}

#[component]
pub(super) fn CancelFlow(
    id: DocumentId,
    offer: Signal<Option<SaveOffer>>,
    accepted: Signal<bool>,
) -> impl IntoView {
    let view = use_view();
    let (step, set_step) = signal(Step::Closed);
    let (reason, set_reason) = signal(None::<LeaveReason>);
    let (detail, set_detail) = signal(String::new());
    let (score, set_score) = signal(None::<u8>);
    let (error, set_error) = signal(None::<String>);
    let after_reason = move || {
        if reason.get_untracked().is_none() {
            set_error.set(Some("Choose a reason for cancelling.".into()));
            return;
        }
        if reason.get_untracked() == Some(LeaveReason::Other)
            && detail.get_untracked().trim().is_empty()
        {
            set_error.set(Some(
                "Tell us the reason for cancelling in a few words.".into(),
            ));
            return;
        }
        set_error.set(None);
        let has_offer = offer.get_untracked().is_some() && !accepted.get_untracked();
        set_step.set(if has_offer {
            Step::Offer
        } else {
            Step::Feedback
        });
    };
    let keep = Callback::new(move |()| set_step.set(Step::Closed));
    let on_accept = Callback::new(move |()| {
        match actions::try_edit_portal(id, |tx| accept_save_offer(tx, chrono::Utc::now())) {
            Ok(()) => set_step.set(Step::Closed),
            Err(e) => set_error.set(Some(e.to_string())),
        }
    });
    let on_confirm = Callback::new(move |()| {
        let by = view.get_untracked().actor_name();
        let (r, d, s) = (
            reason.get_untracked(),
            detail.get_untracked(),
            score.get_untracked(),
        );
        let result = actions::try_edit_portal(id, |tx| {
            if s.is_some() {
                set_exit_score(tx, s)?;
            }
            cancel_engagement(tx, r, &d, &by, chrono::Utc::now())
        });
        set_error.set(result.err().map(|e| e.to_string()));
    });
    view! {
        {move || match step.get() {
            Step::Closed => view! {
                <p class="muted small">"You can end the engagement early at any time. We will ask why, and make sure you leave with everything."</p>
                <button type="button" class="button" on:click=move |_| set_step.set(Step::Reason)>"Cancel the engagement"</button>
            }.into_any(),
            Step::Reason => view! {
                <ReasonStep reason set_reason detail set_detail
                    on_continue=Callback::new(move |()| after_reason()) on_keep=keep/>
            }.into_any(),
            Step::Offer => view! {
                <OfferStep offer on_accept on_decline=Callback::new(move |()| set_step.set(Step::Feedback))/>
            }.into_any(),
            Step::Feedback => view! {
                <FeedbackStep score set_score on_confirm on_keep=keep/>
            }.into_any(),
        }}
        {move || accepted.get().then(|| view! { <p class="badge badge-done">"Thank you for staying. We will be in touch about your offer."</p> })}
        <p class="field-error" role="alert">{move || error.get()}</p>
    }
}

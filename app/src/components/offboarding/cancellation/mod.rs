use leptos::prelude::*;
use threshold_model::{
    accept_save_offer, cancel_engagement, read_offboarding, set_exit_score, set_save_offer,
    LeaveReason, SaveOffer, SaveOfferKind, Stage,
};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::widgets::ScoreScale;
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::doc_memo;

/// Where the flow to leave early lives on the page, for the link in the portal's header.
pub const CANCEL_SECTION: &str = "leave-early";

/// Scroll to the cancellation flow and open it.
pub fn show_cancellation() {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(CANCEL_SECTION))
    {
        el.scroll_into_view();
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Closed,
    Reason,
    Offer,
    Feedback,
}

/// Leaving early. The client finds it from the portal's header: a reason (required), the save
/// offer the provider configured (if any), a score, then the cancellation itself. The provider
/// configures the offer here and sees how a cancellation went.
#[component]
pub fn CancellationSection(id: DocumentId, stage: Memo<Option<Stage>>) -> impl IntoView {
    let view = use_view();
    let settings = doc_memo(id, &["offboarding"], |doc| read_offboarding(doc).ok());
    let ended = move || stage.get().is_some_and(|s| s.is_closed());
    view! {
        <section class="card cancellation" aria-labelledby="cancel-heading" id=CANCEL_SECTION>
            <h2 id="cancel-heading">{move || if view.get() == ViewMode::Client { "Leaving early?" } else { "If the client leaves early" }}</h2>
            {move || settings.get().and_then(|s| s.cancellation).map(|c| view! {
                <p class="banner banner-info" role="status">{format!(
                    "Cancelled by {} on {}: {}{}",
                    c.by, c.at.format("%-d %b %Y"), c.reason.label(),
                    if c.detail.is_empty() { String::new() } else { format!(" — “{}”", c.detail) },
                )}</p>
            })}
            {move || settings.get().and_then(|s| s.offer_accepted_at).map(|at| view! {
                <p class="badge badge-done" role="status">{format!("The client accepted the save offer on {}", at.format("%-d %b %Y"))}</p>
            })}
            <Show when=move || view.get() == ViewMode::Provider>
                <SaveOfferSettings id=id offer=Signal::derive(move || settings.get().and_then(|s| s.save_offer))/>
            </Show>
            <Show when=move || view.get() == ViewMode::Client && !ended()>
                <CancelFlow id=id offer=Signal::derive(move || settings.get().and_then(|s| s.save_offer))
                    accepted=Signal::derive(move || settings.get().and_then(|s| s.offer_accepted_at).is_some())/>
            </Show>
        </section>
    }
}

#[component]
fn SaveOfferSettings(id: DocumentId, offer: Signal<Option<SaveOffer>>) -> impl IntoView {
    let (kind, set_kind) = signal(SaveOfferKind::Pause);
    let (text, set_text) = signal(String::new());
    Effect::new(move |_| {
        if let Some(o) = offer.get() {
            set_kind.set(o.kind);
            set_text.set(o.text);
        }
    });
    let (message, set_message) = signal(None::<String>);
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let o = SaveOffer {
            kind: kind.get_untracked(),
            text: text.get_untracked(),
        };
        match actions::try_edit_portal(id, |tx| set_save_offer(tx, Some(&o))) {
            Ok(()) if o.text.trim().is_empty() => set_message.set(Some(
                "No offer: a client who cancels goes straight to the reason and feedback.".into(),
            )),
            Ok(()) => set_message.set(Some(
                "Saved. A client who starts to cancel sees this offer.".into(),
            )),
            Err(e) => set_message.set(Some(e.to_string())),
        }
    };
    view! {
        <form class="add-row" aria-label="Save offer" on:submit=on_save>
            <div class="field">
                <label for="save-offer-kind">"Save offer"</label>
                <select id="save-offer-kind" on:change=move |ev| set_kind.set(SaveOfferKind::parse(&event_target_value(&ev)))>
                    {SaveOfferKind::ALL.into_iter().map(|k| view! { <option value=k.as_str() selected=move || kind.get() == k>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field grow">
                <label for="save-offer-text">"What you offer"</label>
                <input id="save-offer-text" type="text" placeholder="e.g. Pause for up to three months at no cost"
                    prop:value=text on:input=move |ev| set_text.set(event_target_value(&ev))/>
            </div>
            <button type="submit" class="button">"Save offer"</button>
        </form>
        <p class="muted small" role="status">{move || message.get()}</p>
    }
}

#[component]
fn CancelFlow(
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
    let on_accept =
        move |_| match actions::try_edit_portal(id, |tx| accept_save_offer(tx, chrono::Utc::now()))
        {
            Ok(()) => set_step.set(Step::Closed),
            Err(e) => set_error.set(Some(e.to_string())),
        };
    let on_confirm = move |_| {
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
    };
    view! {
        {move || match step.get() {
            Step::Closed => view! {
                <p class="muted small">"You can end the engagement early at any time. We will ask why, and make sure you leave with everything."</p>
                <button type="button" class="button" on:click=move |_| set_step.set(Step::Reason)>"Cancel the engagement"</button>
            }.into_any(),
            Step::Reason => view! {
                <fieldset class="reasons">
                    <legend>"Why are you cancelling? (required)"</legend>
                    {LeaveReason::ALL.into_iter().filter(|r| *r != LeaveReason::WorkComplete).map(|r| view! {
                        <label class="inline">
                            <input type="radio" name="cancel-reason" prop:checked=move || reason.get() == Some(r)
                                on:change=move |_| set_reason.set(Some(r))/>
                            {r.label()}
                        </label>
                    }).collect_view()}
                </fieldset>
                <label for="cancel-detail">{move || if reason.get() == Some(LeaveReason::Other) { "Tell us more (required)" } else { "Tell us more (optional)" }}</label>
                <textarea id="cancel-detail" rows="2" prop:value=detail on:input=move |ev| set_detail.set(event_target_value(&ev))></textarea>
                <div class="row">
                    <button type="button" class="button primary" on:click=move |_| after_reason()>"Continue"</button>
                    <button type="button" class="button ghost" on:click=move |_| set_step.set(Step::Closed)>"Keep the engagement"</button>
                </div>
            }.into_any(),
            Step::Offer => view! {
                <div class="offer" role="group" aria-labelledby="offer-heading">
                    <h3 id="offer-heading">"Before you go"</h3>
                    <p>{move || offer.get().map(|o| o.text).unwrap_or_default()}</p>
                    <div class="row">
                        <button type="button" class="button primary" on:click=on_accept>"Accept the offer"</button>
                        <button type="button" class="button" on:click=move |_| set_step.set(Step::Feedback)>"No thanks, continue cancelling"</button>
                    </div>
                </div>
            }.into_any(),
            Step::Feedback => view! {
                <fieldset class="score">
                    <legend>"How likely are you to recommend us to a friend or colleague? (optional)"</legend>
                    <ScoreScale name="cancel-score" chosen=score on_pick=Callback::new(move |n| set_score.set(Some(n)))/>
                </fieldset>
                <p class="muted small">"After cancelling, this portal stays with you as a read-only archive, and you can download everything in it."</p>
                <div class="row">
                    <button type="button" class="button danger" on:click=on_confirm>"Confirm cancellation"</button>
                    <button type="button" class="button ghost" on:click=move |_| set_step.set(Step::Closed)>"Keep the engagement"</button>
                </div>
            }.into_any(),
        }}
        {move || accepted.get().then(|| view! { <p class="badge badge-done">"Thank you for staying. We will be in touch about your offer."</p> })}
        <p class="field-error" role="alert">{move || error.get()}</p>
    }
}

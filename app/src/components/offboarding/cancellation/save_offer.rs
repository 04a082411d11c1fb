//! The provider's save offer: what a client who starts to cancel is offered first.

use leptos::prelude::*;
use threshold_model::offboarding::{set_save_offer, SaveOffer, SaveOfferKind};
use threshold_protocol::DocumentId;

use crate::actions;

#[component]
pub(super) fn SaveOfferSettings(id: DocumentId, offer: Signal<Option<SaveOffer>>) -> impl IntoView {
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

//! The save offer, shown before cancelling when the provider configured one.

use leptos::prelude::*;
use threshold_model::offboarding::SaveOffer;

#[component]
pub(super) fn OfferStep(
    offer: Signal<Option<SaveOffer>>,
    on_accept: Callback<()>,
    on_decline: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="offer" role="group" aria-labelledby="offer-heading">
            <h3 id="offer-heading">"Before you go"</h3>
            <p>{move || offer.get().map(|o| o.text).unwrap_or_default()}</p>
            <div class="row">
                <button type="button" class="button primary" on:click=move |_| on_accept.run(())>"Accept the offer"</button>
                <button type="button" class="button" on:click=move |_| on_decline.run(())>"No thanks, continue cancelling"</button>
            </div>
        </div>
    }
}

use leptos::prelude::*;
use threshold_model::offboarding::{read_offboarding, FOLLOW_UPS, OFFBOARDING};
use threshold_model::portal::Stage;
use threshold_protocol::DocumentId;

use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::{doc_memo, part_memo};

/// What an alumni client sees first: thanks, when we will check in, and the referral ask.
#[component]
pub fn ThankYou(id: DocumentId, stage: Memo<Option<Stage>>) -> impl IntoView {
    let follow_ups = part_memo(id, FOLLOW_UPS);
    let review = doc_memo(id, &[OFFBOARDING.keys], |doc| {
        read_offboarding(doc).ok().map(|o| o.review_link)
    });
    let view = use_view();
    view! {
        <Show when=move || stage.get() == Some(Stage::Alumni) && view.get() == ViewMode::Client>
            <section class="card thank-you" aria-labelledby="thank-you-heading">
                <h2 id="thank-you-heading">"Thank you"</h2>
                <p>"It has been a pleasure working with you. Everything we made together stays here: the deliverables, the handover notes and the whole history of the work."</p>
                {move || {
                    let dates: Vec<String> = follow_ups.get().unwrap_or_default().iter().map(|f| crate::state::dates::show(f.due)).collect();
                    (!dates.is_empty()).then(|| view! { <p>{format!("We will check in on {}.", dates.join(", "))}</p> })
                }}
                <p><strong>"Know someone who could use our help?"</strong>" A referral is the kindest thanks. Forward them our goodbye email, or put them in touch with your contact on our team."</p>
                {move || review.get().filter(|l| threshold_model::formats::safe_href(l).is_some()).map(|link| view! {
                    <p><a class="button" href=link target="_blank" rel="noopener">"Leave us a review"</a></p>
                })}
            </section>
        </Show>
    }
}

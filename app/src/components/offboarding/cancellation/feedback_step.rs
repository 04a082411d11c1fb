//! The last step of leaving early: an optional score, then the confirmation.

use leptos::prelude::*;

use crate::components::widgets::ScoreScale;

#[component]
pub(super) fn FeedbackStep(
    score: ReadSignal<Option<u8>>,
    set_score: WriteSignal<Option<u8>>,
    on_confirm: Callback<()>,
    on_keep: Callback<()>,
) -> impl IntoView {
    view! {
        <fieldset class="score">
            <legend>"How likely are you to recommend us to a friend or colleague? (optional)"</legend>
            <ScoreScale name="cancel-score" chosen=score on_pick=Callback::new(move |n| set_score.set(Some(n)))/>
        </fieldset>
        <p class="muted small">"After cancelling, this portal stays with you as a read-only archive, and you can download everything in it."</p>
        <div class="row">
            <button type="button" class="button danger" on:click=move |_| on_confirm.run(())>"Confirm cancellation"</button>
            <button type="button" class="button ghost" on:click=move |_| on_keep.run(())>"Keep the engagement"</button>
        </div>
    }
}

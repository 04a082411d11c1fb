//! The first step of leaving early: why (required), and a few words (required for "Other").

use leptos::prelude::*;
use threshold_model::offboarding::LeaveReason;

#[component]
pub(super) fn ReasonStep(
    reason: ReadSignal<Option<LeaveReason>>,
    set_reason: WriteSignal<Option<LeaveReason>>,
    detail: ReadSignal<String>,
    set_detail: WriteSignal<String>,
    on_continue: Callback<()>,
    on_keep: Callback<()>,
) -> impl IntoView {
    view! {
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
            <button type="button" class="button primary" on:click=move |_| on_continue.run(())>"Continue"</button>
            <button type="button" class="button ghost" on:click=move |_| on_keep.run(())>"Keep the engagement"</button>
        </div>
    }
}

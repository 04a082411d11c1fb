//! A one-row add form (`form.add-row`): its fields, the primary submit button, and the error
//! line under it, as the portal's lists (deliverables, access, measures, documents, milestones)
//! each had it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

#[component]
pub fn AddRow(
    /// The form's accessible name.
    label: &'static str,
    /// The submit button's text.
    button: &'static str,
    #[prop(into)] on_add: Callback<SubmitEvent>,
    /// Shown under the form: announced at once (`role="alert"`), or with `polite` when the
    /// user is done typing (`aria-live="polite"`). No line without it.
    #[prop(optional)]
    error: Option<ReadSignal<Option<String>>>,
    #[prop(optional)] polite: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <form class="add-row" on:submit=move |ev| on_add.run(ev) aria-label=label novalidate data-add-form>
            {children()}
            <button type="submit" class="button primary">{button}</button>
        </form>
        {error.map(|error| if polite {
            view! { <p class="field-error" aria-live="polite">{move || error.get()}</p> }.into_any()
        } else {
            view! { <p class="field-error" role="alert">{move || error.get()}</p> }.into_any()
        })}
    }
}

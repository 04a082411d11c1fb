//! A labelled one-line input in an add form: `<div class="field">` with its `<label for>` and
//! an `<input>` bound to a signal, the markup every section's add form repeats.

use leptos::prelude::*;

#[component]
pub fn TextField(
    /// The input's id, which the label points at.
    id: &'static str,
    label: &'static str,
    /// The input's `type`.
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(optional)] placeholder: Option<&'static str>,
    /// Whether the field takes the row's spare width (`field grow`).
    #[prop(optional)]
    grow: bool,
    value: ReadSignal<String>,
    set_value: WriteSignal<String>,
) -> impl IntoView {
    view! {
        <div class=if grow { "field grow" } else { "field" }>
            <label for=id>{label}</label>
            <input id=id type=kind placeholder=placeholder prop:value=value on:input=move |ev| set_value.set(event_target_value(&ev))/>
        </div>
    }
}

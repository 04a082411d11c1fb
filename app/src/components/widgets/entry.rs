//! One value as text under its label, "label: value", for what a person reads but may not
//! change (an archive, an answer given): a `<div>` of a `<dl class="entries">` with its `<dt>`
//! and `<dd>`, so a screen reader reads the pair as a term and its description. An empty value
//! says so ("Not answered") rather than showing an empty field.

use leptos::prelude::*;

#[component]
pub fn Entry(
    #[prop(into)] label: String,
    /// The value as text; empty reads as `empty`.
    #[prop(into)]
    value: Signal<String>,
    #[prop(default = "Not answered")] empty: &'static str,
    /// On one line ("Status: Done") rather than the value under its label.
    #[prop(optional)]
    inline: bool,
) -> impl IntoView {
    let blank = move || value.with(|v| v.trim().is_empty());
    view! {
        <div class="entry" class:inline=inline>
            <dt>{label}</dt>
            <dd class:unanswered=blank>{move || if blank() { empty.to_owned() } else { value.get() }}</dd>
        </div>
    }
}

//! The small "Remove" button of a list row, named for screen readers after what it removes
//! ("Remove link Brand guide"), as every list in the portal has it.

use leptos::prelude::*;

#[component]
pub fn RemoveButton(
    /// What kind of thing the row is: "link", "contact", "measure"…
    what: &'static str,
    /// Which one: its title or name.
    #[prop(into)]
    name: String,
    #[prop(into)] on_remove: Callback<()>,
) -> impl IntoView {
    view! {
        <button type="button" class="button ghost small" aria-label=format!("Remove {what} {name}")
            on:click=move |_| on_remove.run(())>"Remove"</button>
    }
}

use leptos::html::Textarea;
use leptos::prelude::*;
use threshold_model::portal::update_welcome;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::state::permission::{may, Act};
use crate::state::view_mode::use_view;

/// The welcome message, edited as collaborative text: each input is recorded as the
/// characters inserted and deleted, so two people typing at once both keep their words.
#[component]
pub fn WelcomeEditor(id: DocumentId, welcome: Signal<String>) -> impl IntoView {
    let view = use_view();
    let editable = move || may(view.get(), &Act::EditWelcome);
    let textarea = NodeRef::<Textarea>::new();
    // Apply remote changes without throwing the caret to the end of the text.
    Effect::new(move |_| {
        let text = welcome.get();
        let Some(el) = textarea.get() else { return };
        let current = el.value();
        if current == text {
            return;
        }
        let start = el.selection_start().ok().flatten().unwrap_or(0) as usize;
        let end = el.selection_end().ok().flatten().unwrap_or(0) as usize;
        el.set_value(&text);
        let shift = |caret: usize| shifted_caret(&current, &text, caret) as u32;
        let _ = el.set_selection_range(shift(start), shift(end));
    });
    view! {
        <Show when=editable fallback=move || view! {
            // The client reads the welcome; writing it is the provider's.
            <section class="card" aria-labelledby="welcome-heading">
                <h2 id="welcome-heading">"Welcome"</h2>
                <p class="welcome-text" data-testid="welcome-text">{move || welcome.get()}</p>
            </section>
        }>
        <section class="card">
            <h2 id="welcome-heading"><label for="welcome-message">"Welcome message"</label></h2>
            <p class="muted small">"What the client reads first. Everyone on your team can edit it together."</p>
            <textarea
                id="welcome-message"
                node_ref=textarea
                rows="6"
                prop:value=move || welcome.get_untracked()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    actions::edit_portal(id, |tx| update_welcome(tx, &text));
                }
            ></textarea>
        </section>
        </Show>
    }
}

/// Where a caret (in UTF-16 units, as the DOM counts) should move when `before` becomes
/// `after`: it stays put if the change happened after it, and shifts by the change's length if
/// the change happened before it.
fn shifted_caret(before: &str, after: &str, caret: usize) -> usize {
    let before: Vec<u16> = before.encode_utf16().collect();
    let after: Vec<u16> = after.encode_utf16().collect();
    let common_prefix = before
        .iter()
        .zip(&after)
        .take_while(|(a, b)| a == b)
        .count();
    if caret <= common_prefix {
        return caret.min(after.len());
    }
    let grown = after.len() as isize - before.len() as isize;
    (caret as isize + grown).clamp(common_prefix as isize, after.len() as isize) as usize
}

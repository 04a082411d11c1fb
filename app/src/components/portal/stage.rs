//! The provider's stage menu and "Save as template", in the portal's header.

use leptos::prelude::*;
use threshold_model::{read_stage, set_stage, OffboardingPlaybook, Stage};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::sync::doc_memo;

#[component]
pub(super) fn StageAndTemplate(id: DocumentId) -> impl IntoView {
    let stage = doc_memo(id, &["stage"], |doc| read_stage(doc).ok());
    let (message, set_message) = signal(None::<String>);
    let on_stage = move |ev: leptos::ev::Event| {
        let to = Stage::parse(&event_target_value(&ev));
        let from = stage.get_untracked();
        let was_ended = from.is_some_and(|s| s.is_closed());
        // Offboarding from the stage menu starts from the standard playbook.
        let result = if to == Stage::Offboarding && from == Some(Stage::Active) {
            actions::start_offboarding(id, &OffboardingPlaybook::standard())
        } else {
            actions::try_edit_portal(id, |tx| set_stage(tx, to, chrono::Utc::now()))
        };
        match result {
            Err(e) => {
                // The menu goes back to where the client is.
                let select = event_target::<web_sys::HtmlSelectElement>(&ev);
                select.set_value(from.unwrap_or(Stage::Onboarding).as_str());
                let text = e.to_string();
                set_message.set(Some(if text.ends_with('.') {
                    text
                } else {
                    format!("{text}.")
                }));
            }
            Ok(()) if to.is_closed() => {
                set_message.set(None);
                // The client keeps their archive but can no longer change it.
                leptos::task::spawn_local(async move {
                    let note = match actions::set_portal_access(id, true).await {
                        Ok(0) => "No client contact had access to change.".to_owned(),
                        Ok(n) => format!("Client access is now read-only ({n} contact(s))."),
                        Err(e) => format!("Client access could not be made read-only yet: {e}. It will be retried when the relay is reachable."),
                    };
                    set_message.set(Some(note));
                });
            }
            Ok(()) if was_ended => {
                set_message.set(None);
                // Back from the archive: the client's contacts may edit again.
                leptos::task::spawn_local(async move {
                    if let Err(e) = actions::set_portal_access(id, false).await {
                        set_message.set(Some(format!("Client access could not be reopened: {e}.")));
                    }
                });
            }
            Ok(()) => set_message.set(None),
        }
    };
    let on_save = move |_| match actions::save_as_template(id) {
        Ok(name) => set_message.set(Some(format!("Saved as the template “{name}”."))),
        Err(e) => set_message.set(Some(format!("Could not save the template: {e}"))),
    };
    view! {
        <div class="row stage-row">
            <label for="portal-stage" class="inline">"Stage"
                <select id="portal-stage" on:change=on_stage>
                    {move || {
                        let current = stage.get().unwrap_or(Stage::Onboarding);
                        Stage::ALL.into_iter().map(|s| {
                            let allowed = s == current || current.next_stages().contains(&s);
                            view! { <option value=s.as_str() selected=s == current disabled=!allowed>{s.label()}</option> }
                        }).collect_view()
                    }}
                </select>
            </label>
            <button type="button" class="button small" on:click=on_save>"Save as template"</button>
        </div>
        <p class="muted small" role="status">{move || message.get()}</p>
    }
}

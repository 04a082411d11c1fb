//! The provider's stage menu and "Save as template", in the portal's header.

use leptos::prelude::*;
use threshold_model::portal::{Stage, STAGE};
use threshold_protocol::DocumentId;

use crate::actions::{self, ClientAccess};
use crate::relay::api::ApiError;
use crate::sync::part_memo;

#[component]
pub(super) fn StageAndTemplate(id: DocumentId) -> impl IntoView {
    let stage = part_memo(id, STAGE);
    let (message, set_message) = signal(None::<String>);
    let on_stage = move |ev: leptos::ev::Event| {
        let to = Stage::parse(&event_target_value(&ev));
        let from = stage.get_untracked();
        match actions::change_stage(id, from, to) {
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
            Ok(access) => {
                set_message.set(None);
                if let Some(access) = access {
                    leptos::task::spawn_local(async move {
                        let result = actions::set_client_access(id, access).await;
                        if let Some(note) = access_note(access, result) {
                            set_message.set(Some(note));
                        }
                    });
                }
            }
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

/// What the provider is told once the relay answered a stage change's access change.
fn access_note(access: ClientAccess, result: Result<usize, ApiError>) -> Option<String> {
    match (access, result) {
        // The client keeps their archive but can no longer change it.
        (ClientAccess::ReadOnly, Ok(0)) => Some("No client contact had access to change.".to_owned()),
        (ClientAccess::ReadOnly, Ok(n)) => Some(format!("Client access is now read-only ({n} contact(s)).")),
        (ClientAccess::ReadOnly, Err(e)) => Some(format!("Client access could not be made read-only yet: {e}. It will be retried when the relay is reachable.")),
        // Back from the archive: the client's contacts may edit again.
        (ClientAccess::Writable, Ok(_)) => None,
        (ClientAccess::Writable, Err(e)) => Some(format!("Client access could not be reopened: {e}.")),
    }
}

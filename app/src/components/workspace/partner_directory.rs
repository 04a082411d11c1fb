use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::doc::PartnerId;
use threshold_model::workspace::{remove_partner, save_partner, Partner, PARTNERS};

use crate::actions;
use crate::components::widgets::{RemoveButton, TextField};
use crate::sync::workspace_part_memo;

/// The workspace's partner directory: who we refer clients to for needs we do not cover.
#[component]
pub fn PartnerDirectory() -> impl IntoView {
    let partners = workspace_part_memo(PARTNERS);
    let (name, set_name) = signal(String::new());
    let (service, set_service) = signal(String::new());
    let (url, set_url) = signal(String::new());
    let (email, set_email) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(ws) = actions::workspace_id() else {
            return;
        };
        let partner = Partner {
            id: PartnerId::new(),
            name: name.get_untracked(),
            service: service.get_untracked(),
            url: url.get_untracked(),
            email: email.get_untracked(),
        };
        match actions::try_edit(ws, |tx| save_partner(tx, &partner)) {
            Ok(()) => {
                for set in [set_name, set_service, set_url, set_email] {
                    set.set(String::new());
                }
                set_error.set(None);
            }
            Err(e) => set_error.set(Some(e.to_string())),
        }
    };
    view! {
        <section class="card" aria-labelledby="partners-heading" id="partners">
            <h2 id="partners-heading">"Partner directory"</h2>
            <p class="muted small">"People you refer clients to for needs you do not cover. Pick them in a portal's next steps."</p>
            <ul class="partners" aria-label="Partners">
                {move || partners.get().unwrap_or_default().into_iter().map(|p| {
                    let pid = StoredValue::new(p.id.clone());
                    view! {
                        <li class="row">
                            <div class="grow">
                                <strong>{p.name.clone()}</strong>
                                <span class="muted small">" · " {p.service.clone()} " · " {p.url.clone()} " " {p.email.clone()}</span>
                            </div>
                            <RemoveButton what="partner" name=p.name.clone()
                                on_remove=move |()| {
                                    if let Some(ws) = actions::workspace_id() {
                                        set_error.set(actions::try_edit(ws, |tx| remove_partner(tx, &pid.get_value())).err().map(|e| e.to_string()));
                                    }
                                }/>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="add-row" aria-label="Add a partner" on:submit=on_add novalidate data-add-form>
                <TextField id="partner-name" label="Partner name" value=name set_value=set_name/>
                <TextField id="partner-service" label="Service" placeholder="e.g. Bookkeeping" value=service set_value=set_service/>
                <TextField id="partner-url" label="Website" kind="url" value=url set_value=set_url/>
                <TextField id="partner-email" label="Email" kind="email" value=email set_value=set_email/>
                <button type="submit" class="button">"Add partner"</button>
            </form>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </section>
    }
}

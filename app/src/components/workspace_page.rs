use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::{read_templates, read_workspace};

use crate::actions;
use crate::route::{navigate, Route};
use crate::sync_client::client;

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let revision = client().signals.revision;
    let workspace = Memo::new(move |_| {
        revision.track();
        let id = actions::workspace_id()?;
        client().read(&id, |doc| read_workspace(doc).ok()).flatten()
    });
    let portals = move || workspace.get().map(|w| w.portals).unwrap_or_default();
    let templates = Memo::new(move |_| {
        revision.track();
        let id = actions::workspace_id()?;
        client().read(&id, |doc| read_templates(doc).ok()).flatten()
    });
    let (template, set_template) = signal(String::new());
    let (name, set_name) = signal(String::new());
    let (error, set_error) = signal(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let client_name = name.get_untracked().trim().to_owned();
        if client_name.is_empty() {
            set_error.set(Some(
                "Enter the client's name to create their portal.".into(),
            ));
            return;
        }
        let chosen = template.get_untracked();
        let chosen = templates
            .get_untracked()
            .unwrap_or_default()
            .into_iter()
            .find(|(id, _)| id.as_str() == chosen)
            .map(|(_, t)| t);
        match actions::create_portal(&client_name, chosen.as_ref()) {
            Ok(id) => {
                set_name.set(String::new());
                set_error.set(None);
                navigate(&Route::Portal(id));
            }
            Err(e) => set_error.set(Some(format!("Could not create the portal: {e}"))),
        }
    };

    view! {
        <section class="page-head">
            <h1>"Clients"</h1>
            <p class="lede">"One portal per client: the welcome, the plan, and everything you exchange, shared live and available offline."</p>
        </section>
        <form class="card create-form" on:submit=on_submit aria-labelledby="create-heading" novalidate>
            <h2 id="create-heading">"New client portal"</h2>
            <label for="new-client-name">"Client name"</label>
            <div class="row">
                <input
                    id="new-client-name"
                    type="text"
                    autocomplete="organization"
                    placeholder="e.g. Northwind Traders"
                    aria-describedby="create-error"
                    aria-invalid=move || error.get().is_some().to_string()
                    prop:value=name
                    on:input=move |ev| set_name.set(event_target_value(&ev))
                />
                <button type="submit" class="button primary">"Create portal"</button>
            </div>
            <label for="new-client-template">"Start from"</label>
            <select id="new-client-template" on:change=move |ev| set_template.set(event_target_value(&ev))>
                <option value="">"A blank portal"</option>
                {move || templates.get().unwrap_or_default().into_iter().map(|(id, t)| view! {
                    <option value=id.to_string()>{t.name}</option>
                }).collect_view()}
            </select>
            <p id="create-error" class="field-error" aria-live="polite">{move || error.get()}</p>
        </form>
        <section class="card" aria-labelledby="portals-heading">
            <h2 id="portals-heading">"Portals"</h2>
            <Show
                when=move || !portals().is_empty()
                fallback=|| view! { <p class="muted">"No portals yet. Create one above, or open a portal link someone shared with you."</p> }
            >
                <ul class="portal-list" aria-label="Client portals">
                    <For
                        each=portals
                        key=|p| (p.id, p.client_name.clone())
                        children=|p| {
                            let added = p
                                .added_at
                                .map(|t| format!("Added {}", t.format("%-d %b %Y")))
                                .unwrap_or_default();
                            let name = if p.client_name.is_empty() { "Untitled client".to_owned() } else { p.client_name.clone() };
                            view! {
                                <li>
                                    <a class="portal-link" href=Route::Portal(p.id).href()>{name}</a>
                                    <span class="muted small">{added}</span>
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}

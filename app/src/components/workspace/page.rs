//! The workspace: creating a portal (from a template), the dashboard of every client with its
//! health, the team, the partner directory and exit analytics.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::portal::Stage;
use threshold_model::workspace::{
    summarize, ClientSummary, HealthLevel, PortalEntry, TEMPLATES, WORKSPACE,
};
use threshold_protocol::DocumentId;

use super::BrandSettings;
use super::EmailSettings;
use super::ExitAnalyticsSection;
use super::PartnerDirectory;
use crate::actions;
use crate::actions::People;
use crate::components::portal::PeopleSection;
use crate::components::shell::EmailChoices;
use crate::state::route::{navigate, PortalView, Route};
use crate::sync::{client, workspace_part_memo};

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let workspace = workspace_part_memo(WORKSPACE);
    let portals = move || workspace.get().map(|w| w.portals).unwrap_or_default();
    let templates = workspace_part_memo(TEMPLATES);
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
                navigate(&Route::Portal(id, PortalView::Overview));
            }
            // A name the limits refuse says what to do; anything else says what failed.
            Err(e) if e.invalid().is_some() => set_error.set(Some(e.to_string())),
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
        <Dashboard portals=Signal::derive(portals)/>
        <ExitAnalyticsSection portals=Signal::derive(portals)/>
        <PartnerDirectory/>
        <BrandSettings/>
        <EmailSettings/>
        <EmailChoices/>
        <PeopleSection people=People::Team/>
    }
}

#[component]
fn Dashboard(portals: Signal<Vec<PortalEntry>>) -> impl IntoView {
    // The dashboard reads every portal, so every portal is opened (from this device first).
    Effect::new(move |_| {
        for p in portals.get() {
            client().open(p.id);
        }
    });
    // Summarised again when one of the listed portals changes, not on every other document's.
    let summaries = Memo::new(move |_| {
        let today = crate::state::dates::today();
        portals
            .get()
            .into_iter()
            .map(|p| {
                client().revision_of(p.id).track();
                let summary = client()
                    .read(&p.id, |doc| {
                        if doc.get_heads().is_empty() {
                            None
                        } else {
                            summarize(doc, chrono::Utc::now(), today).ok()
                        }
                    })
                    .flatten();
                (p, summary)
            })
            .collect::<Vec<(PortalEntry, Option<ClientSummary>)>>()
    });
    let (query, set_query) = signal(String::new());
    let (stage, set_stage) = signal(String::new());
    let shown = move || {
        let q = query.get().to_lowercase();
        let st = stage.get();
        summaries
            .get()
            .into_iter()
            .filter(|(p, _)| q.is_empty() || p.client_name.to_lowercase().contains(&q))
            .filter(|(_, s)| st.is_empty() || s.as_ref().is_some_and(|s| s.stage.as_str() == st))
            .collect::<Vec<_>>()
    };
    view! {
        <section class="card" aria-labelledby="portals-heading">
            <div class="section-head">
                <h2 id="portals-heading">"Clients"</h2>
                <div class="filters">
                    <label for="client-search" class="visually-hidden">"Search clients"</label>
                    <input id="client-search" type="search" placeholder="Search clients" prop:value=query on:input=move |ev| set_query.set(event_target_value(&ev))/>
                    <label for="stage-filter" class="visually-hidden">"Filter by stage"</label>
                    <select id="stage-filter" on:change=move |ev| set_stage.set(event_target_value(&ev))>
                        <option value="">"All stages"</option>
                        {Stage::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <Show
                when=move || !summaries.get().is_empty()
                fallback=|| view! { <p class="muted">"No portals yet. Create one above, or open a portal link someone shared with you."</p> }
            >
                <table class="dashboard" aria-label="Clients">
                    <thead><tr><th scope="col">"Client"</th><th scope="col">"Stage"</th><th scope="col">"Progress"</th><th scope="col">"Next due"</th><th scope="col">"Health"</th></tr></thead>
                    <tbody>
                        <For each=shown key=|(p, s)| (p.id, p.client_name.clone(), s.clone())
                            children=|(p, s)| view! { <DashboardRow id=p.id name=p.client_name summary=s/> }/>
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

#[component]
fn DashboardRow(id: DocumentId, name: String, summary: Option<ClientSummary>) -> impl IntoView {
    let name = if name.is_empty() {
        "Untitled client".to_owned()
    } else {
        name
    };
    let Some(s) = summary else {
        return view! {
            <tr><th scope="row"><a class="portal-link" href=Route::Portal(id, PortalView::Overview).href()>{name}</a></th>
                <td colspan="4" class="muted small">"Loading…"</td></tr>
        }
        .into_any();
    };
    let percent = s.percent();
    let (done, total) = s.progress;
    let health_class = match s.health.level {
        HealthLevel::Good => "health health-good",
        HealthLevel::NeedsAttention => "health health-attention",
        HealthLevel::AtRisk => "health health-risk",
        HealthLevel::Ended => "health health-ended",
    };
    view! {
        <tr>
            <th scope="row"><a class="portal-link" href=Route::Portal(id, PortalView::Overview).href()>{name}</a></th>
            <td><span class="badge">{s.stage.label()}</span></td>
            <td>
                {match percent {
                    Some(percent) => view! {
                        <progress max="100" value=percent aria-label=format!("{done} of {total} steps done")></progress>
                        <span class="muted small">{format!(" {percent}%")}</span>
                    }.into_any(),
                    None => view! { <span class="muted small">"Ended"</span> }.into_any(),
                }}
            </td>
            <td class="small">{s.next_due.map(|(what, when)| format!("{what} · {}", crate::state::dates::show(when))).unwrap_or_else(|| "—".into())}</td>
            <td><span class=health_class>{s.health.level.label()}</span><p class="muted small">{s.health.reasons.join("; ")}</p></td>
        </tr>
    }.into_any()
}

use leptos::prelude::*;
use threshold_model::offboarding::{
    set_review_link, set_support_offer, OffboardingPlaybook, CHECKLIST, OFFBOARDING,
};
use threshold_model::onboarding::{read_contacts, CONTACTS};
use threshold_model::portal::{Assignee, Stage};
use threshold_model::workspace::{read_internal, set_offboarding_lead, TEMPLATES};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::workspace::use_internal_id;
use crate::state::permission::{may, Act};
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::client;
use crate::sync::{doc_memo, part_memo, workspace_part_memo};

/// The head of offboarding: starting it from a playbook, the lead, where each step stands, and
/// the settings of the goodbye. The provider's; the client sees the checklist.
#[component]
pub fn OffboardingPlan(id: DocumentId, stage: Memo<Option<Stage>>) -> impl IntoView {
    let view = use_view();
    // The plan's controls are the provider's, and nobody's in an archive (a read-only token).
    let provider = move || may(view.get(), &Act::EditOffboarding);
    let started = move || matches!(stage.get(), Some(Stage::Offboarding | Stage::Alumni));
    view! {
        // Offboarding can start from any stage before it: the model walks the stage through
        // Active, so nobody has to set it by hand first.
        <Show when=move || provider() && matches!(stage.get(), None | Some(Stage::Invited | Stage::Onboarding | Stage::Active))>
            <StartOffboarding id=id/>
        </Show>
        <Show when=started>
            <section class="card offboarding" aria-labelledby="offboarding-heading" id="offboarding">
                <h2 id="offboarding-heading">"Offboarding"</h2>
                <p class="muted small">{move || if matches!(stage.get(), Some(Stage::Alumni)) {
                    "What was handed over, settled and wrapped up before we said goodbye."
                } else {
                    "Everything to hand over, settle and wrap up before we say goodbye."
                }}</p>
                <Checklist id=id/>
                <Show when=provider>
                    <OffboardingSettings id=id/>
                </Show>
            </section>
        </Show>
    }
}

#[component]
fn StartOffboarding(id: DocumentId) -> impl IntoView {
    let templates = workspace_part_memo(TEMPLATES);
    let (chosen, set_chosen) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let on_start = move |_| {
        let pick = chosen.get_untracked();
        let playbook = templates
            .get_untracked()
            .unwrap_or_default()
            .into_iter()
            .find(|(tid, _)| tid.as_str() == pick)
            .map(|(_, t)| t.offboarding)
            .unwrap_or_else(OffboardingPlaybook::standard);
        set_error.set(
            actions::start_offboarding(id, &playbook)
                .err()
                .map(|e| e.to_string()),
        );
    };
    view! {
        <section class="card offboarding" aria-labelledby="start-offboarding-heading">
            <h2 id="start-offboarding-heading">"Offboarding"</h2>
            <p class="muted small">"When the work is done, start offboarding: the plan fills in from a playbook — final deliverables, access to remove, exit questions and next steps — and you adjust from there."</p>
            <div class="add-row">
                <div class="field grow">
                    <label for="offboarding-playbook">"Playbook"</label>
                    <select id="offboarding-playbook" on:change=move |ev| set_chosen.set(event_target_value(&ev))>
                        <option value="">"Standard goodbye"</option>
                        {move || templates.get().unwrap_or_default().into_iter().map(|(tid, t)| view! {
                            <option value=tid.to_string()>{t.name}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="button" class="button primary" on:click=on_start>"Start offboarding"</button>
            </div>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </section>
    }
}

#[component]
fn Checklist(id: DocumentId) -> impl IntoView {
    let checklist = part_memo(id, CHECKLIST);
    let view = use_view();
    view! {
        <ul class="checklist" aria-label="Offboarding checklist">
            // A line with nothing in it is the provider's to fill; the client is not shown it.
            {move || checklist.get().unwrap_or_default().into_iter()
                .filter(|item| view.get() == ViewMode::Provider || !item.is_empty())
                .map(|item| {
                let complete = item.is_complete();
                let count = if item.is_empty() { "nothing to do yet".to_owned() } else { format!("{} of {}", item.done, item.total) };
                view! {
                    <li class:complete=complete class:blocking=item.blocks_goodbye && !complete && !item.is_empty()>
                        <span class="check" aria-hidden="true">{if complete { "✓" } else { "○" }}</span>
                        <span class="grow">{item.label}</span>
                        <span class="muted small">{count}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn OffboardingSettings(id: DocumentId) -> impl IntoView {
    let settings = part_memo(id, OFFBOARDING);
    let team = doc_memo(id, &[CONTACTS.keys], |doc| {
        read_contacts(doc).ok().map(|c| {
            c.into_iter()
                .filter(|c| c.spec.side == Assignee::Provider)
                .map(|c| c.spec.name)
                .collect::<Vec<_>>()
        })
    });
    let internal = use_internal_id(id);
    let lead = Memo::new(move |_| {
        let internal = internal.get()?;
        client().revision_of(internal).track();
        client()
            .read(&internal, |doc| {
                read_internal(doc).ok().map(|i| i.offboarding_lead)
            })
            .flatten()
    });
    let (message, set_message) = signal(None::<String>);
    let report = move |result: Result<(), threshold_model::doc::ModelError>| {
        set_message.set(result.err().map(|e| e.to_string()));
    };
    view! {
        <div class="settings-grid">
            <div class="field">
                <label for="offboarding-lead">"Offboarding lead"</label>
                <input id="offboarding-lead" type="text" list="offboarding-team" placeholder="A team member"
                    prop:value=move || lead.get().unwrap_or_default()
                    on:change=move |ev| {
                        let name = event_target_value(&ev);
                        if let Some(internal) = internal.get_untracked() {
                            actions::edit_internal(internal, |tx| set_offboarding_lead(tx, &name));
                        }
                    }/>
                <datalist id="offboarding-team">
                    {move || team.get().unwrap_or_default().into_iter().map(|n| view! { <option value=n/> }).collect_view()}
                </datalist>
                <p class="muted small">"Only your team sees who leads offboarding."</p>
            </div>
            <div class="field">
                <label for="review-link">"Review link"</label>
                <input id="review-link" type="url" placeholder="https://"
                    prop:value=move || settings.get().map(|s| s.review_link).unwrap_or_default()
                    on:change=move |ev| {
                        let url = event_target_value(&ev);
                        report(actions::try_edit_portal(id, |tx| set_review_link(tx, &url)));
                    }/>
            </div>
            <div class="field wide">
                <label for="support-offer">"Post-engagement support offer"</label>
                <input id="support-offer" type="text" placeholder="e.g. Support at €200 a month, cancel any time"
                    prop:value=move || settings.get().map(|s| s.support_offer).unwrap_or_default()
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        report(actions::try_edit_portal(id, |tx| set_support_offer(tx, &text)));
                    }/>
            </div>
        </div>
        <p class="field-error" role="alert">{move || message.get()}</p>
    }
}

use leptos::prelude::*;
use threshold_model::workspace::{
    read_internal, read_workspace, set_provisioning_done, set_provisioning_owner,
    update_internal_notes, ProvisioningArea, INTERNAL, WORKSPACE,
};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::widgets::Entry;
use crate::state::permission::archive;
use crate::sync::{doc_memo, workspace_memo};

/// The provider's own notes and provisioning checklist for a client. It lives in a separate
/// document that is never shared with the client, and is shown only in the provider view.
#[component]
pub fn InternalSection(portal: DocumentId) -> impl IntoView {
    let internal_id = use_internal_id(portal);
    view! {
        <section class="card internal" aria-labelledby="internal-heading" id="internal">
            <h2 id="internal-heading">"Internal"</h2>
            <p class="muted small">"Only your team sees this. It is kept in a separate document that never reaches the client."</p>
            {move || internal_id.get().map(|id| view! { <InternalBody id=id/> })}
        </section>
    }
}

/// The id of a portal's internal document, once the workspace that links them has loaded (it
/// may still be loading on first paint, so this looks again when documents change).
pub fn use_internal_id(portal: DocumentId) -> ReadSignal<Option<DocumentId>> {
    let (internal_id, set_internal_id) = signal(None::<DocumentId>);
    // What `ensure_internal` looks at: the workspace's list of portals and their internal ids.
    let portals = workspace_memo(&[WORKSPACE.keys], |doc| {
        read_workspace(doc).ok().map(|w| w.portals)
    });
    Effect::new(move |_| {
        portals.track();
        if internal_id.get_untracked().is_none() {
            if let Some(id) = actions::ensure_internal(portal) {
                set_internal_id.set(Some(id));
            }
        }
    });
    internal_id
}

#[component]
fn InternalBody(id: DocumentId) -> impl IntoView {
    let internal = doc_memo(id, &[INTERNAL.keys], |doc| {
        if doc.get_heads().is_empty() {
            None
        } else {
            read_internal(doc).ok()
        }
    });
    let progress = move || {
        internal.get().map(|i| {
            let (done, total) = i.provisioning_progress();
            format!("{done} of {total} set up")
        })
    };
    let notes = move || internal.get().map(|i| i.notes).unwrap_or_default();
    view! {
        <div class="section-head">
            <h3>"Provisioning"</h3>
            <p class="muted small" data-testid="provisioning-progress">{progress}</p>
        </div>
        {move || internal.get().map(|i| {
            ProvisioningArea::ALL.into_iter().map(|area| {
                let items: Vec<_> = i.provisioning.iter().filter(|p| p.area == area).cloned().collect();
                view! {
                    <fieldset class="provisioning">
                        <legend>{area.label()}</legend>
                        {items.into_iter().map(|item| {
                            // A read-only token reads the checklist: what is done, by whom and when.
                            if archive() {
                                let owner = (!item.owner.is_empty()).then(|| format!(" · {}", item.owner));
                                let done = item.done_at.is_some();
                                return view! {
                                    <div class="provisioning-item" class:complete=done>
                                        <span class="check" aria-hidden="true">{if done { "✓" } else { "○" }}</span>
                                        <span class="grow">{item.item.clone()}
                                            <span class="visually-hidden">{if done { ": done" } else { ": not done" }}</span>
                                        </span>
                                        <span class="muted small">{owner}{item.done_at.map(|t| format!(" · done {}", crate::state::dates::show_at(t)))}</span>
                                    </div>
                                }.into_any();
                            }
                            let (done_id, owner_id) = (item.id.clone(), item.id.clone());
                            let label = item.item.clone();
                            view! {
                                <div class="provisioning-item">
                                    <label class="inline">
                                        <input type="checkbox" prop:checked=item.done_at.is_some() aria-label=format!("Done: {label}")
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                actions::edit_internal(id, |tx| set_provisioning_done(tx, &done_id, on.then(chrono::Utc::now)));
                                            }/>
                                        {item.item.clone()}
                                    </label>
                                    <input type="text" class="owner" placeholder="Owner" aria-label=format!("Owner of {}", item.item) prop:value=item.owner.clone()
                                        on:change=move |ev| {
                                            let owner = event_target_value(&ev);
                                            actions::edit_internal(id, |tx| set_provisioning_owner(tx, &owner_id, &owner));
                                        }/>
                                    <span class="muted small">{item.done_at.map(|t| format!("done {}", crate::state::dates::show_at(t)))}</span>
                                </div>
                            }.into_any()
                        }).collect_view()}
                    </fieldset>
                }
            }).collect_view()
        })}
        <Show when=move || !archive() fallback=move || view! {
            <dl class="entries"><Entry label="Internal notes" value=Signal::derive(notes) empty="No notes."/></dl>
        }>
            <label for="internal-notes">"Internal notes"</label>
            <textarea id="internal-notes" rows="4" prop:value=notes
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    actions::edit_internal(id, |tx| update_internal_notes(tx, &text));
                }></textarea>
        </Show>
    }
}

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::offboarding::{
    add_access_item, confirm_access_removed, remove_access_item, AccessItem, ACCESS_WRAPUP,
};
use threshold_model::portal::Assignee;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::widgets::{AddRow, RemoveButton, TextField};
use crate::state::dates::{parse_date, today};
use crate::state::permission::{archive, may, Act};
use crate::state::view_mode::{use_view, ViewMode};
use crate::state::voice::{use_voice, Voice};
use crate::sync::part_memo;

/// Whose confirmation a column or checkbox holds, from the reader's side.
fn confirmed_by(voice: Voice, side: Assignee) -> String {
    match (voice.reader(), side) {
        (ViewMode::Provider, Assignee::Provider) => "Confirmed by provider".into(),
        (ViewMode::Provider, Assignee::Client) => "Confirmed by client".into(),
        (ViewMode::Client, Assignee::Client) => "Confirmed by you".into(),
        (ViewMode::Client, Assignee::Provider) => format!("Confirmed by {}", voice.provider()),
    }
}

fn side_of(view: ViewMode) -> Assignee {
    match view {
        ViewMode::Provider => Assignee::Provider,
        ViewMode::Client => Assignee::Client,
    }
}

/// Access wrap-up: shared software access to remove, who removes it and by when, confirmed by
/// both sides. Each side ticks only its own confirmation.
#[component]
pub fn AccessWrapUpSection(id: DocumentId) -> impl IntoView {
    let view = use_view();
    let voice = use_voice(id);
    let items = part_memo(id, ACCESS_WRAPUP);
    let (tool, set_tool) = signal(String::new());
    let (remover, set_remover) = signal(Assignee::Provider);
    let (by, set_by) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (t, r, b) = (
            tool.get_untracked(),
            remover.get_untracked(),
            parse_date(&by.get_untracked()),
        );
        match actions::try_edit_portal(id, |tx| {
            add_access_item(tx, &t, r, b, chrono::Utc::now()).map(|_| ())
        }) {
            Ok(()) => {
                set_tool.set(String::new());
                set_error.set(None);
            }
            Err(e) => set_error.set(Some(e.to_string())),
        }
    };
    view! {
        <section class="card" aria-labelledby="access-heading" id="access-wrapup">
            <h2 id="access-heading">"Access wrap-up"</h2>
            <p class="muted small">"Shared logins and seats to remove. Each side confirms when it is done."</p>
            <Show when=move || items.with(|i| i.as_ref().is_some_and(|i| !i.is_empty())) fallback=|| view! { <p class="muted">"No shared access to remove."</p> }>
                <table class="access" aria-label="Access to remove">
                    <thead><tr>
                        <th scope="col">"Access"</th><th scope="col">"Removed by"</th><th scope="col">"By"</th>
                        <th scope="col">{move || confirmed_by(voice, Assignee::Provider)}</th><th scope="col">{move || confirmed_by(voice, Assignee::Client)}</th>
                    </tr></thead>
                    <tbody>
                        <For each=move || items.get().unwrap_or_default() key=|i| format!("{i:?}")
                            children=move |item| view! { <AccessRow portal=id item=item/> }/>
                    </tbody>
                </table>
            </Show>
            <Show when=move || may(view.get(), &Act::EditAccessList)>
                <AddRow label="Add access to remove" button="Add access" on_add=on_add error=error>
                    <TextField id="access-tool" label="Tool and access" placeholder="e.g. Admin seat in our Figma team" grow=true value=tool set_value=set_tool/>
                    <div class="field">
                        <label for="access-remover">"Removed by"</label>
                        <select id="access-remover" on:change=move |ev| set_remover.set(Assignee::parse(&event_target_value(&ev)))>
                            <option value="provider">"Us"</option>
                            <option value="client">"The client"</option>
                        </select>
                    </div>
                    <TextField id="access-by" label="Remove by (date)" kind="date" value=by set_value=set_by/>
                </AddRow>
            </Show>
        </section>
    }
}

#[component]
fn AccessRow(portal: DocumentId, item: AccessItem) -> impl IntoView {
    let view = use_view();
    let voice = use_voice(portal);
    let id = StoredValue::new(item.id.clone());
    let overdue = item.is_overdue(today());
    let (tool, provider_ok, client_ok) = (
        item.tool.clone(),
        item.confirmed_by_provider.is_some(),
        item.confirmed_by_client.is_some(),
    );
    let confirm = move |side: Assignee| {
        let tool = tool.clone();
        let checked = match side {
            Assignee::Provider => provider_ok,
            Assignee::Client => client_ok,
        };
        let label = {
            let tool = tool.clone();
            move || format!("{}: {tool}", confirmed_by(voice, side))
        };
        let short = move || confirmed_by(voice, side);
        let (text_label, text_short) = (label.clone(), short);
        view! {
            <td>
                // Each side confirms its own removals: the other side's confirmation, and both
                // in an archive, are a mark and its words, not a disabled checkbox.
                <Show when=move || !archive() && side_of(view.get()) == side fallback=move || view! {
                    <span class="inline">
                        <span class="task-mark" class:done=checked role="img"
                            aria-label=format!("{}: {}", text_label(), if checked { "yes" } else { "not yet" })>{if checked { "✓" } else { "" }}</span>
                        <span class="cell-label" aria-hidden="true">{text_short}</span>
                    </span>
                }>
                <label class="inline">
                    <input type="checkbox" aria-label=label.clone() prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            actions::edit_portal(portal, |tx| confirm_access_removed(tx, &id.get_value(), side, on.then(chrono::Utc::now)));
                        }/>
                    // On a phone the table has no column headings: the cell says what it is.
                    <span class="cell-label" aria-hidden="true">{short}</span>
                </label>
                </Show>
            </td>
        }
    };
    let tool = item.tool.clone();
    view! {
        <tr class:overdue=overdue class:complete=item.is_wrapped_up()>
            <th scope="row">
                {item.tool.clone()}
                {overdue.then(|| view! { <span class="badge badge-late">"Overdue"</span> })}
                <Show when=move || may(view.get(), &Act::EditAccessList)>
                    <RemoveButton what="access" name=tool.clone()
                        on_remove=move |()| actions::edit_portal(portal, |tx| remove_access_item(tx, &id.get_value()))/>
                </Show>
            </th>
            <td>{let remover = item.remover; move || voice.side(remover)}</td>
            <td>{item.by.map(crate::state::dates::show).unwrap_or_else(|| "—".into())}</td>
            {confirm(Assignee::Provider)}
            {confirm(Assignee::Client)}
        </tr>
    }
}

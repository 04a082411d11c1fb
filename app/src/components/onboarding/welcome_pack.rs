//! The welcome pack: contacts (who to talk to about what) and links (with sensitive notes hidden
//! until someone reveals them).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::onboarding::{
    add_contact, add_link, masked, remove_contact, remove_link, ContactSpec, Link, LinkSpec,
    CONTACTS, LINKS,
};
use threshold_model::portal::Assignee;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::widgets::{RemoveButton, TextField};
use crate::state::permission::{may, Act};
use crate::state::view_mode::use_view;
use crate::state::voice::use_voice;
use crate::sync::part_memo;

#[component]
pub fn ContactsSection(id: DocumentId) -> impl IntoView {
    let contacts = part_memo(id, CONTACTS);
    let view = use_view();
    let voice = use_voice(id);
    let (name, set_name) = signal(String::new());
    let (role, set_role) = signal(String::new());
    let (email, set_email) = signal(String::new());
    let (phone, set_phone) = signal(String::new());
    let (about, set_about) = signal(String::new());
    let (side, set_side) = signal(Assignee::Provider);
    let (error, set_error) = signal(None::<String>);
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let spec = ContactSpec {
            name: name.get_untracked(),
            role: role.get_untracked(),
            email: email.get_untracked(),
            phone: phone.get_untracked(),
            about: about.get_untracked(),
            side: side.get_untracked(),
        };
        if !actions::save_portal(id, set_error, |tx| add_contact(tx, &spec).map(|_| ())) {
            return;
        }
        for set in [set_name, set_role, set_email, set_phone, set_about] {
            set.set(String::new());
        }
    };
    let list = move || contacts.get().unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="contacts-heading" id="contacts">
            <h2 id="contacts-heading">"Team and contacts"</h2>
            <Show when=move || !list().is_empty() fallback=|| view! { <p class="muted">"No contacts listed yet."</p> }>
                <ul class="contact-list" aria-label="Contacts">
                    <For each=list key=|c| (c.id.clone(), c.spec.name.clone(), c.spec.role.clone(), c.spec.email.clone(), c.spec.phone.clone(), c.spec.about.clone())
                        children=move |c| {
                            let remove_id = c.id.clone();
                            let who = c.spec.name.clone();
                            let side_of = c.spec.side;
                            let side = move || voice.team(side_of);
                            view! {
                                <li class="contact">
                                    <div>
                                        <strong>{c.spec.name.clone()}</strong>
                                        <span class="muted small">" · " {c.spec.role.clone()} " · " {side}</span>
                                        {(!c.spec.about.is_empty()).then(|| view! { <p class="small">"Contact about: " {c.spec.about.clone()}</p> })}
                                        <p class="small">
                                            {(!c.spec.email.is_empty()).then(|| view! { <a href=format!("mailto:{}", c.spec.email)>{c.spec.email.clone()}</a> })}
                                            {(!c.spec.phone.is_empty()).then(|| view! { <span>" · " <a href=format!("tel:{}", c.spec.phone)>{c.spec.phone.clone()}</a></span> })}
                                        </p>
                                    </div>
                                    <Show when=move || may(view.get(), &Act::EditContacts)>
                                        {
                                            let remove_id = remove_id.clone();
                                            let who = who.clone();
                                            view! {
                                                <RemoveButton what="contact" name=who
                                                    on_remove=move |()| actions::edit_portal(id, |tx| remove_contact(tx, &remove_id))/>
                                            }
                                        }
                                    </Show>
                                </li>
                            }
                        }/>
                </ul>
            </Show>
            <Show when=move || may(view.get(), &Act::EditContacts)>
            <details class="builder">
                <summary>"Add a contact"</summary>
                <form class="stack" on:submit=on_add aria-label="Add a contact" novalidate data-add-form>
                    <div class="grid-2">
                        <TextField id="contact-name" label="Name" value=name set_value=set_name/>
                        <TextField id="contact-role" label="Role" value=role set_value=set_role/>
                        <TextField id="contact-email" label="Email" kind="email" value=email set_value=set_email/>
                        <TextField id="contact-phone" label="Phone" kind="tel" value=phone set_value=set_phone/>
                        <TextField id="contact-about" label="Contact them about" value=about set_value=set_about/>
                        <div class="field"><label for="contact-side">"Side"</label>
                            <select id="contact-side" on:change=move |ev| set_side.set(Assignee::parse(&event_target_value(&ev)))>
                                <option value="provider">"Our team"</option>
                                <option value="client">"Client"</option>
                            </select></div>
                    </div>
                    <div><button type="submit" class="button primary">"Add contact"</button></div>
                </form>
                <p class="field-error" role="alert">{move || error.get()}</p>
            </details>
            </Show>
        </section>
    }
}

#[component]
pub fn LinksSection(id: DocumentId) -> impl IntoView {
    let links = part_memo(id, LINKS);
    let view = use_view();
    let (title, set_title) = signal(String::new());
    let (url, set_url) = signal(String::new());
    let (note, set_note) = signal(String::new());
    let (sensitive, set_sensitive) = signal(false);
    let (error, set_error) = signal(None::<String>);
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let spec = LinkSpec {
            title: title.get_untracked(),
            url: url.get_untracked(),
            note: note.get_untracked(),
            sensitive: sensitive.get_untracked(),
        };
        if !actions::save_portal(id, set_error, |tx| add_link(tx, &spec).map(|_| ())) {
            return;
        }
        for set in [set_title, set_url, set_note] {
            set.set(String::new());
        }
        set_sensitive.set(false);
    };
    let list = move || links.get().unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="links-heading" id="links">
            <h2 id="links-heading">"Links and logins"</h2>
            <Show when=move || !list().is_empty() fallback=|| view! { <p class="muted">"No links yet."</p> }>
                <ul class="contact-list" aria-label="Links">
                    <For each=list key=|l| (l.id.clone(), l.spec.title.clone(), l.spec.url.clone(), l.spec.note.clone(), l.spec.sensitive)
                        children=move |l| view! { <LinkRow portal=id link=l/> }/>
                </ul>
            </Show>
            <Show when=move || may(view.get(), &Act::EditLinks)>
                <details class="builder">
                    <summary>"Add a link"</summary>
                    <form class="stack" on:submit=on_add aria-label="Add a link" novalidate data-add-form>
                        <div class="grid-2">
                            <TextField id="link-title" label="Link title" value=title set_value=set_title/>
                            <TextField id="link-url" label="Web address" kind="url" value=url set_value=set_url/>
                        </div>
                        <TextField id="link-note" label="Note or login details" value=note set_value=set_note/>
                        <label class="inline"><input type="checkbox" prop:checked=sensitive on:change=move |ev| set_sensitive.set(event_target_checked(&ev))/>
                            "Sensitive: hide the note until someone reveals it"</label>
                        <div><button type="submit" class="button primary">"Add link"</button></div>
                    </form>
                    <p class="field-error" role="alert">{move || error.get()}</p>
                </details>
            </Show>
        </section>
    }
}

#[component]
fn LinkRow(portal: DocumentId, link: Link) -> impl IntoView {
    let view = use_view();
    let (revealed, set_revealed) = signal(false);
    let Link { id, spec } = link;
    let note = spec.note.clone();
    let shown = move || {
        if spec.sensitive && !revealed.get() {
            masked(&note)
        } else {
            note.clone()
        }
    };
    let title = spec.title.clone();
    view! {
        <li class="contact">
            <div>
                {match threshold_model::formats::safe_href(&spec.url) {
                    Some(href) => view! { <a href=href.to_owned() target="_blank" rel="noopener"><strong>{spec.title.clone()}</strong></a> }.into_any(),
                    // No address, or one that is not http, https or mailto: text, never a link.
                    None if spec.url.is_empty() => view! { <strong>{spec.title.clone()}</strong> }.into_any(),
                    None => view! { <strong>{spec.title.clone()}</strong>" " <span class="small mono" data-testid="link-as-text">{spec.url.clone()}</span> }.into_any(),
                }}
                {(!spec.note.is_empty()).then(|| view! { <p class="small mono" data-testid="link-note">{shown.clone()}</p> })}
            </div>
            <div class="meeting-actions">
                {(spec.sensitive && !spec.note.is_empty()).then(|| view! {
                    <button type="button" class="button small" aria-pressed=move || revealed.get().to_string()
                        on:click=move |_| set_revealed.update(|r| *r = !*r)>
                        {move || if revealed.get() { "Hide" } else { "Reveal" }}
                    </button>
                })}
                <Show when=move || may(view.get(), &Act::EditLinks)>
                    {
                        let id = id.clone();
                        let title = title.clone();
                        view! {
                            <RemoveButton what="link" name=title
                                on_remove=move |()| actions::edit_portal(portal, |tx| remove_link(tx, &id))/>
                        }
                    }
                </Show>
            </div>
        </li>
    }
}

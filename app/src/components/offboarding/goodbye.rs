use leptos::prelude::*;
use threshold_model::formats::{Email, Sender};
use threshold_model::offboarding::{
    compose_goodbye, goodbye_recipients, goodbye_signer, read_offboarding, unpaid_reason,
    Recipient, GOODBYE_KEYS, OFFBOARDING,
};
use threshold_model::onboarding::{
    add_exchange_item, read_contacts, read_exchange, set_exchange_invoice, set_exchange_status,
    Direction, ExchangeStatus, EXCHANGE,
};
use threshold_model::portal::Assignee;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::browser::download::{download, file_stem};
use crate::components::widgets::{Entry, TextField};
use crate::state::dates::parse_date;
use crate::state::permission::{may, Act};
use crate::state::view_mode::use_view;
use crate::sync::doc_memo;

/// The last step: settle every invoice, then send the goodbye email composed from the portal
/// and finish offboarding. The provider's.
#[component]
pub fn GoodbyeSection(id: DocumentId) -> impl IntoView {
    let view = use_view();
    let invoices = doc_memo(id, &[EXCHANGE.keys], |doc| {
        read_exchange(doc)
            .ok()
            .map(|e| e.into_iter().filter(|e| e.is_invoice()).collect::<Vec<_>>())
    });
    let blocked = move || invoices.get().and_then(|i| unpaid_reason(&i));
    let sent = doc_memo(id, &[OFFBOARDING.keys], |doc| {
        read_offboarding(doc).ok().and_then(|o| o.goodbye_sent_at)
    });
    // The invited client people, as the relay lists this portal's tokens: the goodbye goes to
    // them by name even when nobody added them under Contacts.
    let invited = RwSignal::new(Vec::<Recipient>::new());
    leptos::task::spawn_local(async move {
        if let Ok(people) = actions::list_people(actions::People::Portal(id)).await {
            invited.set(
                people
                    .into_iter()
                    .filter(|t| t.is_active())
                    .map(|t| Recipient {
                        name: t.name,
                        email: t.email.unwrap_or_default(),
                    })
                    .collect(),
            );
        }
    });
    let provider_contacts = move || {
        crate::sync::client()
            .read(&id, |doc| read_contacts(doc).ok())
            .flatten()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.spec.side == Assignee::Provider)
            .collect::<Vec<_>>()
    };
    // Signed by the person sending it; a token still named by its role gives way to the
    // provider's first contact.
    let signature = move || {
        let names: Vec<String> = provider_contacts()
            .into_iter()
            .map(|c| c.spec.name)
            .collect();
        let business = crate::sync::client()
            .read(&id, |doc| {
                threshold_model::portal::read_brand(doc)
                    .ok()
                    .flatten()
                    .map(|b| b.name)
            })
            .flatten()
            .unwrap_or_default();
        goodbye_signer(&view.get_untracked().actor_name(), &names, &business)
    };
    // What the email reads, and only that: ticking a task re-composes it, typing a check-in
    // does not.
    let version = doc_memo(id, &[GOODBYE_KEYS], |doc| Some(doc.get_heads()));
    let email = Memo::new(move |_| {
        // Read, not only tracked: a memo recomputes when a reader asks for its value.
        let _ = version.get();
        let invited = invited.get();
        let signed = signature();
        crate::sync::client()
            .read(&id, |doc| compose_goodbye(doc, &signed, &invited).ok())
            .flatten()
    });
    // The provider edits the subject and text before sending; until they do, both follow the
    // portal.
    let (subject, set_subject) = signal(String::new());
    let (body, set_body) = signal(String::new());
    let (edited, set_edited) = signal(false);
    Effect::new(move |_| {
        if let Some(e) = email.get() {
            if !edited.get_untracked() {
                set_subject.set(e.subject.clone());
                set_body.set(e.body.clone());
            }
        }
    });
    let on_reset = move |_| {
        set_edited.set(false);
        if let Some(e) = email.get_untracked() {
            set_subject.set(e.subject);
            set_body.set(e.body);
        }
    };
    let to_send = move || {
        email.get().map(|e| Email {
            to: e.to,
            subject: subject.get(),
            body: body.get(),
        })
    };
    let recipients = move || {
        crate::sync::client()
            .read(&id, |doc| read_contacts(doc).ok())
            .flatten()
            .map(|contacts| goodbye_recipients(&invited.get(), &contacts))
            .unwrap_or_default()
    };
    let sender = move || {
        let name = signature();
        let ours = provider_contacts()
            .into_iter()
            .filter(|c| c.spec.email.contains('@'))
            .collect::<Vec<_>>();
        let address = ours
            .iter()
            .find(|c| c.spec.name == name)
            .or(ours.first())
            .map(|c| c.spec.email.clone())
            .unwrap_or_else(|| "you@example.com".into());
        Sender { name, address }
    };
    let (message, set_message) = signal(None::<String>);
    let on_eml = move |_| {
        let Some(email) = to_send() else {
            return;
        };
        let now = chrono::Utc::now();
        let eml = match email.to_eml(
            &sender(),
            now,
            &format!("goodbye-{}@threshold", uuid::Uuid::new_v4().simple()),
        ) {
            Ok(eml) => eml,
            Err(e) => {
                set_message.set(Some(format!(
                    "Could not make the email: {e}. Check the addresses in the contacts."
                )));
                return;
            }
        };
        let name = crate::sync::client()
            .read(&id, |doc| {
                threshold_model::portal::read_client_name(doc).ok()
            })
            .flatten()
            .unwrap_or_default();
        if let Err(e) = download(
            &format!("goodbye-{}.eml", file_stem(&name)),
            "message/rfc822",
            &eml,
        ) {
            set_message.set(Some(format!("Could not download the email: {e}")));
        }
    };
    let (sending, set_sending) = signal(false);
    let on_send = move |_| {
        let Some(mut email) = to_send() else {
            return;
        };
        // To the people the preview names, by name.
        email.to = recipients()
            .into_iter()
            .filter(|r| !r.email.is_empty())
            .map(|r| actions::mailbox(&r.name, &r.email))
            .collect();
        set_sending.set(true);
        leptos::task::spawn_local(async move {
            match actions::send_goodbye(id, email).await {
                Ok(done) | Err(done) => set_message.set(Some(done)),
            }
            set_sending.set(false);
        });
    };
    let no_recipient = move || recipients().iter().all(|r| r.email.is_empty());
    let on_complete = move |_| {
        leptos::task::spawn_local(async move {
            match actions::complete_offboarding(id).await {
                Ok(done) | Err(done) => set_message.set(Some(done)),
            }
        });
    };
    let (invoice, set_invoice) = signal(String::new());
    let (due, set_due) = signal(String::new());
    let on_add_invoice = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = invoice.get_untracked();
        let d = parse_date(&due.get_untracked());
        if actions::save_portal(id, set_message, |tx| {
            let item = add_exchange_item(tx, &name, Direction::WeSend, d)?;
            set_exchange_invoice(tx, &item, true)
        }) {
            set_invoice.set(String::new());
        }
    };
    // A read-only teammate reads where the goodbye stands: no payments marked, nothing sent.
    let may_edit = move || may(view.get(), &Act::EditGoodbye);
    view! {
        <section class="card goodbye" aria-labelledby="goodbye-heading" id="goodbye">
            <h2 id="goodbye-heading">"Goodbye email"</h2>
            <h3>"Invoices and payments"</h3>
            <Show when=move || invoices.with(|i| i.as_ref().is_some_and(|i| !i.is_empty())) fallback=|| view! { <p class="muted small">"No invoices in the documents list."</p> }>
                <ul class="invoices" aria-label="Invoices and payments">
                    {move || invoices.get().unwrap_or_default().into_iter().map(|i| {
                        let paid = i.status == ExchangeStatus::Paid;
                        let (item, name) = (i.id.clone(), i.name.clone());
                        view! {
                            <li class="row" class:complete=paid>
                                <span class="grow">{i.name.clone()}</span>
                                <span class=if paid { "badge badge-done" } else { "badge badge-late" }>{if paid { "Paid".to_owned() } else { format!("Not paid ({})", i.status.as_str()) }}</span>
                                {(!paid && may_edit()).then(|| view! {
                                    <button type="button" class="button small" aria-label=format!("Mark {name} paid")
                                        on:click=move |_| { actions::save_portal(id, set_message, |tx| set_exchange_status(tx, &item, ExchangeStatus::Paid)); }>"Mark paid"</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="muted small">"Mark an invoice paid here when the payment arrives."</p>
            </Show>
            <Show when=may_edit>
                <form class="add-row" aria-label="Add an invoice" on:submit=on_add_invoice data-add-form>
                    <TextField id="invoice-name" label="Invoice" placeholder="e.g. Final invoice" grow=true value=invoice set_value=set_invoice/>
                    <TextField id="invoice-due" label="Due date" kind="date" value=due set_value=set_due/>
                    <button type="submit" class="button">"Add invoice"</button>
                </form>
            </Show>
            <h3>"The email"</h3>
            {move || to_send().map(|e| view! {
                <dl class="email-preview">
                    <dt>"To"</dt>
                    <dd data-testid="goodbye-to">{
                        let people = recipients();
                        if people.iter().all(|r| r.email.is_empty()) {
                            "No client contact with an email yet: invite them under People with access, or add one under Contacts.".to_owned()
                        } else {
                            people.iter().filter(|r| !r.email.is_empty()).map(|r| if r.name.is_empty() { r.email.clone() } else { format!("{} <{}>", r.name, r.email) }).collect::<Vec<_>>().join(", ")
                        }
                    }</dd>
                </dl>
                <div class="row">
                    <a class="button" href=e.mailto()>"Open in your mail app"</a>
                    <button type="button" class="button" on:click=on_eml>"Download .eml"</button>
                </div>
            })}
            <Show when=may_edit fallback=move || view! {
                <dl class="entries">
                    <Entry label="Subject" value=Signal::derive(move || subject.get())/>
                    <Entry label="Goodbye email text" value=Signal::derive(move || body.get())/>
                </dl>
            }>
            <div class="stack goodbye-editor">
                <div class="field">
                    <label for="goodbye-subject">"Subject"</label>
                    <input id="goodbye-subject" type="text" prop:value=subject
                        on:input=move |ev| { set_edited.set(true); set_subject.set(event_target_value(&ev)); }/>
                </div>
                <div class="field">
                    <label for="goodbye-body">"Goodbye email text"</label>
                    <textarea id="goodbye-body" rows="16" prop:value=body
                        on:input=move |ev| { set_edited.set(true); set_body.set(event_target_value(&ev)); }></textarea>
                </div>
                <Show when=move || edited.get()>
                    <button type="button" class="button ghost small" on:click=on_reset>"Start again from the portal"</button>
                </Show>
            </div>
            </Show>
            {move || match sent.get() {
                Some(at) => view! { <p class="badge badge-done" role="status">{format!("Sent and completed on {}", crate::state::dates::show_at(at))}</p> }.into_any(),
                None if !may_edit() => view! { <p class="muted small">"Not sent yet."</p> }.into_any(),
                None => view! {
                    <div class="row">
                        <Show when=crate::state::session::email_enabled>
                            <button type="button" class="button primary"
                                disabled=move || blocked().is_some() || no_recipient() || sending.get()
                                aria-describedby="goodbye-gate" on:click=on_send>"Send the goodbye email"</button>
                        </Show>
                        <button type="button"
                            class=move || if crate::state::session::email_enabled() { "button" } else { "button primary" }
                            disabled=move || blocked().is_some()
                            aria-describedby="goodbye-gate" on:click=on_complete>"Mark as sent and complete offboarding"</button>
                    </div>
                    <p id="goodbye-gate" class="field-error" role="status">{blocked}</p>
                }.into_any(),
            }}
            <p class="small" role="status">{move || message.get()}</p>
        </section>
    }
}

use leptos::prelude::*;
use threshold_model::formats::Sender;
use threshold_model::offboarding::{
    complete_offboarding, compose_goodbye, read_offboarding, unpaid_reason, GOODBYE_KEYS,
    OFFBOARDING,
};
use threshold_model::onboarding::{
    add_exchange_item, read_contacts, read_exchange, set_exchange_invoice, Direction,
    ExchangeStatus, EXCHANGE,
};
use threshold_model::portal::Assignee;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::browser::download::{download, file_stem};
use crate::components::widgets::TextField;
use crate::state::dates::parse_date;
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
    let signature = move || view.get_untracked().actor_name();
    // What the email reads, and only that: ticking a task re-composes it, typing a check-in
    // does not.
    let email = doc_memo(id, &[GOODBYE_KEYS], |doc| {
        compose_goodbye(doc, &crate::state::view_mode::load().actor_name()).ok()
    });
    let sender = move || {
        let name = signature();
        let ours = crate::sync::client()
            .read(&id, |doc| read_contacts(doc).ok())
            .flatten()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.spec.side == Assignee::Provider && c.spec.email.contains('@'))
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
        let Some(email) = email.get_untracked() else {
            return;
        };
        let now = chrono::Utc::now();
        let eml = email.to_eml(
            &sender(),
            now,
            &format!("goodbye-{}@threshold", uuid::Uuid::new_v4().simple()),
        );
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
    let on_complete = move |_| {
        match actions::try_edit_portal(id, |tx| complete_offboarding(tx, chrono::Utc::now())) {
            Ok(()) => set_message.set(Some("Offboarding is complete. The client is now alumni and keeps the portal as a read-only archive.".into())),
            Err(e) => set_message.set(Some(e.to_string())),
        }
    };
    let (invoice, set_invoice) = signal(String::new());
    let (due, set_due) = signal(String::new());
    let on_add_invoice = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let name = invoice.get_untracked();
        if name.trim().is_empty() {
            set_message.set(Some("Name the invoice, for example Final invoice.".into()));
            return;
        }
        let d = parse_date(&due.get_untracked());
        actions::edit_portal(id, |tx| {
            let item = add_exchange_item(tx, &name, Direction::WeSend, d)?;
            set_exchange_invoice(tx, &item, true)
        });
        set_invoice.set(String::new());
        set_message.set(None);
    };
    view! {
        <section class="card goodbye" aria-labelledby="goodbye-heading" id="goodbye">
            <h2 id="goodbye-heading">"Goodbye email"</h2>
            <h3>"Invoices and payments"</h3>
            <Show when=move || invoices.with(|i| i.as_ref().is_some_and(|i| !i.is_empty())) fallback=|| view! { <p class="muted small">"No invoices in the documents list."</p> }>
                <ul class="invoices" aria-label="Invoices and payments">
                    {move || invoices.get().unwrap_or_default().into_iter().map(|i| {
                        let paid = i.status == ExchangeStatus::Paid;
                        view! {
                            <li class="row" class:complete=paid>
                                <span class="grow">{i.name.clone()}</span>
                                <span class=if paid { "badge badge-done" } else { "badge badge-late" }>{if paid { "Paid".to_owned() } else { format!("Not paid ({})", i.status.as_str()) }}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="muted small">"Mark an invoice paid in Documents when the payment arrives."</p>
            </Show>
            <form class="add-row" aria-label="Add an invoice" on:submit=on_add_invoice>
                <TextField id="invoice-name" label="Invoice" placeholder="e.g. Final invoice" grow=true value=invoice set_value=set_invoice/>
                <TextField id="invoice-due" label="Due" kind="date" value=due set_value=set_due/>
                <button type="submit" class="button">"Add invoice"</button>
            </form>
            <h3>"The email"</h3>
            {move || email.get().map(|e| view! {
                <dl class="email-preview">
                    <dt>"To"</dt><dd>{if e.to.is_empty() { "No client contact with an email yet — add one under Contacts.".to_owned() } else { e.to.join(", ") }}</dd>
                    <dt>"Subject"</dt><dd data-testid="goodbye-subject">{e.subject.clone()}</dd>
                </dl>
                <pre class="email-body" aria-label="Goodbye email text" tabindex="0">{e.body.clone()}</pre>
                <div class="row">
                    <a class="button" href=e.mailto()>"Open in your mail app"</a>
                    <button type="button" class="button" on:click=on_eml>"Download .eml"</button>
                </div>
            })}
            {move || match sent.get() {
                Some(at) => view! { <p class="badge badge-done" role="status">{format!("Sent and completed on {}", at.format("%-d %b %Y"))}</p> }.into_any(),
                None => view! {
                    <button type="button" class="button primary" disabled=move || blocked().is_some()
                        aria-describedby="goodbye-gate" on:click=on_complete>"Mark as sent and complete offboarding"</button>
                    <p id="goodbye-gate" class="field-error" role="status">{blocked}</p>
                }.into_any(),
            }}
            <p class="small" role="status">{move || message.get()}</p>
        </section>
    }
}

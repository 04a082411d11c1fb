//! Documents to exchange: who sends what (contracts, NDAs, invoices, forms), by when, where each
//! one stands, and its attached files.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::access::FileTarget;
use threshold_model::onboarding::{
    add_exchange_item, remove_exchange_item, set_exchange_details, set_exchange_status, Direction,
    ExchangeItem, ExchangeStatus, Signature, EXCHANGE, SIGNATURES,
};
use threshold_model::portal::Attachment;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::files::Attachments;
use crate::components::widgets::{AddRow, TextField};
use crate::state::authors::{name_for, verified_name};
use crate::state::dates::{input_value, parse_date, today};
use crate::state::permission::{may, Act};
use crate::state::view_mode::{use_view, ViewMode};
use crate::state::voice::use_voice;
use crate::sync::part_memo;

fn status_label(status: ExchangeStatus) -> &'static str {
    match status {
        ExchangeStatus::Requested => "Requested",
        ExchangeStatus::Sent => "Sent",
        ExchangeStatus::Signed => "Signed",
        ExchangeStatus::Paid => "Paid",
    }
}

#[component]
pub fn ExchangeSection(id: DocumentId) -> impl IntoView {
    let items = part_memo(id, EXCHANGE);
    let view = use_view();
    let (name, set_name) = signal(String::new());
    let (direction, set_direction) = signal(Direction::WeSend);
    let (due, set_due) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let n = name.get_untracked();
        let d = parse_date(&due.get_untracked());
        let dir = direction.get_untracked();
        if actions::save_portal(id, set_error, |tx| {
            add_exchange_item(tx, &n, dir, d).map(|_| ())
        }) {
            set_name.set(String::new());
            set_due.set(String::new());
        }
    };
    let list = move || items.get().unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="exchange-heading" id="documents">
            <h2 id="exchange-heading">"Documents"</h2>
            <p class="muted small">"Contracts, NDAs, invoices and forms: who sends what, and where each one stands."</p>
            <Show when=move || !list().is_empty() fallback=|| view! { <p class="muted">"Nothing to exchange yet."</p> }>
                <ul class="exchange-list" aria-label="Documents">
                    <For each=list key=|i| (i.id.clone(), i.status, i.due, i.name.clone(), i.link.clone(), i.note.clone())
                        children=move |item| view! { <ExchangeRow portal=id item=item/> }/>
                </ul>
            </Show>
            <Show when=move || may(view.get(), &Act::EditExchange)>
                <AddRow label="Add a document" button="Add document" on_add=on_add error=error polite=true>
                    <TextField id="exchange-name" label="Document" placeholder="e.g. NDA" grow=true value=name set_value=set_name/>
                    <div class="field">
                        <label for="exchange-direction">"Direction"</label>
                        <select id="exchange-direction" on:change=move |ev| set_direction.set(Direction::parse(&event_target_value(&ev)))>
                            <option value="we-send">"We send it"</option>
                            <option value="we-need">"We need it"</option>
                        </select>
                    </div>
                    <TextField id="exchange-due" label="Due date" kind="date" value=due set_value=set_due/>
                </AddRow>
            </Show>
        </section>
    }
}

#[component]
fn ExchangeRow(portal: DocumentId, item: ExchangeItem) -> impl IntoView {
    let view = use_view();
    let voice = use_voice(portal);
    let overdue = item.is_overdue(today());
    let direction = move || voice.direction(item.direction);
    let due = item
        .due
        .map(|d| format!("Due {}", crate::state::dates::show(d)))
        .unwrap_or_else(|| "No due date".into());
    let (status_id, remove_id, details_id) = (item.id.clone(), item.id.clone(), item.id.clone());
    let name = item.name.clone();
    let status_name = item.name.clone();
    let (due_input, set_due_input) = signal(input_value(item.due));
    let (link_input, set_link_input) = signal(item.link.clone());
    let (note_input, set_note_input) = signal(item.note.clone());
    let (details_error, set_details_error) = signal(None::<String>);
    let on_details = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (due, link, note) = (
            parse_date(&due_input.get_untracked()),
            link_input.get_untracked(),
            note_input.get_untracked(),
        );
        actions::save_portal(portal, set_details_error, |tx| {
            set_exchange_details(tx, &details_id, due, &link, &note)
        });
    };
    let details_name = item.name.clone();
    // What this view may do to the item, from the permission table: a client sends or signs
    // what is theirs to, sees every other status (an invoice's above all) as text, and attaches
    // files only where the document is theirs to send or sign.
    let (item_direction, invoice, current) = (item.direction, item.invoice, item.status);
    // A client who may sign the document signs it with the Sign form, which records who
    // signed what and when (and moves the status); "Signed" picked from a menu records nothing.
    let signs_with_form = move || {
        view.get() == ViewMode::Client
            && may(
                view.get(),
                &Act::Sign {
                    on: FileTarget::Exchange {
                        direction: item_direction,
                        invoice,
                    },
                },
            )
    };
    let choices = move || {
        ExchangeStatus::ALL
            .into_iter()
            .filter(|s| *s == current || !(*s == ExchangeStatus::Signed && signs_with_form()))
            .filter(|s| {
                *s == current
                    || may(
                        view.get(),
                        &Act::SetExchangeStatus {
                            direction: item_direction,
                            invoice,
                            to: Some(*s),
                        },
                    )
            })
            .collect::<Vec<_>>()
    };
    let may_choose = move || choices().len() > 1;
    let may_edit = move || may(view.get(), &Act::EditExchange);
    let may_attach = Signal::derive(move || {
        may(
            view.get(),
            &Act::AttachFile {
                own: true,
                to: FileTarget::Exchange {
                    direction: item_direction,
                    invoice,
                },
            },
        )
    });
    let link = item.link.clone();
    let note = item.note.clone();
    // Who signed is whoever the relay verified as the writer of the status, never a name the
    // document holds. A typed signature, when there is one, says more and replaces this line.
    let signatures = part_memo(portal, SIGNATURES);
    let signed_by = {
        let id = item.id.clone();
        move || {
            let typed = signatures.with(|all| {
                all.as_ref()
                    .is_some_and(|all| all.iter().any(|s| s.document == id))
            });
            (current == ExchangeStatus::Signed && !typed).then(|| {
                let by = verified_name(&portal, &["exchange", id.as_str()], "status", "");
                view! { <p class="small signed-by">"Signed by " {by}</p> }
            })
        }
    };
    view! {
        <li class="exchange" class:overdue=overdue>
            <div class="grow">
                <strong>{item.name.clone()}</strong>
                <span class="muted small">" · " {direction} " · " {due}</span>
                {overdue.then(|| view! { <span class="badge badge-late">"Overdue"</span> })}
                {(!link.is_empty()).then(|| match threshold_model::formats::safe_href(&link) {
                    Some(href) => view! { <p class="small"><a href=href.to_owned() target="_blank" rel="noopener">{link.clone()}</a></p> }.into_any(),
                    None => view! { <p class="small">{link.clone()}</p> }.into_any(),
                })}
                {(!note.is_empty()).then(|| view! { <p class="small muted">{note.clone()}</p> })}
                {signed_by}
                // Signing and attaching side by side, wrapping on a phone.
                <div class="exchange-actions">
                    <Signatures portal=portal item=item.clone()/>
                    <Attachments portal=portal attachment=Attachment::Exchange(item.id.clone()) label=item.name.clone() may_attach=may_attach/>
                </div>
                <Show when=may_edit>
                {
                let (on_details, details_name) = (on_details.clone(), details_name.clone());
                view! {
                <details class="comments">
                    <summary>"Details"</summary>
                    <form class="add-row" on:submit=on_details aria-label=format!("Details of {details_name}")>
                        <div class="field"><label>"Due date" <input type="date" prop:value=due_input on:input=move |ev| set_due_input.set(event_target_value(&ev))/></label></div>
                        <div class="field grow"><label>"Link" <input type="url" prop:value=link_input on:input=move |ev| set_link_input.set(event_target_value(&ev))/></label></div>
                        <div class="field grow"><label>"Note" <input type="text" prop:value=note_input on:input=move |ev| set_note_input.set(event_target_value(&ev))/></label></div>
                        <button type="submit" class="button small">"Save details"</button>
                    </form>
                    <p class="field-error" role="alert">{move || details_error.get()}</p>
                </details>
                }
                }
                </Show>
            </div>
            <Show when=may_choose
                fallback=move || view! { <span class="badge exchange-status">{status_label(current)}</span> }>
                {
                    let (name, status_id) = (status_name.clone(), status_id.clone());
                    // A visible "Status" over the menu: on a phone the row wraps, and a bare
                    // menu of "Sent" or "Signed" reads as a statement, not as a choice.
                    view! {
                        <label class="status-choice">
                            <span class="small muted">"Status"</span>
                            <select aria-label=format!("Status of {name}") on:change=move |ev| {
                                let status = ExchangeStatus::parse(&event_target_value(&ev));
                                actions::edit_portal(portal, |tx| set_exchange_status(tx, &status_id, status));
                            }>
                                {choices().into_iter().map(|s| view! {
                                    <option value=s.as_str() selected=s == current>{status_label(s)}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    }
                }
            </Show>
            <Show when=may_edit>
                {
                    let remove_id = remove_id.clone();
                    let name = name.clone();
                    view! {
                        <button type="button" class="button ghost" aria-label=format!("Remove document {name}")
                            on:click=move |_| actions::edit_portal(portal, |tx| remove_exchange_item(tx, &remove_id))>"Remove"</button>
                    }
                }
            </Show>
        </li>
    }
}

/// The typed-name signatures on one document, as a record both sides see, and the "Sign" form
/// for whoever the permission table lets sign it.
#[component]
fn Signatures(portal: DocumentId, item: ExchangeItem) -> impl IntoView {
    let view = use_view();
    let all = part_memo(portal, SIGNATURES);
    let doc_id = item.id.clone();
    let mine = {
        let doc_id = doc_id.clone();
        move || {
            all.get()
                .unwrap_or_default()
                .into_iter()
                .filter(|s| s.document == doc_id)
                .collect::<Vec<_>>()
        }
    };
    let listed = mine.clone();
    let signed_by_me = {
        let mine = mine.clone();
        move || {
            mine().iter().any(|s| {
                crate::state::permission::made_by_me(&portal, &["signatures", s.id.as_str()])
            })
        }
    };
    let (direction, invoice) = (item.direction, item.invoice);
    let may_sign = move || {
        may(
            view.get(),
            &Act::Sign {
                on: FileTarget::Exchange { direction, invoice },
            },
        ) && !signed_by_me()
    };
    let (open, set_open) = signal(false);
    let (typed, set_typed) = signal(String::new());
    let (consent, set_consent) = signal(false);
    let (error, set_error) = signal(None::<String>);
    let name = item.name.clone();
    let form_id = format!("sign-{}", item.id);
    let signatures_id = format!("{form_id}-signatures");
    let on_sign = {
        let item = item.clone();
        let (signatures_id, focus_form) = (signatures_id.clone(), form_id.clone());
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let signed = actions::sign(
                portal,
                &item,
                &typed.get_untracked(),
                consent.get_untracked(),
                set_error,
            );
            if signed {
                set_open.set(false);
                set_typed.set(String::new());
                set_consent.set(false);
            }
            // The form closes on success, and its button with it: focus goes to the signature
            // just recorded, not to whatever follows on the page. A refusal names the field to
            // fix, so focus goes there (the name, or the consent once a name is written).
            let target = if signed {
                signatures_id.clone()
            } else if typed.get_untracked().trim().is_empty() {
                format!("{focus_form}-name")
            } else {
                format!("{focus_form}-consent")
            };
            request_animation_frame(move || focus_by_id(&target));
        }
    };
    view! {
        <Show when=move || !listed().is_empty()>
            <ul class="signatures" id=signatures_id.clone() tabindex="-1" aria-label=format!("Signatures on {name}")>
                {
                    let mine = mine.clone();
                    move || {
                        let files = crate::sync::client()
                            .read(&portal, |doc| threshold_model::portal::read_files(doc).ok())
                            .flatten()
                            .unwrap_or_default();
                        mine().into_iter().map(|s| {
                            let file = s.file_hash.as_deref().and_then(|h| files.iter().find(|f| f.spec.hash == h)).map(|f| f.spec.name.clone());
                            view! { <li class="signature small">{signature_line(&s, file.as_deref())}</li> }
                        }).collect_view()
                    }
                }
            </ul>
        </Show>
        <Show when=may_sign.clone()>
            {
                let (on_sign, form_id, doc_name) = (on_sign.clone(), form_id.clone(), item.name.clone());
                view! {
                    <Show when=move || open.get() fallback=move || view! {
                        <div class="sign-open"><button type="button" class="button small" on:click=move |_| set_open.set(true)>"Sign"</button></div>
                    }>
                        {
                            let (on_sign, form_id, doc_name) = (on_sign.clone(), form_id.clone(), doc_name.clone());
                            let (name_id, consent_id, error_id) = (format!("{form_id}-name"), format!("{form_id}-consent"), format!("{form_id}-error"));
                            view! {
                                <form class="stack sign-form" on:submit=on_sign aria-label=format!("Sign {doc_name}") novalidate>
                                    <div class="field">
                                        <label for=name_id.clone()>"Your full name"</label>
                                        <input id=name_id.clone() type="text" autocomplete="name" aria-describedby=error_id.clone()
                                            prop:value=typed on:input=move |ev| set_typed.set(event_target_value(&ev))/>
                                    </div>
                                    <label class="check-row" for=consent_id.clone()>
                                        <input id=consent_id.clone() type="checkbox" prop:checked=consent
                                            on:change=move |ev| set_consent.set(event_target_checked(&ev))/>
                                        "I agree this is my signature"
                                    </label>
                                    <div class="row">
                                        <button type="submit" class="button primary small">"Sign document"</button>
                                        <button type="button" class="button ghost small" on:click=move |_| set_open.set(false)>"Not now"</button>
                                    </div>
                                    <p id=error_id class="field-error" role="alert">{move || error.get()}</p>
                                </form>
                            }
                        }
                    </Show>
                }
            }
        </Show>
    }
}

/// "Signed by Dana Reyes (typed “Dana Reyes”) on 27 Nov · NDA.pdf, version ab12cd34": the signer
/// as the relay verified them, the name as typed, the day, and the file by its name with the
/// start of its hash, which tells two uploads of the same name apart (the export has it whole).
fn signature_line(s: &Signature, file_name: Option<&str>) -> String {
    let who = name_for(
        &s.signer
            .as_ref()
            .map(|a| a.to_hex_string())
            .unwrap_or_default(),
        "",
    );
    let mut line = format!("Signed by {who} (typed “{}”)", s.typed_name);
    if let Some(at) = s.at {
        line.push_str(&format!(" on {}", crate::state::dates::show_at(at)));
    }
    if let Some(hash) = s.file_hash.as_deref() {
        let version = &hash[..hash.len().min(8)];
        line.push_str(&match file_name {
            Some(name) => format!(" · {name}, version {version}"),
            None => format!(" · file version {version}"),
        });
    }
    line
}

/// Move focus to the element with `id`, if it is on the page.
fn focus_by_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

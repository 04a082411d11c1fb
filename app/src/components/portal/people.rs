//! Who has access: a portal's client contacts, or the provider's team, with the invite form
//! and each person's access buttons. What they do on the relay is in `actions::people`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::access::TokenInfo;
use threshold_model::portal::Stage;

use crate::actions::{self, AccessChange, ClientAccess, People};
use crate::browser::clipboard::copy_to_clipboard;

use crate::state::session;

fn mailto(email: &str, name: &str, link: &str, people: People) -> String {
    let (subject, what) = match people {
        People::Portal(_) => ("Your client portal", "your client portal"),
        People::Team => ("Join our Threshold workspace", "our workspace"),
    };
    let body = format!(
        "Hello {name},\n\nHere is your personal link to {what}. It signs your browser in; please keep it to yourself.\n\n{link}\n"
    );
    format!(
        "mailto:{}?subject={}&body={}",
        js_sys::encode_uri_component(email),
        js_sys::encode_uri_component(subject),
        js_sys::encode_uri_component(&body)
    )
}

/// How many people have access to the open portal, as the relay last said: the navigation and
/// the overview show it, and the People section updates it whenever it lists them again.
#[derive(Clone, Copy)]
pub struct PeopleWithAccess(pub RwSignal<Option<usize>>);

impl PeopleWithAccess {
    /// Asked once as the portal opens, on the provider's side (a client cannot list people).
    pub fn provide(id: threshold_protocol::DocumentId) -> Self {
        let count = PeopleWithAccess(RwSignal::new(None));
        if !session::is_client() {
            leptos::task::spawn_local(async move {
                if let Ok(people) = actions::list_people(People::Portal(id)).await {
                    count.set(&people);
                }
            });
        }
        provide_context(count);
        count
    }

    fn set(&self, people: &[TokenInfo]) {
        self.0
            .set(Some(people.iter().filter(|t| t.is_active()).count()));
    }
}

#[component]
pub fn PeopleSection(
    people: People,
    #[prop(optional)] stage: Option<Memo<Option<Stage>>>,
) -> impl IntoView {
    let list = RwSignal::new(None::<Result<Vec<TokenInfo>, crate::relay::api::ApiError>>);
    let (message, set_message) = signal(None::<String>);
    // Failures, shown as errors next to the form or list that caused them.
    let (error, set_error) = signal(None::<String>);
    let (invite_error, set_invite_error) = signal(None::<String>);
    // What the last "Copy" did: `Some(true)` copied, `Some(false)` the browser refused.
    let (copied, set_copied) = signal(None::<bool>);
    let (invite, set_invite) = signal(None::<actions::Invite>);
    let (name, set_name) = signal(String::new());
    let (email, set_email) = signal(String::new());
    let (busy, set_busy) = signal(false);
    // Emailing the link is offered only when the relay sends mail; it is on by default then.
    let (send_email, set_send_email) = signal(true);
    let (note, set_note) = signal(String::new());
    let email_on = session::email_enabled;
    let role = people.role();
    let can_invite = session::session()
        .and_then(|s| s.info.get_untracked())
        .is_some_and(|i| i.may_manage(role));

    let reload = move || {
        leptos::task::spawn_local(async move {
            list.set(Some(actions::list_people(people).await));
        });
    };
    reload();
    if let (People::Portal(_), Some(count)) = (people, use_context::<PeopleWithAccess>()) {
        Effect::new(move |_| {
            list.with(|l| {
                if let Some(Ok(tokens)) = l {
                    count.set(tokens);
                }
            })
        });
    }

    // A portal whose client has left keeps every contact read-only, even if the stage was set
    // while the relay could not be reached. Only someone who may manage this portal's people
    // does it: a read-only teammate's device would be refused, and say so in red.
    if let (People::Portal(id), Some(stage), true) = (people, stage, can_invite) {
        Effect::new(move |_| {
            let ended = stage.get().is_some_and(|s| s.is_closed());
            let needed = list
                .with(|l| matches!(l, Some(Ok(tokens)) if actions::needs_read_only(ended, tokens)));
            if needed {
                leptos::task::spawn_local(async move {
                    match actions::set_client_access(id, ClientAccess::ReadOnly).await {
                        Ok(_) => reload(),
                        Err(e) => {
                            set_error.set(Some(e.explain("make this client's access read-only")))
                        }
                    }
                });
            }
        });
    }

    let on_invite = move |ev: SubmitEvent| {
        ev.prevent_default();
        let who = name.get_untracked().trim().to_owned();
        let mail = email.get_untracked().trim().to_owned();
        if let Err(e) = threshold_model::doc::limits::invite(&who, &mail) {
            set_invite_error.set(Some(e.to_string()));
            return;
        }
        let emailing = (email_on() && send_email.get_untracked() && !mail.is_empty())
            .then(|| note.get_untracked().trim().to_owned());
        set_busy.set(true);
        leptos::task::spawn_local(async move {
            match actions::invite(people, &who, &mail, emailing).await {
                Ok(created) => {
                    set_invite.set(Some(created));
                    set_copied.set(None);
                    set_name.set(String::new());
                    set_email.set(String::new());
                    set_note.set(String::new());
                    set_message.set(None);
                    set_invite_error.set(None);
                    reload();
                }
                Err(e) => set_invite_error.set(Some(e.explain("create the invite"))),
            }
            set_busy.set(false);
        });
    };

    let act = move |id: String, change: AccessChange| {
        leptos::task::spawn_local(async move {
            match actions::change_access(&id, change).await {
                Ok(t) => {
                    set_error.set(None);
                    set_message.set(Some(match change {
                        AccessChange::Revoke => format!("{}'s access is revoked.", t.name),
                        AccessChange::ReadOnly => format!("{} can now only read.", t.name),
                        AccessChange::ReadWrite => format!("{} can edit again.", t.name),
                    }))
                }
                Err(e) => set_error.set(Some(e.explain("change this person's access"))),
            }
            reload();
        });
    };

    let (heading, lede, name_label, email_label, button) = match people {
        People::Portal(_) => (
            "People with access",
            "Each client contact gets a personal invite link. It opens this portal and nothing else.",
            "Contact name",
            "Contact email",
            "Create invite link",
        ),
        People::Team => (
            "Team",
            "Team members reach the workspace, every portal and the internal notes.",
            "Team member name",
            "Team member email",
            "Invite team member",
        ),
    };
    let heading_id = format!("people-{role}");
    let labelled_by = heading_id.clone();
    view! {
        <section class="card people" aria-labelledby=labelled_by>
            <h2 id=heading_id>{heading}</h2>
            <p class="muted small">{lede}</p>
            {move || match list.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error" role="status">{e.explain("load who has access")}</p> }.into_any(),
                Some(Ok(tokens)) if tokens.is_empty() => view! { <p class="muted">"Nobody yet."</p> }.into_any(),
                Some(Ok(tokens)) => view! {
                    <ul class="people-list">
                        {tokens.into_iter().map(|t| {
                            let status = match (&t.revoked_at, t.read_only) {
                                (Some(_), _) => "Revoked",
                                (None, true) => "Read-only",
                                (None, false) => "Can edit",
                            };
                            let active = t.revoked_at.is_none();
                            let (id1, id2) = (t.id.clone(), t.id.clone());
                            let read_only = t.read_only;
                            let who = t.name.clone();
                            view! {
                                <li class="person" class:revoked=!active>
                                    <span class="person-name">{t.name.clone()}</span>
                                    <span class="muted small">{t.email.clone().unwrap_or_default()}</span>
                                    <span class="pill" data-testid="access-status">{status}</span>
                                    <Show when=move || active && can_invite>
                                        <span class="person-actions">
                                            <button type="button" class="button small"
                                                aria-label=format!("{} for {}", if read_only { "Allow editing" } else { "Make read-only" }, who)
                                                on:click={let id = id1.clone(); move |_| act(id.clone(), if read_only { AccessChange::ReadWrite } else { AccessChange::ReadOnly })}>
                                                {if read_only { "Allow editing" } else { "Make read-only" }}
                                            </button>
                                            <button type="button" class="button small danger"
                                                aria-label=format!("Revoke access for {who}")
                                                on:click={let id = id2.clone(); move |_| act(id.clone(), AccessChange::Revoke)}>
                                                "Revoke access"
                                            </button>
                                        </span>
                                    </Show>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <Show when=move || can_invite>
                <form class="invite-form" on:submit=on_invite novalidate>
                    <div class="row">
                        <label>{name_label}
                            <input type="text" autocomplete="off" aria-describedby=format!("invite-error-{role}")
                                aria-invalid=move || invite_error.get().is_some().to_string()
                                prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev))/>
                        </label>
                        <label>{email_label}
                            <input type="email" autocomplete="off" aria-describedby=format!("invite-error-{role}")
                                aria-invalid=move || invite_error.get().is_some().to_string()
                                prop:value=email on:input=move |ev| set_email.set(event_target_value(&ev))/>
                        </label>
                        <button type="submit" class="button primary" disabled=busy>{button}</button>
                    </div>
                    {move || if email_on() {
                        view! {
                            <div class="invite-email">
                                <label class="check-row">
                                    <input type="checkbox" prop:checked=send_email
                                        on:change=move |ev| set_send_email.set(event_target_checked(&ev))/>
                                    "Also email the link to them"
                                </label>
                                <Show when=move || send_email.get()>
                                    <label>"Note for the email (optional)"
                                        <textarea rows="2" maxlength="1000" prop:value=note
                                            on:input=move |ev| set_note.set(event_target_value(&ev))></textarea>
                                    </label>
                                </Show>
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <p class="muted small" data-testid="email-off">
                                "Email is off on this relay: nothing is sent from here. Copy the link and share it yourself."
                            </p>
                        }.into_any()
                    }}
                    <p class="field-error" id=format!("invite-error-{role}") role="alert">{move || invite_error.get()}</p>
                </form>
            </Show>
            {move || invite.get().map(|actions::Invite { name: who, link, email: mail, emailed }| {
                let copy = link.clone();
                let emailed_to = mail.clone().filter(|_| emailed);
                // Once the relay emailed it, a second email from the provider's own client would
                // only confuse.
                let mail_href = mail
                    .as_deref()
                    .filter(|_| !emailed)
                    .map(|m| mailto(m, &who, &link, people));
                let on_copy = move |_| {
                    let copy = copy.clone();
                    leptos::task::spawn_local(async move {
                        let done = copy_to_clipboard(&copy).await.is_ok();
                        if !done {
                            // Refused: select the link, so the person's own copy works at once.
                            if let Some(input) = web_sys::window()
                                .and_then(|w| w.document())
                                .and_then(|d| d.get_element_by_id("invite-link-out"))
                                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(e).ok())
                            {
                                let _ = input.focus();
                                input.select();
                            }
                        }
                        set_copied.set(Some(done));
                    });
                };
                view! {
                    <div class="invite-result" role="status">
                        <label for="invite-link-out">{format!("Invite link for {who}")}</label>
                        <div class="row">
                            <input id="invite-link-out" type="text" readonly prop:value=link.clone()/>
                            <button type="button" class="button" on:click=on_copy>"Copy"</button>
                            {mail_href.map(|href| view! { <a class="button" href=href>"Email the invite"</a> })}
                        </div>
                        {emailed_to.map(|to| view! { <p class="small">"Emailed to " <strong>{to}</strong> "."</p> })}
                        <p class="small copy-feedback" data-testid="copy-feedback" aria-live="polite"
                            class:field-error=move || copied.get() == Some(false)
                            class:ok=move || copied.get() == Some(true)>
                            {move || match copied.get() {
                                Some(true) => "Copied. Paste it into a message to the person it is for.",
                                Some(false) => "This browser didn't let Threshold copy. The link is selected: copy it yourself (Ctrl+C or ⌘C, or long-press on a phone).",
                                None => "",
                            }}
                        </p>
                        <p class="muted small">"Copy it now: it is shown only once. Anyone holding it signs in as " {who.clone()} "."</p>
                    </div>
                }
            })}
            <p class="muted small" role="status">{move || message.get()}</p>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </section>
    }
}

//! "Email": whether this relay sends email at all (said plainly when it does not), and, when
//! it does, the name clients see it from and where their replies go. The relay keeps these,
//! since it composes every message.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::access::WorkspaceMail;

use crate::actions;

#[component]
pub fn EmailSettings() -> impl IntoView {
    let settings = RwSignal::new(None::<WorkspaceMail>);
    let (name, set_name) = signal(String::new());
    let (reply_to, set_reply_to) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let (done, set_done) = signal(None::<String>);
    let loaded = move |m: WorkspaceMail| {
        set_name.set(m.sender.name.clone());
        set_reply_to.set(m.sender.reply_to.clone());
        settings.set(Some(m));
    };
    leptos::task::spawn_local(async move {
        match actions::workspace_mail().await {
            Ok(m) => loaded(m),
            Err(e) => set_error.set(Some(e)),
        }
    });
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        set_done.set(None);
        let (n, r) = (name.get_untracked(), reply_to.get_untracked());
        leptos::task::spawn_local(async move {
            match actions::save_sender(&n, &r).await {
                Ok(m) => {
                    set_error.set(None);
                    set_done.set(Some("Saved. New emails go out under this name.".into()));
                    loaded(m);
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let on = move || settings.with(|s| s.as_ref().is_some_and(|s| s.email_on));
    let off = move || settings.with(|s| s.as_ref().is_some_and(|s| !s.email_on));
    let from =
        move || settings.with(|s| s.as_ref().and_then(|s| s.from.clone()).unwrap_or_default());
    view! {
        <section class="card email-settings" aria-labelledby="email-heading">
            <h2 id="email-heading">"Email"</h2>
            <Show when=off>
                <p role="status">"Email is off: this relay has no mail server, so nothing is emailed. Invite links are shared by hand, and there are no reminders or sign-in links by email. Whoever runs the relay can turn it on with "<code>"--smtp-url"</code>" (see the README)."</p>
            </Show>
            <Show when=on>
                <p class="muted small">"Email is on. Messages go out from "<strong>{from}</strong>"; the name and reply-to below replace the relay's for your clients."</p>
                <form class="stack" on:submit=on_save aria-label="Email sender" novalidate>
                    <label for="sender-name">"Sender name"</label>
                    <input id="sender-name" type="text" autocomplete="organization"
                        aria-describedby="sender-error" aria-invalid=move || error.get().is_some().to_string()
                        prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev))/>
                    <label for="sender-reply-to">"Replies go to"</label>
                    <input id="sender-reply-to" type="email" autocomplete="email" placeholder="you@yourbusiness.com"
                        aria-describedby="sender-error" aria-invalid=move || error.get().is_some().to_string()
                        prop:value=reply_to on:input=move |ev| set_reply_to.set(event_target_value(&ev))/>
                    <div class="row">
                        <button type="submit" class="button primary">"Save email settings"</button>
                    </div>
                </form>
            </Show>
            <p id="sender-error" class="field-error" role="alert">{move || error.get()}</p>
            <p class="small" role="status">{move || done.get()}</p>
        </section>
    }
}

//! The page for a device that is not signed in: it takes an invite link, or emails a one-time
//! sign-in link to a person who has access; opened from such a link, it signs the device in.
//! The form that takes a pasted link is its own component, also shown where a link turned out
//! not to work.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::actions;
use crate::state::session;

#[component]
pub fn SignIn(
    /// The secret of a sign-in link this page was opened from, to exchange for a token.
    #[prop(optional, into)]
    redeem: Option<String>,
) -> impl IntoView {
    let (email, set_email) = signal(String::new());
    let (email_error, set_email_error) = signal(None::<String>);
    let (email_sent, set_email_sent) = signal(None::<String>);
    let (sending, set_sending) = signal(false);
    let (redeeming, set_redeeming) = signal(redeem.is_some());
    let (redeem_error, set_redeem_error) = signal(None::<String>);
    if let Some(secret) = redeem {
        leptos::task::spawn_local(async move {
            // On success the page reloads signed in; only a refusal comes back here.
            if let Err(e) = actions::redeem_sign_in(&secret).await {
                set_redeem_error.set(Some(format!(
                    "That did not sign you in: {e}. Ask for a new link below."
                )));
                set_redeeming.set(false);
            }
        });
    }
    let on_email = move |ev: SubmitEvent| {
        ev.prevent_default();
        let address = email.get_untracked().trim().to_owned();
        if !address.contains('@') {
            set_email_error.set(Some("Type the email address you were invited with.".into()));
            return;
        }
        set_email_error.set(None);
        set_sending.set(true);
        leptos::task::spawn_local(async move {
            match actions::email_sign_in_link(&address).await {
                Ok(()) => set_email_sent.set(Some(address)),
                Err(e) => set_email_error.set(Some(format!("Could not send a link: {e}."))),
            }
            set_sending.set(false);
        });
    };
    // Installable and cached from the first visit, before anyone signs in.
    crate::browser::service_worker::register(RwSignal::new(false));
    view! {
        <header class="topbar">
            <span class="brand"><span class="brand-mark" aria-hidden="true">"◆"</span>"Threshold"</span>
        </header>
        <main class="page">
            <section class="card sign-in">
                <h1>"Sign in to Threshold"</h1>
                <Show when=move || redeeming.get()>
                    <p role="status" class="lede">"Signing you in…"</p>
                </Show>
                {move || redeem_error.get().map(|e| view! { <p role="alert" class="field-error">{e}</p> })}
                <p class="lede">"Open the invite link you were sent, or paste it here. The link signs this browser in; nothing else is needed."</p>
                <InviteLinkForm button="Sign in"/>
                <h2 class="sign-in-or">"No link at hand?"</h2>
                <form on:submit=on_email novalidate>
                    <label for="sign-in-email">"Your email"</label>
                    <input id="sign-in-email" type="email" autocomplete="email" required
                        aria-invalid=move || email_error.get().is_some().to_string()
                        aria-describedby="sign-in-email-error"
                        prop:value=email on:input=move |ev| set_email.set(event_target_value(&ev))/>
                    <p id="sign-in-email-error" class="field-error" role="alert">{move || email_error.get()}</p>
                    <button type="submit" class="button" disabled=sending>"Email me a sign-in link"</button>
                </form>
                {move || email_sent.get().map(|to| view! {
                    <p role="status" class="notice">
                        "If " <strong>{to}</strong> " belongs to someone with access here, a sign-in link is on its way. It works once, within an hour, on the device you open it on."
                    </p>
                })}
                <p class="muted small">"Running your own relay? Its first start prints the owner's link; "
                    <code>"sync-server token create"</code>" makes more."</p>
            </section>
        </main>
    }
}

/// A field to paste an invite link into: a valid one replaces this device's sign-in and
/// reloads the app with it.
#[component]
pub fn InviteLinkForm(button: &'static str) -> impl IntoView {
    let (link, set_link) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match session::token_from_link(&link.get_untracked()) {
            Some(token) => {
                session::sign_out();
                session::store_token(&token);
                if let Some(window) = web_sys::window() {
                    let _ = window.location().set_hash("#/");
                    let _ = window.location().reload();
                }
            }
            None => set_error.set(Some(
                "That is not a Threshold invite link. Paste the whole link from your invitation."
                    .into(),
            )),
        }
    };
    view! {
        <form on:submit=on_submit novalidate>
            <label for="invite-link">"Invite link"</label>
            <input id="invite-link" type="url" autocomplete="off" required
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby="invite-link-error"
                prop:value=link on:input=move |ev| set_link.set(event_target_value(&ev))/>
            <p id="invite-link-error" class="field-error" role="alert">{move || error.get()}</p>
            <button type="submit" class="button primary">{button}</button>
        </form>
    }
}

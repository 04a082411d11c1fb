//! The page for a device that is not signed in: it takes an invite link. The form that takes a
//! pasted link is its own component, also shown where a link turned out not to work.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::state::session;

#[component]
pub fn SignIn() -> impl IntoView {
    // Installable and cached from the first visit, before anyone signs in.
    crate::browser::service_worker::register(RwSignal::new(false));
    view! {
        <header class="topbar">
            <span class="brand"><span class="brand-mark" aria-hidden="true">"◆"</span>"Threshold"</span>
        </header>
        <main class="page">
            <section class="card sign-in">
                <h1>"Sign in to Threshold"</h1>
                <p class="lede">"Open the invite link you were sent, or paste it here. The link signs this browser in; nothing else is needed."</p>
                <InviteLinkForm button="Sign in"/>
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

//! "Emails to you": a person turns digests and reminders on or off (an unsubscribe is undone
//! only from the link in the mail, which proves the address is theirs). The relay keeps the
//! choice (it is the one that sends) for the address their access was given for; nothing shows
//! when email is off or their access has no address, since there is nothing to choose.

use leptos::prelude::*;
use threshold_model::access::MyEmail;
use threshold_model::notify::EmailPreferences;

use crate::actions;

#[component]
pub fn EmailChoices() -> impl IntoView {
    let mine = RwSignal::new(None::<MyEmail>);
    let (message, set_message) = signal(None::<String>);
    let (error, set_error) = signal(None::<String>);
    leptos::task::spawn_local(async move {
        match actions::my_email().await {
            Ok(m) => mine.set(Some(m)),
            // Offline or signed out: the card stays away rather than show a stale choice.
            Err(e) => leptos::logging::warn!("{e}"),
        }
    });
    let save = move |wants: EmailPreferences| {
        set_message.set(None);
        leptos::task::spawn_local(async move {
            match actions::save_my_email(wants).await {
                Ok(m) => {
                    set_error.set(None);
                    set_message.set(Some(
                        if m.wants.digests || m.wants.reminders {
                            "Saved."
                        } else {
                            "Saved. You'll only get sign-in links you ask for, and messages your contact sends you."
                        }
                        .into(),
                    ));
                    mine.set(Some(m));
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let shown = move || {
        mine.with(|m| {
            m.as_ref()
                .is_some_and(|m| m.email_on && m.address.is_some())
        })
    };
    let wants = move || mine.with(|m| m.as_ref().map(|m| m.wants).unwrap_or_default());
    let address = move || {
        mine.with(|m| {
            m.as_ref()
                .and_then(|m| m.address.clone())
                .unwrap_or_default()
        })
    };
    let unsubscribed = move || mine.with(|m| m.as_ref().is_some_and(|m| m.unsubscribed));
    view! {
        <Show when=shown>
            <section class="card email-choices" aria-labelledby="email-choices-heading">
                <h2 id="email-choices-heading">"Emails to you"</h2>
                <p class="muted small">"Sent to " <strong>{address}</strong> "."</p>
                <Show when=unsubscribed>
                    <p class="small">"You unsubscribed from these emails with the link in one of them. To get them again, open that link once more and choose \u{201c}Get these emails again\u{201d}."</p>
                </Show>
                <label class="row choice">
                    <input type="checkbox"
                        prop:checked=move || wants().digests && !unsubscribed()
                        disabled=unsubscribed
                        on:change=move |ev| save(EmailPreferences { digests: event_target_checked(&ev), ..wants() })/>
                    <span>"A summary of what is waiting on you, at most about once an hour"</span>
                </label>
                <label class="row choice">
                    <input type="checkbox"
                        prop:checked=move || wants().reminders && !unsubscribed()
                        disabled=unsubscribed
                        on:change=move |ev| save(EmailPreferences { reminders: event_target_checked(&ev), ..wants() })/>
                    <span>"Reminders the day before something is due, on the day, and when it is late"</span>
                </label>
                <p class="field-error" role="alert">{move || error.get()}</p>
                <p class="small" role="status">{move || message.get()}</p>
            </section>
        </Show>
    }
}

//! The banner for a change the portal's rules refused: on this device (nothing was kept; it can
//! be dismissed), or by the relay (syncing stopped; the one way on is to discard this device's
//! copy of the document and load it again from the relay).

use leptos::prelude::*;

use crate::sync::{client, Refusal};

#[component]
pub fn RefusalBanner() -> impl IntoView {
    let refusal = client().signals.refusal;
    let (discarding, set_discarding) = signal(false);
    let (error, set_error) = signal(None::<String>);
    move || {
        refusal.get().map(|r| {
            let sentence = r.sentence();
            match r {
                Refusal::Here(_) => view! {
                    <div class="banner banner-warn refusal" role="alert">
                        {sentence} " "
                        <button type="button" class="button small ghost" on:click=move |_| refusal.set(None)>"Dismiss"</button>
                    </div>
                }
                .into_any(),
                Refusal::Relay { doc, .. } => {
                    let on_discard = move |_| {
                        let Some(doc) = doc else {
                            if let Some(window) = web_sys::window() {
                                let _ = window.location().reload();
                            }
                            return;
                        };
                        set_discarding.set(true);
                        leptos::task::spawn_local(async move {
                            if let Err(e) = client().discard_refused(doc).await {
                                set_discarding.set(false);
                                set_error.set(Some(e.to_string()));
                            }
                        });
                    };
                    view! {
                        <div class="banner banner-error refusal" role="alert">
                            <p>{sentence} " Nothing syncs from this device until its unsent changes are discarded; everything the relay already has is kept."</p>
                            <button type="button" class="button small" on:click=on_discard disabled=discarding>
                                "Discard this device's unsent changes and reload"
                            </button>
                            {move || error.get().map(|e| view! { <p class="small">"Could not discard: " {e}</p> })}
                        </div>
                    }
                    .into_any()
                }
            }
        })
    }
}

use leptos::prelude::*;
use threshold_model::offboarding::{read_follow_ups, FOLLOW_UPS};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::sync::doc_memo;

/// "Take your portal with you": the whole portal as JSON and as the Automerge document, the
/// calendars, and the printable offboarding report. Outside the archive's disabled fieldset, so
/// an alumni client can always take everything.
#[component]
pub fn ExportsSection(id: DocumentId) -> impl IntoView {
    let (message, set_message) = signal(None::<String>);
    let report = move |result: Result<(), String>| {
        set_message.set(result.err().map(|e| format!("Could not download: {e}")));
    };
    let on_json = move |_| report(actions::download_json(id));
    let on_archive = move |_| {
        leptos::task::spawn_local(async move {
            let gathering = |n| set_message.set(Some(format!("Gathering {n} file(s)…")));
            let Some(result) = actions::download_archive(id, gathering).await else {
                return;
            };
            set_message.set(match result {
                Err(e) => Some(format!("Could not download: {e}")),
                Ok(missing) if missing.is_empty() => None,
                Ok(missing) => Some(format!(
                    "Downloaded without {}: not on this device, and the relay could not be reached or does not have them yet.",
                    missing.join(", ")
                )),
            });
        });
    };
    let on_automerge = move |_| report(actions::download_automerge(id));
    let calendar = move |follow_ups: bool| report(actions::download_calendar(id, follow_ups));
    let on_print = move |_| {
        // The print stylesheet shows only the report while this class is on the page.
        let body = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body());
        if let Some(body) = &body {
            let _ = body.class_list().add_1("printing-report");
        }
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
        if let Some(body) = body {
            let _ = body.class_list().remove_1("printing-report");
        }
    };
    let has_follow_ups = doc_memo(id, &[FOLLOW_UPS.keys], |doc| {
        read_follow_ups(doc).ok().map(|f| !f.is_empty())
    });
    view! {
        <section class="card exports" aria-labelledby="exports-heading" id="exports">
            <h2 id="exports-heading">"Take your portal with you"</h2>
            <p class="muted small">"Everything in this portal is yours. Download it in open formats, or print the offboarding report as a PDF."</p>
            <div class="row wrap">
                <button type="button" class="button primary" on:click=on_archive>"Download everything (.zip)"</button>
                <button type="button" class="button" on:click=on_json>"Download as JSON"</button>
                <button type="button" class="button" on:click=on_automerge>"Download as Automerge (.automerge)"</button>
                <button type="button" class="button" on:click=move |_| calendar(false)>"Meetings calendar (.ics)"</button>
                <Show when=move || has_follow_ups.get() == Some(true)>
                    <button type="button" class="button" on:click=move |_| calendar(true)>"Follow-ups calendar (.ics)"</button>
                </Show>
                <button type="button" class="button" on:click=on_print>"Print offboarding report"</button>
            </div>
            <p class="field-error" role="alert">{move || message.get()}</p>
        </section>
    }
}

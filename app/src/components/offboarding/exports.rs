use leptos::prelude::*;
use threshold_model::{
    export_archive, export_json, follow_ups_to_ics, meetings_to_ics, read_client_name, read_files,
    read_follow_ups, read_meetings,
};
use threshold_protocol::DocumentId;

use crate::browser::download::{download, download_bytes, file_stem};
use crate::sync::client;
use crate::sync::files;

/// "Take your portal with you": the whole portal as JSON and as the Automerge document, the
/// calendars, and the printable offboarding report. Outside the archive's disabled fieldset, so
/// an alumni client can always take everything.
#[component]
pub fn ExportsSection(id: DocumentId) -> impl IntoView {
    let (message, set_message) = signal(None::<String>);
    let name = move || {
        client()
            .read(&id, |doc| read_client_name(doc).ok())
            .flatten()
            .unwrap_or_default()
    };
    let report = move |result: Result<(), String>| {
        set_message.set(result.err().map(|e| format!("Could not download: {e}")));
    };
    let on_json = move |_| {
        let now = chrono::Utc::now();
        let text = client()
            .read(&id, |doc| export_json(doc, now).map_err(|e| e.to_string()))
            .unwrap_or_else(|| Err("the portal is not loaded".into()))
            .and_then(|json| serde_json::to_string_pretty(&json).map_err(|e| e.to_string()));
        report(text.and_then(|t| {
            download(
                &format!("{}.json", file_stem(&name())),
                "application/json",
                &t,
            )
        }));
    };
    // Everything at once: the JSON, the Automerge document and every file, as one zip. Files are
    // read from this device, or fetched from the relay first.
    let on_archive = move |_| {
        leptos::task::spawn_local(async move {
            let now = chrono::Utc::now();
            let Some((json, binary, refs)) = client().read(&id, |doc| {
                let json = export_json(doc, now)
                    .ok()
                    .and_then(|j| serde_json::to_vec_pretty(&j).ok());
                (
                    json.unwrap_or_default(),
                    doc.save(),
                    read_files(doc).unwrap_or_default(),
                )
            }) else {
                return;
            };
            set_message.set(Some(format!("Gathering {} file(s)…", refs.len())));
            let mut gathered = Vec::new();
            let mut missing = Vec::new();
            for file in refs {
                match files()
                    .open(&file.spec.hash, &file.spec.name, &file.spec.mime)
                    .await
                {
                    Ok(bytes) => gathered.push((file, bytes)),
                    Err(_) => missing.push(file.spec.name.clone()),
                }
            }
            let result = export_archive(&json, &binary, &gathered, now)
                .map_err(|e| e.to_string())
                .and_then(|zip| {
                    download_bytes(
                        &format!("{}.zip", file_stem(&name())),
                        "application/zip",
                        &zip,
                    )
                });
            set_message.set(match (result, missing.is_empty()) {
                (Err(e), _) => Some(format!("Could not download: {e}")),
                (Ok(()), true) => None,
                (Ok(()), false) => Some(format!(
                    "Downloaded without {}: not on this device, and the relay could not be reached or does not have them yet.",
                    missing.join(", ")
                )),
            });
        });
    };
    let on_automerge = move |_| {
        let bytes = client().read(&id, |doc| doc.save()).unwrap_or_default();
        report(download_bytes(
            &format!("{}.automerge", file_stem(&name())),
            "application/octet-stream",
            &bytes,
        ));
    };
    // Meetings, or with `follow_ups` the 3/6/12-month follow-ups, as a calendar file.
    let calendar = move |follow_ups: bool| {
        let now = chrono::Utc::now();
        let ics = client().read(&id, |doc| {
            let name = read_client_name(doc).unwrap_or_default();
            if follow_ups {
                let list = read_follow_ups(doc).unwrap_or_default();
                follow_ups_to_ics(&list, &id.to_string(), &name, now)
            } else {
                meetings_to_ics(&read_meetings(doc).unwrap_or_default(), &name, now)
            }
        });
        let file = format!(
            "{}-{}.ics",
            file_stem(&name()),
            if follow_ups { "follow-ups" } else { "meetings" }
        );
        report(
            ics.ok_or_else(|| "the portal is not loaded".to_owned())
                .and_then(|ics| download(&file, "text/calendar;charset=utf-8", &ics)),
        );
    };
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
    let has_follow_ups = crate::sync::doc_memo(id, &["followUps"], |doc| {
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

use leptos::prelude::*;
use threshold_model::portal::{Attachment, FILES};
use threshold_protocol::DocumentId;

use super::FileRow;
use super::{add_files, on_drop_files, picked};
use crate::browser::storage_status::human_bytes;
use crate::sync::files;
use crate::sync::part_memo;

/// Every file shared in the portal, wherever it is attached, with a drop zone and a picker for
/// the portal's general files, what is still waiting to upload, and the space files take here.
#[component]
pub fn FilesSection(
    id: DocumentId,
    /// The read-only archive: files can be opened and downloaded, not added.
    #[prop(into)]
    archived: Signal<bool>,
) -> impl IntoView {
    let all = part_memo(id, FILES);
    let signals = files().signals;
    let (error, set_error) = signal(None::<String>);
    let (over, set_over) = signal(false);
    let waiting = move || signals.queued.with(|q| q.len());
    view! {
        <section class="card" aria-labelledby="files-heading" id="files">
            <div class="section-head">
                <h2 id="files-heading">"Files"</h2>
                <p class="muted small" data-testid="files-storage">{move || format!("Files on this device: {}", human_bytes(files().kept_bytes() as f64))}</p>
            </div>
            <Show when=move || !archived.get()>
            <div class="drop-zone" class:drag-over=over
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); set_over.set(true); }
                on:dragleave=move |_| set_over.set(false)
                on:drop=on_drop_files(id, Attachment::Portal, set_over, set_error)>
                <p>"Drop files here, or "
                    <label class="link-like">"choose files"
                        <input id="portal-file-input" type="file" multiple class="visually-hidden" aria-label="Share files in this portal"
                            on:change=move |ev| add_files(id, picked(&ev), Attachment::Portal, set_error)/>
                    </label>
                    ". They are kept on this device and sent when you are online."
                </p>
            </div>
            </Show>
            <p class="field-error" role="alert">{move || error.get()}</p>
            {move || signals.failed.get().into_iter().map(|(_, (name, why))| view! {
                <p class="banner banner-error" role="alert">{format!("{name} was not shared. {why}")}</p>
            }).collect_view()}
            <Show when=move || { waiting() > 0 }>
                <p class="muted small" role="status">{move || format!("{} file(s) waiting to upload", waiting())}</p>
            </Show>
            <Show when=move || all.with(|a| a.as_ref().is_some_and(|a| !a.is_empty())) fallback=|| view! { <p class="muted">"No files shared yet."</p> }>
                <ul class="file-list" aria-label="Files in this portal">
                    <For each=move || all.get().unwrap_or_default() key=|f| (f.id.clone(), f.spec.hash.clone())
                        children=move |f| view! { <FileRow portal=id file=f read_only=archived/> }/>
                </ul>
            </Show>
        </section>
    }
}

use leptos::prelude::*;
use threshold_model::portal::FileRef;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::browser::download::download_bytes;
use crate::browser::storage_status::human_bytes;
use crate::components::widgets::RemoveButton;
use crate::state::authors::verified_name;
use crate::state::permission::{made_by_me, may, Act};
use crate::state::view_mode::use_view;
use crate::sync::{files, object_url};

/// Whether the browser can show this type in the page.
fn previewable(mime: &str) -> bool {
    mime.starts_with("image/") && mime != "image/svg+xml"
        || mime == "application/pdf"
        || mime == "text/plain"
}

/// One shared file: its name, size and state, with preview, download and remove.
#[component]
pub fn FileRow(
    portal: DocumentId,
    file: FileRef,
    /// In the read-only archive a file can be opened and downloaded, not removed.
    #[prop(optional)]
    read_only: Option<Signal<bool>>,
) -> impl IntoView {
    // A client removes only the files this device added (the object's creator is its actor).
    let view = use_view();
    let own = made_by_me(&portal, &["files", file.id.as_str()]);
    let removable =
        move || !read_only.is_some_and(|r| r.get()) && may(view.get(), &Act::RemoveFile { own });
    let signals = files().signals;
    let hash = file.spec.hash.clone();
    let status = {
        let hash = hash.clone();
        move || {
            if let Some(p) = signals.progress.with(|p| p.get(&hash).copied()) {
                format!("Uploading {}%", (p * 100.0).round() as u32)
            } else if signals.queued.with(|q| q.contains(&hash)) {
                "Waiting to upload".to_owned()
            } else {
                String::new()
            }
        }
    };
    let (preview, set_preview) = signal(None::<String>);
    let (error, set_error) = signal(None::<String>);
    on_cleanup(move || {
        if let Some(url) = preview.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    let spec = StoredValue::new(file.spec.clone());
    let on_preview = move |_| {
        if let Some(url) = preview.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&url);
            set_preview.set(None);
            return;
        }
        let s = spec.get_value();
        leptos::task::spawn_local(async move {
            match files().open(&s.hash, &s.name, &s.mime).await {
                Ok(bytes) => {
                    set_error.set(None);
                    set_preview.set(object_url(&bytes, &s.mime));
                }
                Err(e) => set_error.set(Some(e)),
            }
        });
    };
    let on_download = move |_| {
        let s = spec.get_value();
        leptos::task::spawn_local(async move {
            let result = match files().open(&s.hash, &s.name, &s.mime).await {
                Ok(bytes) => download_bytes(&s.name, &s.mime, &bytes),
                Err(e) => Err(e),
            };
            set_error.set(result.err());
        });
    };
    let id = StoredValue::new(file.id.clone());
    let on_remove = move |_| actions::remove_file(portal, &id.get_value());
    let name = file.spec.name.clone();
    let is_image = file.spec.mime.starts_with("image/");
    // A short type label drawn in CSS: the extension, as people know their files by it.
    let kind = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.chars().take(4).collect::<String>().to_uppercase())
        .unwrap_or_else(|| "FILE".into());
    let can_preview = previewable(&file.spec.mime);
    // A closure, so the uploader's verified name appears once the relay names them.
    let (file_id, uploaded_by) = (file.id.clone(), file.uploaded_by.clone());
    let (size, uploaded_at) = (file.spec.size, file.uploaded_at);
    let meta = move || {
        format!(
            "{} · {}{}",
            human_bytes(size as f64),
            verified_name(
                &portal,
                &["files", file_id.as_str()],
                "uploadedBy",
                &uploaded_by
            ),
            uploaded_at
                .map(|t| format!(", {}", crate::state::dates::show_at(t)))
                .unwrap_or_default()
        )
    };
    view! {
        <li class="file">
            <div class="row">
                <span class="file-type" aria-hidden="true">{kind}</span>
                <div class="grow">
                    <strong class="file-name">{name.clone()}</strong>
                    <p class="muted small">{meta}" "<span class="file-status" role="status">{status}</span></p>
                </div>
                {can_preview.then(|| view! {
                    <button type="button" class="button small" aria-label=format!("Preview {name}") aria-pressed=move || preview.with(Option::is_some).to_string()
                        on:click=on_preview>{move || if preview.with(Option::is_some) { "Close preview" } else { "Preview" }}</button>
                })}
                <button type="button" class="button small" aria-label=format!("Download {name}") on:click=on_download>"Download"</button>
                <Show when=removable>
                    <RemoveButton what="file" name=spec.get_value().name on_remove=on_remove/>
                </Show>
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            {move || preview.get().map(|url| if is_image {
                view! { <img class="file-preview" src=url alt=format!("Preview of {}", spec.get_value().name)/> }.into_any()
            } else {
                view! { <iframe class="file-preview pdf" src=url title=format!("Preview of {}", spec.get_value().name)></iframe> }.into_any()
            })}
        </li>
    }
}

use leptos::prelude::*;
use threshold_model::portal::{Attachment, FILES};
use threshold_protocol::DocumentId;
use wasm_bindgen::JsCast;

use super::FileRow;
use crate::actions;
use crate::state::permission::archive;
use crate::sync::part_memo;

/// The files of a picker or a drop, taken out of the browser's (live) list.
pub fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
        .unwrap_or_default()
}

/// Add files the user picked or dropped to the portal, attached to `attachment`. Errors are
/// reported through `report`.
pub fn add_files(
    portal: DocumentId,
    picked: Vec<web_sys::File>,
    attachment: Attachment,
    report: WriteSignal<Option<String>>,
) {
    leptos::task::spawn_local(async move {
        // Every file is tried; what could not be shared is said, file by file.
        let mut refused = Vec::new();
        for file in picked {
            if let Err(e) = actions::add_file(portal, file, attachment.clone()).await {
                refused.push(e);
            }
        }
        report.set((!refused.is_empty()).then(|| refused.join(" ")));
    });
}

/// What a drop target does with a drop: the files are added, attached to `attachment`.
pub fn on_drop_files(
    portal: DocumentId,
    attachment: Attachment,
    dragging: WriteSignal<bool>,
    report: WriteSignal<Option<String>>,
) -> impl Fn(leptos::ev::DragEvent) + 'static {
    move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        let dropped = files_of(ev.data_transfer().and_then(|d| d.files()));
        add_files(portal, dropped, attachment.clone(), report);
    }
}

/// The files picked in an `<input type="file">`, which is then cleared so the same file can be
/// picked again. The input's list is live (clearing empties it), so the files are taken first.
pub fn picked(ev: &leptos::ev::Event) -> Vec<web_sys::File> {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return Vec::new();
    };
    let files = files_of(input.files());
    input.set_value("");
    files
}

/// The files attached to one place in the portal (an exchange item, a deliverable, a task, a
/// file question), with a picker and a drop target to add more.
#[component]
pub fn Attachments(
    portal: DocumentId,
    attachment: Attachment,
    /// What the files are for, in the picker's accessible name ("Attach a file to NDA").
    label: String,
    /// Whether this view may attach files here (the permission table); yes when not given.
    #[prop(optional)]
    may_attach: Option<Signal<bool>>,
) -> impl IntoView {
    // Nothing is added to an archive, whatever the caller allows.
    let may_attach = move || !archive() && may_attach.is_none_or(|m| m.get());
    let key = StoredValue::new(attachment.clone());
    let all = part_memo(portal, FILES);
    let mine = move || {
        all.get()
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f.attached_to == key.get_value())
            .collect::<Vec<_>>()
    };
    let (error, set_error) = signal(None::<String>);
    let (over, set_over) = signal(false);
    let on_drop = on_drop_files(portal, attachment, set_over, set_error);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        if may_attach() {
            on_drop(ev);
        } else {
            ev.prevent_default();
            set_over.set(false);
        }
    };
    view! {
        <div class="attachments" class:drag-over=over
            on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); set_over.set(may_attach()); }
            on:dragleave=move |_| set_over.set(false)
            on:drop=on_drop>
            <ul class="file-list" aria-label=format!("Files: {label}")>
                <For each=mine key=|f| (f.id.clone(), f.spec.hash.clone()) children=move |f| view! { <FileRow portal=portal file=f/> }/>
            </ul>
            <Show when=may_attach>
            <label class="button small file-pick">
                "Attach a file"
                <input type="file" multiple class="visually-hidden" aria-label=format!("Attach a file to {label}")
                    on:change=move |ev| add_files(portal, picked(&ev), key.get_value(), set_error)/>
            </label>
            </Show>
            <p class="field-error" role="alert">{move || error.get()}</p>
        </div>
    }
}

//! The loading screen `index.html` shows before the wasm runs (and its failure message): taken
//! away the moment the app mounts, so it never sits beside or behind the app.

/// Remove the loading screen. Its script ignores failures from then on: they are the app's.
pub fn dismiss() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    for id in ["boot", "boot-failed"] {
        if let Some(element) = document.get_element_by_id(id) {
            element.remove();
        }
    }
}

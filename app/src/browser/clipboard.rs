//! The clipboard: `navigator.clipboard.writeText`, when the page may use it.

/// Put `text` on the clipboard; does nothing where the API is missing.
pub fn copy_to_clipboard(text: &str) {
    // navigator.clipboard.writeText, looked up dynamically: it is absent on insecure origins.
    let Some(window) = web_sys::window() else {
        return;
    };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into()).ok();
    if let Some(clipboard) = clipboard.filter(|c| !c.is_undefined()) {
        if let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) {
            if let Ok(write) = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(write) {
                let _ = write.call1(&clipboard, &text.into());
            }
        }
    }
}

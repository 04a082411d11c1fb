//! The clipboard: `navigator.clipboard.writeText`, when the page may use it.

/// Put `text` on the clipboard. `Err` when the browser has no clipboard here (an insecure
/// origin) or refused (no permission, the page not focused), so the caller can say so.
pub async fn copy_to_clipboard(text: &str) -> Result<(), ()> {
    // navigator.clipboard.writeText, looked up dynamically: it is absent on insecure origins.
    let window = web_sys::window().ok_or(())?;
    let clipboard = js_sys::Reflect::get(&window.navigator(), &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined())
        .ok_or(())?;
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into()).map_err(|_| ())?;
    let write = wasm_bindgen::JsCast::dyn_into::<js_sys::Function>(write).map_err(|_| ())?;
    let promise = write.call1(&clipboard, &text.into()).map_err(|_| ())?;
    let promise = wasm_bindgen::JsCast::dyn_into::<js_sys::Promise>(promise).map_err(|_| ())?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|_| ())
}

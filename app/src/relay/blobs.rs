//! The relay's file store (`/blobs/<sha256>`) over HTTP, with this device's token. The one file
//! that knows those paths on the browser side. Uploads use `XMLHttpRequest`, the one browser API
//! that reports upload progress.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::XmlHttpRequest;

use crate::relay::api;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BlobError {
    #[error("the relay cannot be reached; the file waits on this device and is sent later")]
    Offline,
    #[error("this device's access was revoked or is not valid")]
    Unauthorized,
    /// The relay does not know the file yet, or this portal does not refer to it yet (the
    /// reference may still be on its way): worth trying again later.
    #[error("the relay does not have this file yet")]
    NotYet,
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Refused(String),
}

fn url(hash: &str, name: &str, mime: &str) -> String {
    let encode = |s: &str| String::from(js_sys::encode_uri_component(s));
    format!("/blobs/{hash}?name={}&type={}", encode(name), encode(mime))
}

fn refusal(status: u16, body: &str) -> BlobError {
    let message = api::refusal_message(status, body);
    match status {
        401 => BlobError::Unauthorized,
        404 => BlobError::NotYet,
        413 => BlobError::TooLarge(format!(
            "This file is too large to share: {}.",
            message.trim_start_matches("too large: ")
        )),
        // The service worker answers for an unreachable relay with a gateway error.
        0 | 502..=504 => BlobError::Offline,
        _ => BlobError::Refused(message),
    }
}

/// The file's bytes from the relay.
pub async fn get(token: &str, hash: &str, name: &str, mime: &str) -> Result<Vec<u8>, BlobError> {
    let response = api::send(token, "GET", &url(hash, name, mime), None)
        .await
        .ok_or(BlobError::Offline)?;
    if !response.ok() {
        return Err(refusal(response.status(), &api::body_text(&response).await));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|_| BlobError::Offline)?)
        .await
        .map_err(|_| BlobError::Offline)?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Send the file's bytes to the relay, reporting progress from 0.0 to 1.0.
pub async fn put(
    token: &str,
    hash: &str,
    bytes: &[u8],
    on_progress: impl Fn(f64) + 'static,
) -> Result<(), BlobError> {
    let xhr = XmlHttpRequest::new().map_err(|_| BlobError::Offline)?;
    xhr.open("PUT", &format!("/blobs/{hash}"))
        .map_err(|_| BlobError::Offline)?;
    let _ = xhr.set_request_header("Authorization", &format!("Bearer {token}"));
    let _ = xhr.set_request_header("Content-Type", "application/octet-stream");
    let progress =
        Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                on_progress(e.loaded() / e.total());
            }
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    // Settled by the request's end, whichever way it ends; the closures live until then.
    let mut handlers: Vec<Closure<dyn FnMut(JsValue)>> = Vec::new();
    let done = js_sys::Promise::new(&mut |resolve, _reject| {
        let loaded = resolve.clone();
        let on_load = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let _ = loaded.call1(&JsValue::NULL, &JsValue::TRUE);
        });
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |_| {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::FALSE);
        });
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        xhr.set_onabort(Some(on_error.as_ref().unchecked_ref()));
        handlers.push(on_load);
        handlers.push(on_error);
    });
    let body = js_sys::Uint8Array::from(bytes);
    xhr.send_with_opt_buffer_source(Some(&body))
        .map_err(|_| BlobError::Offline)?;
    let reached = JsFuture::from(done).await.ok().and_then(|v| v.as_bool()) == Some(true);
    drop(handlers);
    drop(progress);
    if !reached {
        return Err(BlobError::Offline);
    }
    match xhr.status().unwrap_or(0) {
        200..=299 => Ok(()),
        status => Err(refusal(
            status,
            &xhr.response_text().ok().flatten().unwrap_or_default(),
        )),
    }
}

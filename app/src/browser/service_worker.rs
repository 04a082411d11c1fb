//! The service worker: registered at start, checked for updates while the app runs, and
//! switched to a new version only when the user asks and local edits are stored.

use std::cell::Cell;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration};

use crate::sync::client;

const UPDATE_CHECK_MS: u32 = 15 * 60 * 1000;

thread_local! {
    static RELOAD_ON_CONTROLLER_CHANGE: Cell<bool> = const { Cell::new(false) };
}

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    // Absent on insecure origins; the app then simply runs without offline start.
    let present =
        js_sys::Reflect::has(&navigator, &JsValue::from("serviceWorker")).unwrap_or(false);
    present.then(|| navigator.service_worker())
}

/// Register `/sw.js`; set `update_available` when a new version is installed and waiting.
pub fn register(update_available: RwSignal<bool>) {
    let Some(container) = container() else { return };
    let on_controller_change = Closure::<dyn FnMut()>::new(|| {
        if RELOAD_ON_CONTROLLER_CHANGE.with(Cell::get) {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    });
    container.set_oncontrollerchange(Some(on_controller_change.as_ref().unchecked_ref()));
    on_controller_change.forget();
    wasm_bindgen_futures::spawn_local(async move {
        let registration = match JsFuture::from(container.register("/sw.js")).await {
            Ok(r) => r.unchecked_into::<ServiceWorkerRegistration>(),
            Err(e) => {
                leptos::logging::warn!("service worker not registered: {e:?}");
                return;
            }
        };
        // A new version may already be waiting or installing by now; otherwise one arrives
        // through `updatefound`. Every state change re-checks, so no ordering is missed.
        check_waiting(&registration, update_available);
        if let Some(installing) = registration.installing() {
            watch_worker(&installing, &registration, update_available);
        }
        let watched = registration.clone();
        let on_update_found = Closure::<dyn FnMut()>::new(move || {
            if let Some(installing) = watched.installing() {
                watch_worker(&installing, &watched, update_available);
            }
        });
        registration.set_onupdatefound(Some(on_update_found.as_ref().unchecked_ref()));
        on_update_found.forget();
        // Long-lived tabs look for new builds now and then.
        loop {
            gloo_timers::future::TimeoutFuture::new(UPDATE_CHECK_MS).await;
            if let Ok(promise) = registration.update() {
                let _ = JsFuture::from(promise).await;
            }
            check_waiting(&registration, update_available);
        }
    });
}

/// An update is available when a new worker waits while an older one runs this page.
fn check_waiting(registration: &ServiceWorkerRegistration, update_available: RwSignal<bool>) {
    let running = container().and_then(|c| c.controller()).is_some();
    if running && registration.waiting().is_some() && !update_available.get_untracked() {
        update_available.set(true);
    }
}

fn watch_worker(
    worker: &ServiceWorker,
    registration: &ServiceWorkerRegistration,
    update_available: RwSignal<bool>,
) {
    let registration = registration.clone();
    let on_state =
        Closure::<dyn FnMut()>::new(move || check_waiting(&registration, update_available));
    worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
    on_state.forget();
}

/// Store every local edit, then let the waiting version take over; the page reloads into it.
pub async fn apply_update() {
    client().flushed().await;
    let Some(container) = container() else { return };
    let Ok(registration) = JsFuture::from(container.get_registration()).await else {
        return;
    };
    let Ok(registration) = registration.dyn_into::<ServiceWorkerRegistration>() else {
        return;
    };
    match registration.waiting() {
        Some(waiting) => {
            RELOAD_ON_CONTROLLER_CHANGE.with(|r| r.set(true));
            let _ = waiting.post_message(&"skip-waiting".into());
        }
        None => {
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    }
}

//! Persistent storage and how much of it is used: asked for at start, shown in the footer.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::StorageEstimate;

/// Below this much free quota the app warns that space is running low.
const LOW_SPACE_BYTES: f64 = 50.0 * 1024.0 * 1024.0;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StorageStatus {
    /// `None` until the browser answers (or if it cannot be asked).
    pub persisted: Option<bool>,
    pub usage: Option<f64>,
    pub quota: Option<f64>,
}

impl StorageStatus {
    pub fn low_space(&self) -> bool {
        match (self.usage, self.quota) {
            (Some(usage), Some(quota)) => quota - usage < LOW_SPACE_BYTES || usage / quota > 0.9,
            _ => false,
        }
    }
}

pub fn human_bytes(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Ask for persistent storage once, and refresh the estimate now and every minute.
pub fn watch(status: RwSignal<StorageStatus>) {
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let already = match storage.persisted() {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()),
            Err(_) => None,
        };
        let persisted = match already {
            Some(true) => Some(true),
            _ => match storage.persist() {
                Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()),
                Err(_) => None,
            },
        };
        status.update(|s| s.persisted = persisted);
        loop {
            if let Ok(promise) = storage.estimate() {
                if let Ok(estimate) = JsFuture::from(promise).await {
                    let estimate: StorageEstimate = estimate.unchecked_into();
                    status.update(|s| {
                        s.usage = estimate.get_usage();
                        s.quota = estimate.get_quota();
                    });
                }
            }
            gloo_timers::future::TimeoutFuture::new(60_000).await;
        }
    });
}

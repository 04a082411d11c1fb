//! Whose eyes the portal is seen through. Until access tokens decide it, a development switch
//! in the portal header chooses, remembered per browser.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

const KEY: &str = "threshold.view";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewMode {
    Provider,
    Client,
}

impl ViewMode {
    pub fn label(&self) -> &'static str {
        match self {
            ViewMode::Provider => "Provider",
            ViewMode::Client => "Client",
        }
    }

    /// Who an answer or a change is recorded as.
    pub fn actor_name(&self) -> &'static str {
        match self {
            ViewMode::Provider => "Provider team",
            ViewMode::Client => "Client contact",
        }
    }
}

pub fn load() -> ViewMode {
    match LocalStorage::get::<String>(KEY).as_deref() {
        Ok("client") => ViewMode::Client,
        _ => ViewMode::Provider,
    }
}

pub fn store(mode: ViewMode) {
    let _ = LocalStorage::set(
        KEY,
        match mode {
            ViewMode::Provider => "provider",
            ViewMode::Client => "client",
        },
    );
}

/// The app-wide view signal, provided by `App`.
pub fn use_view() -> RwSignal<ViewMode> {
    use_context::<RwSignal<ViewMode>>().unwrap_or_else(|| RwSignal::new(load()))
}

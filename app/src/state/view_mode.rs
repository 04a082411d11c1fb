//! Whose eyes the portal is seen through. A client contact's token decides it (always the
//! client view); the provider's team can preview a portal as the client sees it with a switch
//! in the portal header, remembered per browser.

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

    /// Who an answer or a change is recorded as: the signed-in person, or while the provider
    /// previews the client view, a generic label.
    pub fn actor_name(&self) -> String {
        let own_side = if crate::state::session::is_client() {
            ViewMode::Client
        } else {
            ViewMode::Provider
        };
        match (crate::state::session::person_name(), self) {
            (Some(name), mode) if *mode == own_side => name,
            (_, ViewMode::Provider) => "Provider team".to_owned(),
            (_, ViewMode::Client) => "Client contact".to_owned(),
        }
    }
}

pub fn load() -> ViewMode {
    if crate::state::session::is_client() {
        return ViewMode::Client;
    }
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

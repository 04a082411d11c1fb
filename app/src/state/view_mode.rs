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
    /// As kept in localStorage; anything else reads as the provider view.
    pub fn parse(text: &str) -> Self {
        match text {
            "client" => ViewMode::Client,
            _ => ViewMode::Provider,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            ViewMode::Provider => "provider",
            ViewMode::Client => "client",
        }
    }

    /// The view a session gets: a client contact always sees the client view; the provider's
    /// team sees what they chose last (`stored`), the provider view by default.
    pub fn for_session(is_client: bool, stored: Option<&str>) -> Self {
        if is_client {
            ViewMode::Client
        } else {
            stored.map(ViewMode::parse).unwrap_or(ViewMode::Provider)
        }
    }

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
    let is_client = crate::state::session::is_client();
    // A client's view does not depend on the setting: it is not read for them.
    let stored = (!is_client)
        .then(|| LocalStorage::get::<String>(KEY).ok())
        .flatten();
    ViewMode::for_session(is_client, stored.as_deref())
}

pub fn store(mode: ViewMode) {
    let _ = LocalStorage::set(KEY, mode.as_str());
}

/// The app-wide view signal, provided by `App`.
pub fn use_view() -> RwSignal<ViewMode> {
    use_context::<RwSignal<ViewMode>>().unwrap_or_else(|| RwSignal::new(load()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mode_reads_back_what_it_writes() {
        for mode in [ViewMode::Provider, ViewMode::Client] {
            assert_eq!(ViewMode::parse(mode.as_str()), mode);
        }
    }

    #[test]
    fn an_unknown_setting_is_the_provider_view() {
        assert_eq!(ViewMode::parse(""), ViewMode::Provider);
        assert_eq!(ViewMode::parse("Client"), ViewMode::Provider);
    }

    #[test]
    fn a_client_contact_always_gets_the_client_view() {
        assert_eq!(ViewMode::for_session(true, None), ViewMode::Client);
        assert_eq!(
            ViewMode::for_session(true, Some("provider")),
            ViewMode::Client
        );
    }

    #[test]
    fn the_provider_team_gets_its_last_choice_or_the_provider_view() {
        assert_eq!(ViewMode::for_session(false, None), ViewMode::Provider);
        assert_eq!(
            ViewMode::for_session(false, Some("client")),
            ViewMode::Client
        );
        assert_eq!(
            ViewMode::for_session(false, Some("provider")),
            ViewMode::Provider
        );
    }
}

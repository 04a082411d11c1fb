//! Words that depend on who reads them. The portal is one document, but each side reads it
//! written to them: the provider's team reads "We send" and "Client"; the client reads "From
//! Acme Studio", "Needed from you" and "You". The provider is named by its brand, as the client
//! knows it; a portal without a brand yet says "your provider".

use leptos::prelude::*;
use threshold_model::onboarding::Direction;
use threshold_model::portal::{Assignee, BRAND};
use threshold_protocol::DocumentId;

use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::part_memo;

/// The words of one portal for whoever is reading it, to call from markup (`Copy`, so a
/// closure in a list row can hold it).
#[derive(Clone, Copy)]
pub struct Voice {
    view: RwSignal<ViewMode>,
    provider: Signal<Option<String>>,
}

impl Voice {
    /// Whose eyes the portal is read with.
    pub fn reader(&self) -> ViewMode {
        self.view.get()
    }

    /// The provider by name, or "your provider" in a sentence.
    pub fn provider(&self) -> String {
        self.provider
            .get()
            .unwrap_or_else(|| "your provider".into())
    }

    pub fn side(&self, side: Assignee) -> String {
        side_name(side, self.view.get(), self.provider.get().as_deref())
    }

    pub fn team(&self, side: Assignee) -> String {
        team_name(side, self.view.get(), self.provider.get().as_deref())
    }

    pub fn direction(&self, direction: Direction) -> String {
        direction_name(direction, self.view.get(), self.provider.get().as_deref())
    }
}

pub fn use_voice(portal: DocumentId) -> Voice {
    Voice {
        view: use_view(),
        provider: use_provider_name(portal),
    }
}

/// The provider's name as the client knows it: the brand's business name in the portal's copy,
/// or `None` while there is none.
pub fn use_provider_name(portal: DocumentId) -> Signal<Option<String>> {
    let brand = part_memo(portal, BRAND);
    Signal::derive(move || {
        brand.with(|b| {
            b.as_ref()
                .and_then(|b| b.as_ref())
                .map(|b| b.name.trim().to_owned())
                .filter(|n| !n.is_empty())
        })
    })
}

/// Who a task is assigned to, when no one by name: "You" for the reader's own side.
pub fn side_name(side: Assignee, reader: ViewMode, provider: Option<&str>) -> String {
    match (reader, side) {
        (ViewMode::Provider, Assignee::Provider) => "Our team".into(),
        (ViewMode::Provider, Assignee::Client) => "Client".into(),
        (ViewMode::Client, Assignee::Provider) => provider.unwrap_or("Your provider").into(),
        (ViewMode::Client, Assignee::Client) => "You".into(),
    }
}

/// Which side a named person is on ("Dana Reyes (Your team)").
pub fn team_name(side: Assignee, reader: ViewMode, provider: Option<&str>) -> String {
    match (reader, side) {
        (ViewMode::Client, Assignee::Client) => "Your team".into(),
        _ => side_name(side, reader, provider),
    }
}

/// Which way a document goes, from the reader's side.
pub fn direction_name(direction: Direction, reader: ViewMode, provider: Option<&str>) -> String {
    match (reader, direction) {
        (ViewMode::Provider, Direction::WeSend) => "We send".into(),
        (ViewMode::Provider, Direction::WeNeed) => "We need".into(),
        (ViewMode::Client, Direction::WeSend) => {
            format!("From {}", provider.unwrap_or("your provider"))
        }
        (ViewMode::Client, Direction::WeNeed) => "Needed from you".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_reads_documents_from_their_own_side() {
        let acme = Some("Acme Studio");
        assert_eq!(
            direction_name(Direction::WeSend, ViewMode::Client, acme),
            "From Acme Studio"
        );
        assert_eq!(
            direction_name(Direction::WeSend, ViewMode::Client, None),
            "From your provider"
        );
        assert_eq!(
            direction_name(Direction::WeNeed, ViewMode::Client, acme),
            "Needed from you"
        );
        assert_eq!(
            direction_name(Direction::WeNeed, ViewMode::Provider, acme),
            "We need"
        );
    }

    #[test]
    fn each_side_is_you_to_itself() {
        assert_eq!(side_name(Assignee::Client, ViewMode::Client, None), "You");
        assert_eq!(
            side_name(Assignee::Provider, ViewMode::Provider, None),
            "Our team"
        );
        assert_eq!(
            side_name(Assignee::Provider, ViewMode::Client, Some("Acme")),
            "Acme"
        );
        assert_eq!(
            team_name(Assignee::Client, ViewMode::Client, None),
            "Your team"
        );
    }
}

//! What the person at this screen may do in a portal: the model's permission table
//! ([`threshold_model::access::allowed`]) asked for the side the portal is seen from, and which
//! objects this person made ("own", as the table means it: the actor in the object's id).
//!
//! Components hide a control the table refuses; `actions` checks the change itself before it
//! is kept. Neither writes a rule of its own. In an archive (the model's `is_archive`, decided by
//! the portal page) nothing is offered, so every section shows its values as text.

use leptos::prelude::*;
use threshold_model::access::{allowed, Side};
use threshold_protocol::DocumentId;

pub use threshold_model::access::Act;

use super::view_mode::ViewMode;
use crate::sync::client;

/// The side a view writes as: the client view is the client's, whoever looks through it.
pub fn side(view: ViewMode) -> Side {
    match view {
        ViewMode::Provider => Side::Provider,
        ViewMode::Client => Side::Client,
    }
}

thread_local! {
    /// Whether the portal on screen is an archive to this person. One page shows one portal, so
    /// one flag serves every section; a signal, so that each control follows it.
    static ARCHIVE: ArcRwSignal<bool> = ArcRwSignal::new(false);
}

/// Set by the portal page as the portal opens, when its stage or the token changes, and back
/// to `false` when it closes.
pub fn set_archive(on: bool) {
    ARCHIVE.with(|a| {
        if a.get_untracked() != on {
            a.set(on);
        }
    });
}

/// Whether the portal on screen is an archive to this person (read reactively).
pub fn archive() -> bool {
    ARCHIVE.with(|a| a.get())
}

/// Whether the portal, seen from `view`, offers `act`: nothing in an archive.
pub fn may(view: ViewMode, act: &Act) -> bool {
    !archive() && allowed(side(view), act).is_ok()
}

/// Whether the object at `path` (map keys from the root, e.g. `["tasks", id]`) was created by
/// this person: its id carries one of their actors, this device's or another the relay bound
/// to their token (as the relay decides "their own").
pub fn made_by_me(portal: &DocumentId, path: &[&str]) -> bool {
    let Some(creator) = super::authors::creator(portal, path) else {
        return false;
    };
    client()
        .read(portal, |doc| {
            super::authors::own_actors(portal, doc.get_actor())
        })
        .is_some_and(|mine| mine.contains(&creator))
}

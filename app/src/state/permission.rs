//! What the person at this screen may do in a portal: the model's permission table
//! ([`threshold_model::access::allowed`]) asked for the side the portal is seen from, and which
//! objects this person made ("own", as the table means it: the actor in the object's id).
//!
//! Components hide a control the table refuses; `actions` checks the change itself before it
//! is kept. Neither writes a rule of its own.

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

/// Whether the portal, seen from `view`, offers `act`.
pub fn may(view: ViewMode, act: &Act) -> bool {
    allowed(side(view), act).is_ok()
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

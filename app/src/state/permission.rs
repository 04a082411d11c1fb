//! What the person at this screen may do in a portal: the model's permission table
//! ([`threshold_model::access::allowed`]) asked for the side the portal is seen from, and which
//! objects this device made ("own", as the table means it: the actor in the object's id).
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
/// this device: its id carries the document's actor.
pub fn made_here(portal: &DocumentId, path: &[&str]) -> bool {
    let mine = client().read(portal, |doc| doc.get_actor().clone());
    mine.is_some() && super::authors::creator(portal, path) == mine
}

//! The parts of a document a view reads, named by the top-level keys their readers look at.
//!
//! A view that shows a part needs reading again only when a change touched one of its keys
//! (see [`crate::doc::touched`]). The keys sit next to the reader in the model, not in the view,
//! so a reader that starts looking at one more key says so in the same place.

use automerge::Automerge;

use crate::doc::ModelError;

/// One part of a document: the top-level keys its reader looks at, and the reader.
/// A view that shows this part needs reading again only when a change touched one of `keys`.
pub struct Part<T: 'static> {
    pub keys: &'static [&'static str],
    pub read: fn(&Automerge) -> Result<T, ModelError>,
}

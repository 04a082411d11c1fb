use leptos::prelude::*;
use threshold_protocol::automerge::Automerge;
use threshold_protocol::DocumentId;

use crate::sync_client::client;

/// A value read from a document, recomputed whenever a document changes and passed on only
/// when it differs, so components re-render for their own data alone.
pub fn doc_memo<T>(id: DocumentId, read: fn(&Automerge) -> Option<T>) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let revision = client().signals.revision;
    Memo::new(move |_| {
        revision.track();
        client().read(&id, read).flatten()
    })
}

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use threshold_protocol::automerge::Automerge;
use threshold_protocol::DocumentId;

use crate::sync_client::client;

/// A value read from one part of a document: `parts` are the top-level keys `read` looks at.
/// It is read again only when a change touched one of them, and passed on only when it
/// differs, so an edit re-reads and re-renders the views of what it changed and nothing else.
pub fn doc_memo<T>(
    id: DocumentId,
    parts: &'static [&'static str],
    read: fn(&Automerge) -> Option<T>,
) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let revision = client().revision_of(id);
    let seen = Arc::new(AtomicU64::new(0));
    Memo::new(move |previous: Option<&Option<T>>| {
        revision.track();
        let (now, touched) = client().changed_since(&id, seen.load(Ordering::Relaxed));
        seen.store(now, Ordering::Relaxed);
        match previous {
            Some(previous) if !touched.any(parts) => previous.clone(),
            _ => client().read(&id, read).flatten(),
        }
    })
}

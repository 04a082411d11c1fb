//! Views' reads of documents, kept up to date per document: a change re-reads only the views
//! of the parts it touched (`threshold_model::doc::touched`), not every view of every document.
//! Which top-level keys a read looks at comes from the model's [`Part`]s, next to the readers,
//! so no view lists key names of its own.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use leptos::prelude::*;
use threshold_model::doc::{Part, Touched};
use threshold_protocol::automerge::Automerge;
use threshold_protocol::DocumentId;

use super::client;
use crate::browser::settings;

/// The top-level keys a read looks at, as the keys of the [`Part`]s it reads (or a key list
/// of the model's, such as `GOODBYE_KEYS`): `&[STAGE.keys]`, `&[INTAKE.keys, EXCHANGE.keys]`.
pub type Keys = &'static [&'static [&'static str]];

/// Whether the changes touched any of `keys`.
fn touched_any(touched: &Touched, keys: Keys) -> bool {
    keys.iter().any(|keys| touched.any(keys))
}

/// One [`Part`] of a document as it is, kept as [`doc_memo`] keeps a read: `None` while it
/// cannot be read.
pub fn part_memo<T>(id: DocumentId, part: Part<T>) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let (keys, read) = (part.keys, part.read);
    keyed_memo(
        id,
        move |touched| touched.any(keys),
        move |doc| read(doc).ok(),
    )
}

/// A value read from parts of a document: `keys` are the top-level keys `read` looks at. It is
/// read again only when a change touched one of them, and passed on only when it differs, so
/// an edit re-reads and re-renders the views of what it changed and nothing else. A read that
/// is one [`Part`] as it is uses [`part_memo`].
pub fn doc_memo<T>(id: DocumentId, keys: Keys, read: fn(&Automerge) -> Option<T>) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    keyed_memo(id, move |touched| touched_any(touched, keys), read)
}

/// `read` of document `id`, again only when `stale` says what the changes touched matters.
fn keyed_memo<T>(
    id: DocumentId,
    stale: impl Fn(&Touched) -> bool + Send + Sync + 'static,
    read: impl Fn(&Automerge) -> Option<T> + Send + Sync + 'static,
) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    touched_memo(id, move |previous, touched| match previous {
        Some(previous) if !stale(touched) => previous.clone(),
        _ => client().read(&id, &read).flatten(),
    })
}

/// A value kept up to date from a document: `step` gets the previous value (`None` the first
/// time) and what the changes since then touched, and returns the new value.
pub fn touched_memo<T>(
    id: DocumentId,
    step: impl Fn(Option<&Option<T>>, &Touched) -> Option<T> + Send + Sync + 'static,
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
        step(previous, &touched)
    })
}

/// [`part_memo`] over the provider's workspace (see [`workspace_memo`]).
pub fn workspace_part_memo<T>(part: Part<T>) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let (keys, read) = (part.keys, part.read);
    workspace_keyed_memo(move |touched| touched.any(keys), move |doc| read(doc).ok())
}

/// [`doc_memo`] over the provider's workspace. Its id may become known only once the relay
/// answers (`workspace_ready` then bumps the global revision), so the id is looked at again on
/// every change, and the workspace itself is read again only when a change touched `keys`,
/// or when the id changed.
pub fn workspace_memo<T>(keys: Keys, read: fn(&Automerge) -> Option<T>) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    workspace_keyed_memo(move |touched| touched_any(touched, keys), read)
}

/// One [`Part`] of this device's home document: the client's portal for a client, the
/// workspace for the provider. Both carry the provider's brand.
pub fn home_part_memo<T>(part: Part<T>) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let (keys, read) = (part.keys, part.read);
    moving_keyed_memo(
        || {
            if crate::state::session::is_client() {
                crate::state::session::client_portal()
            } else {
                settings::workspace_id()
            }
        },
        move |touched| touched.any(keys),
        move |doc| read(doc).ok(),
    )
}

fn workspace_keyed_memo<T>(
    stale: impl Fn(&Touched) -> bool + Send + Sync + 'static,
    read: impl Fn(&Automerge) -> Option<T> + Send + Sync + 'static,
) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    moving_keyed_memo(settings::workspace_id, stale, read)
}

/// A keyed read of a document whose id may change or become known later (`which`): looked at
/// again on every change anywhere.
fn moving_keyed_memo<T>(
    which: impl Fn() -> Option<DocumentId> + Send + Sync + 'static,
    stale: impl Fn(&Touched) -> bool + Send + Sync + 'static,
    read: impl Fn(&Automerge) -> Option<T> + Send + Sync + 'static,
) -> Memo<Option<T>>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let workspace = Memo::new(move |_| {
        client().signals.revision.track();
        which()
    });
    // The workspace last read, and its revision then.
    let seen = Arc::new(Mutex::new((None::<DocumentId>, 0)));
    Memo::new(move |previous: Option<&Option<T>>| {
        let id = workspace.get()?;
        client().revision_of(id).track();
        let mut seen = seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let since = if seen.0 == Some(id) { seen.1 } else { 0 };
        let (now, touched) = client().changed_since(&id, since);
        *seen = (Some(id), now);
        match previous {
            Some(previous) if since != 0 && !stale(&touched) => previous.clone(),
            _ => client().read(&id, &read).flatten(),
        }
    })
}

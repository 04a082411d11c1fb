//! Running a model edit as one Automerge transaction.

use automerge::transaction::{CommitOptions, Transaction};
use automerge::Automerge;

use crate::doc::ModelError;

/// Run `change` as one transaction: all of it is committed, or, on error, none of it.
pub fn edit<R>(
    doc: &mut Automerge,
    change: impl FnOnce(&mut Transaction<'_>) -> Result<R, ModelError>,
) -> Result<R, ModelError> {
    doc.transact(change)
        .map(|success| success.result)
        .map_err(|failure| failure.error)
}

/// Like [`edit`], stamping the change with its time so the activity feed can say when.
pub fn edit_at<R>(
    doc: &mut Automerge,
    at: chrono::DateTime<chrono::Utc>,
    change: impl FnOnce(&mut Transaction<'_>) -> Result<R, ModelError>,
) -> Result<R, ModelError> {
    doc.transact_with(
        |_| CommitOptions::default().with_time(at.timestamp()),
        change,
    )
    .map(|success| success.result)
    .map_err(|failure| failure.error)
}

//! Running a model edit as one Automerge transaction.

use automerge::transaction::Transaction;
use automerge::Automerge;

use crate::ModelError;

/// Run `change` as one transaction: all of it is committed, or, on error, none of it.
pub fn edit<R>(
    doc: &mut Automerge,
    change: impl FnOnce(&mut Transaction<'_>) -> Result<R, ModelError>,
) -> Result<R, ModelError> {
    doc.transact(change)
        .map(|success| success.result)
        .map_err(|failure| failure.error)
}

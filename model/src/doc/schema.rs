//! Which kind of document this is and which version of its shape it has.

use std::fmt;

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};

use crate::doc::field;
use crate::doc::ModelError;

/// The shape version this build writes. Readers accept older versions (upgrading them on the
/// first edit) and newer ones (reading the fields they know, keeping the rest untouched).
pub const CURRENT_SCHEMA: u64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    Workspace,
    Portal,
    /// Provider-only notes and checklists about one client; never shared with the client.
    Internal,
}

impl DocKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            DocKind::Workspace => "workspace",
            DocKind::Portal => "portal",
            DocKind::Internal => "internal",
        }
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Fails if the document says it is of another kind. A document with no `kind` at all is
/// accepted: it may have been started by a tool that only wrote a few fields.
pub(crate) fn expect_kind(doc: &impl ReadDoc, expected: DocKind) -> Result<(), ModelError> {
    match field::string(doc, &ROOT, "kind")? {
        Some(found) if found != expected.as_str() => Err(ModelError::WrongKind { expected, found }),
        _ => Ok(()),
    }
}

pub(crate) fn schema_version(doc: &impl ReadDoc) -> Result<u64, ModelError> {
    Ok(field::uint(doc, &ROOT, "schema")?.unwrap_or(0))
}

/// Stamp kind and version on a new document.
pub(crate) fn stamp(tx: &mut impl Transactable, kind: DocKind) -> Result<(), ModelError> {
    tx.put(ROOT, "schema", CURRENT_SCHEMA)?;
    tx.put(ROOT, "kind", kind.as_str())?;
    Ok(())
}

/// Raise an older document to the current version before editing it. Version 0 (no `schema`
/// field) differs from 1 only by the missing stamp, so upgrading means stamping; a newer
/// document is left at its own version.
pub(crate) fn upgrade(tx: &mut impl Transactable, kind: DocKind) -> Result<(), ModelError> {
    if schema_version(tx)? < CURRENT_SCHEMA {
        stamp(tx, kind)?;
    }
    Ok(())
}

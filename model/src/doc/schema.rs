//! Which kind of document this is and which version of its shape it has.

use std::fmt;

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ReadDoc, ROOT};

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

/// Whether the document says it is of `kind`, now or, given `heads`, as it was then. `kind` is
/// read as a string or as text (JavaScript tools write strings as text): the relay asks this to
/// decide whether a change is judged by the portal's rules.
pub fn has_kind(doc: &impl ReadDoc, kind: DocKind, heads: Option<&[ChangeHash]>) -> bool {
    let found = match heads {
        Some(heads) => field::string_at(doc, &ROOT, "kind", heads),
        None => field::string(doc, &ROOT, "kind"),
    };
    found.ok().flatten().as_deref() == Some(kind.as_str())
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

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ObjType, ROOT};

    use super::{has_kind, DocKind};

    #[test]
    fn kind_reads_as_a_string_or_as_text_now_and_at_earlier_heads() {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        tx.put(ROOT, "kind", "portal").unwrap();
        tx.commit();
        let then = doc.get_heads();
        assert!(has_kind(&doc, DocKind::Portal, None));

        // A JavaScript tool writes `kind` as text, and another kind replaces the first.
        let mut tx = doc.transaction();
        let text = tx.put_object(ROOT, "kind", ObjType::Text).unwrap();
        tx.splice_text(&text, 0, 0, "workspace").unwrap();
        tx.commit();
        assert!(has_kind(&doc, DocKind::Workspace, None));
        assert!(!has_kind(&doc, DocKind::Portal, None));
        assert!(has_kind(&doc, DocKind::Portal, Some(&then)));
        assert!(!has_kind(&Automerge::new(), DocKind::Portal, None));
    }
}

//! How many operations each change in a sync message carries, read before any of them is
//! applied: the limit on operations per change is checked on this count, so a small compressed
//! change that expands to millions of operations (an "op bomb") is refused before it costs the
//! engine memory or time.
//!
//! A sync message's `changes` are automerge storage chunks, each framed as magic bytes, a
//! checksum, a type byte and a LEB128 length. Change chunks (plain or compressed) are counted
//! with [`Change::len`], which walks the change's operation columns without building the
//! document. A bundle's changes are counted the same way. A document chunk (automerge sends one
//! when the other side has nothing yet) has no per-change columns; it is loaded on its own,
//! apart from the engine's copy, to count its changes' operations.

use automerge::{Automerge, Bundle, Change, LoadOptions, OnPartialLoad};

/// The first bytes of every automerge storage chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpCountError {
    #[error("a change of {ops} operations is over the limit of {limit} operations per change")]
    OverLimit { ops: usize, limit: usize },
    #[error("a change could not be read: {0}")]
    Malformed(String),
}

/// Check that no change in `chunks` has more than `limit` operations.
pub fn check_ops_per_change<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    limit: usize,
) -> Result<(), OpCountError> {
    for bytes in chunks {
        let mut rest = bytes;
        while !rest.is_empty() {
            let (chunk, after) = split_chunk(rest)?;
            for ops in ops_per_change(chunk)? {
                if ops > limit {
                    return Err(OpCountError::OverLimit { ops, limit });
                }
            }
            rest = after;
        }
    }
    Ok(())
}

/// The operations of each change in one storage chunk.
fn ops_per_change(chunk: &[u8]) -> Result<Vec<usize>, OpCountError> {
    let malformed = |e: &dyn std::fmt::Display| OpCountError::Malformed(e.to_string());
    match chunk[MAGIC.len() + 4] {
        // A change, plain or compressed.
        1 | 2 => Change::try_from(chunk)
            .map(|c| vec![c.len()])
            .map_err(|e| malformed(&e)),
        // A bundle of changes.
        3 => Bundle::try_from(chunk)
            .map_err(|e| malformed(&e))?
            .to_changes()
            .map(|changes| changes.iter().map(Change::len).collect())
            .map_err(|e| malformed(&e)),
        // A whole document.
        0 => {
            let doc = Automerge::load_with_options(
                chunk,
                LoadOptions::new().on_partial_load(OnPartialLoad::Error),
            )
            .map_err(|e| malformed(&e))?;
            Ok(doc.get_changes(&[]).iter().map(|c| c.len()).collect())
        }
        other => Err(OpCountError::Malformed(format!(
            "unknown chunk type {other}"
        ))),
    }
}

/// The first chunk of `bytes` (header included) and what follows it.
fn split_chunk(bytes: &[u8]) -> Result<(&[u8], &[u8]), OpCountError> {
    let malformed = || OpCountError::Malformed("a chunk is cut short or has no header".into());
    if bytes.len() < MAGIC.len() + 5 || bytes[..MAGIC.len()] != MAGIC {
        return Err(malformed());
    }
    let mut at = MAGIC.len() + 4 + 1;
    let mut len: u64 = 0;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(at).ok_or_else(malformed)?;
        at += 1;
        if shift >= 64 {
            return Err(malformed());
        }
        len |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            break;
        }
    }
    let end = usize::try_from(len)
        .ok()
        .and_then(|len| at.checked_add(len))
        .filter(|end| *end <= bytes.len())
        .ok_or_else(malformed)?;
    Ok(bytes.split_at(end))
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ROOT};

    use super::*;

    fn doc_with_text(chars: usize) -> Automerge {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        let text = tx.put_object(ROOT, "text", ObjType::Text).unwrap();
        tx.splice_text(&text, 0, 0, &"x".repeat(chars)).unwrap();
        tx.commit();
        doc
    }

    #[test]
    fn a_change_over_the_limit_is_refused_and_one_within_it_passes() {
        let doc = doc_with_text(5_000);
        let mut change = doc.get_last_local_change().unwrap().clone();
        let compressed = change.bytes().into_owned();
        assert!(compressed.len() < 1024, "the change compresses well");
        assert_eq!(
            check_ops_per_change([compressed.as_slice()], 1_000),
            Err(OpCountError::OverLimit {
                ops: 5_001,
                limit: 1_000
            })
        );
        assert_eq!(
            check_ops_per_change([compressed.as_slice()], 10_000),
            Ok(())
        );
        assert_eq!(check_ops_per_change([change.raw_bytes()], 10_000), Ok(()));
    }

    #[test]
    fn several_changes_in_one_chunk_list_and_a_whole_document_are_counted() {
        let mut doc = doc_with_text(10);
        let first = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
        let mut tx = doc.transaction();
        tx.put(ROOT, "n", 1).unwrap();
        tx.commit();
        let second = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
        let joined = [first.clone(), second].concat();
        assert_eq!(check_ops_per_change([joined.as_slice()], 11), Ok(()));
        assert!(check_ops_per_change([joined.as_slice()], 10).is_err());
        let saved = doc.save();
        assert!(matches!(
            check_ops_per_change([saved.as_slice()], 5),
            Err(OpCountError::OverLimit { ops: 11, .. })
        ));
        assert_eq!(check_ops_per_change([saved.as_slice()], 11), Ok(()));
    }

    #[test]
    fn truncated_or_foreign_bytes_are_malformed() {
        let doc = doc_with_text(3);
        let change = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
        assert!(matches!(
            check_ops_per_change([&change[..change.len() - 1]], 100),
            Err(OpCountError::Malformed(_))
        ));
        assert!(matches!(
            check_ops_per_change([&b"not a chunk at all"[..]], 100),
            Err(OpCountError::Malformed(_))
        ));
    }
}

//! How many operations each change in a sync message carries, and the message in all, read
//! before any of it is applied: the limits on operations per change and per message are checked
//! on these counts, so a small compressed change or document that expands to millions of
//! operations (an "op bomb") is refused before it costs the engine memory or time.
//!
//! A sync message's `changes` are automerge storage chunks, each framed as magic bytes, a
//! checksum, a type byte and a LEB128 length. Change chunks (plain or compressed) are counted
//! with [`Change::len`], which walks the change's operation columns without building the
//! document. A bundle (chunk type 3) is refused unread: sync never sends one. A document chunk (automerge sends one
//! whenever most changes are new to the other side, so honest devices send them too) is counted
//! from its column layout by `document_chunk`, without loading it.
//!
//! The per-message limit exists because many changes, each under the per-change limit, in one
//! message are the same bomb. A document's changes, dependency links and successor links each
//! cost its load about what an operation does, so each is held to the same per-message limit.

use automerge::Change;

mod column;
mod document_chunk;

/// The first bytes of every automerge storage chunk.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

/// What one sync message may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpLimits {
    pub per_change: usize,
    pub per_message: usize,
    /// What a compressed chunk may inflate to: automerge inflates it whole before reading it,
    /// so a small DEFLATE bomb would otherwise cost that memory before any count.
    pub max_inflated_bytes: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpCountError {
    #[error("a change of {ops} operations is over the limit of {limit} operations per change")]
    OverLimit { ops: usize, limit: usize },
    #[error("a message of {count} {what} is over the limit of {limit} operations per message")]
    OverMessageLimit {
        what: &'static str,
        count: u64,
        limit: usize,
    },
    #[error("a compressed chunk inflates past the limit of {limit} bytes")]
    InflatesTooFar { limit: usize },
    #[error("a change could not be read: {0}")]
    Malformed(String),
}

/// Check that no change in `chunks` has more than `limits.per_change` operations and that
/// they hold no more than `limits.per_message` in all.
pub fn check_ops<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    limits: OpLimits,
) -> Result<(), OpCountError> {
    let mut total: u64 = 0;
    let over_message = |what, count| OpCountError::OverMessageLimit {
        what,
        count,
        limit: limits.per_message,
    };
    for bytes in chunks {
        let mut rest = bytes;
        while !rest.is_empty() {
            let (chunk, after) = split_chunk(rest)?;
            for ops in ops_per_change(chunk, limits)? {
                if ops > limits.per_change {
                    return Err(OpCountError::OverLimit {
                        ops,
                        limit: limits.per_change,
                    });
                }
                total = total.saturating_add(ops as u64);
            }
            if total > limits.per_message as u64 {
                return Err(over_message("operations", total));
            }
            rest = after;
        }
    }
    Ok(())
}

/// The operations of each change in one storage chunk; a document chunk is read no further
/// than `limits` allow.
fn ops_per_change(chunk: Chunk<'_>, limits: OpLimits) -> Result<Vec<usize>, OpCountError> {
    let malformed = |e: &dyn std::fmt::Display| OpCountError::Malformed(e.to_string());
    Ok(match chunk.kind {
        // A compressed change: inflated whole by `Change::try_from`, so first measured.
        2 if column::inflated_len(chunk.body, limits.max_inflated_bytes)?.is_none() => {
            return Err(OpCountError::InflatesTooFar {
                limit: limits.max_inflated_bytes,
            })
        }
        // A change, plain or compressed.
        1 | 2 => Change::try_from(chunk.whole)
            .map(|c| vec![c.len()])
            .map_err(|e| malformed(&e))?,
        // A bundle of changes: automerge's sync never sends one (it sends changes or a whole
        // document), and counting one means inflating and building all of its changes first
        // (a 3 KB bundle of 3,000,000 operations held the engine thread for seconds). Refused
        // unread.
        3 => {
            return Err(OpCountError::Malformed(
                "a bundle of changes is not accepted in a sync message".into(),
            ))
        }
        // A whole document.
        0 => document_chunk::count(chunk.body, limits)?.ops_per_change,
        other => {
            return Err(OpCountError::Malformed(format!(
                "unknown chunk type {other}"
            )))
        }
    })
}

/// One storage chunk: its type byte, the bytes after its header, and all of it.
#[derive(Clone, Copy)]
struct Chunk<'a> {
    kind: u8,
    body: &'a [u8],
    whole: &'a [u8],
}

/// The first chunk of `bytes` and what follows it.
fn split_chunk(bytes: &[u8]) -> Result<(Chunk<'_>, &[u8]), OpCountError> {
    let malformed = || OpCountError::Malformed("a chunk is cut short or has no header".into());
    if bytes.len() < MAGIC.len() + 5 || bytes[..MAGIC.len()] != MAGIC {
        return Err(malformed());
    }
    let kind = bytes[MAGIC.len() + 4];
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
    let (whole, rest) = bytes.split_at(end);
    Ok((
        Chunk {
            kind,
            body: &whole[at..],
            whole,
        },
        rest,
    ))
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{Automerge, ObjType, ReadDoc, ROOT};

    use super::*;

    /// Only the per-change limit counts (as before the per-message limit existed).
    fn check_ops_per_change<'a>(
        chunks: impl IntoIterator<Item = &'a [u8]>,
        limit: usize,
    ) -> Result<(), OpCountError> {
        check_ops(chunks, limits(limit, usize::MAX))
    }

    fn limits(per_change: usize, per_message: usize) -> OpLimits {
        OpLimits {
            per_change,
            per_message,
            max_inflated_bytes: 64 << 20,
        }
    }

    fn doc_with_text(chars: usize) -> Automerge {
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        let text = tx.put_object(ROOT, "text", ObjType::Text).unwrap();
        tx.splice_text(&text, 0, 0, &"x".repeat(chars)).unwrap();
        tx.commit();
        doc
    }

    /// What automerge itself finds in a document chunk, by loading it: the yardstick.
    fn loaded_counts(saved: &[u8]) -> Vec<usize> {
        let mut changes: Vec<_> = Automerge::load(saved)
            .unwrap()
            .get_changes(&[])
            .iter()
            .map(|c| c.len())
            .collect();
        changes.sort_unstable();
        changes
    }

    fn counted(saved: &[u8]) -> document_chunk::DocumentCounts {
        let (chunk, rest) = split_chunk(saved).unwrap();
        assert!(rest.is_empty());
        assert_eq!(chunk.kind, 0, "a document chunk");
        document_chunk::count(chunk.body, limits(usize::MAX, usize::MAX >> 8)).unwrap()
    }

    fn assert_counted_as_loaded(saved: &[u8]) {
        let mut ours = counted(saved).ops_per_change;
        ours.sort_unstable();
        assert_eq!(ours, loaded_counts(saved));
    }

    /// Several actors, concurrent edits merged, text spliced and deleted, keys overwritten and
    /// deleted, a counter, a list and nested maps: what a portal's history looks like.
    fn busy_document() -> Automerge {
        let mut a = Automerge::new();
        let mut tx = a.transaction();
        let text = tx.put_object(ROOT, "notes", ObjType::Text).unwrap();
        tx.splice_text(&text, 0, 0, "Hello, this is a portal")
            .unwrap();
        let list = tx.put_object(ROOT, "tasks", ObjType::List).unwrap();
        for n in 0..20 {
            let task = tx.insert_object(&list, n, ObjType::Map).unwrap();
            tx.put(&task, "title", format!("task {n}")).unwrap();
        }
        tx.put(ROOT, "counter", automerge::ScalarValue::counter(1))
            .unwrap();
        tx.commit();
        let mut b = a.fork();
        for round in 0..30 {
            let mut tx = a.transaction();
            tx.splice_text(&text, 5, 2, &format!("a{round}")).unwrap();
            tx.put(ROOT, "title", format!("a {round}")).unwrap();
            tx.increment(ROOT, "counter", 1).unwrap();
            tx.commit();
            let mut tx = b.transaction();
            tx.splice_text(&text, 0, 1, "B").unwrap();
            tx.put(ROOT, "title", format!("b {round}")).unwrap();
            if round % 3 == 0 {
                tx.delete(&list, 0).unwrap();
            }
            tx.commit();
            if round % 7 == 0 {
                a.merge(&mut b).unwrap();
                b.merge(&mut a).unwrap();
            }
        }
        a.merge(&mut b).unwrap();
        let mut tx = a.transaction();
        tx.delete(ROOT, "title").unwrap();
        tx.commit();
        a
    }

    /// Two devices taking turns, one character each: the actor columns alternate, so they are
    /// long enough for `save` to compress them.
    fn taking_turns(turns: usize) -> Automerge {
        let mut a = Automerge::new();
        let mut tx = a.transaction();
        let text = tx.put_object(ROOT, "text", ObjType::Text).unwrap();
        tx.commit();
        let mut b = a.fork();
        for n in 0..turns {
            let (this, other) = if n % 2 == 0 {
                (&mut a, &mut b)
            } else {
                (&mut b, &mut a)
            };
            let mut tx = this.transaction();
            tx.splice_text(&text, n, 0, "x").unwrap();
            tx.commit();
            other.merge(this).unwrap();
        }
        a
    }

    #[test]
    fn a_bundle_is_refused_unread_however_small_it_claims_to_be() {
        let doc = doc_with_text(50_000);
        let hashes: Vec<_> = doc.get_changes(&[]).iter().map(|c| c.hash()).collect();
        let bundle = doc.bundle(hashes).unwrap();
        assert!(matches!(
            check_ops([bundle.bytes()], limits(usize::MAX, usize::MAX)),
            Err(OpCountError::Malformed(why)) if why.contains("bundle")
        ));
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
    fn a_document_chunk_is_counted_as_automerge_loads_it_compressed_or_not() {
        let busy = busy_document();
        for doc in [
            busy,
            taking_turns(800),
            doc_with_text(1),
            doc_with_text(20_000),
        ] {
            let plain = doc.save_nocompress();
            let compressed = doc.save();
            assert_counted_as_loaded(&plain);
            assert_counted_as_loaded(&compressed);
            let counts = counted(&plain);
            let inflated = counted(&compressed);
            assert_eq!(counts.ops_per_change, inflated.ops_per_change);
            assert_eq!(
                (counts.rows, counts.successors, counts.dependencies),
                (inflated.rows, inflated.successors, inflated.dependencies)
            );
            let total: usize = counts.ops_per_change.iter().sum();
            assert!(counts.rows <= total && total <= counts.rows + counts.successors);
        }
    }

    #[test]
    fn a_saved_document_exercises_compressed_columns_and_deletions() {
        // The yardstick above only means something if these cases occur in it.
        let busy = busy_document();
        let counts = counted(&busy.save());
        let total: usize = counts.ops_per_change.iter().sum();
        assert!(total > counts.rows, "deletions have no row of their own");
        assert!(counts.ops_per_change.len() > 60 && counts.dependencies > 60);
        let text_heavy = doc_with_text(20_000);
        assert!(
            text_heavy.save().len() < text_heavy.save_nocompress().len() / 2,
            "save() deflates the large columns"
        );
        assert_eq!(busy.get_changes(&[]).len(), counts.ops_per_change.len());
        let turns = taking_turns(800);
        assert_eq!(counted(&turns.save_nocompress()).deflated_read, 0);
        assert!(
            counted(&turns.save()).deflated_read >= 2,
            "the actor columns are read through DEFLATE"
        );
        assert!(busy.get(ROOT, "title").unwrap().is_none());
    }

    #[test]
    fn a_whole_document_bomb_is_refused_without_loading_it() {
        // Many changes, each under the per-change limit: only the per-message limit holds.
        let mut doc = Automerge::new();
        let mut tx = doc.transaction();
        let text = tx.put_object(ROOT, "text", ObjType::Text).unwrap();
        tx.commit();
        for _ in 0..10 {
            let mut tx = doc.transaction();
            tx.splice_text(&text, 0, 0, &"x".repeat(20_000)).unwrap();
            tx.commit();
        }
        let saved = doc.save();
        assert!(saved.len() < 16 * 1024, "{} bytes", saved.len());
        assert_eq!(
            check_ops([saved.as_slice()], limits(50_000, 100_000)),
            Err(OpCountError::OverMessageLimit {
                what: "operations",
                count: 200_001,
                limit: 100_000
            })
        );
        assert_eq!(
            check_ops([saved.as_slice()], limits(50_000, 300_000)),
            Ok(())
        );
        assert_eq!(
            check_ops([saved.as_slice()], limits(10_000, 300_000)),
            Err(OpCountError::OverLimit {
                ops: 20_000,
                limit: 10_000
            })
        );
    }

    #[test]
    fn many_change_chunks_in_one_message_are_held_to_the_per_message_limit() {
        let mut doc = doc_with_text(100);
        let mut changes = vec![doc.get_last_local_change().unwrap().raw_bytes().to_vec()];
        for n in 0..9 {
            let mut tx = doc.transaction();
            tx.put(ROOT, "text", "y".repeat(n)).unwrap();
            tx.commit();
            changes.push(doc.get_last_local_change().unwrap().raw_bytes().to_vec());
        }
        let chunks = changes.iter().map(Vec::as_slice);
        assert_eq!(check_ops(chunks.clone(), limits(200, 110)), Ok(()));
        assert_eq!(
            check_ops(chunks, limits(200, 105)),
            Err(OpCountError::OverMessageLimit {
                what: "operations",
                count: 106,
                limit: 105
            })
        );
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

    #[test]
    fn a_document_chunk_cut_short_anywhere_is_malformed_and_never_panics() {
        for saved in [busy_document().save(), busy_document().save_nocompress()] {
            let (chunk, _) = split_chunk(&saved).unwrap();
            for end in 0..chunk.body.len() {
                // The body cut short, counted directly (the chunk's length would refuse it first).
                let _ = document_chunk::count(&chunk.body[..end], limits(1_000, 10_000));
            }
            // And a byte changed anywhere: refused or counted, never a panic.
            for at in 0..chunk.body.len() {
                let mut body = chunk.body.to_vec();
                body[at] ^= 0x5a;
                let _ = document_chunk::count(&body, limits(1_000, 10_000));
            }
        }
        let saved = doc_with_text(10).save_nocompress();
        let cut = [&saved[..saved.len() - 3]];
        assert!(matches!(
            check_ops_per_change(cut, 100),
            Err(OpCountError::Malformed(_))
        ));
    }

    // Hand-built document chunks whose column metadata lies, in the layout automerge writes.

    fn uleb(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    fn sleb(mut v: i64, out: &mut Vec<u8>) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0) {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    /// A run of `n` copies of `value` in an unsigned column.
    fn repeat(n: i64, value: u64) -> Vec<u8> {
        let mut out = Vec::new();
        sleb(n, &mut out);
        uleb(value, &mut out);
        out
    }

    /// A run of `n` copies of `delta` in a delta column.
    fn repeat_delta(n: i64, delta: i64) -> Vec<u8> {
        let mut out = Vec::new();
        sleb(n, &mut out);
        sleb(delta, &mut out);
        out
    }

    fn deflate(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    /// A document chunk of one actor with these change and operation columns (spec, data).
    fn crafted(changes: &[(u32, Vec<u8>)], ops: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let mut body = Vec::new();
        uleb(1, &mut body);
        uleb(16, &mut body);
        body.extend([7u8; 16]);
        uleb(0, &mut body);
        for columns in [changes, ops] {
            uleb(columns.len() as u64, &mut body);
            for (spec, data) in columns {
                uleb(u64::from(*spec), &mut body);
                uleb(data.len() as u64, &mut body);
            }
        }
        for (_, data) in changes.iter().chain(ops) {
            body.extend(data);
        }
        // A valid checksum (type, length and body hashed), so automerge would read it too.
        let mut hashed = vec![0u8];
        uleb(body.len() as u64, &mut hashed);
        hashed.extend(body);
        let checksum = <sha2::Sha256 as sha2::Digest>::digest(&hashed);
        let mut chunk = MAGIC.to_vec();
        chunk.extend(&checksum[..4]);
        chunk.extend(hashed);
        chunk
    }

    /// One change of `max_op` operations (no dependencies).
    fn one_change(max_op: i64) -> Vec<(u32, Vec<u8>)> {
        vec![
            (0x01, repeat(1, 0)),
            (0x13, repeat_delta(1, max_op)),
            (0x40, repeat(1, 0)),
        ]
    }

    const PER_MESSAGE: OpLimits = OpLimits {
        per_change: 200_000,
        per_message: 1_000_000,
        max_inflated_bytes: 64 << 20,
    };

    #[test]
    fn a_crafted_document_is_counted_from_bytes_not_from_what_it_claims() {
        // Honest in shape: one change of 3 operations, 3 rows.
        let honest = crafted(
            &one_change(3),
            &[(0x21, repeat(3, 0)), (0x80, repeat(3, 0))],
        );
        assert_eq!(check_ops([honest.as_slice()], PER_MESSAGE), Ok(()));
        // A change that claims 3 operations over two million rows: a few bytes of runs.
        let rows_lie = crafted(&one_change(3), &[(0x21, repeat(2_000_000, 0))]);
        assert!(rows_lie.len() < 100);
        assert_eq!(
            check_ops([rows_lie.as_slice()], PER_MESSAGE),
            Err(OpCountError::OverMessageLimit {
                what: "operations",
                count: 2_000_000,
                limit: 1_000_000
            })
        );
        // Under the cap, the same lie is malformed: rows no change accounts for.
        let roomy = limits(200_000, 10_000_000);
        assert!(matches!(
            check_ops([rows_lie.as_slice()], roomy),
            Err(OpCountError::Malformed(m)) if m.contains("claim 3 operations")
        ));
        // Two million changes claimed by one run: refused before anything is held for them.
        let many_changes = crafted(
            &[
                (0x01, repeat(2_000_000, 0)),
                (0x13, repeat_delta(2_000_000, 1)),
                (0x40, repeat(2_000_000, 0)),
            ],
            &[],
        );
        assert_eq!(
            check_ops([many_changes.as_slice()], PER_MESSAGE),
            Err(OpCountError::OverMessageLimit {
                what: "changes",
                count: 2_000_000,
                limit: 1_000_000
            })
        );
        // Successor links by the billion on three rows.
        let links = crafted(
            &one_change(3),
            &[(0x21, repeat(3, 0)), (0x80, repeat(3, 1 << 40))],
        );
        assert!(matches!(
            check_ops([links.as_slice()], PER_MESSAGE),
            Err(OpCountError::OverMessageLimit {
                what: "successor links",
                ..
            })
        ));
        // A change whose maxOp is below its dependency's, and one naming a change that is not there.
        let two = |deps: Vec<u8>, max_ops: Vec<u8>| {
            crafted(
                &[
                    (0x01, repeat(2, 0)),
                    (0x13, max_ops),
                    (0x40, [repeat(1, 0), repeat(1, 1)].concat()),
                    (0x43, deps),
                ],
                &[(0x21, repeat(5, 0))],
            )
        };
        let backwards = two(
            repeat_delta(1, 0),
            [repeat_delta(1, 5), repeat_delta(1, -2)].concat(),
        );
        assert!(matches!(
            check_ops([backwards.as_slice()], PER_MESSAGE),
            Err(OpCountError::Malformed(m)) if m.contains("below its dependencies")
        ));
        let dangling = two(repeat_delta(1, 7), repeat_delta(2, 5));
        assert!(matches!(
            check_ops([dangling.as_slice()], PER_MESSAGE),
            Err(OpCountError::Malformed(m)) if m.contains("names no change")
        ));
        // Column metadata past the end of the chunk.
        let mut past_end = honest.clone();
        past_end.truncate(past_end.len() - 2);
        assert!(matches!(
            check_ops([past_end.as_slice()], PER_MESSAGE),
            Err(OpCountError::Malformed(_))
        ));
    }

    #[test]
    fn a_compressed_column_is_inflated_no_further_than_the_limit_allows() {
        // 8 MB of one-byte literal runs deflate to a few KB: the inflater stops at what
        // `per_message` rows could need (20 KB here), long before the end.
        let literal = [0x7fu8, 0x00].repeat(4 * 1024 * 1024);
        let bomb = deflate(&literal);
        assert!(bomb.len() < 16 * 1024, "{} bytes", bomb.len());
        let chunk = crafted(&one_change(3), &[(0x21 | 0b1000, bomb)]);
        assert!(matches!(
            check_ops([chunk.as_slice()], limits(10, 1_000)),
            Err(OpCountError::Malformed(m)) if m.contains("inflates past")
        ));
        // The same column, honest and compressed, is read through.
        let small = crafted(
            &one_change(3),
            &[
                (0x21 | 0b1000, deflate(&repeat(3, 0))),
                (0x80, repeat(3, 0)),
            ],
        );
        assert_eq!(check_ops([small.as_slice()], limits(10, 1_000)), Ok(()));
        // Not DEFLATE at all.
        let garbage = crafted(&one_change(3), &[(0x21 | 0b1000, vec![0xff; 40])]);
        assert!(matches!(
            check_ops([garbage.as_slice()], limits(10, 1_000)),
            Err(OpCountError::Malformed(_))
        ));
    }

    #[test]
    fn a_compressed_chunk_that_inflates_past_the_limit_is_refused_before_automerge_inflates_it() {
        let small = OpLimits {
            max_inflated_bytes: 1 << 20,
            ..PER_MESSAGE
        };
        let zeros = deflate(&vec![0u8; 8 << 20]);
        // A compressed change: automerge would inflate all of it before reading a byte.
        let mut change = MAGIC.to_vec();
        change.extend([0u8; 4]);
        change.push(2);
        uleb(zeros.len() as u64, &mut change);
        change.extend(&zeros);
        assert!(change.len() < 16 * 1024);
        assert_eq!(
            check_ops([change.as_slice()], small),
            Err(OpCountError::InflatesTooFar { limit: 1 << 20 })
        );
        // A document whose value column (never counted) is the bomb.
        let document = crafted(
            &one_change(3),
            &[(0x21, repeat(3, 0)), (5 << 4 | 7 | 0b1000, zeros)],
        );
        assert_eq!(
            check_ops([document.as_slice()], small),
            Err(OpCountError::InflatesTooFar { limit: 1 << 20 })
        );
        // Honest compressed chunks within it pass.
        let doc = doc_with_text(5_000);
        let compressed = doc
            .get_last_local_change()
            .unwrap()
            .clone()
            .bytes()
            .into_owned();
        assert_eq!(compressed[8], 2, "a compressed change");
        assert_eq!(check_ops([compressed.as_slice()], small), Ok(()));
        assert_eq!(check_ops([doc.save().as_slice()], small), Ok(()));
    }
}

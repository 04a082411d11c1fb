//! What a whole-document chunk will cost to load, read from its column layout without loading
//! it. Hand-written because automerge 0.12 exposes no count for a document chunk short of
//! `Automerge::load`, which materialises every operation: a crafted chunk of a few KB that
//! expands to millions of operations would cost the relay that load (memory, and seconds of the
//! engine thread every other document waits behind) before it could be refused.
//!
//! The layout (automerge binary format, "document chunk"; `rust/automerge/src/storage/document.rs`
//! in automerge/automerge): actors, heads, change column metadata, operation column metadata,
//! the change columns' data, the operation columns' data, then optional head indices. Each
//! column's metadata is its spec (id << 4 | DEFLATE bit 8 | type) and its stored length.
//!
//! Counted, each from the column automerge itself takes it from when loading
//! (`ChangeGraphCols::load`, `Columns::load`):
//! - changes: the rows of the change actor column;
//! - each change's operations: its `maxOp` less the largest `maxOp` among its dependencies
//!   (a change without dependencies starts at 1);
//! - operation rows: the rows of the operation id-actor column;
//! - successor links: the sum of the successor count column.
//!
//! Every compressed column (counted or not) is inflated once into nothing, with a hard stop, to
//! check the whole inflates no further than the caller allows: loading inflates all of them.
//!
//! A document stores no row for a deletion (it is a successor link of the operations it
//! deleted), so an honest chunk has `rows <= sum of changes' operations <= rows + links`; a
//! chunk outside that lies about what it holds and is refused as malformed.

use super::column::{inflated_len, ColumnBytes, Encoding, Rle};
use super::{OpCountError, OpLimits};

/// Normalised specs (DEFLATE bit cleared) of the columns read.
const CHANGE_ACTOR: u32 = 0x01;
const CHANGE_MAX_OP: u32 = 1 << 4 | 3;
const CHANGE_DEPS_COUNT: u32 = 4 << 4;
const CHANGE_DEPS: u32 = 4 << 4 | 3;
const OP_ID_ACTOR: u32 = 2 << 4 | 1;
const OP_SUCC_COUNT: u32 = 8 << 4;
const DEFLATE: u32 = 0b1000;

/// The most bytes a run-encoded column may inflate to per row it is allowed: a run header and
/// a value are two LEB128 numbers of at most 10 bytes each.
const MAX_BYTES_PER_ROW: usize = 20;

/// What one document chunk holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct DocumentCounts {
    /// Operations of each change, in the chunk's order.
    pub(super) ops_per_change: Vec<usize>,
    /// Dependency links between changes.
    pub(super) dependencies: usize,
    /// Operation rows.
    pub(super) rows: usize,
    /// Successor links between operations.
    pub(super) successors: usize,
    /// How many of the columns read were DEFLATE-compressed (for tests to know they read some).
    #[cfg(test)]
    pub(super) deflated_read: usize,
}

/// `body`: a document chunk after its header. A change over `limits.per_change` is
/// [`OpCountError::OverLimit`]; every other count is bounded by `limits.per_message` (allocation
/// too: at most that many changes are held), and past it is [`OpCountError::OverMessageLimit`].
/// Either way the chunk is read no further.
pub(super) fn count<'a>(body: &'a [u8], limits: OpLimits) -> Result<DocumentCounts, OpCountError> {
    let cap = limits.per_message;
    let mut input = Input { bytes: body, at: 0 };
    // Actors: a count, then each a length-prefixed id.
    for _ in 0..input.uleb()? {
        let len = input.uleb()?;
        input.skip(len)?;
    }
    // Heads: a count of 32-byte hashes.
    let heads = input.uleb()?;
    input.skip(heads.checked_mul(32).ok_or_else(cut_short)?)?;
    let change_meta = input.columns()?;
    let op_meta = input.columns()?;
    let change_data = input.take(change_meta.total)?;
    let op_data = input.take(op_meta.total)?;
    // What follows (head indices) is not counted.

    // Loading inflates every compressed column: all of them together may not expand past
    // what the relay would take uncompressed.
    let mut inflated = 0usize;
    for (meta, data) in [(&change_meta, change_data), (&op_meta, op_data)] {
        for range in &meta.deflated {
            let room = limits.max_inflated_bytes.saturating_sub(inflated);
            match inflated_len(&data[range.clone()], room)? {
                Some(len) => inflated += len,
                None => {
                    return Err(OpCountError::InflatesTooFar {
                        limit: limits.max_inflated_bytes,
                    })
                }
            }
        }
    }

    // A run-encoded column of at most `cap` rows never needs more than this many bytes.
    let max_bytes = cap.saturating_add(1).saturating_mul(MAX_BYTES_PER_ROW);
    let column = |meta: &Columns, data: &'a [u8], spec: u32| -> ColumnBytes<'a> {
        match meta.find(spec) {
            Some((range, deflated)) => ColumnBytes::new(&data[range], deflated, max_bytes),
            None => ColumnBytes::new(&[], false, 0),
        }
    };

    let over = |what, count: u64| {
        Err(OpCountError::OverMessageLimit {
            what,
            count,
            limit: cap,
        })
    };
    let fits = |count: u64| usize::try_from(count).ok().filter(|c| *c <= cap);

    // Changes, and the maxOp of each (held: dependencies may name any change).
    let (changes, _) = Rle::new(
        column(&change_meta, change_data, CHANGE_ACTOR),
        Encoding::Unsigned,
    )
    .count_and_sum()?;
    let Some(changes) = fits(changes) else {
        return over("changes", changes);
    };
    let mut max_ops = Vec::with_capacity(changes);
    let mut column_max_op = Rle::new(
        column(&change_meta, change_data, CHANGE_MAX_OP),
        Encoding::Delta,
    );
    while let Some(value) = column_max_op.next_value()? {
        let max_op = value
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(|| malformed("a change's maxOp is missing or out of range"))?;
        if max_ops.len() == changes {
            return Err(malformed(
                "the maxOp column has more rows than there are changes",
            ));
        }
        max_ops.push(max_op);
    }
    if max_ops.len() != changes {
        return Err(malformed(
            "the maxOp column has fewer rows than there are changes",
        ));
    }

    // Each change's operations, from its dependencies' maxOp.
    let mut deps_count = Rle::new(
        column(&change_meta, change_data, CHANGE_DEPS_COUNT),
        Encoding::Unsigned,
    );
    let mut deps = Rle::new(
        column(&change_meta, change_data, CHANGE_DEPS),
        Encoding::Delta,
    );
    let mut ops_per_change = Vec::with_capacity(changes);
    let mut dependencies: u64 = 0;
    for &max_op in &max_ops {
        let n = deps_count
            .next_value()?
            .flatten()
            .ok_or_else(|| malformed("the dependency count column is shorter than the changes"))?
            .unsigned_abs();
        dependencies = dependencies.saturating_add(n);
        if fits(dependencies).is_none() {
            return over("dependencies", dependencies);
        }
        let mut start = 0u32;
        for _ in 0..n {
            let dep = deps
                .next_value()?
                .flatten()
                .and_then(|d| usize::try_from(d).ok())
                .filter(|d| *d < changes)
                .ok_or_else(|| malformed("a dependency is missing or names no change"))?;
            start = start.max(max_ops[dep]);
        }
        if start > max_op {
            return Err(malformed("a change's maxOp is below its dependencies'"));
        }
        let ops = (max_op - start) as usize;
        if ops > limits.per_change {
            return Err(OpCountError::OverLimit {
                ops,
                limit: limits.per_change,
            });
        }
        ops_per_change.push(ops);
    }
    if deps_count.next_value()?.is_some() {
        return Err(malformed(
            "the dependency count column is longer than the changes",
        ));
    }

    let (rows, _) =
        Rle::new(column(&op_meta, op_data, OP_ID_ACTOR), Encoding::Unsigned).count_and_sum()?;
    let Some(rows) = fits(rows) else {
        return over("operations", rows);
    };
    let (_, successors) =
        Rle::new(column(&op_meta, op_data, OP_SUCC_COUNT), Encoding::Unsigned).count_and_sum()?;
    let Some(successors) = fits(successors) else {
        return over("successor links", successors);
    };
    let total: usize = ops_per_change.iter().sum();
    if total < rows || total > rows + successors {
        return Err(malformed(&format!(
            "its changes claim {total} operations but it holds {rows} operations and {successors} successor links"
        )));
    }
    Ok(DocumentCounts {
        ops_per_change,
        dependencies: dependencies as usize,
        rows,
        successors,
        #[cfg(test)]
        deflated_read: change_meta
            .found
            .iter()
            .chain(&op_meta.found)
            .filter(|(.., deflated)| *deflated)
            .count(),
    })
}

fn malformed(what: &str) -> OpCountError {
    OpCountError::Malformed(format!("a document chunk is malformed: {what}"))
}

fn cut_short() -> OpCountError {
    malformed("it is cut short")
}

/// The metadata of one set of columns: the ranges (in its data block) of each column read.
struct Columns {
    found: Vec<(u32, std::ops::Range<usize>, bool)>,
    /// Every compressed column, read or not (at most one per two bytes of metadata).
    deflated: Vec<std::ops::Range<usize>>,
    total: usize,
}

impl Columns {
    fn find(&self, spec: u32) -> Option<(std::ops::Range<usize>, bool)> {
        self.found
            .iter()
            .find(|(s, ..)| *s == spec)
            .map(|(_, range, deflated)| (range.clone(), *deflated))
    }
}

struct Input<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Input<'a> {
    fn uleb(&mut self) -> Result<u64, OpCountError> {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let byte = *self.bytes.get(self.at).ok_or_else(cut_short)?;
            self.at += 1;
            let bits = u64::from(byte & 0x7f);
            if shift >= 64 || (shift == 63 && bits > 1) {
                return Err(malformed("a number is over 64 bits"));
            }
            value |= bits << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], OpCountError> {
        let end = self
            .at
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(cut_short)?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn skip(&mut self, len: u64) -> Result<(), OpCountError> {
        self.take(usize::try_from(len).map_err(|_| cut_short())?)
            .map(|_| ())
    }

    /// Column metadata: a count, then each column's spec and stored length. Specs must rise
    /// strictly (automerge requires them in order; a repeated one could make this count read
    /// a different column than automerge loads).
    fn columns(&mut self) -> Result<Columns, OpCountError> {
        let mut columns = Columns {
            found: Vec::new(),
            deflated: Vec::new(),
            total: 0,
        };
        let mut previous = None;
        for _ in 0..self.uleb()? {
            let spec = u32::try_from(self.uleb()?)
                .map_err(|_| malformed("a column spec is over 32 bits"))?;
            let len = usize::try_from(self.uleb()?).map_err(|_| cut_short())?;
            let normal = spec & !DEFLATE;
            if previous.is_some_and(|p| p >= normal) {
                return Err(malformed("its columns are out of order or repeated"));
            }
            previous = Some(normal);
            let start = columns.total;
            columns.total = start
                .checked_add(len)
                .filter(|end| *end <= self.bytes.len())
                .ok_or_else(cut_short)?;
            if spec & DEFLATE != 0 {
                columns.deflated.push(start..columns.total);
            }
            if [
                CHANGE_ACTOR,
                CHANGE_MAX_OP,
                CHANGE_DEPS_COUNT,
                CHANGE_DEPS,
                OP_ID_ACTOR,
                OP_SUCC_COUNT,
            ]
            .contains(&normal)
            {
                columns
                    .found
                    .push((normal, start..columns.total, spec & DEFLATE != 0));
            }
        }
        Ok(columns)
    }
}

//! One column of an automerge storage chunk, read as a stream of run-length encoded values
//! without expanding it: the counting in `document_chunk` sums runs (a run of a million equal
//! values costs one step), and a column that is DEFLATE-compressed is inflated a buffer at a
//! time with a hard stop, so neither what a chunk claims nor how far it inflates decides what
//! reading it costs.
//!
//! The encodings are those of the automerge binary format (automerge.org, "Binary Document
//! Format", column encodings): a run is a signed LEB128 count; `n > 0` is followed by one value
//! repeated `n` times, `n < 0` by `-n` literal values, and `0` by an unsigned LEB128 count of
//! nulls. Unsigned columns (actors, integers, group counts) hold unsigned LEB128 values; delta
//! columns hold signed LEB128 differences from the previous non-null value.

use std::io::Read;

use super::OpCountError;

fn malformed(what: &str) -> OpCountError {
    OpCountError::Malformed(format!("a document column {what}"))
}

/// The bytes of one column, plain or inflated.
pub(super) struct ColumnBytes<'a> {
    source: Source<'a>,
    /// Bytes handed out so far; a DEFLATE stream may produce at most `max_bytes`.
    read: usize,
    max_bytes: usize,
}

enum Source<'a> {
    Plain(&'a [u8]),
    Deflated {
        inflater: Box<flate2::bufread::DeflateDecoder<&'a [u8]>>,
        /// One buffer of inflated bytes and where reading it has got to.
        buffer: Box<[u8; 4096]>,
        at: usize,
        filled: usize,
    },
}

impl<'a> ColumnBytes<'a> {
    /// `bytes` as stored; `deflated` when the column's spec has the DEFLATE bit. A compressed
    /// column that inflates past `max_bytes` is malformed: nothing the caller accepts needs more.
    pub(super) fn new(bytes: &'a [u8], deflated: bool, max_bytes: usize) -> Self {
        let source = if deflated {
            Source::Deflated {
                inflater: Box::new(flate2::bufread::DeflateDecoder::new(bytes)),
                buffer: Box::new([0; 4096]),
                at: 0,
                filled: 0,
            }
        } else {
            Source::Plain(bytes)
        };
        Self {
            source,
            read: 0,
            max_bytes,
        }
    }

    fn next_byte(&mut self) -> Result<Option<u8>, OpCountError> {
        match &mut self.source {
            Source::Plain(bytes) => {
                let byte = bytes.get(self.read).copied();
                self.read += usize::from(byte.is_some());
                Ok(byte)
            }
            Source::Deflated {
                inflater,
                buffer,
                at,
                filled,
            } => {
                if at == filled {
                    if self.read >= self.max_bytes {
                        // Probe one more byte: a stream that ends exactly at the limit is fine.
                        let mut probe = [0u8; 1];
                        return match inflater.read(&mut probe) {
                            Ok(0) => Ok(None),
                            Ok(_) => Err(malformed("inflates past what the limits allow")),
                            Err(_) => Err(malformed("is not valid DEFLATE data")),
                        };
                    }
                    let room = buffer.len().min(self.max_bytes - self.read);
                    *filled = inflater
                        .read(&mut buffer[..room])
                        .map_err(|_| malformed("is not valid DEFLATE data"))?;
                    *at = 0;
                    if *filled == 0 {
                        return Ok(None);
                    }
                }
                let byte = buffer[*at];
                *at += 1;
                self.read += 1;
                Ok(Some(byte))
            }
        }
    }

    /// An unsigned LEB128 number, or `None` where the column ends cleanly.
    fn uleb_or_end(&mut self) -> Result<Option<u64>, OpCountError> {
        let Some(first) = self.next_byte()? else {
            return Ok(None);
        };
        let mut value = u64::from(first & 0x7f);
        let mut byte = first;
        let mut shift = 7;
        while byte & 0x80 != 0 {
            byte = self
                .next_byte()?
                .ok_or_else(|| malformed("ends inside a number"))?;
            let bits = u64::from(byte & 0x7f);
            if shift >= 64 || (shift == 63 && bits > 1) {
                return Err(malformed("has a number over 64 bits"));
            }
            value |= bits << shift;
            shift += 7;
        }
        Ok(Some(value))
    }

    fn uleb(&mut self) -> Result<u64, OpCountError> {
        self.uleb_or_end()?
            .ok_or_else(|| malformed("ends inside a run"))
    }

    /// A signed LEB128 number, or `None` where the column ends cleanly.
    fn sleb_or_end(&mut self) -> Result<Option<i64>, OpCountError> {
        let Some(first) = self.next_byte()? else {
            return Ok(None);
        };
        let mut value: i64 = i64::from(first & 0x7f);
        let mut byte = first;
        let mut shift = 7;
        while byte & 0x80 != 0 {
            byte = self
                .next_byte()?
                .ok_or_else(|| malformed("ends inside a number"))?;
            if shift >= 64 {
                return Err(malformed("has a number over 64 bits"));
            }
            value |= i64::from(byte & 0x7f) << shift;
            shift += 7;
        }
        if shift < 64 && byte & 0x40 != 0 {
            value |= -1i64 << shift;
        }
        Ok(Some(value))
    }

    fn sleb(&mut self) -> Result<i64, OpCountError> {
        self.sleb_or_end()?
            .ok_or_else(|| malformed("ends inside a run"))
    }
}

/// How many bytes a DEFLATE stream inflates to, read a buffer at a time and stopped past
/// `max_bytes` (then `None`): nothing is kept of what it inflates to.
pub(super) fn inflated_len(bytes: &[u8], max_bytes: usize) -> Result<Option<usize>, OpCountError> {
    let mut inflater = flate2::bufread::DeflateDecoder::new(bytes);
    let mut buffer = vec![0u8; 16 * 1024];
    let mut total = 0usize;
    loop {
        match inflater.read(&mut buffer) {
            Ok(0) => return Ok(Some(total)),
            Ok(n) => {
                total += n;
                if total > max_bytes {
                    return Ok(None);
                }
            }
            Err(_) => {
                return Err(OpCountError::Malformed(
                    "a compressed chunk is not valid DEFLATE data".into(),
                ))
            }
        }
    }
}

/// One run header of a run-length encoded column.
enum Run {
    /// One value (already read) repeated this many times.
    Repeat(u64),
    /// This many values follow, each read on its own.
    Literal(u64),
    Nulls(u64),
}

/// Whether a column's values are unsigned (actors, integers, group counts) or signed deltas.
#[derive(Clone, Copy)]
pub(super) enum Encoding {
    Unsigned,
    Delta,
}

/// A run-length encoded column, read value by value; a repeated run is yielded without being
/// expanded in memory.
pub(super) struct Rle<'a> {
    bytes: ColumnBytes<'a>,
    encoding: Encoding,
    /// What is left of the current run, and the repeated value if it is one.
    left: u64,
    current: Current,
    /// The running total of a delta column.
    last: i64,
}

#[derive(Clone, Copy)]
enum Current {
    Repeat(Option<i64>),
    Literal,
}

impl<'a> Rle<'a> {
    pub(super) fn new(bytes: ColumnBytes<'a>, encoding: Encoding) -> Self {
        Self {
            bytes,
            encoding,
            left: 0,
            current: Current::Literal,
            last: 0,
        }
    }

    /// The next value as stored: unsigned values must fit an `i64` (automerge's do; a value
    /// that does not is malformed), deltas are signed.
    fn raw_value(&mut self) -> Result<i64, OpCountError> {
        match self.encoding {
            Encoding::Unsigned => {
                i64::try_from(self.bytes.uleb()?).map_err(|_| malformed("has a value over 63 bits"))
            }
            Encoding::Delta => self.bytes.sleb(),
        }
    }

    fn next_run(&mut self) -> Result<Option<Run>, OpCountError> {
        let Some(count) = self.bytes.sleb_or_end()? else {
            return Ok(None);
        };
        Ok(Some(match count {
            0 => Run::Nulls(self.bytes.uleb()?),
            n if n > 0 => Run::Repeat(n.unsigned_abs()),
            n => Run::Literal(n.unsigned_abs()),
        }))
    }

    /// The value a delta column's running total becomes after `delta`.
    fn apply(&mut self, stored: i64) -> Result<i64, OpCountError> {
        match self.encoding {
            Encoding::Unsigned => Ok(stored),
            Encoding::Delta => {
                self.last = self
                    .last
                    .checked_add(stored)
                    .ok_or_else(|| malformed("has deltas that overflow"))?;
                Ok(self.last)
            }
        }
    }

    /// The next value (`Some(None)` for a null), or `None` at the end of the column.
    pub(super) fn next_value(&mut self) -> Result<Option<Option<i64>>, OpCountError> {
        while self.left == 0 {
            match self.next_run()? {
                None => return Ok(None),
                Some(Run::Repeat(n)) => {
                    let stored = self.raw_value()?;
                    self.left = n;
                    self.current = Current::Repeat(Some(stored));
                }
                Some(Run::Literal(n)) => {
                    self.left = n;
                    self.current = Current::Literal;
                }
                Some(Run::Nulls(n)) => {
                    self.left = n;
                    self.current = Current::Repeat(None);
                }
            }
        }
        self.left -= 1;
        let value = match self.current {
            Current::Repeat(None) => None,
            Current::Repeat(Some(stored)) => Some(self.apply(stored)?),
            Current::Literal => {
                let stored = self.raw_value()?;
                Some(self.apply(stored)?)
            }
        };
        Ok(Some(value))
    }

    /// How many values (nulls included) and what the non-null ones add up to, a run at a time:
    /// the cost is the column's stored bytes, whatever its runs claim. Only for unsigned
    /// columns (a delta column's values depend on every one before them).
    pub(super) fn count_and_sum(mut self) -> Result<(u64, u64), OpCountError> {
        debug_assert!(matches!(self.encoding, Encoding::Unsigned));
        let (mut count, mut sum) = (0u64, 0u64);
        while let Some(run) = self.next_run()? {
            match run {
                Run::Repeat(n) => {
                    let value = self.raw_value()?.unsigned_abs();
                    count = count.saturating_add(n);
                    sum = sum.saturating_add(n.saturating_mul(value));
                }
                Run::Literal(n) => {
                    for _ in 0..n {
                        sum = sum.saturating_add(self.raw_value()?.unsigned_abs());
                        count += 1;
                    }
                }
                Run::Nulls(n) => count = count.saturating_add(n),
            }
        }
        Ok((count, sum))
    }
}

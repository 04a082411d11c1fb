//! How many bytes of history client tokens may add to a document, per UTC day and in total: a
//! client could otherwise grow its portal by megabytes a second of changes that leave no trace
//! in what the portal shows, and every provider device downloads that history.
//!
//! Counted per document (a client token reaches one portal, so this is per portal, whichever of
//! its client tokens wrote), in the bytes of the admitted changes as stored. Kept in
//! `<data dir>/history/<id>.json`, written in the group commit of the batch that admitted the
//! changes (see `staged.rs`), so a restart does not reset it. Providers are the business and are
//! not counted.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use threshold_protocol::DocumentId;

use crate::staged::Staged;
use crate::stale::StaleRecords;
use crate::storage::{FsStorage, Storage};

const DIR: &str = "history";

/// What client tokens may add.
#[derive(Clone, Copy, Debug)]
pub struct HistoryLimits {
    pub per_day: u64,
    pub total: u64,
}

/// What client tokens have added to one document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Days since the Unix epoch (UTC) that `today` counts.
    pub day: u64,
    pub today: u64,
    pub total: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OverBudget {
    #[error("this change would add more history than a client may add in a day (the limit is {limit} bytes a day); try again tomorrow")]
    Day { limit: u64 },
    #[error("this change would add more history than a client may add to a portal (the limit is {limit} bytes in all)")]
    Total { limit: u64 },
}

/// The usage after adding `bytes` on `day`, or which limit that would break.
pub fn charge(
    usage: Usage,
    bytes: u64,
    day: u64,
    limits: HistoryLimits,
) -> Result<Usage, OverBudget> {
    let today = if usage.day == day { usage.today } else { 0 };
    let today = today.saturating_add(bytes);
    let total = usage.total.saturating_add(bytes);
    if total > limits.total {
        return Err(OverBudget::Total {
            limit: limits.total,
        });
    }
    if today > limits.per_day {
        return Err(OverBudget::Day {
            limit: limits.per_day,
        });
    }
    Ok(Usage { day, today, total })
}

/// Today, in days since the Unix epoch (UTC).
pub fn today() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0)
}

/// Every document's usage, read from disk once and kept.
pub struct HistoryBook {
    /// The relay's storage (the data dir's files, or the database's entries).
    reads: Arc<dyn Storage + Send + Sync>,
    limits: HistoryLimits,
    /// Each document's usage, with the generation of `stale` it was read at.
    usage: HashMap<DocumentId, (u64, Usage)>,
    staged: Staged,
    stale: StaleRecords,
}

impl HistoryBook {
    /// Usage is read from `<data_dir>/history`; new usage is staged in `staged`, whose keys are
    /// relative to `data_dir` (the relay's storage root).
    pub fn open(data_dir: &Path, limits: HistoryLimits, staged: Staged) -> io::Result<Self> {
        std::fs::create_dir_all(data_dir.join(DIR))?;
        let reads = FsStorage::open(data_dir).map_err(io::Error::other)?;
        Ok(Self::on(Arc::new(reads), limits, staged))
    }

    /// Usage read from the relay's storage, whichever it is.
    pub fn on(
        reads: Arc<dyn Storage + Send + Sync>,
        limits: HistoryLimits,
        staged: Staged,
    ) -> Self {
        Self {
            reads,
            limits,
            usage: HashMap::new(),
            staged,
            stale: StaleRecords::default(),
        }
    }

    /// This book, reading a document's usage again once `stale` says another relay may have
    /// changed it.
    pub fn watching(mut self, stale: StaleRecords) -> Self {
        self.stale = stale;
        self
    }

    /// The usage of `doc` after adding `bytes` today, without recording it.
    pub fn check(&mut self, doc: &DocumentId, bytes: u64) -> io::Result<Result<Usage, OverBudget>> {
        let usage = self.usage_of(doc)?;
        Ok(charge(usage, bytes, today(), self.limits))
    }

    /// Record `usage` (from [`Self::check`]) for `doc`: at once in memory, and on disk with the
    /// group commit of the batch that admitted the changes.
    pub fn record(&mut self, doc: &DocumentId, usage: Usage) -> io::Result<()> {
        let json = serde_json::to_vec(&usage).map_err(io::Error::other)?;
        self.staged.stage(format!("{DIR}/{doc}.json"), json);
        let generation = self.stale.generation(doc);
        self.usage.insert(*doc, (generation, usage));
        Ok(())
    }

    /// From memory, or from storage; usage another relay may have changed is read again and
    /// merged with what this relay holds (the larger count of the same day: both only grow).
    fn usage_of(&mut self, doc: &DocumentId) -> io::Result<Usage> {
        let generation = self.stale.generation(doc);
        let held = match self.usage.get(doc) {
            Some((g, usage)) if *g == generation => return Ok(*usage),
            Some((_, usage)) => Some(*usage),
            None => None,
        };
        let stored: Usage = match self.reads.load(&format!("{DIR}/{doc}.json")) {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).map_err(io::Error::other)?,
            Ok(None) => Usage::default(),
            Err(e) => return Err(io::Error::other(e)),
        };
        let usage = match held {
            Some(held) => merge(stored, held),
            None => stored,
        };
        self.usage.insert(*doc, (generation, usage));
        Ok(usage)
    }
}

/// The larger of two readings of one document's usage.
fn merge(a: Usage, b: Usage) -> Usage {
    let today = match a.day.cmp(&b.day) {
        std::cmp::Ordering::Greater => a.today,
        std::cmp::Ordering::Less => b.today,
        std::cmp::Ordering::Equal => a.today.max(b.today),
    };
    Usage {
        day: a.day.max(b.day),
        today,
        total: a.total.max(b.total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: HistoryLimits = HistoryLimits {
        per_day: 100,
        total: 250,
    };

    #[test]
    fn usage_another_relay_recorded_counts_here_once_it_is_marked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_owned();
        let doc = DocumentId::random();
        let commit = |staged: &Staged| {
            let mut storage = FsStorage::open(&dir).unwrap();
            storage.put_all(&staged.take()).unwrap();
        };
        let (staged_a, staged_b) = (Staged::default(), Staged::default());
        let stale = StaleRecords::default();
        let mut relay_a = HistoryBook::open(&dir, LIMITS, staged_a.clone())
            .unwrap()
            .watching(stale.clone());
        let mut relay_b = HistoryBook::open(&dir, LIMITS, staged_b.clone()).unwrap();
        let usage = relay_a.check(&doc, 10).unwrap().unwrap();
        relay_a.record(&doc, usage).unwrap();
        commit(&staged_a);
        let usage = relay_b.check(&doc, 80).unwrap().unwrap();
        relay_b.record(&doc, usage).unwrap();
        commit(&staged_b);
        stale.mark(doc);
        // B's 80 (which counted A's 10) and 30 more break the day's 100.
        assert_eq!(
            relay_a.check(&doc, 30).unwrap(),
            Err(OverBudget::Day { limit: 100 })
        );
        assert!(relay_a.check(&doc, 10).unwrap().is_ok());
    }

    #[test]
    fn a_day_allows_its_bytes_then_refuses_and_a_new_day_starts_again() {
        let usage = charge(Usage::default(), 60, 7, LIMITS).unwrap();
        assert_eq!(
            charge(usage, 41, 7, LIMITS),
            Err(OverBudget::Day { limit: 100 })
        );
        let usage = charge(usage, 40, 7, LIMITS).unwrap();
        assert_eq!(
            usage,
            Usage {
                day: 7,
                today: 100,
                total: 100
            }
        );
        let next = charge(usage, 100, 8, LIMITS).unwrap();
        assert_eq!(
            next,
            Usage {
                day: 8,
                today: 100,
                total: 200
            }
        );
    }

    #[test]
    fn the_total_holds_across_days() {
        let usage = Usage {
            day: 3,
            today: 0,
            total: 240,
        };
        assert_eq!(
            charge(usage, 11, 4, LIMITS),
            Err(OverBudget::Total { limit: 250 })
        );
        assert!(charge(usage, 10, 4, LIMITS).is_ok());
    }

    #[test]
    fn usage_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let doc = DocumentId::random();
        let staged = Staged::default();
        let mut book = HistoryBook::open(dir.path(), LIMITS, staged.clone()).unwrap();
        let usage = book.check(&doc, 90).unwrap().unwrap();
        book.record(&doc, usage).unwrap();
        // What the hub's group commit does.
        let mut storage = crate::storage::FsStorage::open(dir.path()).unwrap();
        crate::storage::Storage::put_all(&mut storage, &staged.take()).unwrap();
        let mut again = HistoryBook::open(dir.path(), LIMITS, Staged::default()).unwrap();
        assert_eq!(
            again.check(&doc, 20).unwrap(),
            Err(OverBudget::Day { limit: 100 })
        );
    }
}

//! Small records the guard keeps beside the documents (which token each actor is bound to, how
//! much history client tokens added), staged in memory when a change is admitted and written in
//! the engine thread's group commit together with the batch's chunks.
//!
//! Written on their own, each admitted client change paid one more synchronous fsync on the
//! engine thread; in the group commit a batch of hundreds of changes pays one round of syncs for
//! everything. They are durable before any peer hears of the changes that made them, because
//! the hub sends nothing of a batch before its group commit returns.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Values waiting for the next group commit, by storage key (relative to the data dir). A key
/// staged twice keeps its latest value.
#[derive(Clone, Default)]
pub struct Staged(Arc<Mutex<BTreeMap<String, Vec<u8>>>>);

impl Staged {
    pub fn stage(&self, key: String, value: Vec<u8>) {
        self.lock().insert(key, value);
    }

    /// Everything staged so far, for one group commit.
    pub fn take(&self) -> Vec<(String, Vec<u8>)> {
        std::mem::take(&mut *self.lock()).into_iter().collect()
    }

    /// Put back what a failed group commit did not store, unless a newer value was staged
    /// meanwhile: the next commit writes it.
    pub fn restore(&self, entries: Vec<(String, Vec<u8>)>) {
        let mut staged = self.lock();
        for (key, value) in entries {
            staged.entry(key).or_insert(value);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<u8>>> {
        // Only the engine thread stages and takes; a poisoned lock still holds whole values.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_value_of_a_key_is_written_and_a_failed_commit_is_retried_under_newer_values() {
        let staged = Staged::default();
        staged.stage("authors/a.json".into(), b"1".to_vec());
        staged.stage("authors/a.json".into(), b"2".to_vec());
        staged.stage("history/a.json".into(), b"x".to_vec());
        let taken = staged.take();
        assert_eq!(
            taken,
            vec![
                ("authors/a.json".into(), b"2".to_vec()),
                ("history/a.json".into(), b"x".to_vec())
            ]
        );
        assert!(staged.take().is_empty());
        staged.stage("history/a.json".into(), b"y".to_vec());
        staged.restore(taken);
        let retried: BTreeMap<_, _> = staged.take().into_iter().collect();
        assert_eq!(retried["authors/a.json"], b"2");
        assert_eq!(retried["history/a.json"], b"y", "the newer value wins");
    }
}

//! Which parts of each open document changed, revision by revision, so that a view re-reads
//! its part of a document only when that part changed (see `threshold_model::doc::touched`).

use std::collections::{HashMap, VecDeque};

use leptos::prelude::*;
use threshold_model::doc::{touched, Touched};
use threshold_protocol::automerge::{Automerge, ChangeHash};
use threshold_protocol::DocumentId;

/// How many revisions of one document are remembered. A view that has not looked for longer
/// (it was hidden) simply reads its part again.
const KEPT_REVISIONS: usize = 64;

#[derive(Default)]
pub struct DocChanges {
    docs: HashMap<DocumentId, DocLog>,
}

struct DocLog {
    /// Bumped on every revision; views track it.
    signal: ArcRwSignal<u64>,
    current: u64,
    /// The heads at the current revision: the next revision's changes are those after them.
    heads: Vec<ChangeHash>,
    /// What each recent revision touched, oldest first.
    log: VecDeque<(u64, Touched)>,
}

impl DocLog {
    fn new() -> Self {
        Self {
            signal: ArcRwSignal::new(0),
            current: 0,
            heads: Vec::new(),
            log: VecDeque::new(),
        }
    }
}

impl DocChanges {
    /// A signal bumped whenever `id` changes (loaded, edited here, or changed by a peer).
    pub fn signal(&mut self, id: DocumentId) -> ArcRwSignal<u64> {
        self.docs
            .entry(id)
            .or_insert_with(DocLog::new)
            .signal
            .clone()
    }

    /// `doc` changed: note what the changes since the last revision touched, and return the
    /// signal to bump once the caller has released its borrows (views react synchronously).
    pub fn record(&mut self, id: DocumentId, doc: &Automerge) -> ArcRwSignal<u64> {
        let entry = self.docs.entry(id).or_insert_with(DocLog::new);
        let heads = doc.get_heads();
        let touched = touched(doc, &entry.heads);
        entry.heads = heads;
        entry.current += 1;
        entry.log.push_back((entry.current, touched));
        while entry.log.len() > KEPT_REVISIONS {
            entry.log.pop_front();
        }
        entry.signal.clone()
    }

    /// The current revision of `id`, and what changed since revision `seen` (0: never seen).
    pub fn since(&self, id: &DocumentId, seen: u64) -> (u64, Touched) {
        let Some(entry) = self.docs.get(id) else {
            return (0, Touched::everything());
        };
        let oldest_kept = entry.log.front().map_or(entry.current + 1, |(r, _)| *r);
        if seen == 0 || seen + 1 < oldest_kept {
            return (entry.current, Touched::everything());
        }
        let mut union = Touched::default();
        for (_, touched) in entry.log.iter().filter(|(r, _)| *r > seen) {
            union.everything |= touched.everything;
            union.keys.extend(touched.keys.iter().cloned());
            union.tasks.extend(touched.tasks.iter().cloned());
        }
        (entry.current, union)
    }
}

//! What a batch of changes touched in a document: which top-level keys, and under `tasks`,
//! which tasks. Views use it to re-read only their own part of a document after an edit.
//!
//! Reading a whole portal takes time that grows with its history (tens of milliseconds at
//! 50,000 changes, see `benches/history_growth.rs`), while the changes since the last read are
//! usually one or two, with a handful of operations. Tracing each operation to its place in the
//! document costs a few lookups, so every view can tell in microseconds whether it must look
//! again.

use std::collections::BTreeSet;

use automerge::legacy::{Key, ObjectId};
use automerge::{Automerge, ChangeHash, Prop, ReadDoc};

/// More changes than this since the last read (a long sync) are not traced one by one: every
/// view looks again, which then costs less than the tracing would.
const MAX_TRACED_OPS: usize = 2_000;

/// The parts of a document that changed between two states of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Touched {
    /// Anything may have changed (the first read, or too much to trace).
    pub everything: bool,
    /// Top-level keys (`tasks`, `intake`, `welcome`, `stage`, ...) under which something changed.
    pub keys: BTreeSet<String>,
    /// Tasks, by id, that were added, changed, commented on or removed.
    pub tasks: BTreeSet<String>,
}

impl Touched {
    pub fn everything() -> Self {
        Self {
            everything: true,
            ..Self::default()
        }
    }

    /// Whether anything under any of these top-level keys may have changed.
    pub fn any(&self, keys: &[&str]) -> bool {
        self.everything || keys.iter().any(|k| self.keys.contains(*k))
    }

    /// Whether the changes touched nothing at all.
    pub fn is_empty(&self) -> bool {
        !self.everything && self.keys.is_empty()
    }
}

/// What changed in `doc` since the state with heads `since` (empty: since nothing).
pub fn touched(doc: &Automerge, since: &[ChangeHash]) -> Touched {
    if since.is_empty() {
        return Touched::everything();
    }
    let mut result = Touched::default();
    let mut traced = 0;
    for change in doc.get_changes(since) {
        let expanded = change.decode();
        traced += expanded.operations.len();
        if traced > MAX_TRACED_OPS {
            return Touched::everything();
        }
        for op in expanded.operations {
            if trace(doc, &op.obj, &op.key, &mut result).is_none() {
                return Touched::everything();
            }
        }
    }
    result
}

/// Record where one operation landed; `None` if it cannot be placed.
fn trace(doc: &Automerge, obj: &ObjectId, key: &Key, result: &mut Touched) -> Option<()> {
    let ObjectId::Id(op_id) = obj else {
        // An operation on the root names its top-level key itself.
        if let Key::Map(name) = key {
            result.keys.insert(name.to_string());
        }
        return Some(());
    };
    let obj = doc.import_obj(&op_id.to_string()).ok()?;
    // The path from the object up to the root: the root's entry names the top-level key, and
    // the entry just below it (or the operation's own key, on the tasks map) names the task.
    let path: Vec<_> = doc.parents(&obj).ok()?.collect();
    let top = path.last()?;
    let Prop::Map(top_key) = &top.prop else {
        return None;
    };
    result.keys.insert(top_key.clone());
    if top_key == "tasks" {
        let task = match path.len() {
            1 => match key {
                Key::Map(task) => task.to_string(),
                Key::Seq(_) => return None,
            },
            n => match &path[n - 2].prop {
                Prop::Map(task) => task.clone(),
                Prop::Seq(_) => return None,
            },
        };
        result.tasks.insert(task);
    }
    Some(())
}

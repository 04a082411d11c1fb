//! One map of a document read in a single pass.
//!
//! Reading a map key by key (`ReadDoc::get`) searches the document's operations once per key,
//! and that search grows with the history: on a portal with 50,000 changes, reading 1,000 tasks
//! field by field took half a second natively. `map_range` walks a map's operations once, so
//! readers of many small maps (tasks, comments, intake fields and answers) take a [`Record`] of
//! each and look keys up in it (see `benches/history_growth.rs`).

use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};
use chrono::{DateTime, NaiveDate, Utc};

use crate::doc::{field, ModelError};

/// The winning value of every key of one map, in key order.
pub(crate) struct Record {
    entries: Vec<(String, Entry)>,
}

enum Entry {
    Scalar(ScalarValue),
    Object(ObjType, ObjId),
}

impl Record {
    pub(crate) fn read(doc: &impl ReadDoc, obj: &ObjId) -> Self {
        let entries = doc
            .map_range(obj, ..)
            .map(|item| {
                let key = item.key.to_string();
                let entry = match Value::from(item.value.clone()) {
                    Value::Object(kind) => Entry::Object(kind, item.id()),
                    Value::Scalar(scalar) => Entry::Scalar(scalar.into_owned()),
                };
                (key, entry)
            })
            .collect::<Vec<_>>();
        // Lookups binary-search by key; sorting here keeps them right whatever order the
        // document's key ordering is.
        let mut entries = entries;
        entries.sort_by(|(a, _), (b, _)| a.cmp(b));
        Self { entries }
    }

    fn get(&self, key: &str) -> Option<&Entry> {
        self.entries
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// A string, whether stored as a plain string or as collaborative text.
    pub(crate) fn string(
        &self,
        doc: &impl ReadDoc,
        key: &str,
    ) -> Result<Option<String>, ModelError> {
        Ok(match self.get(key) {
            Some(Entry::Scalar(ScalarValue::Str(text))) => Some(text.to_string()),
            Some(Entry::Object(ObjType::Text, id)) => Some(doc.text(id)?),
            _ => None,
        })
    }

    pub(crate) fn boolean(&self, key: &str) -> Option<bool> {
        self.scalar(key).and_then(field::boolean_of)
    }

    pub(crate) fn number(&self, key: &str) -> Option<f64> {
        match self.get(key) {
            Some(Entry::Scalar(ScalarValue::F64(n))) => Some(*n),
            Some(Entry::Scalar(ScalarValue::Int(n))) => Some(*n as f64),
            Some(Entry::Scalar(ScalarValue::Uint(n))) => Some(*n as f64),
            _ => None,
        }
    }

    /// A whole, non-negative number, read as [`field::uint`] reads it.
    pub(crate) fn uint(&self, key: &str) -> Option<u64> {
        self.scalar(key).and_then(field::uint_of)
    }

    pub(crate) fn timestamp(&self, key: &str) -> Option<DateTime<Utc>> {
        self.scalar(key).and_then(field::timestamp_of)
    }

    fn scalar(&self, key: &str) -> Option<&ScalarValue> {
        match self.get(key) {
            Some(Entry::Scalar(s)) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn date(
        &self,
        doc: &impl ReadDoc,
        key: &str,
    ) -> Result<Option<NaiveDate>, ModelError> {
        Ok(self
            .string(doc, key)?
            .and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()))
    }

    pub(crate) fn map(&self, key: &str) -> Option<&ObjId> {
        match self.get(key) {
            Some(Entry::Object(ObjType::Map, id)) => Some(id),
            _ => None,
        }
    }

    /// The keys whose values are maps, with those maps: the items of a map of items.
    pub(crate) fn maps(&self) -> impl Iterator<Item = (&str, &ObjId)> {
        self.entries.iter().filter_map(|(key, entry)| match entry {
            Entry::Object(ObjType::Map, id) => Some((key.as_str(), id)),
            _ => None,
        })
    }
}

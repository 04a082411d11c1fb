//! Tolerant readers and idempotent creators for document fields.
//!
//! Documents may be written by the stock JS client, where strings are collaborative text by
//! default, or by an older or newer Threshold. Readers therefore accept either shape and return
//! `None` rather than failing on a field they cannot interpret.

use automerge::transaction::Transactable;
use automerge::{ChangeHash, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use chrono::{DateTime, Utc};

use crate::doc::ModelError;

pub(crate) fn string(
    doc: &impl ReadDoc,
    obj: &ObjId,
    key: &str,
) -> Result<Option<String>, ModelError> {
    Ok(match doc.get(obj, key)? {
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(text) => Some(text.to_string()),
            _ => None,
        },
        Some((Value::Object(ObjType::Text), id)) => Some(doc.text(&id)?),
        _ => None,
    })
}

/// [`string`] as the document was at `heads`.
pub(crate) fn string_at(
    doc: &impl ReadDoc,
    obj: &ObjId,
    key: &str,
    heads: &[ChangeHash],
) -> Result<Option<String>, ModelError> {
    Ok(match doc.get_at(obj, key, heads)? {
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(text) => Some(text.to_string()),
            _ => None,
        },
        Some((Value::Object(ObjType::Text), id)) => Some(doc.text_at(&id, heads)?),
        _ => None,
    })
}

pub(crate) fn uint(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Result<Option<u64>, ModelError> {
    Ok(match doc.get(obj, key)? {
        Some((Value::Scalar(s), _)) => uint_of(&s),
        _ => None,
    })
}

pub(crate) fn uint_of(s: &ScalarValue) -> Option<u64> {
    match s {
        ScalarValue::Uint(n) => Some(*n),
        ScalarValue::Int(n) => u64::try_from(*n).ok(),
        ScalarValue::F64(n) if *n >= 0.0 && n.fract() == 0.0 => Some(*n as u64),
        _ => None,
    }
}

/// The readings of one stored scalar, shared by the key-by-key readers here and by
/// [`crate::doc::record::Record`].
pub(crate) fn boolean_of(s: &ScalarValue) -> Option<bool> {
    match s {
        ScalarValue::Boolean(b) => Some(*b),
        _ => None,
    }
}

pub(crate) fn timestamp_of(s: &ScalarValue) -> Option<DateTime<Utc>> {
    let millis = match s {
        ScalarValue::Timestamp(ms) | ScalarValue::Int(ms) => Some(*ms),
        ScalarValue::Uint(ms) => i64::try_from(*ms).ok(),
        ScalarValue::F64(ms) => Some(*ms as i64),
        _ => None,
    };
    millis.and_then(DateTime::from_timestamp_millis)
}

pub(crate) fn timestamp(
    doc: &impl ReadDoc,
    obj: &ObjId,
    key: &str,
) -> Result<Option<DateTime<Utc>>, ModelError> {
    Ok(match doc.get(obj, key)? {
        Some((Value::Scalar(s), _)) => timestamp_of(&s),
        _ => None,
    })
}

pub(crate) fn put_timestamp(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    at: DateTime<Utc>,
) -> Result<(), ModelError> {
    tx.put(obj, key, ScalarValue::Timestamp(at.timestamp_millis()))?;
    Ok(())
}

/// The map at `key`, if there is one.
pub(crate) fn map(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Result<Option<ObjId>, ModelError> {
    Ok(match doc.get(obj, key)? {
        Some((Value::Object(ObjType::Map), id)) => Some(id),
        _ => None,
    })
}

/// The map at `key`, created if missing. Creating only when missing matters: putting a new map
/// over an existing one would discard concurrent entries.
pub(crate) fn ensure_map(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
) -> Result<ObjId, ModelError> {
    match map(tx, obj, key)? {
        Some(id) => Ok(id),
        None => Ok(tx.put_object(obj, key, ObjType::Map)?),
    }
}

/// The text object at `key`, created (keeping any plain-string content) if missing.
pub(crate) fn ensure_text(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
) -> Result<ObjId, ModelError> {
    if let Some((Value::Object(ObjType::Text), id)) = tx.get(obj, key)? {
        return Ok(id);
    }
    let previous = string(tx, obj, key)?.unwrap_or_default();
    let id = tx.put_object(obj, key, ObjType::Text)?;
    if !previous.is_empty() {
        tx.splice_text(&id, 0, 0, &previous)?;
    }
    Ok(id)
}

/// The items of the map at `key` (items keyed by stable id), as (id, object) pairs.
pub(crate) fn items(
    doc: &impl ReadDoc,
    obj: &ObjId,
    key: &str,
) -> Result<Vec<(String, ObjId)>, ModelError> {
    let Some(map_obj) = map(doc, obj, key)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in doc.keys(&map_obj) {
        if let Some(id) = map(doc, &map_obj, &item)? {
            out.push((item, id));
        }
    }
    Ok(out)
}

/// The item `id` in the map at `key`, if it exists.
pub(crate) fn item(
    doc: &impl ReadDoc,
    obj: &ObjId,
    key: &str,
    id: &str,
) -> Result<Option<ObjId>, ModelError> {
    match map(doc, obj, key)? {
        Some(map_obj) => map(doc, &map_obj, id),
        None => Ok(None),
    }
}

/// The item `id` in the map at `key`, or an error naming it: for edits, which need it to exist.
pub(crate) fn existing_item(
    doc: &impl ReadDoc,
    obj: &ObjId,
    key: &str,
    id: &str,
) -> Result<ObjId, ModelError> {
    item(doc, obj, key, id)?.ok_or_else(|| ModelError::NoSuchItem(id.to_owned()))
}

/// A new, empty item `id` in the map at `key` (the map is created if missing).
pub(crate) fn new_item(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    id: &str,
) -> Result<ObjId, ModelError> {
    let map_obj = ensure_map(tx, obj, key)?;
    Ok(tx.put_object(&map_obj, id, ObjType::Map)?)
}

pub(crate) fn delete_item(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    id: &str,
) -> Result<(), ModelError> {
    if let Some(map_obj) = map(tx, obj, key)? {
        tx.delete(&map_obj, id)?;
    }
    Ok(())
}

pub(crate) fn put_date(
    tx: &mut impl Transactable,
    obj: &ObjId,
    key: &str,
    value: Option<chrono::NaiveDate>,
) -> Result<(), ModelError> {
    match value {
        Some(d) => tx.put(obj, key, d.format("%Y-%m-%d").to_string())?,
        None => tx.delete(obj, key)?,
    }
    Ok(())
}

//! The portal as JSON, for the client to keep: every key of the document, in a shape any tool
//! can read without Automerge. `model/schema/portal-export.schema.json` describes it; the
//! end-to-end test validates a real export against that schema.

use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value, ROOT};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value as Json};

use crate::doc::ModelError;

/// The name of the export format, checked by whoever reads one back.
pub const EXPORT_FORMAT: &str = "threshold-portal-export";

/// `{ format, version, exportedAt, document }`, where `document` is the whole document: maps
/// as objects, lists as arrays, text as strings, timestamps as RFC 3339 strings.
pub fn export_json(doc: &impl ReadDoc, now: DateTime<Utc>) -> Result<Json, ModelError> {
    export_json_named(doc, now, &|_| None)
}

/// [`export_json`], with each signature's signer: `signerActor`, the actor that made it (what
/// the relay binds to a person), and `signedBy`, the person `name_of` gives for that actor (the
/// relay's authors, as the exporting app knows them), so the file says who signed without
/// trusting a name written in the document.
pub fn export_json_named(
    doc: &impl ReadDoc,
    now: DateTime<Utc>,
    name_of: &dyn Fn(&str) -> Option<String>,
) -> Result<Json, ModelError> {
    let mut document = object(doc, &ROOT, ObjType::Map)?;
    if let Some(Json::Object(signatures)) = document.get_mut("signatures") {
        for s in crate::onboarding::read_signatures(doc)? {
            let (Some(Json::Object(entry)), Some(actor)) =
                (signatures.get_mut(s.id.as_str()), s.signer)
            else {
                continue;
            };
            let actor = actor.to_hex_string();
            if let Some(name) = name_of(&actor) {
                entry.insert("signedBy".into(), Json::String(name));
            }
            entry.insert("signerActor".into(), Json::String(actor));
        }
    }
    Ok(json!({
        "format": EXPORT_FORMAT,
        "version": 1,
        "exportedAt": now.to_rfc3339(),
        "document": document,
    }))
}

fn object(doc: &impl ReadDoc, obj: &ObjId, kind: ObjType) -> Result<Json, ModelError> {
    Ok(match kind {
        ObjType::Text => Json::String(doc.text(obj)?),
        ObjType::List => {
            let mut items = Vec::new();
            for item in doc.list_range(obj, ..) {
                items.push(value(doc, Value::from(item.value.clone()), &item.id())?);
            }
            Json::Array(items)
        }
        ObjType::Map | ObjType::Table => {
            let mut map = Map::new();
            for item in doc.map_range(obj, ..) {
                let v = value(doc, Value::from(item.value.clone()), &item.id())?;
                map.insert(item.key.to_string(), v);
            }
            Json::Object(map)
        }
    })
}

fn value(doc: &impl ReadDoc, v: Value<'_>, id: &ObjId) -> Result<Json, ModelError> {
    Ok(match v {
        Value::Object(kind) => object(doc, id, kind)?,
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => Json::String(s.to_string()),
            ScalarValue::Int(n) => json!(n),
            ScalarValue::Uint(n) => json!(n),
            ScalarValue::F64(n) => json!(n),
            ScalarValue::Counter(c) => json!(i64::from(c)),
            ScalarValue::Timestamp(ms) => DateTime::from_timestamp_millis(*ms)
                .map(|t| Json::String(t.to_rfc3339()))
                .unwrap_or(Json::Null),
            ScalarValue::Boolean(b) => json!(b),
            ScalarValue::Null => Json::Null,
            ScalarValue::Bytes(bytes) | ScalarValue::Unknown { bytes, .. } => {
                Json::String(bytes.iter().map(|b| format!("{b:02x}")).collect())
            }
        },
    })
}

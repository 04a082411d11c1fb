//! An optional document id in JSON as its text form (`"2Lm…"` or `null`), for
//! `#[serde(with = "…")]`: the protocol crate keeps no serde dependency.

use serde::{Deserialize, Deserializer, Serializer};
use threshold_protocol::DocumentId;

pub fn serialize<S: Serializer>(id: &Option<DocumentId>, s: S) -> Result<S::Ok, S::Error> {
    match id {
        Some(id) => s.serialize_some(&id.to_string()),
        None => s.serialize_none(),
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DocumentId>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    text.map(|t| t.parse().map_err(serde::de::Error::custom))
        .transpose()
}

//! The automerge-repo protocol v1 messages and their CBOR encoding.
//!
//! Messages are CBOR maps with camelCase string keys, as the JS client's `cbor-x` encoder writes
//! them (`useRecords: false`, byte strings untagged). Decoding goes through `ciborium::Value`
//! rather than serde derive so that unknown message types and unknown fields from newer clients
//! are tolerated instead of rejected.

use ciborium::Value;

use crate::{DocumentId, PeerId, PeerMetadata};

/// The only protocol version this engine speaks.
pub const PROTOCOL_V1: &str = "1";

#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// Client → server: the first message on a connection.
    Join {
        sender_id: PeerId,
        peer_metadata: PeerMetadata,
        supported_protocol_versions: Vec<String>,
    },
    /// Server → client: the answer to `join`.
    Peer {
        sender_id: PeerId,
        target_id: PeerId,
        peer_metadata: PeerMetadata,
        selected_protocol_version: String,
    },
    /// Either way: the sender is about to close the connection.
    Error {
        sender_id: PeerId,
        target_id: PeerId,
        message: String,
    },
    Leave {
        sender_id: PeerId,
    },
    /// The first sync message for a document the sender does not have yet.
    Request(DocMessage),
    Sync(DocMessage),
    DocUnavailable {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
    },
    Ephemeral {
        sender_id: PeerId,
        target_id: PeerId,
        document_id: DocumentId,
        count: u64,
        session_id: String,
        data: Vec<u8>,
    },
    /// A message type this engine does not act on (for example `remote-heads-changed`). It is
    /// decoded so that it can be ignored rather than treated as malformed.
    Other {
        kind: String,
    },
}

/// The body shared by `request` and `sync`: an automerge sync message for one document.
#[derive(Clone, Debug, PartialEq)]
pub struct DocMessage {
    pub sender_id: PeerId,
    pub target_id: PeerId,
    pub document_id: DocumentId,
    pub data: Vec<u8>,
}

/// Why a frame is not a protocol message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("frame is not valid CBOR: {0}")]
    Cbor(String),
    #[error("message is not a CBOR map")]
    NotAMap,
    #[error("message has no `{0}` field of the right type")]
    MissingField(&'static str),
    #[error("invalid documentId: {0}")]
    DocumentId(String),
}

impl Message {
    pub fn kind(&self) -> &str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Error { .. } => "error",
            Message::Leave { .. } => "leave",
            Message::Request(_) => "request",
            Message::Sync(_) => "sync",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ephemeral { .. } => "ephemeral",
            Message::Other { kind } => kind,
        }
    }

    /// The document a message is about, if any.
    pub fn document_id(&self) -> Option<DocumentId> {
        match self {
            Message::Request(m) | Message::Sync(m) => Some(m.document_id),
            Message::DocUnavailable { document_id, .. }
            | Message::Ephemeral { document_id, .. } => Some(*document_id),
            _ => None,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut map: Vec<(Value, Value)> = vec![(text("type"), text(self.kind()))];
        let mut put = |k: &str, v: Value| map.push((text(k), v));
        match self {
            Message::Join {
                sender_id,
                peer_metadata,
                supported_protocol_versions,
            } => {
                put("senderId", text(sender_id.as_str()));
                put("peerMetadata", encode_metadata(peer_metadata));
                put(
                    "supportedProtocolVersions",
                    Value::Array(
                        supported_protocol_versions
                            .iter()
                            .map(|v| text(v))
                            .collect(),
                    ),
                );
            }
            Message::Peer {
                sender_id,
                target_id,
                peer_metadata,
                selected_protocol_version,
            } => {
                put("senderId", text(sender_id.as_str()));
                put("targetId", text(target_id.as_str()));
                put("peerMetadata", encode_metadata(peer_metadata));
                put("selectedProtocolVersion", text(selected_protocol_version));
            }
            Message::Error {
                sender_id,
                target_id,
                message,
            } => {
                put("senderId", text(sender_id.as_str()));
                put("targetId", text(target_id.as_str()));
                put("message", text(message));
            }
            Message::Leave { sender_id } => put("senderId", text(sender_id.as_str())),
            Message::Request(m) | Message::Sync(m) => {
                put("senderId", text(m.sender_id.as_str()));
                put("targetId", text(m.target_id.as_str()));
                put("documentId", text(&m.document_id.to_string()));
                put("data", Value::Bytes(m.data.clone()));
            }
            Message::DocUnavailable {
                sender_id,
                target_id,
                document_id,
            } => {
                put("senderId", text(sender_id.as_str()));
                put("targetId", text(target_id.as_str()));
                put("documentId", text(&document_id.to_string()));
            }
            Message::Ephemeral {
                sender_id,
                target_id,
                document_id,
                count,
                session_id,
                data,
            } => {
                put("senderId", text(sender_id.as_str()));
                put("targetId", text(target_id.as_str()));
                put("documentId", text(&document_id.to_string()));
                put("count", Value::Integer((*count).into()));
                put("sessionId", text(session_id));
                put("data", Value::Bytes(data.clone()));
            }
            Message::Other { .. } => {}
        }
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = ciborium::into_writer(&Value::Map(map), &mut out);
        out
    }

    pub fn decode(frame: &[u8]) -> Result<Self, DecodeError> {
        let value: Value =
            ciborium::from_reader(frame).map_err(|e| DecodeError::Cbor(e.to_string()))?;
        let Value::Map(entries) = value else {
            return Err(DecodeError::NotAMap);
        };
        let fields = Fields(&entries);
        let kind = fields.text("type")?;
        let sender = || fields.text("senderId").map(PeerId::new);
        let target = || fields.text("targetId").map(PeerId::new);
        let document_id = || {
            fields
                .text("documentId")?
                .parse::<DocumentId>()
                .map_err(|e| DecodeError::DocumentId(e.to_string()))
        };
        let doc_message = || -> Result<DocMessage, DecodeError> {
            Ok(DocMessage {
                sender_id: sender()?,
                target_id: target()?,
                document_id: document_id()?,
                data: fields.bytes("data")?,
            })
        };
        Ok(match kind.as_str() {
            "join" => Message::Join {
                sender_id: sender()?,
                peer_metadata: fields.metadata(),
                // A client that lists no versions is taken to speak v1, as the JS server does.
                supported_protocol_versions: fields
                    .get("supportedProtocolVersions")
                    .and_then(|v| v.as_array())
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(|i| i.as_text().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_else(|| vec![PROTOCOL_V1.to_owned()]),
            },
            "peer" => Message::Peer {
                sender_id: sender()?,
                target_id: target()?,
                peer_metadata: fields.metadata(),
                selected_protocol_version: fields
                    .text("selectedProtocolVersion")
                    .unwrap_or_else(|_| PROTOCOL_V1.to_owned()),
            },
            "error" => Message::Error {
                sender_id: sender()?,
                target_id: target().unwrap_or_else(|_| PeerId::new("")),
                message: fields.text("message").unwrap_or_default(),
            },
            "leave" => Message::Leave {
                sender_id: sender()?,
            },
            "request" => Message::Request(doc_message()?),
            "sync" => Message::Sync(doc_message()?),
            "doc-unavailable" => Message::DocUnavailable {
                sender_id: sender()?,
                target_id: target()?,
                document_id: document_id()?,
            },
            "ephemeral" => Message::Ephemeral {
                sender_id: sender()?,
                target_id: target()?,
                document_id: document_id()?,
                count: fields.uint("count")?,
                session_id: fields.text("sessionId")?,
                data: fields.bytes("data")?,
            },
            _ => Message::Other { kind },
        })
    }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_owned())
}

fn encode_metadata(meta: &PeerMetadata) -> Value {
    let mut map = Vec::new();
    if let Some(storage_id) = &meta.storage_id {
        map.push((text("storageId"), text(storage_id)));
    }
    map.push((text("isEphemeral"), Value::Bool(meta.is_ephemeral)));
    Value::Map(map)
}

struct Fields<'a>(&'a [(Value, Value)]);

impl Fields<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(k, _)| k.as_text() == Some(key))
            .map(|(_, v)| v)
    }

    fn text(&self, key: &'static str) -> Result<String, DecodeError> {
        self.get(key)
            .and_then(|v| v.as_text())
            .map(str::to_owned)
            .ok_or(DecodeError::MissingField(key))
    }

    fn bytes(&self, key: &'static str) -> Result<Vec<u8>, DecodeError> {
        match self.get(key) {
            Some(Value::Bytes(b)) => Ok(b.clone()),
            // cbor-x tags typed arrays when asked to; accept a tagged byte string too.
            Some(Value::Tag(_, inner)) => match inner.as_ref() {
                Value::Bytes(b) => Ok(b.clone()),
                _ => Err(DecodeError::MissingField(key)),
            },
            _ => Err(DecodeError::MissingField(key)),
        }
    }

    fn uint(&self, key: &'static str) -> Result<u64, DecodeError> {
        match self.get(key) {
            Some(Value::Integer(i)) => {
                u64::try_from(*i).map_err(|_| DecodeError::MissingField(key))
            }
            // JS numbers may arrive as floats; a whole, non-negative one is a count.
            Some(Value::Float(f)) if *f >= 0.0 && f.fract() == 0.0 && *f < u64::MAX as f64 => {
                Ok(*f as u64)
            }
            _ => Err(DecodeError::MissingField(key)),
        }
    }

    fn metadata(&self) -> PeerMetadata {
        let Some(Value::Map(entries)) = self.get("peerMetadata") else {
            return PeerMetadata::default();
        };
        let inner = Fields(entries);
        PeerMetadata {
            storage_id: inner.text("storageId").ok(),
            is_ephemeral: matches!(inner.get("isEphemeral"), Some(Value::Bool(true))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_message() -> DocMessage {
        DocMessage {
            sender_id: PeerId::new("a"),
            target_id: PeerId::new("b"),
            document_id: DocumentId::random(),
            data: vec![0x42, 1, 2, 3],
        }
    }

    #[test]
    fn every_message_round_trips() {
        let doc = DocumentId::random();
        let messages = vec![
            Message::Join {
                sender_id: PeerId::new("client"),
                peer_metadata: PeerMetadata {
                    storage_id: Some("s1".into()),
                    is_ephemeral: false,
                },
                supported_protocol_versions: vec!["1".into()],
            },
            Message::Peer {
                sender_id: PeerId::new("server"),
                target_id: PeerId::new("client"),
                peer_metadata: PeerMetadata::default(),
                selected_protocol_version: "1".into(),
            },
            Message::Error {
                sender_id: PeerId::new("server"),
                target_id: PeerId::new("client"),
                message: "nope".into(),
            },
            Message::Leave {
                sender_id: PeerId::new("client"),
            },
            Message::Request(doc_message()),
            Message::Sync(doc_message()),
            Message::DocUnavailable {
                sender_id: PeerId::new("a"),
                target_id: PeerId::new("b"),
                document_id: doc,
            },
            Message::Ephemeral {
                sender_id: PeerId::new("a"),
                target_id: PeerId::new("b"),
                document_id: doc,
                count: 7,
                session_id: "abc".into(),
                data: vec![1, 2],
            },
        ];
        for message in messages {
            assert_eq!(Message::decode(&message.encode()), Ok(message));
        }
    }

    #[test]
    fn unknown_types_are_tolerated() {
        let value = Value::Map(vec![
            (text("type"), text("remote-heads-changed")),
            (text("senderId"), text("a")),
        ]);
        let mut frame = Vec::new();
        ciborium::into_writer(&value, &mut frame).expect("encodes");
        assert_eq!(
            Message::decode(&frame),
            Ok(Message::Other {
                kind: "remote-heads-changed".into()
            })
        );
    }

    #[test]
    fn malformed_frames_are_errors_not_panics() {
        assert!(matches!(
            Message::decode(&[0xff, 0x00]),
            Err(DecodeError::Cbor(_))
        ));
        let mut frame = Vec::new();
        ciborium::into_writer(&Value::Integer(3.into()), &mut frame).expect("encodes");
        assert_eq!(Message::decode(&frame), Err(DecodeError::NotAMap));
        let sync_without_doc = Value::Map(vec![
            (text("type"), text("sync")),
            (text("senderId"), text("a")),
            (text("targetId"), text("b")),
            (text("data"), Value::Bytes(vec![1])),
        ]);
        let mut frame = Vec::new();
        ciborium::into_writer(&sync_without_doc, &mut frame).expect("encodes");
        assert_eq!(
            Message::decode(&frame),
            Err(DecodeError::MissingField("documentId"))
        );
    }
}

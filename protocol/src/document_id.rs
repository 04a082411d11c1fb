//! The automerge-repo document id: 16 random bytes, written as base58check.

use std::fmt;
use std::str::FromStr;

/// A document id exactly as automerge-repo spells it, so that `automerge:<id>` URLs made by the
/// stock JS client and by Threshold name the same document.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId([u8; 16]);

/// Why a string is not a document id.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DocumentIdError {
    #[error("document id is not valid base58check: {0}")]
    Encoding(String),
    #[error("document id must be 16 bytes, found {0}")]
    Length(usize),
}

impl DocumentId {
    /// A fresh random id (a v4 UUID, as automerge-repo makes them).
    pub fn random() -> Self {
        Self(*uuid::Uuid::new_v4().as_bytes())
    }

    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The `automerge:` URL of this document, as the JS client accepts it in `repo.find`.
    pub fn to_url(&self) -> String {
        format!("automerge:{self}")
    }

    /// Accepts either a bare id or an `automerge:` URL (heads after `#` are ignored).
    pub fn parse_any(input: &str) -> Result<Self, DocumentIdError> {
        let bare = input.strip_prefix("automerge:").unwrap_or(input);
        let bare = bare.split('#').next().unwrap_or(bare);
        bare.parse()
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl fmt::Debug for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DocumentId({self})")
    }
}

impl FromStr for DocumentId {
    type Err = DocumentIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|e| DocumentIdError::Encoding(e.to_string()))?;
        let array: [u8; 16] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| DocumentIdError::Length(bytes.len()))?;
        Ok(Self(array))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        let id = DocumentId::random();
        let text = id.to_string();
        assert_eq!(text.parse::<DocumentId>(), Ok(id));
        assert_eq!(DocumentId::parse_any(&id.to_url()), Ok(id));
    }

    #[test]
    fn reads_an_id_made_by_the_js_client() {
        // This id comes from the automerge-repo documentation.
        let id: DocumentId = "4NMNnkMhL8jXrdJ9jamS58PAVdXu".parse().expect("valid id");
        assert_eq!(id.to_string(), "4NMNnkMhL8jXrdJ9jamS58PAVdXu");
    }

    #[test]
    fn rejects_a_corrupted_checksum() {
        assert!("4NMNnkMhL8jXrdJ9jamS58PAVdXv"
            .parse::<DocumentId>()
            .is_err());
        assert!("not base58 0OIl".parse::<DocumentId>().is_err());
    }
}

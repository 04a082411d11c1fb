//! Typed-name signatures on the documents of the exchange: the name a person typed, when, and
//! which file version it covers. Who signed is not written here: it is the actor that created
//! the signature, which the relay binds to the person whose token first used it, so the app
//! names the signer from the relay's authors, never from the document.
//!
//! Shape, inside the portal document:
//! ```text
//! signatures: { <signatureId>: { document: <exchangeId>, typedName, at: ts,
//!                                fileHash: "<64 hex>" (when a file was attached) } }
//! ```
//! A root collection, not a map inside each document: it exists with the portal, so two people
//! signing at once never each create a map that replaces the other's, and a signature outlives
//! the removal of its document as part of the record.

use automerge::transaction::Transactable;
use automerge::{ActorId, ObjId, ReadDoc, ROOT};
use chrono::{DateTime, Utc};

use crate::doc::limits::{self, Text};
use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::Part;
use crate::doc::{field, ExchangeId, ModelError, SignatureId};
use crate::portal::is_blob_hash;

/// One signature as stored, with the actor that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub id: SignatureId,
    pub document: ExchangeId,
    /// The name the signer typed, kept as typed: it is what they agreed to.
    pub typed_name: String,
    pub at: Option<DateTime<Utc>>,
    /// The SHA-256 of the file the signature covers, when the document had one.
    pub file_hash: Option<String>,
    /// The actor that created the signature: who signed, once the relay's authors name it.
    pub signer: Option<ActorId>,
}

/// What a person signs: the name they type and their consent, given in the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureSpec {
    pub typed_name: String,
    /// "I agree this is my signature": without it nothing is signed.
    pub consent: bool,
    /// The SHA-256 of the document's file being signed, if it has one.
    pub file_hash: Option<String>,
}

/// Why a signature could not be recorded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("Tick “I agree this is my signature” to sign.")]
    NoConsent,
    #[error("The file to sign is not one this portal holds.")]
    BadFileHash,
}

/// Record a signature on document `document`, as the person whose device makes the change.
pub fn sign_document(
    tx: &mut impl Transactable,
    document: &ExchangeId,
    spec: &SignatureSpec,
    at: DateTime<Utc>,
) -> Result<SignatureId, ModelError> {
    let typed = limits::checked(Text::TypedSignature, &spec.typed_name)?;
    if !spec.consent {
        return Err(SignError::NoConsent.into());
    }
    if spec.file_hash.as_deref().is_some_and(|h| !is_blob_hash(h)) {
        return Err(SignError::BadFileHash.into());
    }
    // The document must exist: a signature on nothing records nothing.
    field::existing_item(tx, &ROOT, "exchange", document.as_str())?;
    schema::upgrade(tx, DocKind::Portal)?;
    let id = SignatureId::new();
    let obj = field::new_item(tx, &ROOT, SIGNATURES_KEY, id.as_str())?;
    tx.put(&obj, "document", document.as_str())?;
    tx.put(&obj, "typedName", typed)?;
    field::put_timestamp(tx, &obj, "at", at)?;
    if let Some(hash) = &spec.file_hash {
        tx.put(&obj, "fileHash", hash.as_str())?;
    }
    Ok(id)
}

pub(crate) const SIGNATURES_KEY: &str = "signatures";

fn read_one(doc: &impl ReadDoc, id: &str, obj: &ObjId) -> Result<Option<Signature>, ModelError> {
    let r = Record::read(doc, obj);
    let Some(document) = r.string(doc, "document")? else {
        return Ok(None);
    };
    let signer = match obj {
        ObjId::Id(_, actor, _) => Some(actor.clone()),
        ObjId::Root => None,
    };
    Ok(Some(Signature {
        id: SignatureId::from_string(id),
        document: ExchangeId::from_string(&document),
        typed_name: r.string(doc, "typedName")?.unwrap_or_default(),
        at: r.timestamp("at"),
        file_hash: r.string(doc, "fileHash")?.filter(|h| is_blob_hash(h)),
        signer,
    }))
}

/// Every signature, oldest first (ties by id, so every device shows the same order).
pub fn read_signatures(doc: &impl ReadDoc) -> Result<Vec<Signature>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, SIGNATURES_KEY)? {
        out.extend(read_one(doc, &id, &obj)?);
    }
    out.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    Ok(out)
}

/// The signatures on one document, oldest first.
pub fn signatures_of(all: &[Signature], document: &ExchangeId) -> Vec<Signature> {
    all.iter()
        .filter(|s| &s.document == document)
        .cloned()
        .collect()
}

/// The document a stored signature is on, as it is after the change being judged: the
/// permission rules read it.
pub(crate) fn signature_document(doc: &impl ReadDoc, obj: &ObjId) -> Option<String> {
    field::string(doc, obj, "document").ok().flatten()
}

/// [`read_signatures`] as a [`Part`].
pub const SIGNATURES: Part<Vec<Signature>> = Part {
    keys: &[SIGNATURES_KEY],
    read: |doc| read_signatures(doc),
};

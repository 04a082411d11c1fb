//! Files shared in a portal. A document holds only a reference: the content's SHA-256, name,
//! size and type, who uploaded it and when, and what it is attached to. The bytes live in the
//! relay's blob store under their hash, so a document never carries them.
//!
//! Shape, inside the portal document:
//! ```text
//! files: { <fileId>: { hash: "<64 hex>", name, size: int, type: "<mime>", uploadedBy,
//!                      uploadedAt: ts, attachedTo: "portal"|"field:<id>"|"exchange:<id>"
//!                                                  |"deliverable:<id>"|"task:<id>" } }
//! ```

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::{DateTime, Utc};

use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::Part;
use crate::doc::{field, DeliverableId, ExchangeId, FieldId, FileId, ModelError};
use crate::portal::TaskId;

/// Where in the portal a file belongs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Attachment {
    /// The portal's general files.
    Portal,
    /// The answer to an intake question of type file.
    Field(FieldId),
    /// A document exchange item: the signed NDA, the W-9.
    Exchange(ExchangeId),
    /// A deliverable.
    Deliverable(DeliverableId),
    /// A task's comment thread.
    Task(TaskId),
}

impl Attachment {
    pub fn to_key(&self) -> String {
        match self {
            Attachment::Portal => "portal".to_owned(),
            Attachment::Field(id) => format!("field:{id}"),
            Attachment::Exchange(id) => format!("exchange:{id}"),
            Attachment::Deliverable(id) => format!("deliverable:{id}"),
            Attachment::Task(id) => format!("task:{id}"),
        }
    }

    /// Unknown kinds (from a newer version) read as the portal's general files, so the file
    /// stays visible somewhere.
    pub fn parse(key: &str) -> Self {
        match key.split_once(':') {
            Some(("field", id)) => Attachment::Field(FieldId::from_string(id)),
            Some(("exchange", id)) => Attachment::Exchange(ExchangeId::from_string(id)),
            Some(("deliverable", id)) => Attachment::Deliverable(DeliverableId::from_string(id)),
            Some(("task", id)) => Attachment::Task(TaskId::from_string(id)),
            _ => Attachment::Portal,
        }
    }
}

/// What an upload knows about a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSpec {
    /// SHA-256 of the content, 64 lowercase hex digits.
    pub hash: String,
    pub name: String,
    pub size: u64,
    pub mime: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    pub id: FileId,
    pub spec: FileSpec,
    pub attached_to: Attachment,
    pub uploaded_by: String,
    pub uploaded_at: Option<DateTime<Utc>>,
}

/// Whether `hash` is a SHA-256 as the blob store names them: 64 lowercase hex digits.
pub fn is_blob_hash(hash: &str) -> bool {
    hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A file name safe to show and to save: no path, no control characters, not empty.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        "file".to_owned()
    } else {
        cleaned.to_owned()
    }
}

pub fn add_file(
    tx: &mut impl Transactable,
    spec: &FileSpec,
    attached_to: &Attachment,
    uploaded_by: &str,
    at: DateTime<Utc>,
) -> Result<FileId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    if !is_blob_hash(&spec.hash) {
        return Err(ModelError::Rule(
            "A file is named by the SHA-256 of its content.".into(),
        ));
    }
    let id = FileId::new();
    let obj = field::new_item(tx, &ROOT, "files", id.as_str())?;
    tx.put(&obj, "hash", spec.hash.as_str())?;
    tx.put(&obj, "name", clean_file_name(&spec.name))?;
    tx.put(&obj, "size", spec.size)?;
    tx.put(&obj, "type", spec.mime.trim())?;
    tx.put(&obj, "uploadedBy", uploaded_by)?;
    field::put_timestamp(tx, &obj, "uploadedAt", at)?;
    tx.put(&obj, "attachedTo", attached_to.to_key())?;

    if let Attachment::Field(field_id) = attached_to {
        sync_field_answer(tx, field_id, uploaded_by, at)?;
    }
    Ok(id)
}

pub fn remove_file(
    tx: &mut impl Transactable,
    id: &FileId,
    by: &str,
    at: DateTime<Utc>,
) -> Result<(), ModelError> {
    let attached = read_files(tx)?
        .into_iter()
        .find(|f| &f.id == id)
        .map(|f| f.attached_to);
    field::delete_item(tx, &ROOT, "files", id.as_str())?;
    if let Some(Attachment::Field(field_id)) = attached {
        sync_field_answer(tx, &field_id, by, at)?;
    }
    Ok(())
}

/// A file question's answer is the names of the files attached to it, so the intake's progress,
/// required-field checks and exports treat it like any other answer.
fn sync_field_answer(
    tx: &mut impl Transactable,
    field_id: &FieldId,
    by: &str,
    at: DateTime<Utc>,
) -> Result<(), ModelError> {
    let target = Attachment::Field(field_id.clone());
    let mut names: Vec<String> = read_files(tx)?
        .into_iter()
        .filter(|f| f.attached_to == target)
        .map(|f| f.spec.name)
        .collect();
    names.sort();
    crate::onboarding::set_answer(
        tx,
        field_id,
        &crate::onboarding::AnswerValue::Text(names.join(", ")),
        by,
        at,
    )
}

/// Newest first.
pub fn read_files(doc: &impl ReadDoc) -> Result<Vec<FileRef>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, "files")? {
        let r = Record::read(doc, &obj);
        let Some(hash) = r.string(doc, "hash")?.filter(|h| is_blob_hash(h)) else {
            continue;
        };
        out.push(FileRef {
            id: FileId::from_string(id),
            spec: FileSpec {
                hash,
                name: clean_file_name(&r.string(doc, "name")?.unwrap_or_default()),
                size: r.number("size").unwrap_or(0.0).max(0.0) as u64,
                mime: r.string(doc, "type")?.unwrap_or_default(),
            },
            attached_to: Attachment::parse(&r.string(doc, "attachedTo")?.unwrap_or_default()),
            uploaded_by: r.string(doc, "uploadedBy")?.unwrap_or_default(),
            uploaded_at: r.timestamp("uploadedAt"),
        });
    }
    out.sort_by(|a, b| (b.uploaded_at, &b.id).cmp(&(a.uploaded_at, &a.id)));
    Ok(out)
}

/// [`read_files`] as a [`Part`].
pub const FILES: Part<Vec<FileRef>> = Part {
    keys: &["files"],
    read: |doc| read_files(doc),
};

/// Whether the portal refers to the blob `hash`: the relay lets a client token read or write
/// only blobs its own portal refers to.
pub fn references_blob(doc: &impl ReadDoc, hash: &str) -> Result<bool, ModelError> {
    let Some(files) = field::map(doc, &ROOT, "files")? else {
        return Ok(false);
    };
    for (_, obj) in Record::read(doc, &files).maps() {
        if Record::read(doc, obj).string(doc, "hash")?.as_deref() == Some(hash) {
            return Ok(true);
        }
    }
    Ok(false)
}

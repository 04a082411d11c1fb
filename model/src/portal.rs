//! The `portal` document: one per client, shared by the provider and that client's contacts.
//!
//! Shape (schema 1):
//! ```text
//! { schema: 1, kind: "portal", clientName: str, welcome: Text,
//!   tasks: { <taskId>: { title: str, done: bool, assignee: "provider"|"client", createdAt: ts } } }
//! ```

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ReadDoc, ROOT};
use chrono::{DateTime, Utc};

use crate::record::Record;
use crate::schema::{self, DocKind};
use crate::{field, Assignee, ModelError, Task, TaskId, Touched};

#[derive(Clone, Debug, PartialEq)]
pub struct Portal {
    pub client_name: String,
    pub welcome: String,
    /// In creation order (ties broken by id, so every device shows the same order).
    pub tasks: Vec<Task>,
    pub schema: u64,
}

/// The maps of items a portal holds, created with the document.
const PORTAL_COLLECTIONS: [&str; 19] = [
    "tasks",
    "exchange",
    "milestones",
    "meetings",
    "contacts",
    "links",
    "checkins",
    "people",
    "lastActivity",
    "intake",
    "metrics",
    "deliverables",
    "accessWrapUp",
    "nextSteps",
    "referrals",
    "followUps",
    "offboarding",
    "stageChangedAt",
    "files",
];

/// A new portal document for a client.
pub fn new_portal_doc(client_name: &str, welcome: &str) -> Result<Automerge, ModelError> {
    let mut doc = Automerge::new();
    crate::edit(&mut doc, |tx| {
        schema::stamp(tx, DocKind::Portal)?;
        tx.put(ROOT, "clientName", client_name.trim())?;
        let text = field::ensure_text(tx, &ROOT, "welcome")?;
        tx.splice_text(&text, 0, 0, welcome)?;
        // Every collection exists from the start. Created lazily, two devices adding the first
        // entry at once would each create the collection, and one would replace the other.
        let intake = field::ensure_map(tx, &ROOT, "intake")?;
        field::ensure_map(tx, &intake, "fields")?;
        field::ensure_map(tx, &intake, "answers")?;
        ensure_collections(tx)
    })?;
    Ok(doc)
}

/// Create what a portal made before offboarding existed lacks, before anyone edits it.
pub(crate) fn ensure_collections(tx: &mut impl Transactable) -> Result<(), ModelError> {
    for key in PORTAL_COLLECTIONS {
        field::ensure_map(tx, &ROOT, key)?;
    }
    crate::exit_feedback::ensure_feedback(tx)
}

pub fn read_portal(doc: &impl ReadDoc) -> Result<Portal, ModelError> {
    schema::expect_kind(doc, DocKind::Portal)?;
    let root = Record::read(doc, &ROOT);
    let mut tasks = Vec::new();
    if let Some(tasks_obj) = root.map("tasks") {
        for (key, task_obj) in Record::read(doc, tasks_obj).maps() {
            tasks.push(read_task(doc, key, task_obj)?);
        }
    }
    tasks.sort_by(task_order);
    Ok(Portal {
        client_name: root.string(doc, "clientName")?.unwrap_or_default(),
        welcome: root.string(doc, "welcome")?.unwrap_or_default(),
        tasks,
        schema: schema::schema_version(doc)?,
    })
}

/// The client's name alone, for views that need nothing else of the portal.
pub fn read_client_name(doc: &impl ReadDoc) -> Result<String, ModelError> {
    Ok(field::string(doc, &ROOT, "clientName")?.unwrap_or_default())
}

/// The portal after some changes, given the portal before them and what they touched: only the
/// touched tasks and fields are read again, so the cost follows the edit, not the document.
pub fn read_portal_update(
    doc: &impl ReadDoc,
    previous: &Portal,
    touched: &Touched,
) -> Result<Portal, ModelError> {
    if touched.everything || touched.any(&["kind", "schema"]) {
        return read_portal(doc);
    }
    let mut portal = previous.clone();
    if !touched.any(&["clientName", "welcome", "tasks"]) {
        return Ok(portal);
    }
    let root = Record::read(doc, &ROOT);
    portal.client_name = root.string(doc, "clientName")?.unwrap_or_default();
    portal.welcome = root.string(doc, "welcome")?.unwrap_or_default();
    if !touched.tasks.is_empty() {
        let tasks_obj = root.map("tasks");
        portal
            .tasks
            .retain(|t| !touched.tasks.contains(t.id.as_str()));
        for key in &touched.tasks {
            let Some(tasks_obj) = tasks_obj else { break };
            if let Some(task_obj) = field::map(doc, tasks_obj, key)? {
                portal.tasks.push(read_task(doc, key, &task_obj)?);
            }
        }
        portal.tasks.sort_by(task_order);
    }
    Ok(portal)
}

fn task_order(a: &Task, b: &Task) -> std::cmp::Ordering {
    (a.created_at, &a.id).cmp(&(b.created_at, &b.id))
}

fn read_task(doc: &impl ReadDoc, key: &str, task_obj: &ObjId) -> Result<Task, ModelError> {
    let task = Record::read(doc, task_obj);
    let done = task.boolean("done").unwrap_or(false);
    let status = task
        .string(doc, "status")?
        .and_then(|s| crate::TaskStatus::parse(&s))
        .unwrap_or(if done {
            crate::TaskStatus::Done
        } else {
            crate::TaskStatus::Todo
        });
    let mut comments = Vec::new();
    if let Some(comments_obj) = task.map("comments") {
        for (cid, cobj) in Record::read(doc, comments_obj).maps() {
            let comment = Record::read(doc, cobj);
            comments.push(crate::Comment {
                id: crate::CommentId::from_string(cid.to_owned()),
                author: comment.string(doc, "author")?.unwrap_or_default(),
                body: comment.string(doc, "body")?.unwrap_or_default(),
                at: comment.timestamp("at"),
            });
        }
    }
    comments.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    Ok(Task {
        title: task.string(doc, "title")?.unwrap_or_default(),
        done: status == crate::TaskStatus::Done,
        status,
        person: task
            .string(doc, "person")?
            .filter(|p| !p.is_empty())
            .map(crate::ContactId::from_string),
        comments,
        assignee: Assignee::parse(&task.string(doc, "assignee")?.unwrap_or_default()),
        created_at: task.timestamp("createdAt"),
        due: task.date(doc, "due")?,
        id: TaskId::from_string(key.to_owned()),
    })
}

pub fn set_client_name(tx: &mut impl Transactable, name: &str) -> Result<(), ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    tx.put(ROOT, "clientName", name.trim())?;
    Ok(())
}

/// Replace the welcome message with `new_text`, recorded as the character-level insertions and
/// deletions between the old and new text, so that concurrent typing on two devices merges.
pub fn update_welcome(tx: &mut impl Transactable, new_text: &str) -> Result<(), ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let text = field::ensure_text(tx, &ROOT, "welcome")?;
    tx.update_text(&text, new_text)?;
    Ok(())
}

pub fn add_task(
    tx: &mut impl Transactable,
    title: &str,
    assignee: Assignee,
    now: DateTime<Utc>,
) -> Result<TaskId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let tasks = field::ensure_map(tx, &ROOT, "tasks")?;
    let id = TaskId::new();
    let task = tx.put_object(&tasks, id.as_str(), automerge::ObjType::Map)?;
    tx.put(&task, "title", title.trim())?;
    tx.put(&task, "done", false)?;
    tx.put(&task, "assignee", assignee.as_str())?;
    field::put_timestamp(tx, &task, "createdAt", now)?;
    // The comment thread exists from the start, so concurrent first comments share it.
    tx.put_object(&task, "comments", automerge::ObjType::Map)?;
    Ok(id)
}

fn task_obj(tx: &impl ReadDoc, id: &TaskId) -> Result<automerge::ObjId, ModelError> {
    field::map(tx, &ROOT, "tasks")?
        .and_then(|tasks| field::map(tx, &tasks, id.as_str()).transpose())
        .transpose()?
        .ok_or_else(|| ModelError::NoSuchTask(id.to_string()))
}

pub fn set_task_done(
    tx: &mut impl Transactable,
    id: &TaskId,
    done: bool,
) -> Result<(), ModelError> {
    let status = if done {
        crate::TaskStatus::Done
    } else {
        crate::TaskStatus::Todo
    };
    set_task_status(tx, id, status)
}

/// Set a task's status; `done` follows, so readers of schema 1 keep seeing the right thing.
pub fn set_task_status(
    tx: &mut impl Transactable,
    id: &TaskId,
    status: crate::TaskStatus,
) -> Result<(), ModelError> {
    let task = task_obj(tx, id)?;
    tx.put(&task, "status", status.as_str())?;
    tx.put(&task, "done", status == crate::TaskStatus::Done)?;
    Ok(())
}

/// Assign a task to a side and, optionally, a person on it.
pub fn set_task_person(
    tx: &mut impl Transactable,
    id: &TaskId,
    assignee: Assignee,
    person: Option<&crate::ContactId>,
) -> Result<(), ModelError> {
    let task = task_obj(tx, id)?;
    tx.put(&task, "assignee", assignee.as_str())?;
    tx.put(&task, "person", person.map(|p| p.as_str()).unwrap_or(""))?;
    Ok(())
}

pub fn add_task_comment(
    tx: &mut impl Transactable,
    id: &TaskId,
    author: &str,
    body: &str,
    at: DateTime<Utc>,
) -> Result<crate::CommentId, ModelError> {
    let task = task_obj(tx, id)?;
    let comment = crate::CommentId::new();
    let obj = field::new_item(tx, &task, "comments", comment.as_str())?;
    tx.put(&obj, "author", author)?;
    tx.put(&obj, "body", body.trim())?;
    field::put_timestamp(tx, &obj, "at", at)?;
    Ok(comment)
}

pub fn rename_task(tx: &mut impl Transactable, id: &TaskId, title: &str) -> Result<(), ModelError> {
    let task = task_obj(tx, id)?;
    tx.put(&task, "title", title.trim())?;
    Ok(())
}

pub fn set_task_assignee(
    tx: &mut impl Transactable,
    id: &TaskId,
    assignee: Assignee,
) -> Result<(), ModelError> {
    let task = task_obj(tx, id)?;
    tx.put(&task, "assignee", assignee.as_str())?;
    Ok(())
}

pub fn set_task_due(
    tx: &mut impl Transactable,
    id: &TaskId,
    due: Option<chrono::NaiveDate>,
) -> Result<(), ModelError> {
    let task = task_obj(tx, id)?;
    field::put_date(tx, &task, "due", due)
}

pub fn delete_task(tx: &mut impl Transactable, id: &TaskId) -> Result<(), ModelError> {
    let tasks =
        field::map(tx, &ROOT, "tasks")?.ok_or_else(|| ModelError::NoSuchTask(id.to_string()))?;
    tx.delete(&tasks, id.as_str())?;
    Ok(())
}

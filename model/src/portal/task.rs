//! The plan of a portal: its tasks, each with a status, a side and person, a due date and a
//! comment thread, and the edits to them.
//!
//! Shape, inside the portal document:
//! ```text
//! tasks: { <taskId>: { title, done: bool, status, assignee: "provider"|"client", person: <contactId>,
//!                      due: "YYYY-MM-DD", createdAt: ts, comments: { <commentId>: { author, body, at: ts } } } }
//! ```

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc, ROOT};
use chrono::{DateTime, Utc};

use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::words::stored_words;
use crate::doc::{field, CommentId, ContactId, ModelError, Part};

pub use crate::doc::TaskId;

stored_words! {
    /// Which side of the relationship a task waits on.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Assignee {
        Provider = "provider",
        Client = "client",
    }
    // Unknown values (from a newer version) read as the provider's: someone must own a task.
    unknown => Provider
}

stored_words! {
    /// Where a task stands. `done` is also stored as a boolean, as schema 1 first had it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum TaskStatus {
        Todo = "todo" / "To do",
        InProgress = "in-progress" / "In progress",
        Done = "done" / "Done",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Comment {
    pub id: CommentId,
    pub author: String,
    pub body: String,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub done: bool,
    pub status: TaskStatus,
    pub assignee: Assignee,
    /// The person on that side, from the portal's contacts.
    pub person: Option<ContactId>,
    pub created_at: Option<DateTime<Utc>>,
    pub due: Option<chrono::NaiveDate>,
    /// Oldest first.
    pub comments: Vec<Comment>,
}

/// The client's own open to-dos first, then everything else in plan order: what a client
/// looking at the plan needs to act on comes to the top.
pub fn client_first(tasks: &[Task]) -> Vec<Task> {
    let mut ordered: Vec<Task> = tasks.to_vec();
    ordered.sort_by_key(|t| t.assignee != Assignee::Client || t.done);
    ordered
}

/// The plan alone, in the order [`crate::portal::Portal::tasks`] has it, for views that need
/// nothing else of the portal.
pub fn read_tasks(doc: &impl ReadDoc) -> Result<Vec<Task>, ModelError> {
    tasks_of(doc, &Record::read(doc, &ROOT))
}

/// [`read_tasks`] as a [`Part`].
pub const TASKS: Part<Vec<Task>> = Part {
    keys: &["tasks"],
    read: |doc| read_tasks(doc),
};

/// The tasks of a portal whose root is `root`, in creation order.
pub(super) fn tasks_of(doc: &impl ReadDoc, root: &Record) -> Result<Vec<Task>, ModelError> {
    let mut tasks = Vec::new();
    if let Some(tasks_obj) = root.map("tasks") {
        for (key, task_obj) in Record::read(doc, tasks_obj).maps() {
            tasks.push(read_task(doc, key, task_obj)?);
        }
    }
    tasks.sort_by(task_order);
    Ok(tasks)
}

pub(super) fn task_order(a: &Task, b: &Task) -> std::cmp::Ordering {
    (a.created_at, &a.id).cmp(&(b.created_at, &b.id))
}

pub(super) fn read_task(
    doc: &impl ReadDoc,
    key: &str,
    task_obj: &ObjId,
) -> Result<Task, ModelError> {
    let task = Record::read(doc, task_obj);
    let done = task.boolean("done").unwrap_or(false);
    let status = task
        .string(doc, "status")?
        .and_then(|s| TaskStatus::parse(&s))
        .unwrap_or(if done {
            TaskStatus::Done
        } else {
            TaskStatus::Todo
        });
    let mut comments = Vec::new();
    if let Some(comments_obj) = task.map("comments") {
        for (cid, cobj) in Record::read(doc, comments_obj).maps() {
            let comment = Record::read(doc, cobj);
            comments.push(Comment {
                id: CommentId::from_string(cid.to_owned()),
                author: comment.string(doc, "author")?.unwrap_or_default(),
                body: comment.string(doc, "body")?.unwrap_or_default(),
                at: comment.timestamp("at"),
            });
        }
    }
    comments.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    Ok(Task {
        title: task.string(doc, "title")?.unwrap_or_default(),
        done: status == TaskStatus::Done,
        status,
        person: task
            .string(doc, "person")?
            .filter(|p| !p.is_empty())
            .map(ContactId::from_string),
        comments,
        assignee: Assignee::parse(&task.string(doc, "assignee")?.unwrap_or_default()),
        created_at: task.timestamp("createdAt"),
        due: task.date(doc, "due")?,
        id: TaskId::from_string(key.to_owned()),
    })
}

pub fn add_task(
    tx: &mut impl Transactable,
    title: &str,
    assignee: Assignee,
    now: DateTime<Utc>,
) -> Result<TaskId, ModelError> {
    let title = crate::doc::limits::checked(crate::doc::limits::Text::TaskTitle, title)?;
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
        TaskStatus::Done
    } else {
        TaskStatus::Todo
    };
    set_task_status(tx, id, status)
}

/// Set a task's status; `done` follows, so readers of schema 1 keep seeing the right thing.
pub fn set_task_status(
    tx: &mut impl Transactable,
    id: &TaskId,
    status: TaskStatus,
) -> Result<(), ModelError> {
    let task = task_obj(tx, id)?;
    tx.put(&task, "status", status.as_str())?;
    tx.put(&task, "done", status == TaskStatus::Done)?;
    Ok(())
}

/// Assign a task to a side and, optionally, a person on it.
pub fn set_task_person(
    tx: &mut impl Transactable,
    id: &TaskId,
    assignee: Assignee,
    person: Option<&ContactId>,
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
) -> Result<CommentId, ModelError> {
    let body = crate::doc::limits::checked(crate::doc::limits::Text::CommentBody, body)?;
    let task = task_obj(tx, id)?;
    let comment = CommentId::new();
    let obj = field::new_item(tx, &task, "comments", comment.as_str())?;
    tx.put(&obj, "author", author)?;
    tx.put(&obj, "body", body.trim())?;
    field::put_timestamp(tx, &obj, "at", at)?;
    Ok(comment)
}

pub fn rename_task(tx: &mut impl Transactable, id: &TaskId, title: &str) -> Result<(), ModelError> {
    let title = crate::doc::limits::checked(crate::doc::limits::Text::TaskTitle, title)?;
    let task = task_obj(tx, id)?;
    tx.put(&task, "title", title)?;
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

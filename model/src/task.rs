//! A task in a portal's shared plan.

use chrono::{DateTime, Utc};

pub use crate::ids::TaskId;

/// Which side of the relationship a task waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Assignee {
    Provider,
    Client,
}

impl Assignee {
    pub fn as_str(&self) -> &'static str {
        match self {
            Assignee::Provider => "provider",
            Assignee::Client => "client",
        }
    }

    /// Unknown values (from a newer version) read as the provider's: someone must own a task.
    pub fn parse(s: &str) -> Self {
        match s {
            "client" => Assignee::Client,
            _ => Assignee::Provider,
        }
    }
}

/// Where a task stands. `done` is also stored as a boolean, as schema 1 first had it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    Todo,
    InProgress,
    Done,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 3] = [TaskStatus::Todo, TaskStatus::InProgress, TaskStatus::Done];

    pub fn as_str(&self) -> &'static str {
        match self {
            TaskStatus::Todo => "todo",
            TaskStatus::InProgress => "in-progress",
            TaskStatus::Done => "done",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            TaskStatus::Todo => "To do",
            TaskStatus::InProgress => "In progress",
            TaskStatus::Done => "Done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Comment {
    pub id: crate::CommentId,
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
    pub person: Option<crate::ContactId>,
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

//! A task in a portal's shared plan.

use std::fmt;

use chrono::{DateTime, Utc};

/// A task's stable id: its key in the portal's `tasks` map. Ids, not list positions, identify
/// tasks, so concurrent edits and deletes on two devices never hit the wrong task.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(String);

impl TaskId {
    pub fn new() -> Self {
        Self(uuid::Uuid::new_v4().simple().to_string())
    }

    pub fn from_string(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for TaskId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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

#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub done: bool,
    pub assignee: Assignee,
    pub created_at: Option<DateTime<Utc>>,
}

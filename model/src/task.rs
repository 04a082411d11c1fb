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

#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub done: bool,
    pub assignee: Assignee,
    pub created_at: Option<DateTime<Utc>>,
    pub due: Option<chrono::NaiveDate>,
}

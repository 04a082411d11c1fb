//! Threshold's documents as plain Rust over Automerge.
//!
//! Every function here either reads a document (`&impl ReadDoc`) or edits one inside a
//! transaction (`&mut impl Transactable`), so the same code runs natively in tests, in the
//! browser, and in any tool that opens a `.automerge` file. Nothing here knows about browsers,
//! sockets or clocks: the current time is always a parameter.
//!
//! Edits are always targeted puts into existing objects, never rewrites of whole objects, so a
//! field written by a newer version of Threshold survives an edit by this one.

mod error;
mod field;
mod portal;
mod schema;
mod task;
mod workspace;

pub use error::ModelError;
pub use portal::{
    add_task, delete_task, new_portal_doc, read_portal, rename_task, set_client_name,
    set_task_assignee, set_task_done, update_welcome, Portal,
};
pub use schema::{DocKind, CURRENT_SCHEMA};
pub use task::{Assignee, Task, TaskId};
pub use workspace::{
    add_portal, new_workspace_doc, read_workspace, remove_portal, rename_portal_entry, PortalEntry,
    Workspace,
};

mod edit;
pub use automerge::transaction::Transaction;
pub use edit::edit;

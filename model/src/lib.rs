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
mod exchange;
mod field;
mod ids;
mod intake;
mod meeting;
mod milestone;
mod outstanding;
mod portal;
mod schema;
mod task;
mod workspace;

pub use error::ModelError;
pub use exchange::{
    add_exchange_item, read_exchange, remove_exchange_item, set_exchange_details,
    set_exchange_status, Direction, ExchangeItem, ExchangeStatus,
};
pub use ids::{ExchangeId, FieldId, MeetingId, MilestoneId};
pub use intake::{
    add_field, move_field, parse_answer, read_intake, remove_field, set_answer, update_field,
    Answer, AnswerError, AnswerInput, AnswerValue, FieldKind, FieldSpec, Intake, IntakeField,
    IntakeProgress,
};
pub use meeting::{
    add_meeting, meetings_to_ics, next_meeting, read_meetings, remove_meeting, update_meeting,
    Meeting, MeetingKind, MeetingSpec,
};
pub use milestone::{
    add_milestone, newly_reached, read_milestones, remove_milestone, set_milestone_reached,
    Milestone,
};
pub use outstanding::{outstanding, Outstanding, OutstandingItem, OutstandingKind};
pub use portal::{
    add_task, delete_task, new_portal_doc, read_portal, rename_task, set_client_name,
    set_task_assignee, set_task_done, set_task_due, update_welcome, Portal,
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

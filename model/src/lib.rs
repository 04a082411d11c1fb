//! Threshold's documents as plain Rust over Automerge.
//!
//! Every function here either reads a document (`&impl ReadDoc`) or edits one inside a
//! transaction (`&mut impl Transactable`), so the same code runs natively in tests, in the
//! browser, and in any tool that opens a `.automerge` file. Nothing here knows about browsers,
//! sockets or clocks: the current time is always a parameter.
//!
//! Edits are always targeted puts into existing objects, never rewrites of whole objects, so a
//! field written by a newer version of Threshold survives an edit by this one.

mod activity;
mod checkin;
mod dashboard;
mod error;
mod exchange;
mod field;
mod health;
mod ids;
mod intake;
mod internal;
mod meeting;
mod milestone;
mod outstanding;
mod portal;
mod record;
mod schema;
mod stage;
mod task;
mod template;
mod touched;
mod welcome_pack;
mod workspace;

pub use error::ModelError;
pub use exchange::{
    add_exchange_item, read_exchange, remove_exchange_item, set_exchange_details,
    set_exchange_status, Direction, ExchangeItem, ExchangeStatus,
};
pub use health::{health, Health, HealthLevel};
pub use ids::{
    ContactId, ExchangeId, FieldId, LinkId, MeetingId, MilestoneId, ProvisioningId, TemplateId,
};
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
    add_task, add_task_comment, delete_task, new_portal_doc, read_client_name, read_portal,
    read_portal_update, rename_task, set_client_name, set_task_assignee, set_task_done,
    set_task_due, set_task_person, set_task_status, update_welcome, Portal,
};
pub use schema::{DocKind, CURRENT_SCHEMA};
pub use stage::{read_stage, set_stage, Stage, StageError};
pub use task::{client_first, Assignee, Comment, Task, TaskId, TaskStatus};
pub use touched::{touched, Touched};
pub use workspace::{
    add_portal, new_workspace_doc, read_workspace, remove_portal, rename_portal_entry,
    set_portal_internal, PortalEntry, Workspace,
};

mod edit;
pub use activity::{activity, is_registered, register_actor, ActivityEntry};
pub use automerge::transaction::Transaction;
pub use checkin::{add_checkin, read_checkins, Checkin};
pub use dashboard::{last_activity, record_activity, summarize, ClientSummary};
pub use edit::{edit, edit_at};
pub use ids::{CheckinId, CommentId};
pub use internal::{
    add_provisioning_item, new_internal_doc, read_internal, set_provisioning_done,
    set_provisioning_owner, update_internal_notes, Internal, ProvisioningArea, ProvisioningItem,
};
pub use template::{
    default_templates, instantiate, read_templates, remove_template, save_template,
    template_from_portal, Template, TemplateExchange, TemplateField, TemplateMilestone,
    TemplateTask,
};
pub use welcome_pack::{
    add_contact, add_link, masked, read_contacts, read_links, remove_contact, remove_link,
    update_contact, update_link, Contact, ContactSpec, Link, LinkSpec,
};

//! Threshold's documents as plain Rust over Automerge.
//!
//! Every function here either reads a document (`&impl ReadDoc`) or edits one inside a
//! transaction (`&mut impl Transactable`), so the same code runs natively in tests, in the
//! browser, and in any tool that opens a `.automerge` file. Nothing here knows about browsers,
//! sockets or clocks: the current time is always a parameter.
//!
//! Edits are always targeted puts into existing objects, never rewrites of whole objects, so a
//! field written by a newer version of Threshold survives an edit by this one.

pub mod access;
mod access_wrapup;
mod activity;
mod archive;
mod cancellation;
mod checkin;
mod dashboard;
mod deliverable;
mod email;
mod error;
mod exchange;
mod exit_analytics;
mod exit_feedback;
mod export;
mod field;
mod file;
mod follow_up;
mod goodbye;
mod health;
mod ics;
mod ids;
mod intake;
mod internal;
mod meeting;
mod metric;
mod milestone;
mod next_steps;
mod offboarding;
mod outstanding;
mod partner;
mod portal;
mod record;
mod schema;
mod stage;
mod task;
mod template;
mod touched;
mod welcome_pack;
mod workspace;

pub use access_wrapup::{
    add_access_item, confirm_access_removed, read_access_wrapup, remove_access_item,
    update_access_item, AccessItem,
};
pub use archive::export_archive;
pub use cancellation::cancel_engagement;
pub use deliverable::{
    acknowledge_deliverable, add_deliverable, deliverable_candidates, read_deliverables,
    remove_deliverable, set_handover, update_deliverable, Deliverable, DeliverableSpec, Handover,
};
pub use email::{percent_encode, Email, Sender};
pub use error::ModelError;
pub use exchange::{
    add_exchange_item, read_exchange, remove_exchange_item, set_exchange_details,
    set_exchange_invoice, set_exchange_status, Direction, ExchangeItem, ExchangeStatus,
};
pub use exit_analytics::{
    exit_analytics, exit_record, median, nps, ExitAnalytics, ExitRecord, NpsGroup,
};
pub use exit_feedback::{
    add_exit_question, read_exit_feedback, remove_exit_question, set_exit_answer, set_exit_reason,
    set_exit_score, set_other_reason, set_testimonial, submit_exit_feedback, ExitFeedback,
    ExitQuestion, LeaveReason,
};
pub use export::{export_json, EXPORT_FORMAT};
pub use file::{
    add_file, clean_file_name, is_blob_hash, read_files, references_blob, remove_file, Attachment,
    FileRef, FileSpec,
};
pub use follow_up::{
    follow_up_date, follow_ups_to_ics, read_follow_ups, schedule_follow_ups, set_follow_up_done,
    set_follow_up_due, FollowUp, FOLLOW_UP_MONTHS,
};
pub use goodbye::{
    complete_offboarding, compose_goodbye, offboarding_checklist, unpaid_reason, ChecklistItem,
};
pub use health::{health, Health, HealthLevel};
pub use ids::{
    AccessId, ContactId, DeliverableId, ExchangeId, FieldId, FileId, LinkId, MeetingId, MetricId,
    MilestoneId, NextStepId, PartnerId, ProvisioningId, QuestionId, TemplateId,
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
pub use metric::{
    add_metric, format_number, read_metrics, remove_metric, set_metric_exit, update_metric, Metric,
    MetricSpec,
};
pub use milestone::{
    add_milestone, newly_reached, read_milestones, remove_milestone, set_milestone_reached,
    Milestone,
};
pub use next_steps::{
    add_next_step, read_next_steps, read_referrals, refer_partner, remove_next_step,
    remove_referral, set_next_step_done, NextStep, Referral,
};
pub use offboarding::{
    accept_save_offer, accept_support_offer, read_offboarding, set_review_link, set_save_offer,
    set_support_offer, start_offboarding, Cancellation, Offboarding, OffboardingPlaybook,
    PlaybookAccess, PlaybookDeliverable, SaveOffer, SaveOfferKind,
};
pub use outstanding::{outstanding, Outstanding, OutstandingItem, OutstandingKind};
pub use partner::{read_partners, remove_partner, save_partner, Partner};
pub use portal::{
    add_task, add_task_comment, delete_task, new_portal_doc, read_client_name, read_portal,
    read_portal_update, rename_task, set_client_name, set_task_assignee, set_task_done,
    set_task_due, set_task_person, set_task_status, update_welcome, Portal,
};
pub use schema::{DocKind, CURRENT_SCHEMA};
pub use stage::{read_stage, read_stage_dates, set_stage, Stage, StageError};
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
    add_provisioning_item, new_internal_doc, read_internal, set_offboarding_lead,
    set_provisioning_done, set_provisioning_owner, update_internal_notes, Internal,
    ProvisioningArea, ProvisioningItem,
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

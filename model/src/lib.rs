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
pub mod doc;
pub mod formats;
pub mod offboarding;
pub mod onboarding;
pub mod portal;
pub mod workspace;

// TEMPORARY facade for app/ during the issue-14 merge; the lead removes it.
#[doc(hidden)]
pub use doc::{
    edit, edit_at, touched, ContactId, FieldId, ModelError, PartnerId, Touched, Transaction,
};
#[doc(hidden)]
pub use formats::{export_archive, export_json, percent_encode, Sender};
#[doc(hidden)]
pub use offboarding::{
    accept_save_offer, accept_support_offer, acknowledge_deliverable, add_access_item,
    add_deliverable, add_exit_question, add_metric, add_next_step, cancel_engagement,
    complete_offboarding, compose_goodbye, confirm_access_removed, deliverable_candidates,
    follow_ups_to_ics, format_number, offboarding_checklist, read_access_wrapup, read_deliverables,
    read_exit_feedback, read_follow_ups, read_metrics, read_next_steps, read_offboarding,
    read_referrals, refer_partner, remove_access_item, remove_deliverable, remove_exit_question,
    remove_metric, remove_next_step, remove_referral, set_exit_answer, set_exit_reason,
    set_exit_score, set_follow_up_done, set_follow_up_due, set_handover, set_metric_exit,
    set_next_step_done, set_other_reason, set_review_link, set_save_offer, set_support_offer,
    set_testimonial, start_offboarding, submit_exit_feedback, unpaid_reason, update_deliverable,
    AccessItem, Deliverable, DeliverableSpec, FollowUp, Handover, LeaveReason, Metric, MetricSpec,
    NextStep, Offboarding, OffboardingPlaybook, Referral, SaveOffer, SaveOfferKind,
};
#[doc(hidden)]
pub use onboarding::{
    add_contact, add_exchange_item, add_field, add_link, add_meeting, add_milestone, masked,
    meetings_to_ics, newly_reached, parse_answer, read_contacts, read_exchange, read_intake,
    read_links, read_meetings, read_milestones, remove_contact, remove_exchange_item, remove_field,
    remove_link, remove_meeting, set_answer, set_exchange_details, set_exchange_invoice,
    set_exchange_status, set_milestone_reached, AnswerInput, AnswerValue, Contact, ContactSpec,
    Direction, ExchangeItem, ExchangeStatus, FieldKind, FieldSpec, Intake, IntakeField, Link,
    LinkSpec, Meeting, MeetingKind, MeetingSpec, Milestone,
};
#[doc(hidden)]
pub use portal::{
    activity, add_checkin, add_file, add_task, add_task_comment, clean_file_name, client_first,
    delete_task, is_blob_hash, new_portal_doc, outstanding, read_checkins, read_client_name,
    read_files, read_portal, read_portal_update, read_stage, references_blob, register_actor,
    remove_file, rename_task, set_client_name, set_stage, set_task_due, set_task_person,
    set_task_status, update_welcome, Assignee, Attachment, FileRef, FileSpec, OutstandingItem,
    OutstandingKind, Portal, Stage, Task, TaskStatus,
};
#[doc(hidden)]
pub use workspace::{
    add_portal, exit_analytics, exit_record, instantiate, new_internal_doc, new_workspace_doc,
    read_internal, read_partners, read_templates, read_workspace, record_activity, remove_partner,
    rename_portal_entry, save_partner, save_template, set_offboarding_lead, set_portal_internal,
    set_provisioning_done, set_provisioning_owner, summarize, template_from_portal,
    update_internal_notes, ClientSummary, ExitAnalytics, HealthLevel, Partner, PortalEntry,
    ProvisioningArea, Template,
};

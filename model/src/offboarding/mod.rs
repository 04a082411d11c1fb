//! The end of an engagement: the offboarding plan (start, playbook, review link, save and support
//! offers), the deliverables review, metrics at exit, access wrap-up, exit feedback, cancellation,
//! next steps and referrals, the goodbye, and the follow-ups after it. All live in the portal
//! document.

mod access_wrapup;
mod cancellation;
mod deliverable;
mod exit_feedback;
mod follow_up;
mod goodbye;
mod metric;
mod next_steps;
mod plan;

pub use access_wrapup::{
    add_access_item, confirm_access_removed, read_access_wrapup, remove_access_item,
    update_access_item, AccessItem, ACCESS_WRAPUP,
};
pub use cancellation::cancel_engagement;
pub use deliverable::{
    acknowledge_deliverable, add_deliverable, deliverable_candidates, read_deliverables,
    remove_deliverable, set_handover, update_deliverable, Deliverable, DeliverableSpec, Handover,
    DELIVERABLES, DELIVERABLE_CANDIDATES,
};
pub(crate) use exit_feedback::ensure_feedback;
pub use exit_feedback::{
    add_exit_question, read_exit_feedback, remove_exit_question, set_exit_answer, set_exit_reason,
    set_exit_score, set_other_reason, set_testimonial, submit_exit_feedback, ExitFeedback,
    ExitQuestion, LeaveReason, EXIT_FEEDBACK,
};
pub use follow_up::{
    default_follow_up_message, follow_up_date, follow_ups_to_ics, read_follow_ups,
    schedule_follow_ups, set_follow_up_done, set_follow_up_due, set_follow_up_message,
    set_follow_up_mode, FollowUp, FollowUpMode, FOLLOW_UPS, FOLLOW_UP_MONTHS,
};
pub use goodbye::{
    complete_offboarding, compose_goodbye, goodbye_recipients, goodbye_signer,
    offboarding_checklist, unpaid_reason, ChecklistItem, Recipient, CHECKLIST, GOODBYE_KEYS,
};
pub use metric::{
    add_metric, format_number, read_metrics, remove_metric, set_metric_exit, update_metric, Metric,
    MetricSpec, METRICS,
};
pub use next_steps::{
    add_next_step, read_next_steps, read_referrals, refer_partner, remove_next_step,
    remove_referral, set_next_step_done, NextStep, Referral, NEXT_STEPS, REFERRALS,
};
pub(crate) use plan::offboarding_map;
pub use plan::{
    accept_save_offer, accept_support_offer, read_offboarding, set_review_link, set_save_offer,
    set_support_offer, start_offboarding, Cancellation, Offboarding, OffboardingPlaybook,
    PlaybookAccess, PlaybookDeliverable, SaveOffer, SaveOfferKind, OFFBOARDING,
};

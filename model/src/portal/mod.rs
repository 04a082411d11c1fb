//! The shared portal document's frame, one per client: the document itself (client name,
//! welcome text), the plan (tasks and their comments), the stage of the engagement, activity
//! and check-ins, shared files, what is outstanding on each side, the counts beside each view
//! in the navigation, the window of a long plan the page draws, and the provider's brand as the
//! client sees it.

mod activity;
mod brand;
mod checkin;
mod document;
mod file;
mod next_step;
mod outstanding;
mod plan_window;
mod preview;
mod stage;
mod task;
mod view_counts;

pub use activity::{activity, is_registered, register_actor, ActivityEntry};
pub use brand::{
    check_logo, logo_data_url, read_brand, set_brand, Brand, Colour, Palette, BRAND,
    MAX_LOGO_BYTES, MIN_TEXT_CONTRAST,
};
pub use checkin::{add_checkin, read_checkins, Checkin, CHECKINS};
pub(crate) use document::{ensure_collections, PORTAL_COLLECTIONS};
pub use document::{
    new_portal_doc, read_client_name, read_portal, read_portal_update, set_client_name,
    update_welcome, Portal, CLIENT_NAME, PORTAL,
};
pub use file::{
    add_file, clean_file_name, is_blob_hash, read_files, references_blob, remove_file, Attachment,
    FileRef, FileSpec, FILES,
};
pub use next_step::{next_step, place_of, NextStep, OffboardingFacts, Side, StepFacts, StepPlace};
pub use outstanding::{outstanding, Outstanding, OutstandingItem, OutstandingKind};
pub use plan_window::{
    plan_window, title_matches, PlanFilter, PlanQuery, PlanWindow, PLAN_FIND_FROM, PLAN_PAGE,
};
pub use preview::{preview, Preview, PreviewRow};
pub use stage::{read_stage, read_stage_dates, set_stage, Stage, StageError, STAGE};
pub use task::{
    add_task, add_task_comment, client_first, delete_task, read_tasks, rename_task,
    set_task_assignee, set_task_done, set_task_due, set_task_person, set_task_status, Assignee,
    Comment, Task, TaskId, TaskStatus, TASKS,
};
pub use view_counts::{view_counts, ViewCounts, ViewFacts};

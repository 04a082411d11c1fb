//! What every document shares: tolerant field readers and a one-pass record reader, the schema
//! stamp, stable item ids, the error type, running an edit as a transaction, what a change
//! touched, maps of items keyed by id (`collection`), enums stored as words (`words`), and the
//! parts of a document a view reads (`part`). Nothing here knows what a portal or a workspace
//! is.

pub(crate) mod collection;
mod edit;
mod error;
pub(crate) mod field;
mod ids;
pub mod limits;
mod part;
pub(crate) mod record;
pub(crate) mod schema;
mod touched;
pub(crate) mod words;

pub use automerge::transaction::Transaction;
pub use edit::{edit, edit_at};
pub use error::ModelError;
pub use ids::{
    AccessId, CheckinId, CommentId, ContactId, DeliverableId, ExchangeId, FieldId, FileId, LinkId,
    MeetingId, MetricId, MilestoneId, NextStepId, PartnerId, ProvisioningId, QuestionId,
    SignatureId, TaskId, TemplateId,
};
pub use part::Part;
pub use schema::{has_kind, DocKind, CURRENT_SCHEMA};
pub use touched::{touched, Touched};

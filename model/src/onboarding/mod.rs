//! What a client meets first: the welcome pack (contacts, links), the intake form, the document
//! exchange, the timeline of milestones, and meetings. All live in the portal document.

mod exchange;
mod intake;
mod meeting;
mod milestone;
mod signature;
mod welcome_pack;

pub(crate) use exchange::read_exchange_item;
pub use exchange::{
    add_exchange_item, read_exchange, remove_exchange_item, set_exchange_details,
    set_exchange_invoice, set_exchange_status, Direction, ExchangeItem, ExchangeStatus, EXCHANGE,
};
pub use intake::{
    add_field, move_field, parse_answer, read_intake, remove_field, set_answer, update_field,
    validate_field_spec, Answer, AnswerError, AnswerInput, AnswerValue, FieldKind, FieldSpec,
    Intake, IntakeField, IntakeProgress, INTAKE,
};
pub use meeting::{
    add_meeting, meetings_to_ics, next_meeting, read_meetings, remove_meeting, update_meeting,
    Meeting, MeetingKind, MeetingSpec, MEETINGS,
};
pub use milestone::{
    add_milestone, newly_reached, read_milestones, remove_milestone, set_milestone_reached,
    Milestone, MILESTONES,
};
pub use signature::{
    read_signatures, sign_document, signatures_of, SignError, Signature, SignatureSpec, SIGNATURES,
};
pub(crate) use signature::{signature_document, SIGNATURES_KEY};
pub use welcome_pack::{
    add_contact, add_link, masked, read_contacts, read_links, remove_contact, remove_link,
    update_contact, update_link, Contact, ContactSpec, Link, LinkSpec, CONTACTS, LINKS,
};

//! The portal's sections for getting started and doing the work: the welcome pack and its
//! editor, intake questions, documents to exchange, the timeline, meetings and tasks.

mod exchange;
mod intake;
mod meetings;
mod tasks;
mod timeline;
mod welcome_editor;
mod welcome_pack;

pub use exchange::ExchangeSection;
pub use intake::IntakeSection;
pub use meetings::MeetingsSection;
pub use tasks::TaskList;
pub use timeline::TimelineSection;
pub use welcome_editor::WelcomeEditor;
pub use welcome_pack::{ContactsSection, LinksSection};

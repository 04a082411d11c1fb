//! Documents turned into files other tools read: JSON export, a zip archive, iCalendar, email.
//! Nothing here edits a document.

mod archive;
mod email;
mod export;
pub(crate) mod ics;

pub use archive::export_archive;
pub use email::{percent_encode, Email, Sender};
pub use export::{export_json, EXPORT_FORMAT};

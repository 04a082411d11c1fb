//! Documents turned into files other tools read: JSON export, a zip archive, iCalendar, email;
//! and which of a document's addresses may be rendered as links. Nothing here edits a document.

mod archive;
mod date;
mod email;
mod export;
pub(crate) mod ics;
mod link;

pub use archive::export_archive;
pub use date::{full_date, full_date_of, show_date, show_day};
pub use email::{percent_encode, Email, EmlError, Sender};
pub use export::{export_json, export_json_named, EXPORT_FORMAT};
pub use link::safe_href;

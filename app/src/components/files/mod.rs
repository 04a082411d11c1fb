//! Files in a portal: the Files view with its drop zone, the attachments of one item, and one
//! file's row (status, preview, download, remove).

mod attachments;
mod file_row;
mod section;

pub use attachments::picked;
pub use attachments::Attachments;
use attachments::{add_files, on_drop_files};
use file_row::FileRow;
pub use section::FilesSection;

//! Keeping documents and files in step with the relay: the shell around the protocol engine,
//! which document parts each change touched, memos that re-read a document only when a change
//! touched what they read, the file store with its upload queue, and the refusals the portal's
//! rules make.

mod client;
mod doc_changes;
mod doc_memo;
mod file_sync;
mod refusal;

pub use client::{client, SyncClient};
pub use doc_memo::{
    doc_memo, home_part_memo, part_memo, touched_memo, workspace_memo, workspace_part_memo,
};
pub use file_sync::{files, install as install_files, object_url};
pub use refusal::Refusal;

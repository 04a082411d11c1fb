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
pub mod notify;
pub mod offboarding;
pub mod onboarding;
pub mod portal;
pub mod workspace;

//! Threshold's relay: axum + tokio around the shared protocol engine.

pub mod api;
pub mod authors;
pub mod blob_store;
pub mod blobs;
pub mod caller;
pub mod clock;
pub mod connection;
pub mod doc_store;
pub mod error;
pub mod guard;
pub mod history_budget;
pub mod hub;
pub mod listener;
pub mod loader;
pub mod mail;
pub mod postgres;
pub mod rate_limit;
pub mod schedule;
pub mod security_headers;
pub mod server;
pub mod sign_in;
pub mod socket_caps;
pub mod staged;
pub mod storage;
pub mod token;
pub mod token_store;

//! Threshold's relay: axum + tokio around the shared protocol engine.

pub mod connection;
pub mod doc_store;
pub mod error;
pub mod hub;
pub mod server;
pub mod storage;

//! The relay's HTTP endpoints as async functions: `/api` (session, workspace, tokens, portal
//! access and authors) and `/blobs` (file bytes). Sync itself goes over the WebSocket in `sync/`.

pub mod api;
pub mod blobs;

//! Who may do what through the relay, and the relay's `/api` JSON, as both ends see it.
//!
//! The relay serializes these types and the app deserializes the same ones, so a field renamed
//! here is renamed on both sides of the wire at once. Nothing here talks HTTP: the routes live in
//! `sync-server/src/api.rs`, the calls in the app's relay adapter.
//!
//! ```
//! use threshold_model::access::{Role, TokenInfo};
//!
//! let json = r#"{"id":"a1","role":"client","portal":null,"readOnly":true,"name":"Dana",
//!     "email":null,"createdAt":"2026-01-02T03:04:05Z","revokedAt":null}"#;
//! let token: TokenInfo = serde_json::from_str(json).unwrap();
//! assert_eq!(token.role, Role::Client);
//! assert!(!token.role.may_manage(Role::Client));
//! ```

mod api;
pub mod optional_doc_id;
mod role;

pub use api::{
    CreatedToken, NewToken, Refusal, RegisterWorkspace, SessionInfo, SetReadOnly, TokenFilter,
    TokenInfo,
};
pub use role::{Role, UnknownRole};

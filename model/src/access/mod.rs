//! Who may do what: through the relay (roles, and the relay's `/api` JSON, as both ends see
//! it), and inside a portal (the permission table, and which parts of the portal a received
//! change touches).
//!
//! The relay serializes the API types and the app deserializes the same ones, so a field renamed
//! here is renamed on both sides of the wire at once. The relay and the app both judge changes
//! with [`check_change`] and [`allowed`], so each rule is written once. Nothing here talks HTTP:
//! the routes live in `sync-server/src/api.rs`, the calls in the app's relay adapter.
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
mod change_scope;
pub mod optional_doc_id;
mod permission;
mod role;

pub use api::{
    Author, CreateToken, CreatedToken, GoodbyeQueued, InviteEmail, MailRecord, MailState, MyEmail,
    NewToken, RedeemSignIn, Refusal, RegisterWorkspace, SendGoodbye, SessionInfo, SetReadOnly,
    SetTimeZone, SignInRequest, TokenFilter, TokenInfo, WorkspaceMail, MAX_UTC_OFFSET_MINUTES,
};
pub use change_scope::{check_change, Writer};
pub use permission::{allowed, is_archive, Act, FileTarget, Rule, Side};
pub use role::{Role, UnknownRole};

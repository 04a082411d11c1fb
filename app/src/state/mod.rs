//! What the app knows outside documents: the session (token and what the relay says it may
//! do), the view mode, what the permission table offers in it, who wrote what (verified), the route, the user's calendar day, and the connection status.

pub mod authors;
mod connection_status;
pub mod dates;
pub mod permission;
pub mod route;
pub mod session;
pub mod view_mode;

pub use connection_status::ConnectionStatus;

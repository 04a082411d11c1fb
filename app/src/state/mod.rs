//! What the app knows outside documents: the session (token and what the relay says it may
//! do), the view mode and what the permission table offers in it, who wrote what (as the relay
//! verified it), the route, the user's calendar day, the connection status, the words each side
//! reads, and the ready-to-draw copy of each portal's page this device keeps.

pub mod authors;
mod connection_status;
pub mod dates;
pub mod permission;
pub mod preview;
pub mod route;
pub mod session;
pub mod view_mode;
pub mod voice;

pub use connection_status::ConnectionStatus;

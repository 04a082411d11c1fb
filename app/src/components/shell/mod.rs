//! The frame around every page: the app with its header, connection badge, storage notice and
//! update prompt, and the sign-in page shown without a token.

mod app;
mod sign_in;
mod status_badge;

pub use app::App;
pub use sign_in::SignIn;
use status_badge::StatusBadge;

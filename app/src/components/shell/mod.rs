//! The frame around every page: the app with its header, connection badge, storage notice, refusal
//! banner and update prompt, and the sign-in page shown without a token.

mod app;
mod email_choices;
mod refusal_banner;
mod sign_in;
mod status_badge;

pub use app::App;
pub use email_choices::EmailChoices;
use refusal_banner::RefusalBanner;
pub use sign_in::{InviteLinkForm, SignIn};
use status_badge::StatusBadge;

//! The UI, in folders by what the user is doing: `shell` (the frame around every page),
//! `workspace` (the provider's own pages), `portal` (one client's portal and what frames it),
//! `onboarding` and `offboarding` (the portal's sections for each end of an engagement),
//! `files`, and `widgets` shared by sections. Components hold signals and markup; what a click
//! changes is in `crate::actions`.

mod files;
mod offboarding;
mod onboarding;
mod portal;
mod shell;
mod widgets;
mod workspace;

pub use shell::{App, SignIn};

//! Sign in by email (a "magic link"): a person types their email on a device without a session;
//! if it is an active token's, the relay emails a one-time link (`/#/sign-in/tsl_…`) that expires
//! in an hour. Redeeming it mints a fresh token for this device with that person's access, so
//! the long-lived token never rides in an email. The relay keeps only each link's SHA-256.

pub mod links;
pub mod routes;

pub use links::{LinkError, SignInLinks};

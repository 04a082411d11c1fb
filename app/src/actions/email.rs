//! Email choices, kept by the relay (it is the one that sends): a person's own (digests and
//! reminders on or off) and the workspace's sender name and reply-to. Each returns the words
//! for the person when it fails.

use threshold_model::access::{MyEmail, WorkspaceMail};
use threshold_model::notify::{EmailPreferences, Sender};

use crate::relay::api::{self, ApiError};
use crate::state::session;

fn token() -> Result<String, String> {
    session::token().ok_or_else(|| ApiError::Unauthorized.explain("load your email settings"))
}

pub async fn my_email() -> Result<MyEmail, String> {
    api::my_email(&token()?)
        .await
        .map_err(|e| e.explain("load your email settings"))
}

pub async fn save_my_email(wants: EmailPreferences) -> Result<MyEmail, String> {
    api::set_my_email(&token()?, wants)
        .await
        .map_err(|e| e.explain("save your email settings"))
}

pub async fn workspace_mail() -> Result<WorkspaceMail, String> {
    api::workspace_mail(&token()?)
        .await
        .map_err(|e| e.explain("load the email settings"))
}

/// Checked by the model's rule first, so a typo gets a sentence before the relay is asked.
pub async fn save_sender(name: &str, reply_to: &str) -> Result<WorkspaceMail, String> {
    let sender = Sender::checked(name, reply_to).map_err(|e| e.to_string())?;
    api::set_workspace_mail(&token()?, &sender)
        .await
        .map_err(|e| e.explain("save the email settings"))
}

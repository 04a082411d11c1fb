//! What people choose about their email, through the API:
//!
//! - `GET /api/me/email`, `PUT /api/me/email` (`digests`, `reminders`): any person with access,
//!   read-only ones too (these are their own choices, not the portal's), for the address their
//!   access was given for. Turning anything on undoes an unsubscribe.
//! - `GET /api/workspace/mail`, `PUT /api/workspace/mail` (`name`, `replyTo`): the provider's
//!   team; the name shown beside the relay's sending address and where replies go.
//!
//! With email off, the answers say so and changes are refused: there is nothing to choose.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use threshold_model::access::{MyEmail, WorkspaceMail};
use threshold_model::notify::{EmailPreferences, Sender};

use crate::api::ApiState;
use crate::caller::{Caller, Provider};
use crate::error::AppError;

use super::Mail;

pub fn routes(state: ApiState) -> Router {
    Router::new()
        .route("/api/me/email", get(my_email).put(set_my_email))
        .route(
            "/api/workspace/mail",
            get(workspace_mail).put(set_workspace_mail),
        )
        .with_state(state)
}

fn email_off() -> AppError {
    AppError::Conflict("email is off: this relay has no SMTP server configured".into())
}

fn mine(mail: Option<&Mail>, address: Option<String>) -> MyEmail {
    let (unsubscribed, wants) = match (mail, address.as_deref()) {
        (Some(mail), Some(address)) => (
            mail.unsubscribes.is_unsubscribed(address),
            mail.wants(address),
        ),
        _ => (false, EmailPreferences::default()),
    };
    MyEmail {
        email_on: mail.is_some(),
        address,
        unsubscribed,
        wants,
    }
}

async fn my_email(State(s): State<ApiState>, Caller(me): Caller) -> Json<MyEmail> {
    Json(mine(s.mail.as_ref(), me.email))
}

async fn set_my_email(
    State(s): State<ApiState>,
    Caller(me): Caller,
    Json(wants): Json<EmailPreferences>,
) -> Result<Json<MyEmail>, AppError> {
    let mail = s.mail.clone().ok_or_else(email_off)?;
    let address = me.email.clone().ok_or_else(|| {
        AppError::Conflict(
            "your access was given without an email address, so nothing is emailed to you".into(),
        )
    })?;
    let saved = address.clone();
    tokio::task::spawn_blocking(move || mail.set_wants(&saved, wants))
        .await
        .map_err(|e| AppError::Storage(e.to_string()))?
        .map_err(|e| AppError::Storage(e.to_string()))?;
    Ok(Json(mine(s.mail.as_ref(), Some(address))))
}

fn workspace(mail: Option<&Mail>) -> WorkspaceMail {
    WorkspaceMail {
        email_on: mail.is_some(),
        from: mail.map(|m| m.config.from.to_string()),
        sender: mail.map(|m| m.sender.get()).unwrap_or_default(),
    }
}

async fn workspace_mail(State(s): State<ApiState>, Provider(_): Provider) -> Json<WorkspaceMail> {
    Json(workspace(s.mail.as_ref()))
}

async fn set_workspace_mail(
    State(s): State<ApiState>,
    Provider(me): Provider,
    Json(body): Json<Sender>,
) -> Result<Json<WorkspaceMail>, AppError> {
    if me.read_only {
        return Err(AppError::Forbidden(
            "a read-only token changes nothing".into(),
        ));
    }
    let mail = s.mail.clone().ok_or_else(email_off)?;
    // The model's rule, the same the app checks before asking.
    let sender = Sender::checked(&body.name, &body.reply_to)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let book = mail.sender.clone();
    tokio::task::spawn_blocking(move || book.update(|s| *s = sender))
        .await
        .map_err(|e| AppError::Storage(e.to_string()))?
        .map_err(|e| AppError::Storage(e.to_string()))?;
    Ok(Json(workspace(Some(&mail))))
}

//! The relay's JSON API (`/api/…`) over `fetch`, with this device's token. The one file that
//! knows the API's paths on the browser side; the bodies are `threshold_model::access`'s, the
//! same types the relay serializes.

use serde::de::DeserializeOwned;
use threshold_model::access::{
    Author, CreateToken, CreatedToken, GoodbyeQueued, MailRecord, MyEmail, RedeemSignIn, Refusal,
    RegisterWorkspace, SendGoodbye, SessionInfo, SetReadOnly, SetTimeZone, SignInRequest,
    TokenInfo, WorkspaceMail,
};
use threshold_model::notify::{EmailPreferences, Sender};
use threshold_protocol::DocumentId;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The token is unknown or revoked.
    #[error("this device's access was revoked or is not valid")]
    Unauthorized,
    /// The relay could not be reached (offline, or it is down).
    #[error("the relay cannot be reached; check the connection and try again")]
    Offline,
    /// The relay refused, and said why.
    #[error("{0}")]
    Refused(String),
}

impl ApiError {
    /// A failure to do `what` ("create the invite"), said in the product's words with what to
    /// do next: the relay's own reason is quoted only when it refused.
    pub fn explain(&self, what: &str) -> String {
        match self {
            ApiError::Offline => format!(
                "Couldn't {what}: the relay can't be reached right now. Check your connection and try again."
            ),
            ApiError::Unauthorized => format!(
                "Couldn't {what}: this device is no longer signed in. Open your invite link again, or ask for a new one."
            ),
            ApiError::Refused(why) => {
                let why = why.trim_end_matches('.');
                format!("Couldn't {what}: {why}. Check it and try again.")
            }
        }
    }
}

/// A request to the relay carrying this device's token, the one way the browser talks HTTP to
/// it (`/api` here, `/blobs` in `blob_api`). `None` when the relay cannot be reached.
pub async fn send(
    token: &str,
    method: &str,
    path: &str,
    json_body: Option<String>,
) -> Option<Response> {
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().ok()?;
    let _ = headers.set("Authorization", &format!("Bearer {token}"));
    if let Some(body) = &json_body {
        let _ = headers.set("Content-Type", "application/json");
        init.set_body(&body.into());
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).ok()?;
    let window = web_sys::window()?;
    JsFuture::from(window.fetch_with_request(&request))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

/// A response's body as text (empty if it has none or cannot be read).
pub async fn body_text(response: &Response) -> String {
    match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Why the relay refused, from its [`Refusal`] body.
pub fn refusal_message(status: u16, body: &str) -> String {
    serde_json::from_str::<Refusal>(body)
        .ok()
        .map(|r| r.error)
        .unwrap_or_else(|| format!("the relay answered {status}"))
}

async fn call<T: DeserializeOwned>(
    token: &str,
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<Option<T>, ApiError> {
    let response = send(token, method, path, body)
        .await
        .ok_or(ApiError::Offline)?;
    let text = body_text(&response).await;
    match response.status() {
        401 => Err(ApiError::Unauthorized),
        204 => Ok(None),
        s if (200..300).contains(&s) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| ApiError::Refused(format!("unexpected answer from the relay: {e}"))),
        // The service worker answers for an unreachable relay with a gateway error.
        502..=504 => Err(ApiError::Offline),
        status => Err(ApiError::Refused(refusal_message(status, &text))),
    }
}

/// A request body as JSON. The shared request types always serialize; an error would be a bug.
fn json<T: serde::Serialize>(body: &T) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|e| ApiError::Refused(e.to_string()))
}

fn required<T>(value: Option<T>) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::Refused("the relay sent an empty answer".into()))
}

pub async fn session(token: &str) -> Result<SessionInfo, ApiError> {
    required(call(token, "GET", "/api/session", None).await?)
}

pub async fn register_workspace(token: &str, workspace: DocumentId) -> Result<(), ApiError> {
    let body = json(&RegisterWorkspace {
        workspace: workspace.to_string(),
    })?;
    call::<serde_json::Value>(token, "PUT", "/api/workspace", Some(body)).await?;
    Ok(())
}

pub async fn tokens(token: &str, portal: Option<DocumentId>) -> Result<Vec<TokenInfo>, ApiError> {
    let path = match portal {
        Some(p) => format!("/api/tokens?portal={p}"),
        None => "/api/tokens".to_owned(),
    };
    required(call(token, "GET", &path, None).await?)
}

pub async fn create_token(token: &str, new: &CreateToken) -> Result<CreatedToken, ApiError> {
    let body = json(new)?;
    required(call(token, "POST", "/api/tokens", Some(body)).await?)
}

/// Send a portal's goodbye through the relay's mail, once.
pub async fn send_goodbye(
    token: &str,
    portal: DocumentId,
    goodbye: &SendGoodbye,
) -> Result<GoodbyeQueued, ApiError> {
    let body = json(goodbye)?;
    required(
        call(
            token,
            "POST",
            &format!("/api/portals/{portal}/goodbye"),
            Some(body),
        )
        .await?,
    )
}

/// Ask for a sign-in link by email. No token: this device has none yet.
pub async fn request_sign_in(email: &str) -> Result<(), ApiError> {
    let body = json(&SignInRequest {
        email: email.to_owned(),
    })?;
    call::<serde_json::Value>("", "POST", "/api/sign-in/email", Some(body)).await?;
    Ok(())
}

/// Exchange a sign-in link's secret for a token of this device's own.
pub async fn redeem_sign_in(link: &str) -> Result<CreatedToken, ApiError> {
    let body = json(&RedeemSignIn {
        link: link.to_owned(),
    })?;
    required(call("", "POST", "/api/sign-in/redeem", Some(body)).await?)
}

pub async fn set_read_only(token: &str, id: &str, read_only: bool) -> Result<TokenInfo, ApiError> {
    let body = json(&SetReadOnly { read_only })?;
    required(call(token, "PATCH", &format!("/api/tokens/{id}"), Some(body)).await?)
}

pub async fn revoke(token: &str, id: &str) -> Result<TokenInfo, ApiError> {
    required(call(token, "DELETE", &format!("/api/tokens/{id}"), None).await?)
}

pub async fn set_portal_read_only(
    token: &str,
    portal: DocumentId,
    read_only: bool,
) -> Result<Vec<TokenInfo>, ApiError> {
    let body = json(&SetReadOnly { read_only })?;
    required(
        call(
            token,
            "PUT",
            &format!("/api/portals/{portal}/access"),
            Some(body),
        )
        .await?,
    )
}

/// Who wrote with each actor in a portal, as the relay verified it (`GET
/// /api/portals/{id}/authors`).
pub async fn authors(token: &str, portal: DocumentId) -> Result<Vec<Author>, ApiError> {
    required(
        call(
            token,
            "GET",
            &format!("/api/portals/{portal}/authors"),
            None,
        )
        .await?,
    )
}

/// What this person gets by email.
pub async fn my_email(token: &str) -> Result<MyEmail, ApiError> {
    required(call(token, "GET", "/api/me/email", None).await?)
}

pub async fn set_my_email(token: &str, wants: EmailPreferences) -> Result<MyEmail, ApiError> {
    let body = json(&wants)?;
    required(call(token, "PUT", "/api/me/email", Some(body)).await?)
}

/// Who the workspace's mail comes from (provider only).
pub async fn workspace_mail(token: &str) -> Result<WorkspaceMail, ApiError> {
    required(call(token, "GET", "/api/workspace/mail", None).await?)
}

pub async fn set_workspace_mail(token: &str, sender: &Sender) -> Result<WorkspaceMail, ApiError> {
    let body = json(sender)?;
    required(call(token, "PUT", "/api/workspace/mail", Some(body)).await?)
}

/// Where this device's person is, as minutes east of UTC, for the relay's scheduled mail.
pub async fn set_time_zone(token: &str, utc_offset_minutes: i32) -> Result<(), ApiError> {
    let body = json(&SetTimeZone { utc_offset_minutes })?;
    call::<serde_json::Value>(token, "PUT", "/api/session/time-zone", Some(body)).await?;
    Ok(())
}

/// The portal's reminders, follow-ups and goodbye as the relay's outbox holds them (provider).
pub async fn portal_mail(token: &str, portal: DocumentId) -> Result<Vec<MailRecord>, ApiError> {
    required(call(token, "GET", &format!("/api/portals/{portal}/mail"), None).await?)
}

//! The mail routes, which need no token: the link in a message is the proof.
//!
//! - `GET /api/mail/unsubscribe/{token}`: a page with one button. Opening the link does not
//!   unsubscribe, because mail scanners open links on their own.
//! - `POST /api/mail/unsubscribe/{token}`: unsubscribe (RFC 8058 one-click: mail clients post
//!   `List-Unsubscribe=One-Click` here; the page's button posts the same).
//! - `POST /api/mail/resubscribe/{token}`: undo it, from the button on the page that confirms
//!   the unsubscribe (the same signed link: only mail to the address carries it).

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::message::escape;
use super::unsubscribe::Unsubscribes;
use super::Mail;
use crate::error::AppError;

pub fn routes(mail: Option<Mail>) -> Router {
    Router::new()
        .route(
            "/api/mail/unsubscribe/{token}",
            get(unsubscribe_page).post(unsubscribe),
        )
        .route("/api/mail/resubscribe/{token}", post(resubscribe))
        .with_state(mail)
}

fn page(title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\
<body style=\"font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1d2330\">\
<main><h1 style=\"font-size:1.4rem\">{title}</h1>{body}</main></body></html>"
    );
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

fn address_of(mail: &Option<Mail>, token: &str) -> Result<(Mail, String), AppError> {
    let mail = mail.clone().ok_or(AppError::NotFound)?;
    let address = mail
        .unsubscribes
        .verify(token)
        .ok_or_else(|| AppError::BadRequest("this unsubscribe link is not valid".into()))?;
    Ok((mail, address))
}

/// Change the unsubscribe book for `address` durably, off the async threads (a file write).
async fn record(
    mail: &Mail,
    address: &str,
    change: fn(&Unsubscribes, &str) -> std::io::Result<()>,
) -> Result<(), AppError> {
    let book = mail.unsubscribes.clone();
    let address = address.to_owned();
    tokio::task::spawn_blocking(move || change(&book, &address))
        .await
        .map_err(|e| AppError::Storage(e.to_string()))?
        .map_err(|e| AppError::Storage(e.to_string()))
}

async fn unsubscribe_page(
    State(mail): State<Option<Mail>>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (_, address) = address_of(&mail, &token)?;
    Ok(page(
        "Stop these emails?",
        &format!(
            "<p>Emails from this portal to <strong>{}</strong> will stop. Sign-in links you ask for still arrive.</p>\
<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
<button type=\"submit\" style=\"font:inherit;padding:.5rem 1rem\">Unsubscribe</button></form>",
            escape(&address)
        ),
    ))
}

async fn unsubscribe(
    State(mail): State<Option<Mail>>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (mail, address) = address_of(&mail, &token)?;
    record(&mail, &address, Unsubscribes::unsubscribe).await?;
    tracing::info!("an address unsubscribed");
    Ok(page(
        "You are unsubscribed",
        &format!(
            "<p>No more emails from this portal will go to <strong>{}</strong>.</p>\
<p>Changed your mind?</p><form method=\"post\" action=\"/api/mail/resubscribe/{}\">\
<button type=\"submit\" style=\"font:inherit;padding:.5rem 1rem\">Get these emails again</button></form>",
            escape(&address),
            escape(&token)
        ),
    ))
}

/// Undo an unsubscribe. Only the signed link does it, since only mail to the address carries
/// it: a token that names the address in the app (which the provider may have typed) does not
/// prove the person asked.
async fn resubscribe(
    State(mail): State<Option<Mail>>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let (mail, address) = address_of(&mail, &token)?;
    record(&mail, &address, Unsubscribes::resubscribe).await?;
    tracing::info!("an address subscribed again");
    Ok(page(
        "You will get these emails again",
        &format!(
            "<p>Emails from this portal go to <strong>{}</strong> again. You can choose which in the portal, under \u{201c}Emails to you\u{201d}.</p>",
            escape(&address)
        ),
    ))
}

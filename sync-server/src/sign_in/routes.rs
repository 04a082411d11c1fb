//! The sign-in routes, which take no token (the caller has none yet):
//!
//! - `POST /api/sign-in/email` ([`SignInRequest`]): `204` whether or not the address is an
//!   active person's, and in the same time (the link is made and queued after answering).
//!   Limited per address and per client address; `409` when the relay sends no email.
//! - `POST /api/sign-in/redeem` ([`RedeemSignIn`]): `201` [`CreatedToken`], a new token for
//!   this device with the person's access; `400` for something that is not a sign-in link,
//!   `410` for one that expired, was used, or whose person's access was revoked since.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use chrono::Utc;
use threshold_model::access::{CreatedToken, NewToken, RedeemSignIn, SignInRequest};

use super::{LinkError, SignInLinks};
use crate::client_address::{limit_key, TrustedProxies};
use crate::error::AppError;
use crate::mail::{self, Mail};
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::token_store::TokenStore;

/// How often links may be asked for: per address, a few and then one per 10 minutes; per
/// client address, a handful and then one a minute. Redeeming is one a second per client
/// address after a burst (a guess at a 256-bit secret is hopeless, but each costs a hash).
pub fn per_email() -> RateLimiter {
    RateLimiter::new(RateLimit {
        per_second: 1.0 / 600.0,
        burst: 3.0,
    })
}

pub fn per_ip() -> RateLimiter {
    RateLimiter::new(RateLimit {
        per_second: 1.0 / 60.0,
        burst: 10.0,
    })
}

pub fn redeem_per_ip() -> RateLimiter {
    RateLimiter::new(RateLimit {
        per_second: 1.0,
        burst: 20.0,
    })
}

#[derive(Clone)]
pub struct SignInState {
    pub tokens: TokenStore,
    pub links: SignInLinks,
    pub mail: Option<Mail>,
    pub per_email: Arc<RateLimiter>,
    pub per_ip: Arc<RateLimiter>,
    pub redeem_per_ip: Arc<RateLimiter>,
    /// Who the per-address limits count behind a load balancer.
    pub proxies: TrustedProxies,
}

pub fn routes(state: SignInState) -> Router {
    Router::new()
        .route("/api/sign-in/email", post(request_link))
        .route("/api/sign-in/redeem", post(redeem))
        .with_state(state)
}

fn too_many(wait: Duration) -> AppError {
    AppError::TooManyRequests {
        retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
    }
}

async fn request_link(
    State(s): State<SignInState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(body): Json<SignInRequest>,
) -> Result<StatusCode, AppError> {
    let Some(mail) = s.mail.clone() else {
        return Err(AppError::Conflict(
            "this relay sends no email; ask the person who invited you for a new invite link"
                .into(),
        ));
    };
    let address = body.email.trim().to_lowercase();
    if address.parse::<lettre::Address>().is_err() || address.len() > 254 {
        return Err(AppError::BadRequest("that is not an email address".into()));
    }
    let now = Instant::now();
    let client = s.proxies.client(peer.ip(), &headers);
    s.per_ip.take(&limit_key(client), now).map_err(too_many)?;
    s.per_email.take(&address, now).map_err(too_many)?;
    // Answered before anything depends on whether the address is known, so neither the answer
    // nor its timing tells.
    tokio::task::spawn_blocking(move || send_link(&s.tokens, &s.links, &mail, &address));
    Ok(StatusCode::NO_CONTENT)
}

/// Email a link to the newest active token with this address, if there is one.
fn send_link(tokens: &TokenStore, links: &SignInLinks, mail: &Mail, address: &str) {
    let state = tokens.snapshot();
    let holder = state
        .tokens
        .iter()
        .filter(|t| t.is_active())
        .filter(|t| {
            t.email
                .as_deref()
                .is_some_and(|e| e.trim().eq_ignore_ascii_case(address))
        })
        .max_by_key(|t| t.created_at);
    let Some(holder) = holder else {
        tracing::info!(
            "a sign-in link was asked for an address with no active person; nothing sent"
        );
        return;
    };
    let result = (|| -> Result<(), String> {
        let secret = links
            .mint(&holder.id, Utc::now())
            .map_err(|e| e.to_string())?;
        let link = format!("{}/#/sign-in/{secret}", mail.base_url);
        let to = lettre::message::Mailbox::new(
            Some(holder.name.clone()),
            address
                .parse()
                .map_err(|e: lettre::address::AddressError| e.to_string())?,
        );
        let letter = mail::sign_in::letter(to, &mail.from(), &link);
        mail.send(&letter).map_err(|e| e.to_string())?;
        Ok(())
    })();
    match result {
        Ok(()) => tracing::info!(token = %holder.id, "sign-in link queued"),
        Err(e) => {
            tracing::error!(token = %holder.id, error = %e, "the sign-in link could not be queued")
        }
    }
}

/// The secret in a pasted link, or the secret itself.
fn secret_of(link: &str) -> &str {
    let link = link.trim();
    link.rsplit_once("#/sign-in/").map_or(link, |(_, s)| s)
}

async fn redeem(
    State(s): State<SignInState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(body): Json<RedeemSignIn>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    let client = s.proxies.client(peer.ip(), &headers);
    s.redeem_per_ip
        .take(&limit_key(client), Instant::now())
        .map_err(too_many)?;
    let links = s.links.clone();
    let secret = secret_of(&body.link).to_owned();
    let token_id = tokio::task::spawn_blocking(move || links.redeem(&secret, Utc::now()))
        .await
        .map_err(|e| AppError::Storage(e.to_string()))?
        .map_err(|e| match e {
            LinkError::Malformed => AppError::BadRequest(e.to_string()),
            LinkError::Spent => AppError::Gone(e.to_string()),
            LinkError::Io(_) => AppError::Storage(e.to_string()),
        })?;
    let holder = s
        .tokens
        .snapshot()
        .find(&token_id)
        .filter(|t| t.is_active())
        .cloned()
        .ok_or_else(|| AppError::Gone("the access this link was for has been revoked".into()))?;
    let minted = s.tokens.create(NewToken {
        role: holder.role,
        portal: holder.portal,
        read_only: holder.read_only,
        name: holder.name.clone(),
        email: holder.email.clone(),
    })?;
    tracing::info!(id = %minted.record.id, from = %holder.id, "a device signed in by email");
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            token: minted.secret,
            record: minted.record.info(),
            emailed: false,
        }),
    ))
}

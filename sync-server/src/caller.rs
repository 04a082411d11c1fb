//! Who is calling, as axum extractors: a handler's signature says who may call it.
//!
//! - [`Caller`]: any active token, from `Authorization: Bearer thr_…` (`/api`, `/blobs`).
//! - [`Provider`]: an owner or team token; a client gets `403`.
//! - [`SocketCaller`]: any active token, from `/sync?token=thr_…`, because the stock JS
//!   automerge-repo client can only set a URL.
//!
//! Every refusal is an [`AppError`]: no token, an unknown one and a revoked one all get the
//! same `401`, so a caller cannot tell them apart.
//!
//! [`Caller`] (and so [`Provider`]) also spends the request's allowance ([`HttpLimiter`]): every
//! `/api` and `/blobs` handler names its caller, so none can forget the rate limit. A valid
//! token spends its own bucket; everything else spends the one bucket shared by callers without
//! a valid token. Either way a spent allowance is `429` with `Retry-After`.

use axum::extract::{FromRef, FromRequestParts, Query};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::AppError;
use crate::rate_limit::{HttpLimiter, UNAUTHENTICATED};
use crate::token::TokenRecord;
use crate::token_store::TokenStore;

/// The record of the active token a request carries.
pub struct Caller(pub TokenRecord);

/// The record of an active owner or team token: someone on the provider's side.
pub struct Provider(pub TokenRecord);

/// The record of the active token a WebSocket upgrade names in its query string.
pub struct SocketCaller(pub TokenRecord);

impl<S: Send + Sync> FromRequestParts<S> for Caller
where
    TokenStore: FromRef<S>,
    Arc<HttpLimiter>: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let limiter = Arc::<HttpLimiter>::from_ref(state);
        let now = Instant::now();
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let Some(record) = secret.and_then(|s| TokenStore::from_ref(state).authenticate(s.trim()))
        else {
            limiter
                .unauthenticated
                .take(UNAUTHENTICATED, now)
                .map_err(too_many)?;
            return Err(AppError::Unauthorized);
        };
        limiter.per_token.take(&record.id, now).map_err(too_many)?;
        Ok(Caller(record))
    }
}

fn too_many(wait: Duration) -> AppError {
    AppError::TooManyRequests {
        retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Provider
where
    TokenStore: FromRef<S>,
    Arc<HttpLimiter>: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Caller(me) = Caller::from_request_parts(parts, state).await?;
        if me.is_provider() {
            Ok(Provider(me))
        } else {
            Err(AppError::Forbidden(
                "only the provider's team manages access".into(),
            ))
        }
    }
}

#[derive(Deserialize)]
struct SyncParams {
    token: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for SocketCaller
where
    TokenStore: FromRef<S>,
{
    /// A query string that does not parse keeps axum's own answer; a missing or invalid token
    /// is an [`AppError`].
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Query(params) = Query::<SyncParams>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let secret = params
            .token
            .ok_or_else(|| AppError::Unauthorized.into_response())?;
        TokenStore::from_ref(state)
            .authenticate(&secret)
            .map(SocketCaller)
            .ok_or_else(|| AppError::Unauthorized.into_response())
    }
}

//! The relay's one HTTP error type. Bodies are JSON `{"error": "…"}` (`threshold_model::access::Refusal`)
//! so the app can show them.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use threshold_model::access::Refusal;

use crate::token_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No token, an unknown token, or a revoked one. The same answer for all three.
    #[error("a valid access token is required")]
    Unauthorized,
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// Also the answer for things outside the caller's grants, so they cannot tell.
    #[error("not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("conflict: {0}")]
    Conflict(String),
    /// Something that worked once and no longer does (a spent sign-in link).
    #[error("{0}")]
    Gone(String),
    #[error("the relay could not store this: {0}")]
    Storage(String),
    #[error("too large: {0}")]
    TooLarge(String),
    /// A token's (or the unauthenticated callers') request allowance is spent.
    #[error("rate limit exceeded: too many requests; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// One token holds as many connections as it may.
    #[error("too many connections: {0}")]
    TooManyConnections(String),
    /// A token whose changes were refused again and again waits before it connects again.
    #[error("the relay refused {refusals} changes from this access within ten minutes; wait {retry_after_secs} s before connecting again")]
    CoolingDown {
        refusals: usize,
        retry_after_secs: u64,
    },
    /// The relay holds as many connections as it may.
    #[error("busy: {0}")]
    Busy(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Token(e) => AppError::BadRequest(e.to_string()),
            StoreError::NoSuchToken(_) => AppError::NotFound,
            StoreError::Revoked(_) | StoreError::LastOwner | StoreError::WorkspaceTaken(_) => {
                AppError::Conflict(e.to_string())
            }
            StoreError::Corrupt { .. } | StoreError::Io { .. } | StoreError::Database(_) => {
                tracing::error!(error = %e, "access file");
                let cause = match &e {
                    StoreError::Io { source, .. } => source.to_string(),
                    StoreError::Database(_) => "the database is unavailable".to_owned(),
                    _ => "the access file is unreadable".to_owned(),
                };
                AppError::Storage(cause)
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = match self {
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Storage(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooManyConnections(_) | AppError::CoolingDown { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
        };
        let retry_after = match self {
            AppError::TooManyRequests { retry_after_secs }
            | AppError::CoolingDown {
                retry_after_secs, ..
            } => Some(retry_after_secs),
            _ => None,
        };
        let body = Refusal {
            error: self.to_string(),
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

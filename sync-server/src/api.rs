//! The relay's small JSON API, for the app's people and invite screens. Every call carries a
//! token as `Authorization: Bearer thr_…`; what it may do follows from the token's role.
//!
//! - `GET /api/session`: who this token is, and where it opens (workspace or portal).
//! - `PUT /api/workspace`: a provider's first browser registers its workspace document.
//! - `GET /api/tokens?portal=…`, `POST /api/tokens`: list and mint (the secret is returned once).
//! - `PATCH /api/tokens/{id}` (`readOnly`), `DELETE /api/tokens/{id}` (revoke).
//! - `PUT /api/portals/{id}/access` (`readOnly`): every client token of a portal at once, for
//!   offboarding.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use threshold_protocol::{Access, DocumentId};

use crate::error::AppError;
use crate::hub::Hub;
use crate::token::{Role, TokenRecord, TokenRequest};
use crate::token_store::TokenStore;

#[derive(Clone)]
pub struct ApiState {
    pub tokens: TokenStore,
    pub hub: Hub,
}

pub fn routes(state: ApiState) -> Router {
    Router::new()
        .route("/api/session", get(session))
        .route("/api/workspace", put(register_workspace))
        .route("/api/tokens", get(list_tokens).post(create_token))
        .route("/api/tokens/{id}", patch(update_token).delete(revoke_token))
        .route("/api/portals/{id}/access", put(set_portal_access))
        .with_state(state)
}

/// Tell every open connection what its token may do now. Called after every change to the
/// access file, by the API and by the file watcher alike.
pub fn apply_grants(tokens: &TokenStore, hub: &Hub) {
    let grants: HashMap<String, Option<Access>> = tokens
        .snapshot()
        .tokens
        .iter()
        .map(|t| (t.id.clone(), t.is_active().then(|| t.access())))
        .collect();
    hub.regrant(grants);
}

pub(crate) fn caller(tokens: &TokenStore, headers: &HeaderMap) -> Result<TokenRecord, AppError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    tokens
        .authenticate(secret.trim())
        .ok_or(AppError::Unauthorized)
}

fn provider(tokens: &TokenStore, headers: &HeaderMap) -> Result<TokenRecord, AppError> {
    let me = caller(tokens, headers)?;
    if me.is_provider() {
        Ok(me)
    } else {
        Err(AppError::Forbidden(
            "only the provider's team manages access".into(),
        ))
    }
}

/// A token as the API shows it: never the hash.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenView {
    id: String,
    role: Role,
    portal: Option<String>,
    read_only: bool,
    name: String,
    email: Option<String>,
    created_at: chrono::DateTime<chrono::Utc>,
    revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&TokenRecord> for TokenView {
    fn from(t: &TokenRecord) -> Self {
        Self {
            id: t.id.clone(),
            role: t.role,
            portal: t.portal.map(|p| p.to_string()),
            read_only: t.read_only,
            name: t.name.clone(),
            email: t.email.clone(),
            created_at: t.created_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionView {
    #[serde(flatten)]
    token: TokenView,
    /// Only for provider tokens: a client never learns the workspace id.
    workspace: Option<String>,
}

async fn session(State(s): State<ApiState>, headers: HeaderMap) -> Result<Response, AppError> {
    let me = caller(&s.tokens, &headers)?;
    let workspace = me
        .is_provider()
        .then(|| s.tokens.snapshot().workspace.map(|w| w.to_string()))
        .flatten();
    Ok(Json(SessionView {
        token: TokenView::from(&me),
        workspace,
    })
    .into_response())
}

#[derive(Deserialize)]
struct WorkspaceBody {
    workspace: String,
}

async fn register_workspace(
    State(s): State<ApiState>,
    headers: HeaderMap,
    Json(body): Json<WorkspaceBody>,
) -> Result<StatusCode, AppError> {
    let me = provider(&s.tokens, &headers)?;
    if me.read_only {
        return Err(AppError::Forbidden(
            "a read-only token changes nothing".into(),
        ));
    }
    let id: DocumentId = body
        .workspace
        .parse()
        .map_err(|e| AppError::BadRequest(format!("workspace id: {e}")))?;
    s.tokens.register_workspace(id)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct ListQuery {
    portal: Option<String>,
}

async fn list_tokens(
    State(s): State<ApiState>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<TokenView>>, AppError> {
    provider(&s.tokens, &headers)?;
    let portal = query
        .portal
        .map(|p| p.parse::<DocumentId>())
        .transpose()
        .map_err(|e| AppError::BadRequest(format!("portal id: {e}")))?;
    let state = s.tokens.snapshot();
    let list = state
        .tokens
        .iter()
        .filter(|t| portal.is_none_or(|p| t.portal == Some(p)))
        .map(TokenView::from)
        .collect();
    Ok(Json(list))
}

#[derive(Serialize)]
struct Created {
    /// The secret, shown this once.
    token: String,
    record: TokenView,
}

async fn create_token(
    State(s): State<ApiState>,
    headers: HeaderMap,
    Json(request): Json<TokenRequest>,
) -> Result<Response, AppError> {
    let me = provider(&s.tokens, &headers)?;
    if !me.may_manage(request.role) {
        return Err(AppError::Forbidden(format!(
            "a {} token cannot create {} tokens",
            me.role.as_str(),
            request.role.as_str()
        )));
    }
    let minted = s.tokens.create(request)?;
    tracing::info!(id = %minted.record.id, role = minted.record.role.as_str(), "token created");
    let body = Created {
        token: minted.secret,
        record: TokenView::from(&minted.record),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadOnlyBody {
    read_only: bool,
}

/// The token `id`, if the caller may manage it. Anything else is "not found".
fn managed(s: &ApiState, me: &TokenRecord, id: &str) -> Result<TokenRecord, AppError> {
    let target = s
        .tokens
        .snapshot()
        .find(id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    if me.may_manage(target.role) {
        Ok(target)
    } else {
        Err(AppError::Forbidden(format!(
            "a {} token cannot change {} tokens",
            me.role.as_str(),
            target.role.as_str()
        )))
    }
}

async fn update_token(
    State(s): State<ApiState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<ReadOnlyBody>,
) -> Result<Json<TokenView>, AppError> {
    let me = provider(&s.tokens, &headers)?;
    managed(&s, &me, &id)?;
    let record = s.tokens.set_read_only(&id, body.read_only)?;
    apply_grants(&s.tokens, &s.hub);
    Ok(Json(TokenView::from(&record)))
}

async fn revoke_token(
    State(s): State<ApiState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<TokenView>, AppError> {
    let me = provider(&s.tokens, &headers)?;
    managed(&s, &me, &id)?;
    let record = s.tokens.revoke(&id)?;
    tracing::info!(%id, "token revoked");
    apply_grants(&s.tokens, &s.hub);
    Ok(Json(TokenView::from(&record)))
}

async fn set_portal_access(
    State(s): State<ApiState>,
    headers: HeaderMap,
    Path(portal): Path<String>,
    Json(body): Json<ReadOnlyBody>,
) -> Result<Json<Vec<TokenView>>, AppError> {
    let me = provider(&s.tokens, &headers)?;
    if !me.may_manage(Role::Client) {
        return Err(AppError::Forbidden(
            "this token cannot change access".into(),
        ));
    }
    let portal: DocumentId = portal
        .parse()
        .map_err(|e| AppError::BadRequest(format!("portal id: {e}")))?;
    let changed = s.tokens.set_portal_read_only(portal, body.read_only)?;
    apply_grants(&s.tokens, &s.hub);
    Ok(Json(changed.iter().map(TokenView::from).collect()))
}

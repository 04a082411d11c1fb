//! The relay's small JSON API, for the app's people and invite screens. Every call carries a
//! token as `Authorization: Bearer thr_…` ([`Caller`], [`Provider`]); what it may do follows
//! from the token's role. The bodies are `threshold_model::access`'s, shared with the app.
//!
//! - `GET /api/session`: who this token is, and where it opens (workspace or portal).
//! - `PUT /api/workspace`: a provider's first browser registers its workspace document.
//! - `GET /api/tokens?portal=…`, `POST /api/tokens`: list and mint (the secret is returned once;
//!   with `sendEmail`, the invite link is also queued to the token's email).
//! - `PATCH /api/tokens/{id}` (`readOnly`), `DELETE /api/tokens/{id}` (revoke).
//! - `PUT /api/portals/{id}/access` (`readOnly`): every client token of a portal at once, for
//!   offboarding.
//! - `POST /api/portals/{id}/goodbye`: queue the goodbye as composed, once per portal (a
//!   provider's writable token; email must be on).
//! - `GET|PUT /api/me/email`, `GET|PUT /api/workspace/mail`: email choices (see
//!   [`mail::choices`]).
//! - `PUT /api/session/time-zone` (`utcOffsetMinutes`): where the token's holder is, for the
//!   morning of scheduled mail; any active token, for itself.
//! - `GET /api/portals/{id}/mail`: the portal's reminders, follow-ups and goodbye as the
//!   outbox holds them (queued, sent or failed), for the provider.
//! - `GET /api/portals/{id}/authors`: who each actor in a portal is, as the relay verified it;
//!   for the provider and the portal's own client tokens (read-only ones too).

use crate::storage::Storage;
use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRef, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use threshold_model::access::{
    Author, CreateToken, CreatedToken, GoodbyeQueued, MailRecord, MailState, RegisterWorkspace,
    Role, SendGoodbye, SessionInfo, SetReadOnly, SetTimeZone, TokenFilter, TokenInfo,
    MAX_UTC_OFFSET_MINUTES,
};
use threshold_protocol::{Access, DocumentId};

use crate::caller::{Caller, Provider};
use crate::error::AppError;
use crate::hub::Hub;
use crate::mail::{self, Mail, Sent};
use crate::rate_limit::HttpLimiter;
use crate::token::TokenRecord;
use crate::token_store::TokenStore;

#[derive(Clone)]
pub struct ApiState {
    pub tokens: TokenStore,
    pub hub: Hub,
    /// The relay's storage, for reads (the data dir, or the relays' database): the authors
    /// route reads the binding tables there.
    pub records: Arc<dyn Storage + Send + Sync>,
    pub http: Arc<HttpLimiter>,
    /// `None` when no SMTP server is configured: nothing is emailed.
    pub mail: Option<Mail>,
    /// The largest file `/blobs` takes, told to every session so the app refuses larger ones
    /// before sending them.
    pub max_blob_bytes: u64,
}

impl FromRef<ApiState> for TokenStore {
    fn from_ref(state: &ApiState) -> TokenStore {
        state.tokens.clone()
    }
}

impl FromRef<ApiState> for Arc<HttpLimiter> {
    fn from_ref(state: &ApiState) -> Arc<HttpLimiter> {
        state.http.clone()
    }
}

pub fn routes(state: ApiState) -> Router {
    Router::new()
        .route("/api/session", get(session))
        .route("/api/workspace", put(register_workspace))
        .route("/api/tokens", get(list_tokens).post(create_token))
        .route("/api/tokens/{id}", patch(update_token).delete(revoke_token))
        .route("/api/portals/{id}/access", put(set_portal_access))
        .route("/api/portals/{id}/authors", get(portal_authors))
        .route("/api/portals/{id}/goodbye", post(send_goodbye))
        .route("/api/session/time-zone", put(set_time_zone))
        .route("/api/portals/{id}/mail", get(portal_mail))
        .with_state(state.clone())
        .merge(mail::choices::routes(state))
}

/// Tell every open connection what its token may do now. Called after every change to the
/// access file, by the API and by the file watcher alike, and awaited before answering: once
/// the call that changed a grant returns, no connection acts under the old one. A connection
/// still upgrading at that moment re-reads its grant once it is registered (see
/// `connection::run`), so it cannot slip between the store's change and this.
pub async fn apply_grants(tokens: &TokenStore, hub: &Hub) {
    let grants: HashMap<String, Option<Access>> = tokens
        .snapshot()
        .tokens
        .iter()
        .map(|t| (t.id.clone(), t.is_active().then(|| t.access())))
        .collect();
    hub.regrant(grants).await;
}

async fn session(State(s): State<ApiState>, Caller(me): Caller) -> Json<SessionInfo> {
    // Only for provider tokens: a client never learns the workspace id.
    let workspace = me
        .is_provider()
        .then(|| s.tokens.snapshot().workspace)
        .flatten();
    Json(SessionInfo {
        token: me.info(),
        workspace,
        email_enabled: s.mail.is_some(),
        max_blob_bytes: Some(s.max_blob_bytes),
    })
}

async fn register_workspace(
    State(s): State<ApiState>,
    Provider(me): Provider,
    Json(body): Json<RegisterWorkspace>,
) -> Result<StatusCode, AppError> {
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

async fn list_tokens(
    State(s): State<ApiState>,
    Query(filter): Query<TokenFilter>,
    _: Provider,
) -> Result<Json<Vec<TokenInfo>>, AppError> {
    let portal = filter
        .portal
        .map(|p| p.parse::<DocumentId>())
        .transpose()
        .map_err(|e| AppError::BadRequest(format!("portal id: {e}")))?;
    let state = s.tokens.snapshot();
    let list = state
        .tokens
        .iter()
        .filter(|t| portal.is_none_or(|p| t.portal == Some(p)))
        .map(TokenRecord::info)
        .collect();
    Ok(Json(list))
}

async fn create_token(
    State(s): State<ApiState>,
    Provider(me): Provider,
    Json(CreateToken {
        token: request,
        send_email,
    }): Json<CreateToken>,
) -> Result<(StatusCode, Json<CreatedToken>), AppError> {
    if !me.may_manage(request.role) {
        return Err(AppError::Forbidden(format!(
            "a {} token cannot create {} tokens",
            me.role, request.role
        )));
    }
    // Refused before anything is minted, so a failed request leaves no token behind.
    let invite = match (&send_email, &s.mail, &request.email) {
        (None, _, _) => None,
        (Some(_), None, _) => {
            return Err(AppError::Conflict(
                "email is off: this relay has no SMTP server configured".into(),
            ))
        }
        (Some(_), Some(_), None) => {
            return Err(AppError::BadRequest(
                "an invite can only be emailed to a person with an email address".into(),
            ))
        }
        (Some(invite), Some(mail), Some(address)) => {
            let address = address
                .trim()
                .parse::<lettre::Address>()
                .map_err(|e| AppError::BadRequest(format!("email: {e}")))?;
            let name = request.name.trim();
            let to =
                lettre::message::Mailbox::new((!name.is_empty()).then(|| name.to_owned()), address);
            Some((invite.clone(), mail.clone(), to))
        }
    };
    let minted = s.tokens.create(request)?;
    tracing::info!(id = %minted.record.id, role = minted.record.role.as_str(), "token created");
    let mut emailed = false;
    if let Some((invite, mail, to)) = invite {
        let link = crate::server::invite_link(&mail.base_url, &minted.secret);
        let letter = mail::invite::letter(to, &mail.from(), &invite.provider, &invite.note, &link);
        let sent = tokio::task::spawn_blocking(move || mail.send(&letter))
            .await
            .map_err(|e| AppError::Storage(e.to_string()))?;
        match sent {
            Ok(Sent::Queued { .. } | Sent::Already { .. }) => emailed = true,
            Ok(Sent::Unsubscribed | Sent::TurnedOff) => {}
            // The token exists and its link is in the answer: the provider can still share it.
            Err(e) => tracing::error!(error = %e, "the invite email could not be queued"),
        }
    }
    let body = CreatedToken {
        token: minted.secret,
        record: minted.record.info(),
        emailed,
    };
    Ok((StatusCode::CREATED, Json(body)))
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
            me.role, target.role
        )))
    }
}

async fn update_token(
    State(s): State<ApiState>,
    Provider(me): Provider,
    Path(id): Path<String>,
    Json(body): Json<SetReadOnly>,
) -> Result<Json<TokenInfo>, AppError> {
    managed(&s, &me, &id)?;
    let record = s.tokens.set_read_only(&id, body.read_only)?;
    apply_grants(&s.tokens, &s.hub).await;
    Ok(Json(record.info()))
}

async fn revoke_token(
    State(s): State<ApiState>,
    Provider(me): Provider,
    Path(id): Path<String>,
) -> Result<Json<TokenInfo>, AppError> {
    managed(&s, &me, &id)?;
    let record = s.tokens.revoke(&id)?;
    tracing::info!(%id, "token revoked");
    apply_grants(&s.tokens, &s.hub).await;
    Ok(Json(record.info()))
}

async fn set_portal_access(
    State(s): State<ApiState>,
    Provider(me): Provider,
    Path(portal): Path<String>,
    Json(body): Json<SetReadOnly>,
) -> Result<Json<Vec<TokenInfo>>, AppError> {
    if !me.may_manage(Role::Client) {
        return Err(AppError::Forbidden(
            "this token cannot change access".into(),
        ));
    }
    let portal: DocumentId = portal
        .parse()
        .map_err(|e| AppError::BadRequest(format!("portal id: {e}")))?;
    let changed = s.tokens.set_portal_read_only(portal, body.read_only)?;
    apply_grants(&s.tokens, &s.hub).await;
    Ok(Json(changed.iter().map(TokenRecord::info).collect()))
}

/// The portal's verified authors. A caller outside the portal (a client of another one) gets
/// the same `404` as for a portal that does not exist.
async fn portal_authors(
    State(s): State<ApiState>,
    Caller(me): Caller,
    Path(portal): Path<String>,
) -> Result<Json<Vec<Author>>, AppError> {
    let portal: DocumentId = portal.parse().map_err(|_| AppError::NotFound)?;
    if !me.is_provider() && me.portal != Some(portal) {
        return Err(AppError::NotFound);
    }
    let authors =
        tokio::task::spawn_blocking(move || crate::authors::read(s.records.as_ref(), &portal))
            .await
            .map_err(|e| AppError::Storage(e.to_string()))?
            .map_err(|e| AppError::Storage(e.to_string()))?;
    Ok(Json(authors))
}

/// The goodbye as the provider composed it, queued once per portal. The invoice gate is the
/// app's (it reads the portal); the relay makes sure a second device or a retry sends nothing
/// twice.
async fn send_goodbye(
    State(s): State<ApiState>,
    Provider(me): Provider,
    Path(portal): Path<String>,
    Json(body): Json<SendGoodbye>,
) -> Result<Json<GoodbyeQueued>, AppError> {
    if me.read_only {
        return Err(AppError::Forbidden(
            "a read-only token changes nothing".into(),
        ));
    }
    let portal: DocumentId = portal
        .parse()
        .map_err(|e| AppError::BadRequest(format!("portal id: {e}")))?;
    let mail = s.mail.clone().ok_or_else(|| {
        AppError::Conflict("email is off: this relay has no SMTP server configured".into())
    })?;
    let to = body
        .to
        .iter()
        .map(|t| {
            mail::config::mailbox(t)
                .map_err(|_| AppError::BadRequest(format!("`{t}` is not an email address")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if to.is_empty() {
        return Err(AppError::BadRequest(
            "the goodbye has nobody to go to: add the client's email first".into(),
        ));
    }
    if body.subject.trim().is_empty() || body.text.trim().is_empty() {
        return Err(AppError::BadRequest(
            "the goodbye needs a subject and a text".into(),
        ));
    }
    if body.text.len() > 100_000 || body.subject.len() > 1_000 || to.len() > 50 {
        return Err(AppError::TooLarge("the goodbye is too long".into()));
    }
    let (message_ids, already) = tokio::task::spawn_blocking(move || {
        mail::goodbye::send_once(&mail, &portal, to, &body.subject, &body.text)
    })
    .await
    .map_err(|e| AppError::Storage(e.to_string()))?
    .map_err(|e| AppError::Storage(e.to_string()))?;
    tracing::info!(%portal, already, "goodbye queued");
    Ok(Json(GoodbyeQueued {
        message_ids,
        already,
    }))
}

async fn set_time_zone(
    State(s): State<ApiState>,
    Caller(me): Caller,
    Json(body): Json<SetTimeZone>,
) -> Result<StatusCode, AppError> {
    if body.utc_offset_minutes.abs() > MAX_UTC_OFFSET_MINUTES {
        return Err(AppError::BadRequest(format!(
            "utcOffsetMinutes must be between -{MAX_UTC_OFFSET_MINUTES} and {MAX_UTC_OFFSET_MINUTES}"
        )));
    }
    let tokens = s.tokens.clone();
    tokio::task::spawn_blocking(move || tokens.set_utc_offset(&me.id, body.utc_offset_minutes))
        .await
        .map_err(|e| AppError::Storage(e.to_string()))??;
    Ok(StatusCode::NO_CONTENT)
}

/// What the outbox holds for one portal. The app shows a follow-up as sent from this: the
/// relay, not the document, knows what went, and it never writes into documents.
async fn portal_mail(
    State(s): State<ApiState>,
    Provider(_): Provider,
    Path(portal): Path<String>,
) -> Result<Json<Vec<MailRecord>>, AppError> {
    let portal: DocumentId = portal
        .parse()
        .map_err(|e| AppError::BadRequest(format!("portal id: {e}")))?;
    let Some(mail) = s.mail.clone() else {
        return Ok(Json(Vec::new()));
    };
    let records = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        for kind in ["reminder", "follow-up", "goodbye", "digest"] {
            for (q, state) in mail.outbox.with_prefix(&format!("{kind}-{portal}-"))? {
                out.push(MailRecord {
                    key: q.id,
                    state: match state {
                        None => MailState::Queued,
                        Some("sent") => MailState::Sent,
                        Some(_) => MailState::Failed,
                    },
                    queued_at: q.queued_at,
                    done_at: q.done_at,
                    to: q.to,
                });
            }
        }
        out.sort_by(|a, b| (a.queued_at, &a.key).cmp(&(b.queued_at, &b.key)));
        Ok::<_, std::io::Error>(out)
    })
    .await
    .map_err(|e| AppError::Storage(e.to_string()))?
    .map_err(|e| AppError::Storage(e.to_string()))?;
    Ok(Json(records))
}

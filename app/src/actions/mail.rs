//! What the relay's outbox holds for a portal: the app shows a follow-up as sent from it.

use threshold_model::access::{MailRecord, MailState};
use threshold_model::notify::follow_up_prefix;
use threshold_protocol::DocumentId;

use crate::relay::api;
use crate::state::session;

/// The portal's scheduled mail and goodbye, oldest first (provider tokens).
pub async fn portal_mail(id: DocumentId) -> Result<Vec<MailRecord>, String> {
    let token = session::token().ok_or_else(|| api::ApiError::Unauthorized.to_string())?;
    api::portal_mail(&token, id)
        .await
        .map_err(|e| e.to_string())
}

/// When follow-up `key` (`m3`) went out, if the relay's SMTP server has taken any letter of it,
/// or `None` with whether one is still queued.
pub fn follow_up_sent(
    records: &[MailRecord],
    portal: DocumentId,
    key: &str,
) -> (Option<chrono::DateTime<chrono::Utc>>, bool) {
    let prefix = follow_up_prefix(&portal.to_string(), key);
    let mine = records.iter().filter(|r| r.key.starts_with(&prefix));
    let mut sent = None;
    let mut queued = false;
    for r in mine {
        match r.state {
            MailState::Sent => sent = sent.max(r.done_at.or(Some(r.queued_at))),
            MailState::Queued => queued = true,
            MailState::Failed => {}
        }
    }
    (sent, queued)
}

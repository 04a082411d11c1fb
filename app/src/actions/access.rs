//! What the relay lets a portal's client contacts do: read-only once they have left, writable
//! again if they come back.

use threshold_protocol::DocumentId;

use crate::relay::api;
use crate::state::session;

/// What the relay is asked to do for every client contact of a portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAccess {
    /// The client has left: their portal stays as a read-only archive.
    ReadOnly,
    /// The client is back from the archive: their contacts may edit again.
    Writable,
}

/// When a client leaves (alumni or cancelled), the relay turns every contact's token of the
/// portal read-only, so the portal stays their archive but takes no more changes; a client
/// brought back gets write access again. Safe to repeat: the relay's answer is the same.
/// Returns how many tokens changed.
pub async fn set_client_access(
    portal: DocumentId,
    access: ClientAccess,
) -> Result<usize, api::ApiError> {
    let token = session::token().ok_or(api::ApiError::Unauthorized)?;
    let read_only = access == ClientAccess::ReadOnly;
    let changed = api::set_portal_read_only(&token, portal, read_only).await?;
    Ok(changed.len())
}

//! Who has access, on the relay: listing a portal's client contacts or the provider's team,
//! inviting someone (the relay mints a token; the link carries it in its fragment), and making
//! one person's access read-only, writable or revoked.

use threshold_model::access::{CreateToken, InviteEmail, NewToken, Role, TokenInfo};
use threshold_protocol::DocumentId;

use crate::relay::api::{self, ApiError};
use crate::state::session;

/// Whose people a list shows.
#[derive(Clone, Copy, PartialEq)]
pub enum People {
    /// The client contacts of one portal.
    Portal(DocumentId),
    /// The provider's team members.
    Team,
}

impl People {
    /// The portal whose client tokens these are; the team's have none.
    fn portal(&self) -> Option<DocumentId> {
        match self {
            People::Portal(id) => Some(*id),
            People::Team => None,
        }
    }

    /// The role of the tokens this list shows and its invites create.
    pub fn role(&self) -> Role {
        match self {
            People::Portal(_) => Role::Client,
            People::Team => Role::Team,
        }
    }
}

/// What a button in the list does to one person's token.
#[derive(Clone, Copy)]
pub enum AccessChange {
    Revoke,
    ReadOnly,
    ReadWrite,
}

/// A new invite, shown once: who it is for, the link that signs them in, their email if given,
/// and whether the relay emailed the link to them.
#[derive(Clone)]
pub struct Invite {
    pub name: String,
    pub link: String,
    pub email: Option<String>,
    pub emailed: bool,
}

/// The people of `people`, as the relay lists them.
pub async fn list_people(people: People) -> Result<Vec<TokenInfo>, ApiError> {
    let token = session::token().ok_or(ApiError::Unauthorized)?;
    let role = people.role();
    api::tokens(&token, people.portal())
        .await
        .map(|all| all.into_iter().filter(|t| t.role == role).collect())
}

/// Ask the relay for a new token for `name` (and `email`, if not empty), and make its link.
/// With `send_email` (the provider's note), the relay also emails the link to `email`.
pub async fn invite(
    people: People,
    name: &str,
    email: &str,
    send_email: Option<String>,
) -> Result<Invite, ApiError> {
    let token = session::token().ok_or(ApiError::Unauthorized)?;
    let request = CreateToken {
        token: NewToken {
            role: people.role(),
            portal: people.portal(),
            read_only: false,
            name: name.to_owned(),
            email: (!email.is_empty()).then(|| email.to_owned()),
        },
        send_email: send_email
            .filter(|_| !email.is_empty())
            .map(|note| InviteEmail {
                provider: String::new(),
                note,
            }),
    };
    let created = api::create_token(&token, &request).await?;
    Ok(Invite {
        name: created.record.name,
        link: invite_link(&created.token),
        email: created.record.email,
        emailed: created.emailed,
    })
}

fn invite_link(token: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}/#/join/{token}")
}

/// Change one person's access; the relay answers with their token as it now is.
pub async fn change_access(id: &str, change: AccessChange) -> Result<TokenInfo, ApiError> {
    let token = session::token().ok_or(ApiError::Unauthorized)?;
    match change {
        AccessChange::Revoke => api::revoke(&token, id).await,
        AccessChange::ReadOnly => api::set_read_only(&token, id, true).await,
        AccessChange::ReadWrite => api::set_read_only(&token, id, false).await,
    }
}

/// A portal whose client has left keeps every contact read-only, even if the stage was set
/// while the relay could not be reached: whether the contacts listed still need that done
/// (by [`super::set_client_access`]).
pub fn needs_read_only(ended: bool, contacts: &[TokenInfo]) -> bool {
    ended && contacts.iter().any(|t| t.is_active() && !t.read_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(read_only: bool, revoked: bool) -> TokenInfo {
        TokenInfo {
            id: "t1".into(),
            role: Role::Client,
            portal: None,
            read_only,
            name: "Ada".into(),
            email: None,
            created_at: "2026-01-01T00:00:00Z".parse().expect("a time"),
            revoked_at: revoked.then(|| "2026-02-01T00:00:00Z".parse().expect("a time")),
        }
    }

    #[test]
    fn an_ended_portal_with_a_writable_contact_needs_read_only() {
        assert!(needs_read_only(
            true,
            &[contact(true, false), contact(false, false)]
        ));
    }

    #[test]
    fn read_only_or_revoked_contacts_need_nothing() {
        assert!(!needs_read_only(
            true,
            &[contact(true, false), contact(false, true)]
        ));
        assert!(!needs_read_only(true, &[]));
    }

    #[test]
    fn an_open_portal_needs_nothing() {
        assert!(!needs_read_only(false, &[contact(false, false)]));
    }
}

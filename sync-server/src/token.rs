//! Capability tokens: what a token is, what it grants, and how it is recognised.
//!
//! The secret (`thr_…`) is shown once, when it is minted, and travels in invite links (in the URL
//! fragment) and in the WebSocket's `token` query parameter. The relay keeps only its SHA-256:
//! the secret has 256 random bits, so a fast hash is enough and a stolen data dir holds nothing
//! that connects.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use threshold_model::access::{NewToken, Role, TokenInfo};
use threshold_protocol::{Access, DocumentId};

const SECRET_PREFIX: &str = "thr_";

/// One minted token as the relay keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRecord {
    /// A short public id, for listing and revoking; it grants nothing.
    pub id: String,
    /// Hex SHA-256 of the secret.
    pub hash: String,
    pub role: Role,
    /// The portal a client token reaches; `None` for owner and team tokens.
    #[serde(default, with = "threshold_model::access::optional_doc_id")]
    pub portal: Option<DocumentId>,
    pub read_only: bool,
    /// Who holds it (a name), for the people list.
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// The holder's offset from UTC in minutes (east positive), as their device last said at
    /// the start of a session: scheduled mail goes in their morning. `None`: UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset_minutes: Option<i32>,
}

impl TokenRecord {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }

    /// The documents this token reaches and whether its changes count.
    pub fn access(&self) -> Access {
        match (self.role, self.portal) {
            (Role::Client, Some(portal)) => Access::only(portal, !self.read_only),
            // A client token without a portal reaches nothing; minting refuses to make one.
            (Role::Client, None) => Access {
                scope: threshold_protocol::Scope::Only(Default::default()),
                write: false,
            },
            (Role::Owner | Role::Team, _) => Access {
                scope: threshold_protocol::Scope::Everything,
                write: !self.read_only,
            },
        }
    }

    /// Whether this token may mint, change and revoke tokens of `role`: active, writable, and
    /// its role manages that role ([`Role::may_manage`]).
    pub fn may_manage(&self, role: Role) -> bool {
        self.is_active() && !self.read_only && self.role.may_manage(role)
    }

    /// An active owner token that can write: the one kind that can manage every token.
    pub fn is_writing_owner(&self) -> bool {
        self.is_active() && self.role == Role::Owner && !self.read_only
    }

    pub fn is_provider(&self) -> bool {
        self.role.is_provider()
    }

    /// The token as the API shows it: everything but the hash.
    pub fn info(&self) -> TokenInfo {
        TokenInfo {
            id: self.id.clone(),
            role: self.role,
            portal: self.portal,
            read_only: self.read_only,
            name: self.name.clone(),
            email: self.email.clone(),
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        }
    }
}

/// What the holder of a new token is told once, and what the relay keeps.
pub struct Minted {
    pub secret: String,
    pub record: TokenRecord,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("a client token needs the portal it opens (--portal)")]
    ClientWithoutPortal,
    #[error("only client tokens are tied to a portal")]
    PortalOnProviderToken,
    #[error("a token needs the name of the person who holds it")]
    MissingName,
    #[error("the name is longer than 200 characters")]
    NameTooLong,
    #[error("`{0}` is not an email address")]
    BadEmail(String),
}

pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Mint a token: 32 random bytes from the operating system, base58 for URLs.
pub fn mint(request: NewToken, now: DateTime<Utc>) -> Result<Minted, TokenError> {
    match (request.role, request.portal) {
        (Role::Client, None) => return Err(TokenError::ClientWithoutPortal),
        (Role::Owner | Role::Team, Some(_)) => return Err(TokenError::PortalOnProviderToken),
        _ => {}
    }
    let name = request.name.trim().to_owned();
    if name.is_empty() {
        return Err(TokenError::MissingName);
    }
    if name.chars().count() > 200 {
        return Err(TokenError::NameTooLong);
    }
    let email = match request.email.map(|e| e.trim().to_owned()) {
        Some(e) if e.is_empty() => None,
        Some(e) if !looks_like_email(&e) => return Err(TokenError::BadEmail(e)),
        other => other,
    };
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    let secret = format!("{SECRET_PREFIX}{}", bs58::encode(bytes).into_string());
    let mut id = [0u8; 6];
    getrandom::fill(&mut id).expect("the operating system provides randomness");
    Ok(Minted {
        record: TokenRecord {
            id: hex::encode(id),
            hash: hash_secret(&secret),
            role: request.role,
            portal: request.portal,
            read_only: request.read_only,
            name,
            email,
            created_at: now,
            revoked_at: None,
            utc_offset_minutes: None,
        },
        secret,
    })
}

fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(role: Role, portal: Option<DocumentId>) -> NewToken {
        NewToken {
            role,
            portal,
            read_only: false,
            name: "Dana Client".into(),
            email: Some("dana@example.com".into()),
        }
    }

    #[test]
    fn a_minted_token_is_stored_only_as_its_hash() {
        let portal = DocumentId::random();
        let minted = mint(request(Role::Client, Some(portal)), Utc::now()).expect("mints");
        assert!(minted.secret.starts_with("thr_"));
        assert!(minted.secret.len() > 40);
        assert_eq!(minted.record.hash, hash_secret(&minted.secret));
        let json = serde_json::to_string(&minted.record).expect("serializes");
        assert!(!json.contains(&minted.secret));
        assert_eq!(minted.record.access(), Access::only(portal, true));
    }

    #[test]
    fn roles_are_checked_when_minting() {
        assert_eq!(
            mint(request(Role::Client, None), Utc::now()).err(),
            Some(TokenError::ClientWithoutPortal)
        );
        assert_eq!(
            mint(request(Role::Team, Some(DocumentId::random())), Utc::now()).err(),
            Some(TokenError::PortalOnProviderToken)
        );
        let mut bad = request(Role::Team, None);
        bad.email = Some("not-an-email".into());
        assert!(matches!(
            mint(bad, Utc::now()),
            Err(TokenError::BadEmail(_))
        ));
    }

    #[test]
    fn team_members_manage_clients_only_and_read_only_tokens_manage_nothing() {
        let team = mint(request(Role::Team, None), Utc::now())
            .expect("mints")
            .record;
        assert!(team.may_manage(Role::Client));
        assert!(!team.may_manage(Role::Team));
        let mut viewer = team.clone();
        viewer.read_only = true;
        assert!(!viewer.may_manage(Role::Client));
        let client = mint(
            request(Role::Client, Some(DocumentId::random())),
            Utc::now(),
        )
        .expect("mints")
        .record;
        assert!(!client.may_manage(Role::Client));
    }
}

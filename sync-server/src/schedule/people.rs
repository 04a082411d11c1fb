//! Who scheduled mail goes to, from the token store: a person is an address (tokens sharing
//! an email are one person, so someone signed in on three devices gets one reminder), with the
//! name and time zone their tokens carry.

use chrono::FixedOffset;
use lettre::message::Mailbox;
use sha2::{Digest, Sha256};
use threshold_model::access::Role;
use threshold_protocol::DocumentId;

use crate::token::TokenRecord;
use crate::token_store::AccessState;

#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    /// Stable across runs and restarts, and a safe file name: part of every outbox key. Derived
    /// from the address, so it names nobody in a file listing.
    pub id: String,
    pub to: Mailbox,
    /// Their offset from UTC, from the newest of their tokens that said; `None`: UTC.
    pub offset: Option<FixedOffset>,
    /// The ids of their tokens (their devices and invites): whose connections count as
    /// theirs, and whose changes are their own.
    pub tokens: Vec<String>,
}

/// The first 16 hex digits of the SHA-256 of a lower-cased address.
pub fn person_id(address: &str) -> String {
    hex::encode(&Sha256::digest(address.trim().to_lowercase().as_bytes())[..8])
}

fn people<'a>(tokens: impl Iterator<Item = &'a TokenRecord>) -> Vec<Person> {
    let mut out: Vec<(Person, chrono::DateTime<chrono::Utc>)> = Vec::new();
    for t in tokens {
        let Some(address) = t.email.as_deref().and_then(|e| e.trim().parse().ok()) else {
            continue;
        };
        let name = t.name.trim();
        let to = Mailbox::new((!name.is_empty()).then(|| name.to_owned()), address);
        let id = person_id(to.email.as_ref());
        let offset = t
            .utc_offset_minutes
            .and_then(|m| FixedOffset::east_opt(m * 60));
        match out.iter_mut().find(|(p, _)| p.id == id) {
            Some((p, newest)) => {
                p.tokens.push(t.id.clone());
                if offset.is_some() && (p.offset.is_none() || t.created_at > *newest) {
                    p.offset = offset;
                    *newest = t.created_at;
                }
            }
            None => out.push((
                Person {
                    id,
                    to,
                    offset,
                    tokens: vec![t.id.clone()],
                },
                t.created_at,
            )),
        }
    }
    out.into_iter().map(|(p, _)| p).collect()
}

/// The client's people in `portal`: active client tokens with an email. `read_only` too when
/// the mail is for after the engagement (alumni are read-only).
pub fn client_side(access: &AccessState, portal: DocumentId, read_only: bool) -> Vec<Person> {
    people(access.tokens.iter().filter(|t| {
        t.is_active()
            && t.role == Role::Client
            && t.portal == Some(portal)
            && (read_only || !t.read_only)
    }))
}

/// The provider's people: active owner and team tokens with an email; when none has one (the
/// owner token minted at first start has none), `fallback` (the relay's reply-to or sender),
/// who then stands for the provider tokens without an email.
pub fn provider_side(access: &AccessState, fallback: Option<&Mailbox>) -> Vec<Person> {
    let active = || {
        access
            .tokens
            .iter()
            .filter(|t| t.is_active() && t.is_provider() && !t.read_only)
    };
    let found = people(active());
    if !found.is_empty() {
        return found;
    }
    fallback
        .map(|to| Person {
            id: person_id(to.email.as_ref()),
            to: to.clone(),
            offset: None,
            tokens: active().map(|t| t.id.clone()).collect(),
        })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};
    use threshold_model::access::NewToken;

    fn token(role: Role, portal: Option<DocumentId>, email: Option<&str>) -> TokenRecord {
        crate::token::mint(
            NewToken {
                role,
                portal,
                read_only: false,
                name: "Dana Reyes".into(),
                email: email.map(Into::into),
            },
            Utc::now(),
        )
        .unwrap()
        .record
    }

    #[test]
    fn one_person_per_address_in_the_newest_time_zone_and_the_provider_falls_back_to_the_reply_to()
    {
        let portal = DocumentId::random();
        let mut first = token(Role::Client, Some(portal), Some("dana@acme.example"));
        first.utc_offset_minutes = Some(60);
        let mut second = token(Role::Client, Some(portal), Some("DANA@acme.example"));
        second.created_at = first.created_at + Duration::days(1);
        second.utc_offset_minutes = Some(-300);
        let mut revoked = token(Role::Client, Some(portal), Some("old@acme.example"));
        revoked.revoked_at = Some(Utc::now());
        let other = token(
            Role::Client,
            Some(DocumentId::random()),
            Some("x@y.example"),
        );
        let owner = token(Role::Owner, None, None);
        let access = AccessState {
            workspace: None,
            tokens: vec![first, second, revoked, other, owner],
        };
        let client = client_side(&access, portal, false);
        assert_eq!(client.len(), 1);
        assert_eq!(client[0].offset, FixedOffset::west_opt(5 * 3600));
        assert_eq!(client[0].id, person_id("dana@acme.example"));

        let reply_to: Mailbox = "Zoë <zoe@harbor.example>".parse().unwrap();
        let provider = provider_side(&access, Some(&reply_to));
        assert_eq!(provider.len(), 1);
        assert_eq!(provider[0].to, reply_to);
    }
}

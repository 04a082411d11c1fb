//! The bodies of the relay's `/api` routes, serialized by the relay and read by the app.
//!
//! | route | request | answer |
//! |---|---|---|
//! | `GET /api/session` | | [`SessionInfo`] |
//! | `PUT /api/workspace` | [`RegisterWorkspace`] | `204` |
//! | `GET /api/tokens?portal=…` | [`TokenFilter`] (query) | `[`[`TokenInfo`]`]` |
//! | `POST /api/tokens` | [`NewToken`] or [`CreateToken`] | `201` [`CreatedToken`] |
//! | `PATCH /api/tokens/{id}` | [`SetReadOnly`] | [`TokenInfo`] |
//! | `POST /api/sign-in/email` (no token) | [`SignInRequest`] | `204` |
//! | `POST /api/sign-in/redeem` (no token) | [`RedeemSignIn`] | `201` [`CreatedToken`] |
//! | `DELETE /api/tokens/{id}` | | [`TokenInfo`] |
//! | `PUT /api/portals/{id}/access` | [`SetReadOnly`] | `[`[`TokenInfo`]`]` |
//! | `GET /api/portals/{id}/authors` | | `[`[`Author`]`]` |
//! | `PUT /api/session/time-zone` | [`SetTimeZone`] | `204` |
//! | `GET /api/portals/{id}/mail` | | `[`[`MailRecord`]`]` |
//! | `POST /api/portals/{id}/goodbye` | [`SendGoodbye`] | [`GoodbyeQueued`] |
//! | `GET /api/me/email` | | [`MyEmail`] |
//! | `PUT /api/me/email` | [`EmailPreferences`] | [`MyEmail`] |
//! | `GET /api/workspace/mail` (provider) | | [`WorkspaceMail`] |
//! | `PUT /api/workspace/mail` (provider) | [`Sender`] | [`WorkspaceMail`] |
//!
//! Every refusal is a [`Refusal`]. Field names are camelCase; optional fields are always
//! present, as `null` when empty.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use threshold_protocol::DocumentId;

use super::Role;
use crate::notify::{EmailPreferences, Sender};

/// A token as the API shows it: never its secret, never its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// A short public id, for listing and revoking; it grants nothing.
    pub id: String,
    pub role: Role,
    /// The portal a client token opens; `None` for owner and team tokens.
    #[serde(default, with = "super::optional_doc_id")]
    pub portal: Option<DocumentId>,
    pub read_only: bool,
    /// Who holds it.
    pub name: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl TokenInfo {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }

    /// Whether this token may mint, change and revoke tokens of `role`: an active token that
    /// may write, whose role manages that role.
    pub fn may_manage(&self, role: Role) -> bool {
        self.is_active() && !self.read_only && self.role.may_manage(role)
    }
}

/// Who a device is, as the relay sees its token (`GET /api/session`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    #[serde(flatten)]
    pub token: TokenInfo,
    /// The provider's workspace document; always `None` for a client, who never learns it.
    #[serde(default, with = "super::optional_doc_id")]
    pub workspace: Option<DocumentId>,
    /// Whether the relay sends email (an SMTP server is configured). When it does not, the
    /// provider's settings say email is off and nothing offers to send any.
    /// Named apart from the token's own `email` (the person's address), which is flattened
    /// beside it.
    #[serde(default, rename = "emailEnabled")]
    pub email_enabled: bool,
    /// The largest file the relay takes, in bytes, so that the app refuses a larger one before
    /// keeping or sending any of it. `None` from a relay that does not say.
    #[serde(default, rename = "maxBlobBytes")]
    pub max_blob_bytes: Option<u64>,
}

/// A session is its token plus the workspace; reading `info.role` reads the token's.
impl std::ops::Deref for SessionInfo {
    type Target = TokenInfo;

    fn deref(&self) -> &TokenInfo {
        &self.token
    }
}

/// `PUT /api/workspace`: a provider's first browser registers its workspace document. The id
/// stays text so that the relay can say which field was wrong in its own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterWorkspace {
    pub workspace: String,
}

/// `GET /api/tokens?portal=…`: every token, or the client tokens of one portal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenFilter {
    pub portal: Option<String>,
}

/// `POST /api/tokens`: what a new token is for. The CLI mints from the same request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewToken {
    pub role: Role,
    /// The portal a client token opens; owner and team tokens have none.
    #[serde(default, with = "super::optional_doc_id")]
    pub portal: Option<DocumentId>,
    #[serde(default)]
    pub read_only: bool,
    /// Who will hold it.
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
}

/// `POST /api/tokens` with the invite link emailed: the token as [`NewToken`] (flattened), and
/// what the email says besides the link. The relay sends it to the token's `email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateToken {
    #[serde(flatten)]
    pub token: NewToken,
    #[serde(default)]
    pub send_email: Option<InviteEmail>,
}

/// What an invite email says besides the link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteEmail {
    /// The provider's name as the client knows it; empty for the name in the relay's
    /// `--mail-from`.
    #[serde(default)]
    pub provider: String,
    /// A short note the provider typed; may be empty.
    #[serde(default)]
    pub note: String,
}

/// `POST /api/sign-in/email`: email a one-time sign-in link to this address, if it belongs to
/// an active person. Answered `204` either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInRequest {
    pub email: String,
}

/// `POST /api/sign-in/redeem`: the secret from a sign-in link (`#/sign-in/<secret>`); answered
/// with a new token for this device ([`CreatedToken`]), once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeemSignIn {
    pub link: String,
}

/// `POST /api/portals/{id}/goodbye`: send the goodbye exactly as composed, one message per
/// recipient (`Name <address>` or `address`). Once per portal: asking again sends nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendGoodbye {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
}

/// The answer to `POST /api/portals/{id}/goodbye`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoodbyeQueued {
    /// One per recipient who gets it (an unsubscribed address gets nothing).
    pub message_ids: Vec<String>,
    /// An earlier request for this portal had already queued it; nothing new was sent.
    pub already: bool,
}

/// The answer to `POST /api/tokens`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedToken {
    /// The secret (`thr_…`), shown this once.
    pub token: String,
    pub record: TokenInfo,
    /// Whether the invite link was queued to the token's email.
    #[serde(default)]
    pub emailed: bool,
}

/// `PATCH /api/tokens/{id}` and `PUT /api/portals/{id}/access`: make one token, or every client
/// token of a portal, read-only (offboarding) or writable again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetReadOnly {
    pub read_only: bool,
}

/// Who wrote with one Automerge actor id in a document, as the relay verified it: the person
/// whose token first sent a change by that actor. The app names authors from these, never from
/// a name a device wrote into the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Author {
    /// The actor id, lowercase hex, as `automerge::ActorId::to_hex_string` writes it.
    pub actor: String,
    /// The token the actor is bound to (its id, never its secret).
    pub token_id: String,
    /// The token's name when it was bound: the person.
    pub name: String,
    pub role: Role,
}

/// Every refusal's body, with the status code: why, in a sentence the app can show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub error: String,
}

#[cfg(test)]
mod tests {
    //! Each type against the JSON the relay wrote before these types were shared, byte for
    //! byte: the app, the stock tests and tokens already handed out depend on it.

    use super::*;

    const PORTAL: &str = "pEbmSWqJdBuPadRGm8tDZXgWR6";

    fn portal() -> DocumentId {
        PORTAL.parse().expect("a document id")
    }

    fn token() -> TokenInfo {
        TokenInfo {
            id: "0a1b2c3d4e5f".into(),
            role: Role::Client,
            portal: Some(portal()),
            read_only: false,
            name: "Dana Client".into(),
            email: Some("dana@example.com".into()),
            created_at: "2026-01-02T03:04:05.123456789Z".parse().expect("a time"),
            revoked_at: None,
        }
    }

    const TOKEN_JSON: &str = concat!(
        r#"{"id":"0a1b2c3d4e5f","role":"client","portal":"pEbmSWqJdBuPadRGm8tDZXgWR6","#,
        r#""readOnly":false,"name":"Dana Client","email":"dana@example.com","#,
        r#""createdAt":"2026-01-02T03:04:05.123456789Z","revokedAt":null}"#
    );

    /// Serializes to exactly `json`, and reads back from it to the same value.
    fn pinned<T>(value: &T, json: &str)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        assert_eq!(serde_json::to_string(value).expect("serializes"), json);
        assert_eq!(&serde_json::from_str::<T>(json).expect("reads back"), value);
    }

    #[test]
    fn a_token_is_shown_in_camel_case_with_empty_fields_as_null() {
        pinned(&token(), TOKEN_JSON);
        let provider = TokenInfo {
            role: Role::Team,
            portal: None,
            read_only: true,
            email: None,
            revoked_at: Some("2026-02-03T04:05:06Z".parse().expect("a time")),
            ..token()
        };
        pinned(
            &provider,
            concat!(
                r#"{"id":"0a1b2c3d4e5f","role":"team","portal":null,"readOnly":true,"#,
                r#""name":"Dana Client","email":null,"createdAt":"2026-01-02T03:04:05.123456789Z","#,
                r#""revokedAt":"2026-02-03T04:05:06Z"}"#
            ),
        );
    }

    #[test]
    fn a_session_is_its_token_flattened_with_the_workspace_after_it() {
        let client = SessionInfo {
            token: token(),
            workspace: None,
            email_enabled: false,
            max_blob_bytes: None,
        };
        let json = format!(
            "{},\"workspace\":null,\"emailEnabled\":false,\"maxBlobBytes\":null}}",
            &TOKEN_JSON[..TOKEN_JSON.len() - 1]
        );
        pinned(&client, &json);
        assert_eq!(client.role, Role::Client, "reads through to the token");
        let owner = SessionInfo {
            token: TokenInfo {
                role: Role::Owner,
                portal: None,
                ..token()
            },
            workspace: Some(portal()),
            email_enabled: true,
            max_blob_bytes: Some(50 << 20),
        };
        let json = serde_json::to_string(&owner).expect("serializes");
        let back: SessionInfo = serde_json::from_str(&json).expect("reads back");
        assert_eq!(
            back, owner,
            "the token's email and the relay's email switch stay apart"
        );
        assert!(json.ends_with(&format!(
            ",\"revokedAt\":null,\"workspace\":\"{PORTAL}\",\"emailEnabled\":true,\"maxBlobBytes\":52428800}}"
        )));
    }

    #[test]
    fn a_created_token_carries_its_secret_once_beside_its_record() {
        let created = CreatedToken {
            token: "thr_secret".into(),
            record: token(),
            emailed: false,
        };
        pinned(
            &created,
            &format!(r#"{{"token":"thr_secret","record":{TOKEN_JSON},"emailed":false}}"#),
        );
    }

    #[test]
    fn requests_read_as_the_app_sends_them() {
        let new = NewToken {
            role: Role::Client,
            portal: Some(portal()),
            read_only: false,
            name: "Dana".into(),
            email: None,
        };
        pinned(
            &new,
            &format!(
                r#"{{"role":"client","portal":"{PORTAL}","readOnly":false,"name":"Dana","email":null}}"#
            ),
        );
        // Hand-written callers (tests, scripts) leave the optional fields out.
        let short: NewToken =
            serde_json::from_str(r#"{"role":"team","name":"Eve"}"#).expect("reads");
        assert_eq!(
            short,
            NewToken {
                role: Role::Team,
                portal: None,
                read_only: false,
                name: "Eve".into(),
                email: None,
            }
        );
        pinned(&SetReadOnly { read_only: true }, r#"{"readOnly":true}"#);
        pinned(
            &RegisterWorkspace {
                workspace: PORTAL.into(),
            },
            &format!(r#"{{"workspace":"{PORTAL}"}}"#),
        );
        pinned(
            &TokenFilter {
                portal: Some(PORTAL.into()),
            },
            &format!(r#"{{"portal":"{PORTAL}"}}"#),
        );
        pinned(
            &Refusal {
                error: "not found".into(),
            },
            r#"{"error":"not found"}"#,
        );
    }

    #[test]
    fn a_bad_document_id_is_refused_when_read() {
        let bad = TOKEN_JSON.replace(PORTAL, "not-an-id");
        assert!(serde_json::from_str::<TokenInfo>(&bad).is_err());
    }
}

/// `GET /api/me/email`: what this person gets by email, and whether they can get any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MyEmail {
    /// Whether the relay sends email at all.
    pub email_on: bool,
    /// The address their access was given for; `None` when it was given without one.
    pub address: Option<String>,
    /// They followed an unsubscribe link: nothing but sign-in links reaches them until they
    /// turn something on again.
    pub unsubscribed: bool,
    #[serde(flatten)]
    pub wants: EmailPreferences,
}

/// `GET /api/workspace/mail`: who the provider's mail comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceMail {
    pub email_on: bool,
    /// The relay's sending address and default name (`--mail-from`), when email is on.
    pub from: Option<String>,
    /// What the provider chose; empty fields fall back to the relay's flags.
    pub sender: Sender,
}

/// `PUT /api/session/time-zone`: where this device's person is, so the relay's reminders and
/// follow-ups reach them in their morning. Sent by the app when a session starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetTimeZone {
    /// Minutes east of UTC (UTC+2 is `120`), between −14 and +14 hours.
    pub utc_offset_minutes: i32,
}

/// The widest offsets in use (UTC−12 to UTC+14), with an hour to spare each side.
pub const MAX_UTC_OFFSET_MINUTES: i32 = 14 * 60;

/// Where a letter is in the relay's outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MailState {
    /// Written to the outbox; the SMTP server has not taken it yet.
    Queued,
    /// The SMTP server accepted it.
    Sent,
    /// The SMTP server refused it for good.
    Failed,
}

/// `GET /api/portals/{id}/mail` (provider tokens): the scheduled and goodbye letters of one
/// portal, by their outbox key (`threshold_model::notify::mail_key`), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailRecord {
    pub key: String,
    pub state: MailState,
    pub queued_at: DateTime<Utc>,
    /// When it was sent or refused.
    pub done_at: Option<DateTime<Utc>>,
    pub to: Vec<String>,
}

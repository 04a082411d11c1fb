//! Who this device is signed in as: its token (from an invite link) and what the relay says the
//! token may do. The token and the last answer are kept in localStorage, so the app opens
//! offline as whoever it was.

use std::cell::RefCell;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use threshold_model::access::{Role, SessionInfo};
use threshold_protocol::DocumentId;

use crate::relay::api::{self, ApiError};

const TOKEN: &str = "threshold.token";
const INFO: &str = "threshold.session";
const JOIN_PREFIX: &str = "#/join/";
const SIGN_IN_PREFIX: &str = "#/sign-in/";

#[derive(Clone, Copy)]
pub struct Session {
    pub info: RwSignal<Option<SessionInfo>>,
    /// The relay refused the token: it was revoked, or never valid.
    pub revoked: RwSignal<bool>,
}

thread_local! {
    static SESSION: RefCell<Option<(String, Session)>> = const { RefCell::new(None) };
}

/// A token arriving in an invite link (`#/join/<token>`) is stored, and the link leaves the
/// address bar and the history at once, so it is not left on screen or in screenshots.
pub fn take_token_from_url() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let token = token_from_link(&hash)?;
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#/"));
    }
    store_token(&token);
    Some(token)
}

/// A sign-in link's secret (`#/sign-in/<secret>`), taken out of the address bar and the
/// history at once, like an invite's token. The relay exchanges it for this device's token.
pub fn take_sign_in_from_url() -> Option<String> {
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let secret = hash.strip_prefix(SIGN_IN_PREFIX)?.trim().to_owned();
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#/"));
    }
    (!secret.is_empty()).then_some(secret)
}

/// The token in an invite link, a pasted fragment, or the token itself.
pub fn token_from_link(text: &str) -> Option<String> {
    let text = text.trim();
    let token = match text.find(JOIN_PREFIX) {
        Some(at) => &text[at + JOIN_PREFIX.len()..],
        None => text,
    };
    let token = token.split(['?', '&', '/', '#']).next().unwrap_or_default();
    let valid = token.starts_with("thr_")
        && token.len() > 20
        && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then(|| token.to_owned())
}

pub fn stored_token() -> Option<String> {
    LocalStorage::get::<String>(TOKEN).ok()
}

pub fn store_token(token: &str) {
    if stored_token().as_deref() != Some(token) {
        // Whatever the last token was told no longer applies to this one.
        LocalStorage::delete(INFO);
    }
    let _ = LocalStorage::set(TOKEN, token);
}

/// Set up the session for `token`, starting from the last answer this device kept.
pub fn install(token: String) -> Session {
    let cached = LocalStorage::get::<SessionInfo>(INFO).ok();
    let session = Session {
        info: RwSignal::new(cached),
        revoked: RwSignal::new(false),
    };
    SESSION.with(|s| *s.borrow_mut() = Some((token, session)));
    session
}

pub fn session() -> Option<Session> {
    SESSION.with(|s| s.borrow().as_ref().map(|(_, s)| *s))
}

pub fn token() -> Option<String> {
    SESSION.with(|s| s.borrow().as_ref().map(|(t, _)| t.clone()))
}

fn info_untracked() -> Option<SessionInfo> {
    session().and_then(|s| s.info.get_untracked())
}

/// Whether the relay sends email (reactive: the session's answer may arrive after the page).
pub fn email_enabled() -> bool {
    session()
        .and_then(|s| s.info.get())
        .is_some_and(|i| i.email_enabled)
}

/// Whether this device belongs to a client contact (who sees only their portal).
pub fn is_client() -> bool {
    info_untracked().is_some_and(|i| i.role == Role::Client)
}

/// The portal a client token opens.
pub fn client_portal() -> Option<DocumentId> {
    info_untracked()
        .filter(|i| i.role == Role::Client)
        .and_then(|i| i.portal)
}

/// Whether the relay drops this device's changes (alumni, or a viewer token).
pub fn is_read_only() -> bool {
    info_untracked().is_some_and(|i| i.read_only)
}

/// The largest file the relay takes, as it last said (`None` before it has said).
pub fn max_file_bytes() -> Option<u64> {
    info_untracked().and_then(|i| i.max_blob_bytes)
}

/// The person this device's changes are recorded as.
pub fn person_name() -> Option<String> {
    info_untracked().map(|i| i.name.clone())
}

/// Ask the relay who this token is. Offline, the kept answer stands.
pub async fn refresh() -> Result<SessionInfo, ApiError> {
    let (Some(token), Some(session)) = (token(), session()) else {
        return Err(ApiError::Unauthorized);
    };
    match api::session(&token).await {
        Ok(info) => {
            let _ = LocalStorage::set(INFO, &info);
            if session.info.get_untracked().as_ref() != Some(&info) {
                session.info.set(Some(info.clone()));
            }
            session.revoked.set(false);
            Ok(info)
        }
        Err(ApiError::Unauthorized) => {
            session.revoked.set(true);
            Err(ApiError::Unauthorized)
        }
        Err(e) => Err(e),
    }
}

/// Forget this device's sign-in (after a revocation, or to use another invite).
pub fn sign_out() {
    LocalStorage::delete(TOKEN);
    LocalStorage::delete(INFO);
    super::preview::forget_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A session as this app kept it in localStorage before the `/api` types were shared (its
    /// own struct, every field text). It must still read, or a device that signed in then
    /// opens offline as nobody.
    #[test]
    fn a_session_kept_by_an_earlier_version_still_reads() {
        let workspace = "pEbmSWqJdBuPadRGm8tDZXgWR6";
        let kept = format!(
            concat!(
                r#"{{"id":"0a1b2c3d4e5f","role":"owner","portal":null,"readOnly":false,"#,
                r#""name":"Ada","email":null,"createdAt":"2026-01-02T03:04:05.123456789Z","#,
                r#""revokedAt":null,"workspace":"{}"}}"#
            ),
            workspace
        );
        let info: SessionInfo = serde_json::from_str(&kept).expect("reads");
        assert_eq!(info.role, Role::Owner);
        assert_eq!(info.workspace, Some(workspace.parse().expect("an id")));
        let client = kept
            .replace(r#""role":"owner""#, r#""role":"client""#)
            .replace(r#""portal":null"#, &format!(r#""portal":"{workspace}""#))
            .replace(
                &format!(r#""workspace":"{workspace}""#),
                r#""workspace":null"#,
            );
        let info: SessionInfo = serde_json::from_str(&client).expect("reads");
        assert_eq!((info.role, info.workspace), (Role::Client, None));
        assert_eq!(info.portal, Some(workspace.parse().expect("an id")));
    }
}

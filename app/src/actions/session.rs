//! Opening what this device's session reaches: the client's portal, or the provider's
//! workspace (created and registered with the relay by the provider's first device).

use leptos::prelude::Update;
use threshold_model as model;
use threshold_model::access::Role;
use threshold_protocol::DocumentId;

use crate::browser::settings;
use crate::relay::api;
use crate::state::session;
use crate::sync::client;

/// Open what this device's session reaches, as far as it is known before the relay answers:
/// a client's portal, or the provider's workspace.
pub fn open_home() {
    if let Some(portal) = session::client_portal() {
        client().open(portal);
    } else if !session::is_client() {
        if let Some(id) = settings::workspace_id() {
            client().open(id);
        }
    }
}

/// Ask the relay who this token is, then open (or, for the provider's first device, create and
/// register) the workspace. Offline, the session kept on the device stands.
pub async fn confirm_session() {
    let info = match session::refresh().await {
        Ok(info) => info,
        Err(api::ApiError::Unauthorized) => {
            client().stop();
            return;
        }
        Err(e) => {
            leptos::logging::warn!("could not confirm the session: {e}");
            return;
        }
    };
    if let Some(token) = session::token() {
        tell_time_zone(token);
    }
    if info.role == Role::Client {
        open_home();
        return;
    }
    let Some(token) = session::token() else {
        return;
    };
    if let Some(registered) = info.workspace {
        if settings::workspace_id() != Some(registered) {
            settings::set_workspace_id(registered);
        }
        client().open(registered);
        workspace_ready();
        return;
    }
    if info.read_only {
        return;
    }
    let id = ensure_workspace();
    match api::register_workspace(&token, id).await {
        Ok(()) => workspace_ready(),
        // Another device registered first: use that workspace.
        Err(_) => {
            if let Ok(info) = session::refresh().await {
                if let Some(w) = info.workspace {
                    settings::set_workspace_id(w);
                    client().open(w);
                }
            }
            workspace_ready();
        }
    }
}

/// Tell the relay this person's offset from UTC, so reminders and follow-ups reach them in
/// their morning. Best effort, in the background: without it the relay uses UTC.
fn tell_time_zone(token: String) {
    let minutes = -(js_sys::Date::new_0().get_timezone_offset() as i32);
    leptos::task::spawn_local(async move {
        if let Err(e) = api::set_time_zone(&token, minutes).await {
            leptos::logging::warn!("could not tell the relay the time zone: {e}");
        }
    });
}

/// The workspace id is now known: let every view that reads it look again.
fn workspace_ready() {
    client().signals.revision.update(|r| *r += 1);
}

/// Open this browser's workspace, creating one on first use.
pub fn ensure_workspace() -> DocumentId {
    if let Some(id) = settings::workspace_id() {
        client().open(id);
        return id;
    }
    let id = DocumentId::random();
    match model::workspace::new_workspace_doc("My workspace") {
        Ok(doc) => client().create(id, doc),
        Err(e) => leptos::logging::error!("could not create a workspace: {e}"),
    }
    settings::set_workspace_id(id);
    id
}

pub fn workspace_id() -> Option<DocumentId> {
    settings::workspace_id()
}

/// Ask the relay to email a sign-in link to `email`. The relay answers the same whether or not
/// the address is known.
pub async fn email_sign_in_link(email: &str) -> Result<(), api::ApiError> {
    api::request_sign_in(email.trim()).await
}

/// Exchange a sign-in link's secret for this device's token, keep it, and start over signed in.
pub async fn redeem_sign_in(secret: &str) -> Result<(), api::ApiError> {
    let created = api::redeem_sign_in(secret).await?;
    session::store_token(&created.token);
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash("#/");
        let _ = window.location().reload();
    }
    Ok(())
}

//! What the UI asks for, in terms of documents: the glue between a click and the model. The
//! rules themselves live in `threshold-model`.

use chrono::Utc;
use leptos::prelude::Update;
use threshold_model as model;
use threshold_protocol::DocumentId;

use crate::browser::settings;
use crate::relay::api;
use crate::state::session;
use crate::sync::client;

const DEFAULT_WELCOME: &str = "Welcome! This portal is where we share everything for our work together: what to expect, what we need from you, and what happens next.";

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
    if info.role == "client" {
        open_home();
        return;
    }
    let Some(token) = session::token() else {
        return;
    };
    if let Some(registered) = info.workspace.as_deref().and_then(|w| w.parse().ok()) {
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
    match api::register_workspace(&token, &id.to_string()).await {
        Ok(()) => workspace_ready(),
        // Another device registered first: use that workspace.
        Err(_) => {
            if let Ok(info) = session::refresh().await {
                if let Some(w) = info.workspace.as_deref().and_then(|w| w.parse().ok()) {
                    settings::set_workspace_id(w);
                    client().open(w);
                }
            }
            workspace_ready();
        }
    }
}

/// The workspace id is now known: let every view that reads it look again.
fn workspace_ready() {
    client().signals.revision.update(|r| *r += 1);
}

/// When a client leaves (alumni or cancelled), the relay turns every contact's token of the
/// portal read-only, so the portal stays their archive but takes no more changes; a client
/// brought back gets write access again. Safe to repeat: the relay's answer is the same.
pub async fn set_portal_access(
    portal: DocumentId,
    read_only: bool,
) -> Result<usize, api::ApiError> {
    let token = session::token().ok_or(api::ApiError::Unauthorized)?;
    let changed = api::set_portal_read_only(&token, &portal.to_string(), read_only).await?;
    Ok(changed.len())
}

/// Open this browser's workspace, creating one on first use.
pub fn ensure_workspace() -> DocumentId {
    if let Some(id) = settings::workspace_id() {
        client().open(id);
        return id;
    }
    let id = DocumentId::random();
    match model::new_workspace_doc("My workspace") {
        Ok(doc) => client().create(id, doc),
        Err(e) => leptos::logging::error!("could not create a workspace: {e}"),
    }
    settings::set_workspace_id(id);
    id
}

pub fn workspace_id() -> Option<DocumentId> {
    settings::workspace_id()
}

/// Create a portal for a client, from a template if one is chosen (dates counted from today),
/// and list it in the workspace.
pub fn create_portal(
    client_name: &str,
    template: Option<&model::Template>,
) -> Result<DocumentId, model::ModelError> {
    let doc = match template {
        Some(t) => model::instantiate(t, client_name, Utc::now().date_naive(), Utc::now())?,
        None => model::new_portal_doc(client_name, DEFAULT_WELCOME)?,
    };
    let id = DocumentId::random();
    client().create(id, doc);
    remember_portal(id, client_name);
    ensure_internal(id);
    Ok(id)
}

/// The provider-only internal document of a portal, created (with the default provisioning
/// checklist) the first time it is asked for.
pub fn ensure_internal(portal: DocumentId) -> Option<DocumentId> {
    let workspace = workspace_id()?;
    let entry = workspace_entry(workspace, portal)?;
    if let Some(internal) = entry.internal {
        client().open(internal);
        return Some(internal);
    }
    let internal = DocumentId::random();
    match model::new_internal_doc(portal) {
        Ok(doc) => client().create(internal, doc),
        Err(e) => {
            leptos::logging::error!("could not create the internal notes: {e}");
            return None;
        }
    }
    if let Err(e) = try_edit(workspace, |tx| {
        model::set_portal_internal(tx, portal, internal)
    }) {
        leptos::logging::error!("could not link the internal notes: {e}");
    }
    Some(internal)
}

/// Apply a model edit to any loaded document; a document that is not loaded is an error.
pub fn try_edit<R>(
    id: DocumentId,
    change: impl FnOnce(&mut model::Transaction<'_>) -> Result<R, model::ModelError>,
) -> Result<R, model::ModelError> {
    client()
        .change(id, |doc| model::edit(doc, change))
        .ok_or_else(|| model::ModelError::NoSuchItem(id.to_string()))?
}

/// Apply a model edit to an internal document, logging (not panicking on) a model error.
pub fn edit_internal(
    id: DocumentId,
    change: impl FnOnce(&mut model::Transaction<'_>) -> Result<(), model::ModelError>,
) {
    if let Err(e) = try_edit(id, change) {
        leptos::logging::error!("edit failed: {e}");
    }
}

/// This portal's entry in the workspace, if the workspace is loaded and lists it.
fn workspace_entry(workspace: DocumentId, portal: DocumentId) -> Option<model::PortalEntry> {
    client()
        .read(&workspace, |doc| {
            model::read_workspace(doc)
                .ok()
                .and_then(|w| w.portals.into_iter().find(|p| p.id == portal))
        })
        .flatten()
}

/// List a portal in the workspace (it may have been opened from a shared link), or refresh the
/// name recorded there.
pub fn remember_portal(id: DocumentId, client_name: &str) {
    let Some(workspace) = workspace_id() else {
        return;
    };
    let result = match workspace_entry(workspace, id) {
        Some(entry) if entry.client_name == client_name => return,
        Some(_) => try_edit(workspace, |tx| {
            model::rename_portal_entry(tx, id, client_name)
        }),
        None => try_edit(workspace, |tx| {
            model::add_portal(tx, id, client_name, Utc::now())
        }),
    };
    if let Err(e) = result {
        leptos::logging::error!("could not update the workspace: {e}");
    }
}

/// Apply a model edit to a portal, noting which side worked in it (for the dashboard's health)
/// and who (for the activity feed).
pub fn try_edit_portal(
    id: DocumentId,
    change: impl FnOnce(&mut model::Transaction<'_>) -> Result<(), model::ModelError>,
) -> Result<(), model::ModelError> {
    if session::is_read_only() {
        return Err(model::ModelError::ReadOnly(
            "your access to this portal is read-only".into(),
        ));
    }
    let view = crate::state::view_mode::load();
    if session::is_client() {
        let stage = client()
            .read(&id, |doc| model::read_stage(doc).ok())
            .flatten();
        if stage.is_some_and(|s| s.is_closed()) {
            return Err(model::ModelError::ReadOnly(
                "the engagement has ended; this portal is kept as your archive".into(),
            ));
        }
    }
    let side = match view {
        crate::state::view_mode::ViewMode::Provider => model::Assignee::Provider,
        crate::state::view_mode::ViewMode::Client => model::Assignee::Client,
    };
    client()
        .change(id, |doc| {
            let actor = doc.get_actor().clone();
            model::edit_at(doc, Utc::now(), |tx| {
                change(tx)?;
                // The activity feed names this browser session's changes after the person.
                model::register_actor(tx, &actor, &view.actor_name(), side)?;
                model::record_activity(tx, side, Utc::now())
            })
        })
        .ok_or_else(|| model::ModelError::NoSuchItem(id.to_string()))?
}

/// [`try_edit_portal`], logging (not panicking on) a model error.
pub fn edit_portal(
    id: DocumentId,
    change: impl FnOnce(&mut model::Transaction<'_>) -> Result<(), model::ModelError>,
) {
    if let Err(e) = try_edit_portal(id, change) {
        leptos::logging::error!("edit failed: {e}");
    }
}

/// Save a portal's structure as a new template in the workspace, named after the client.
pub fn save_as_template(portal: DocumentId) -> Result<String, model::ModelError> {
    let workspace =
        workspace_id().ok_or_else(|| model::ModelError::NoSuchItem("workspace".into()))?;
    let start = Utc::now().date_naive();
    let template = client()
        .read(&portal, |doc| {
            let name = model::read_portal(doc).map(|p| format!("Based on {}", p.client_name))?;
            model::template_from_portal(doc, &name, "Saved from a portal", start)
        })
        .ok_or_else(|| model::ModelError::NoSuchItem(portal.to_string()))??;
    let name = template.name.clone();
    try_edit(workspace, |tx| model::save_template(tx, &template))?;
    Ok(name)
}

/// Begin offboarding a portal from a playbook, with its dates counted from today.
pub fn start_offboarding(
    id: DocumentId,
    playbook: &model::OffboardingPlaybook,
) -> Result<(), model::ModelError> {
    let today = crate::state::dates::today();
    try_edit_portal(id, |tx| {
        model::start_offboarding(tx, playbook, today, Utc::now())
    })
}

//! What the UI asks for, in terms of documents: the glue between a click and the model. The
//! rules themselves live in `threshold-model`.

use chrono::Utc;
use threshold_model as model;
use threshold_protocol::DocumentId;

use crate::settings;
use crate::sync_client::client;

const DEFAULT_WELCOME: &str = "Welcome! This portal is where we share everything for our work together: what to expect, what we need from you, and what happens next.";

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
    let entry = client()
        .read(&workspace, |doc| {
            model::read_workspace(doc)
                .ok()
                .and_then(|w| w.portals.into_iter().find(|p| p.id == portal))
        })
        .flatten()?;
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
    let linked = client().change(workspace, |doc| {
        model::edit(doc, |tx| model::set_portal_internal(tx, portal, internal))
    });
    if let Some(Err(e)) = linked {
        leptos::logging::error!("could not link the internal notes: {e}");
    }
    Some(internal)
}

/// Apply a model edit to an internal document.
pub fn edit_internal(
    id: DocumentId,
    change: impl FnOnce(&mut model::Transaction<'_>) -> Result<(), model::ModelError>,
) {
    if let Some(Err(e)) = client().change(id, |doc| model::edit(doc, change)) {
        leptos::logging::error!("edit failed: {e}");
    }
}

/// List a portal in the workspace (it may have been opened from a shared link), or refresh the
/// name recorded there.
pub fn remember_portal(id: DocumentId, client_name: &str) {
    let Some(workspace) = workspace_id() else {
        return;
    };
    let listed = client()
        .read(&workspace, |doc| {
            model::read_workspace(doc)
                .ok()
                .and_then(|w| w.portals.into_iter().find(|p| p.id == id))
        })
        .flatten();
    let result = match listed {
        Some(entry) if entry.client_name == client_name => return,
        Some(_) => client().change(workspace, |doc| {
            model::edit(doc, |tx| model::rename_portal_entry(tx, id, client_name))
        }),
        None => client().change(workspace, |doc| {
            model::edit(doc, |tx| model::add_portal(tx, id, client_name, Utc::now()))
        }),
    };
    if let Some(Err(e)) = result {
        leptos::logging::error!("could not update the workspace: {e}");
    }
}

/// Apply a model edit to a portal, noting which side worked in it (for the dashboard's health),
/// and logging (not panicking on) a model error.
pub fn edit_portal(
    id: DocumentId,
    change: impl FnOnce(&mut model::Transaction<'_>) -> Result<(), model::ModelError>,
) {
    let side = match crate::view_mode::load() {
        crate::view_mode::ViewMode::Provider => model::Assignee::Provider,
        crate::view_mode::ViewMode::Client => model::Assignee::Client,
    };
    let name = crate::view_mode::load().actor_name();
    let result = client().change(id, |doc| {
        let actor = doc.get_actor().clone();
        model::edit_at(doc, Utc::now(), |tx| {
            change(tx)?;
            // The activity feed names this browser session's changes after the person.
            model::register_actor(tx, &actor, name, side)?;
            model::record_activity(tx, side, Utc::now())
        })
    });
    if let Some(Err(e)) = result {
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
    client()
        .change(workspace, |doc| {
            model::edit(doc, |tx| model::save_template(tx, &template))
        })
        .ok_or_else(|| model::ModelError::NoSuchItem("workspace".into()))??;
    Ok(name)
}

//! Portals in the workspace: creating one (from a template or blank) with its internal notes,
//! listing a portal opened from a link, saving one as a template, and starting offboarding.

use chrono::Utc;
use threshold_model as model;
use threshold_protocol::DocumentId;

use super::{try_edit, try_edit_portal, workspace_id};
use crate::sync::client;

const DEFAULT_WELCOME: &str = "Welcome! This portal is where we share everything for our work together: what to expect, what we need from you, and what happens next.";

/// Create a portal for a client, from a template if one is chosen (dates counted from today),
/// and list it in the workspace.
pub fn create_portal(
    client_name: &str,
    template: Option<&model::workspace::Template>,
) -> Result<DocumentId, model::doc::ModelError> {
    let doc = match template {
        Some(t) => {
            model::workspace::instantiate(t, client_name, Utc::now().date_naive(), Utc::now())?
        }
        None => model::portal::new_portal_doc(client_name, DEFAULT_WELCOME)?,
    };
    let id = DocumentId::random();
    client().create(id, doc);
    remember_portal(id, client_name);
    ensure_internal(id);
    super::copy_brand(id);
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
    match model::workspace::new_internal_doc(portal) {
        Ok(doc) => client().create(internal, doc),
        Err(e) => {
            leptos::logging::error!("could not create the internal notes: {e}");
            return None;
        }
    }
    if let Err(e) = try_edit(workspace, |tx| {
        model::workspace::set_portal_internal(tx, portal, internal)
    }) {
        leptos::logging::error!("could not link the internal notes: {e}");
    }
    Some(internal)
}

/// This portal's entry in the workspace, if the workspace is loaded and lists it.
fn workspace_entry(
    workspace: DocumentId,
    portal: DocumentId,
) -> Option<model::workspace::PortalEntry> {
    client()
        .read(&workspace, |doc| {
            model::workspace::read_workspace(doc)
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
            model::workspace::rename_portal_entry(tx, id, client_name)
        }),
        None => try_edit(workspace, |tx| {
            model::workspace::add_portal(tx, id, client_name, Utc::now())
        }),
    };
    if let Err(e) = result {
        leptos::logging::error!("could not update the workspace: {e}");
    }
}

/// Save a portal's structure as a new template in the workspace, named after the client.
pub fn save_as_template(portal: DocumentId) -> Result<String, model::doc::ModelError> {
    let workspace =
        workspace_id().ok_or_else(|| model::doc::ModelError::NoSuchItem("workspace".into()))?;
    let start = Utc::now().date_naive();
    let template = client()
        .read(&portal, |doc| {
            let name =
                model::portal::read_portal(doc).map(|p| format!("Based on {}", p.client_name))?;
            model::workspace::template_from_portal(doc, &name, "Saved from a portal", start)
        })
        .ok_or_else(|| model::doc::ModelError::NoSuchItem(portal.to_string()))??;
    let name = template.name.clone();
    try_edit(workspace, |tx| {
        model::workspace::save_template(tx, &template)
    })?;
    Ok(name)
}

/// Begin offboarding a portal from a playbook, with its dates counted from today.
pub fn start_offboarding(
    id: DocumentId,
    playbook: &model::offboarding::OffboardingPlaybook,
) -> Result<(), model::doc::ModelError> {
    let today = crate::state::dates::today();
    try_edit_portal(id, |tx| {
        model::offboarding::start_offboarding(tx, playbook, today, Utc::now())
    })
}

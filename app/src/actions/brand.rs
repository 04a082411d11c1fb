//! The provider's brand: saved in the workspace, and copied into each portal, because the
//! client cannot read the workspace. Copies are made by the provider's devices: when the brand
//! is saved (into every portal this device holds), when a portal is created, and when the
//! provider opens a portal whose copy is out of date.

use threshold_model as model;
use threshold_model::doc::ModelError;
use threshold_model::portal::{read_brand, set_brand, Brand};
use threshold_model::workspace::read_workspace;
use threshold_protocol::DocumentId;

use super::{try_edit, workspace_id};
use crate::state::session::{is_client, is_read_only};
use crate::sync::client;

/// Save the brand in the workspace and copy it into every portal on this device.
pub fn save_brand(brand: &Brand) -> Result<(), ModelError> {
    let workspace = workspace_id().ok_or_else(|| ModelError::NoSuchItem("workspace".into()))?;
    try_edit(workspace, |tx| set_brand(tx, brand))?;
    let portals = client()
        .read(&workspace, |doc| read_workspace(doc).ok())
        .flatten()
        .map(|w| w.portals)
        .unwrap_or_default();
    for portal in portals {
        copy_brand(portal.id);
    }
    Ok(())
}

/// Bring a portal's copy of the brand up to date with the workspace's, when this is a
/// provider's device that may write and both documents are here. Nothing is written when the
/// copy already matches.
pub fn copy_brand(portal: DocumentId) {
    if is_client() || is_read_only() {
        return;
    }
    let Some(workspace) = workspace_id() else {
        return;
    };
    let Some(Some(brand)) = client().read(&workspace, |doc| read_brand(doc).ok().flatten()) else {
        return;
    };
    let Some(copy) = client().read(&portal, |doc| read_brand(doc).ok().flatten()) else {
        return;
    };
    if copy.as_ref() == Some(&brand) {
        return;
    }
    if let Err(e) = try_edit(portal, |tx| {
        model::portal::set_brand(tx, &brand)?;
        Ok(())
    }) {
        leptos::logging::warn!("could not copy the brand into a portal: {e}");
    }
}

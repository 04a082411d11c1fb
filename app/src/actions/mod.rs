//! What the UI asks for, in terms of documents and the relay: the glue between a click and the
//! model, one file per domain. Components call one function here and show its result; the
//! rules themselves live in `threshold-model`. This file holds the edit helpers every action
//! (and the file queue) goes through.

mod access;
mod brand;
mod email;
mod export;
mod files;
mod goodbye;
mod guard;
mod mail;
mod people;
mod portal;
mod session;
mod signature;
mod stage;

use chrono::Utc;
use leptos::prelude::Set;
use threshold_model as model;
use threshold_protocol::DocumentId;

use crate::state::session::{is_client, is_read_only};
use crate::sync::client;

pub use access::{set_client_access, ClientAccess};
pub use brand::{copy_brand, save_brand};
pub use email::{my_email, save_my_email, save_sender, workspace_mail};
pub use export::{download_archive, download_automerge, download_calendar, download_json};
pub use files::{add_file, drop_refused_file, remove_file};
pub use goodbye::{complete as complete_offboarding, mailbox, send_goodbye};
pub use mail::{follow_up_sent, portal_mail};
pub use people::{
    change_access, invite, list_people, needs_read_only, AccessChange, Invite, People,
};
pub use portal::{
    create_portal, ensure_internal, remember_portal, save_as_template, start_offboarding,
};
pub use session::{confirm_session, email_sign_in_link, open_home, redeem_sign_in, workspace_id};
pub use signature::sign;
pub use stage::change_stage;

/// Apply a model edit to any loaded document; a document that is not loaded is an error.
pub fn try_edit<R>(
    id: DocumentId,
    change: impl FnOnce(&mut model::doc::Transaction<'_>) -> Result<R, model::doc::ModelError>,
) -> Result<R, model::doc::ModelError> {
    client()
        .change(id, |doc| model::doc::edit(doc, change))
        .ok_or_else(|| model::doc::ModelError::NoSuchItem(id.to_string()))?
}

/// Apply a model edit to an internal document, logging (not panicking on) a model error.
pub fn edit_internal(
    id: DocumentId,
    change: impl FnOnce(&mut model::doc::Transaction<'_>) -> Result<(), model::doc::ModelError>,
) {
    if let Err(e) = try_edit(id, change) {
        leptos::logging::error!("edit failed: {e}");
    }
}

/// Apply a model edit to a portal, noting which side worked in it (for the dashboard's health)
/// and who (for the activity feed).
pub fn try_edit_portal(
    id: DocumentId,
    change: impl FnOnce(&mut model::doc::Transaction<'_>) -> Result<(), model::doc::ModelError>,
) -> Result<(), model::doc::ModelError> {
    if is_read_only() {
        return Err(model::doc::ModelError::ReadOnly(
            "your access to this portal is read-only".into(),
        ));
    }
    let view = crate::state::view_mode::load();
    if is_client() {
        let stage = client()
            .read(&id, |doc| model::portal::read_stage(doc).ok())
            .flatten();
        if stage.is_some_and(|s| s.is_closed()) {
            return Err(model::doc::ModelError::ReadOnly(
                "the engagement has ended; this portal is kept as your archive".into(),
            ));
        }
    }
    let side = crate::state::permission::side(view);
    let result = client()
        .change(id, |doc| {
            let actor = doc.get_actor().clone();
            let own = crate::state::authors::own_actors(&id, &actor);
            // Judged inside the engine's change, before it persists or sends anything.
            guard::checked_edit(doc, side, &own, |doc| {
                model::doc::edit_at(doc, Utc::now(), |tx| {
                    change(tx)?;
                    // The activity feed names this browser session's changes after the person.
                    model::portal::register_actor(tx, &actor, &view.actor_name(), side)?;
                    model::workspace::record_activity(tx, side, Utc::now())
                })
            })
        })
        .ok_or_else(|| model::doc::ModelError::NoSuchItem(id.to_string()))?;
    result.unwrap_or_else(|rule| {
        // The rule's words, shown where the person is, whichever control they used.
        let words = rule.to_string();
        client()
            .signals
            .refusal
            .set(Some(crate::sync::Refusal::Here(words.clone())));
        Err(model::doc::ModelError::Rule(words))
    })
}

/// [`try_edit_portal`] for a form: whether the edit was kept; if not, the model's words (an
/// empty or too-long value, an address that is not a link, a rule) go to `error`, which the form
/// shows next to its fields. Nothing is dropped without a word.
pub fn save_portal(
    id: DocumentId,
    error: leptos::prelude::WriteSignal<Option<String>>,
    change: impl FnOnce(&mut model::doc::Transaction<'_>) -> Result<(), model::doc::ModelError>,
) -> bool {
    match try_edit_portal(id, change) {
        Ok(()) => {
            error.set(None);
            true
        }
        Err(e) => {
            error.set(Some(e.to_string()));
            false
        }
    }
}

/// [`try_edit_portal`], logging (not panicking on) a model error.
pub fn edit_portal(
    id: DocumentId,
    change: impl FnOnce(&mut model::doc::Transaction<'_>) -> Result<(), model::doc::ModelError>,
) {
    if let Err(e) = try_edit_portal(id, change) {
        leptos::logging::error!("edit failed: {e}");
    }
}

//! Who wrote what in a portal, by name: the person the relay bound each Automerge actor to
//! (`GET /api/portals/{id}/authors`), cached per portal in localStorage so names show offline.
//! A name the document holds for an actor the relay has not bound (history from before the relay
//! verified authors) is shown, marked unverified, never as verified.

use std::collections::HashMap;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use threshold_model::access::Author;
use threshold_protocol::automerge::ActorId;
use threshold_protocol::DocumentId;

fn key(portal: &DocumentId) -> String {
    format!("threshold.authors.{portal}")
}

/// The verified authors of a portal by actor (hex), from the cache at once and from the relay
/// when it answers.
pub fn use_authors(portal: DocumentId) -> RwSignal<HashMap<String, Author>> {
    let cached: Vec<Author> = LocalStorage::get(key(&portal)).unwrap_or_default();
    let authors = RwSignal::new(by_actor(cached));
    refresh(portal, authors);
    authors
}

/// The verified authors of the portal on screen, provided by the portal page.
#[derive(Clone, Copy)]
pub struct PortalAuthors(pub RwSignal<HashMap<String, Author>>);

/// Provide the portal's authors to everything on its page (one fetch per page).
pub fn provide_authors(portal: DocumentId) {
    provide_context(PortalAuthors(use_authors(portal)));
}

/// The authors of the portal on screen; none outside a portal page.
pub fn portal_authors() -> RwSignal<HashMap<String, Author>> {
    use_context::<PortalAuthors>()
        .map(|a| a.0)
        .unwrap_or_else(|| RwSignal::new(HashMap::new()))
}

/// The name to show for whoever wrote `key` of the object at `path` (map keys from the root),
/// given the name the document holds there: the verified person when the relay bound the
/// writing actor, else `declared` marked unverified.
pub fn verified_name(portal: &DocumentId, path: &[&str], key: &str, declared: &str) -> String {
    let actor = writer(portal, path, key).map(|a| a.to_hex_string());
    let authors = portal_authors();
    authors.with(|a| display_name(a, actor.as_deref().unwrap_or_default(), declared))
}

/// Ask the relay again (an actor may have been bound since); the cache keeps the last answer.
pub fn refresh(portal: DocumentId, authors: RwSignal<HashMap<String, Author>>) {
    let Some(token) = super::session::token() else {
        return;
    };
    leptos::task::spawn_local(async move {
        if let Ok(list) = crate::relay::api::authors(&token, portal).await {
            let _ = LocalStorage::set(key(&portal), &list);
            authors.set(by_actor(list));
        }
    });
}

fn by_actor(list: Vec<Author>) -> HashMap<String, Author> {
    list.into_iter().map(|a| (a.actor.clone(), a)).collect()
}

/// How a writer is named: the verified person, or the name the document holds (`declared`)
/// marked unverified. When the verified person wrote under another name (a provider previewing
/// the client view), that name follows as what they wrote as.
pub fn display_name(authors: &HashMap<String, Author>, actor: &str, declared: &str) -> String {
    match authors.get(actor) {
        Some(a) if declared.is_empty() || a.name == declared => a.name.clone(),
        Some(a) => format!("{} (as “{declared}”)", a.name),
        None if declared.is_empty() => "Someone (unverified)".to_owned(),
        None => format!("{declared} (unverified)"),
    }
}

/// The actor that created the object at `path` (map keys from the root): for a comment, a
/// check-in or a file, its author.
pub fn creator(portal: &DocumentId, path: &[&str]) -> Option<ActorId> {
    at_path(portal, path, None)
}

/// The actor that wrote the value at `key` of the object at `path`: an Automerge value's id is
/// the operation that wrote it, and carries its actor.
pub fn writer(portal: &DocumentId, path: &[&str], key: &str) -> Option<ActorId> {
    at_path(portal, path, Some(key))
}

fn at_path(portal: &DocumentId, path: &[&str], key: Option<&str>) -> Option<ActorId> {
    use threshold_protocol::automerge::{ObjId, ReadDoc, Value, ROOT};
    crate::sync::client()
        .read(portal, |doc| {
            let mut obj = ROOT;
            for key in path {
                match doc.get(&obj, *key) {
                    Ok(Some((Value::Object(_), id))) => obj = id,
                    _ => return None,
                }
            }
            let id = match key {
                Some(key) => doc.get(&obj, key).ok().flatten()?.1,
                None => obj,
            };
            match id {
                ObjId::Id(_, actor, _) => Some(actor),
                ObjId::Root => None,
            }
        })
        .flatten()
}

#[cfg(test)]
mod tests {
    use threshold_model::access::Role;

    use super::*;

    fn authors() -> HashMap<String, Author> {
        by_actor(vec![Author {
            actor: "aa11".into(),
            token_id: "t1".into(),
            name: "Dana Reyes".into(),
            role: Role::Client,
        }])
    }

    #[test]
    fn a_bound_actor_is_named_by_the_relay_and_an_unbound_one_is_marked_unverified() {
        assert_eq!(display_name(&authors(), "aa11", "Dana Reyes"), "Dana Reyes");
        assert_eq!(
            display_name(&authors(), "aa11", "Provider team"),
            "Dana Reyes (as “Provider team”)"
        );
        assert_eq!(
            display_name(&authors(), "bb22", "Dana Reyes"),
            "Dana Reyes (unverified)"
        );
        assert_eq!(display_name(&authors(), "bb22", ""), "Someone (unverified)");
    }
}

//! Who wrote what in a portal, by name: the person the relay bound each Automerge actor to
//! (`GET /api/portals/{id}/authors`), cached per portal in localStorage so names show offline.
//! A name the document holds for an actor the relay has not bound (history from before the relay
//! verified authors) is shown, marked unverified, never as verified.

use std::collections::{HashMap, HashSet};

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

/// The verified authors of the portal on screen, provided by the portal page, with the actors
/// already asked about, so an actor the relay never bound (history from before verification)
/// costs one question, not one per redraw.
#[derive(Clone, Copy)]
pub struct PortalAuthors {
    pub authors: RwSignal<HashMap<String, Author>>,
    portal: DocumentId,
    asked_about: StoredValue<HashSet<String>>,
}

/// Provide the portal's authors to everything on its page (one fetch per page, and one more
/// whenever a writer turns up that the last answer did not name).
pub fn provide_authors(portal: DocumentId) {
    provide_context(PortalAuthors {
        authors: use_authors(portal),
        portal,
        asked_about: StoredValue::new(HashSet::new()),
    });
}

/// The authors of the portal on screen; none outside a portal page.
pub fn portal_authors() -> RwSignal<HashMap<String, Author>> {
    use_context::<PortalAuthors>()
        .map(|a| a.authors)
        .unwrap_or_else(|| RwSignal::new(HashMap::new()))
}

/// The name to show for whoever wrote `key` of the object at `path` (map keys from the root),
/// given the name the document holds there: the verified person when the relay bound the
/// writing actor, else `declared` marked unverified.
pub fn verified_name(portal: &DocumentId, path: &[&str], key: &str, declared: &str) -> String {
    let actor = writer(portal, path, key).map(|a| a.to_hex_string());
    name_for(actor.as_deref().unwrap_or_default(), declared)
}

/// The name for `actor` (hex) on the portal page. An actor the relay has not named yet is either
/// this device's own (the person at this screen, whose token the relay binds it to when it
/// admits the change, or else refuses it) or someone who first wrote after this page last asked
/// the relay: then the relay is asked again, once per actor while the answer arrives.
pub fn name_for(actor: &str, declared: &str) -> String {
    let Some(page) = use_context::<PortalAuthors>() else {
        return display_name(&HashMap::new(), actor, declared);
    };
    if page.authors.with(|a| a.contains_key(actor)) || actor.is_empty() {
        return page.authors.with(|a| display_name(a, actor, declared));
    }
    if let Some(me) = this_device(&page.portal, actor) {
        return display_name(&HashMap::from([(me.actor.clone(), me)]), actor, declared);
    }
    if page.asked_about.with_value(|s| !s.contains(actor)) {
        page.asked_about.update_value(|s| {
            s.insert(actor.to_owned());
        });
        let actor = actor.to_owned();
        leptos::task::spawn_local(async move {
            // Offline or refused: forget having asked, so a later redraw asks again.
            if !fetch(page.portal, page.authors).await {
                page.asked_about.update_value(|s| {
                    s.remove(&actor);
                });
            }
        });
    }
    page.authors.with(|a| display_name(a, actor, declared))
}

/// The person at this screen, when `actor` is this device's actor in `portal`.
fn this_device(portal: &DocumentId, actor: &str) -> Option<Author> {
    let mine = crate::sync::client().read(portal, |doc| doc.get_actor().to_hex_string())?;
    let info = super::session::session()?.info.get_untracked()?;
    (mine == actor).then_some(Author {
        actor: mine,
        token_id: info.token.id,
        name: info.token.name,
        role: info.token.role,
    })
}

/// Ask the relay again (an actor may have been bound since); the cache keeps the last answer.
pub fn refresh(portal: DocumentId, authors: RwSignal<HashMap<String, Author>>) {
    leptos::task::spawn_local(async move {
        fetch(portal, authors).await;
    });
}

/// Ask the relay for the portal's authors and keep the answer; whether it answered.
async fn fetch(portal: DocumentId, authors: RwSignal<HashMap<String, Author>>) -> bool {
    let Some(token) = super::session::token() else {
        return false;
    };
    match crate::relay::api::authors(&token, portal).await {
        Ok(list) => {
            let _ = LocalStorage::set(key(&portal), &list);
            authors.set(by_actor(list));
            true
        }
        Err(_) => false,
    }
}

/// The actors this person writes portal `portal` with: this device's, and every other the
/// relay bound to the same token (their other devices and browsers), from the last answer
/// cached here. The relay counts a person's objects by all of these, so the app must too, or it
/// would hide an edit the relay allows.
pub fn own_actors(portal: &DocumentId, this_device: &ActorId) -> Vec<ActorId> {
    let mut actors = vec![this_device.clone()];
    let Some(token_id) = super::session::session()
        .and_then(|s| s.info.get_untracked())
        .map(|info| info.token.id)
    else {
        return actors;
    };
    let cached: Vec<Author> = LocalStorage::get(key(portal)).unwrap_or_default();
    actors.extend(
        cached
            .into_iter()
            .filter(|a| a.token_id == token_id)
            .filter_map(|a| ActorId::try_from(a.actor.as_str()).ok())
            .filter(|a| a != this_device),
    );
    actors
}

/// The verified person behind `actor` (hex) in `portal`, from the relay's last answer cached on
/// this device: for files made outside the page (an export names each signature's signer).
pub fn cached_name(portal: &DocumentId, actor: &str) -> Option<String> {
    let cached: Vec<Author> = LocalStorage::get(key(portal)).unwrap_or_default();
    cached
        .into_iter()
        .find(|a| a.actor == actor)
        .map(|a| a.name)
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

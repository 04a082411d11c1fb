//! The activity feed, read from the document's own change history: who changed which part of
//! the portal, and when.
//!
//! Automerge records an actor id with every change. Each browser session registers its actor
//! with a person in `people: { <actorHex>: { name, side } }`, so the feed can name them.

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, PatchAction, Prop, ReadDoc, ROOT};
use chrono::{DateTime, Utc};

use crate::doc::{field, ModelError};
use crate::portal::Assignee;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ActivityEntry {
    /// The name the document holds for the change's actor (self-declared: the app names the
    /// verified person from `actor` where the relay knows it).
    pub who: String,
    /// The actor that made the change, lowercase hex.
    pub actor: String,
    pub side: Option<Assignee>,
    pub at: Option<DateTime<Utc>>,
    /// The parts of the portal the change touched, in words ("the intake form").
    pub what: Vec<String>,
}

/// Name the person behind an actor, once per actor.
pub fn register_actor(
    tx: &mut impl Transactable,
    actor: &ActorId,
    name: &str,
    side: Assignee,
) -> Result<(), ModelError> {
    let key = actor.to_hex_string();
    if field::item(tx, &ROOT, "people", &key)?.is_some() {
        return Ok(());
    }
    let obj = field::new_item(tx, &ROOT, "people", &key)?;
    tx.put(&obj, "name", name)?;
    tx.put(&obj, "side", side.as_str())?;
    Ok(())
}

pub fn is_registered(doc: &impl ReadDoc, actor: &ActorId) -> Result<bool, ModelError> {
    Ok(field::item(doc, &ROOT, "people", &actor.to_hex_string())?.is_some())
}

fn describe(key: &str) -> Option<&'static str> {
    Some(match key {
        "clientName" => "the client name",
        "welcome" => "the welcome message",
        "tasks" => "the task plan",
        "intake" => "the intake form",
        "exchange" => "documents",
        "milestones" => "the timeline",
        "meetings" => "meetings",
        "contacts" => "contacts",
        "links" => "links",
        "checkins" => "check-ins",
        "stage" => "the stage",
        // Bookkeeping, not something a person would call an edit.
        _ => return None,
    })
}

/// The newest `limit` changes that touched something a person would recognise, newest first.
pub fn activity(doc: &Automerge, limit: usize) -> Result<Vec<ActivityEntry>, ModelError> {
    let mut people = std::collections::HashMap::new();
    for (actor, obj) in field::items(doc, &ROOT, "people")? {
        let name = field::string(doc, &obj, "name")?.unwrap_or_default();
        let side = field::string(doc, &obj, "side")?.map(|s| Assignee::parse(&s));
        people.insert(actor, (name, side));
    }
    let changes = doc.get_changes(&[]);
    let mut out = Vec::new();
    for change in changes.iter().rev() {
        if out.len() >= limit {
            break;
        }
        let mut what: Vec<String> = Vec::new();
        for patch in doc.diff(change.deps(), &[change.hash()]) {
            let key = match (patch.path.first(), &patch.action) {
                (Some((_, Prop::Map(key))), _) => Some(key.clone()),
                (None, PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key }) => {
                    Some(key.clone())
                }
                _ => None,
            };
            if let Some(label) = key.as_deref().and_then(describe) {
                if !what.iter().any(|w| w == label) {
                    what.push(label.to_owned());
                }
            }
        }
        if what.is_empty() {
            continue;
        }
        let actor = change.actor_id().to_hex_string();
        let (who, side) = people
            .get(&actor)
            .cloned()
            .unwrap_or_else(|| ("Someone".to_owned(), None));
        let at = Some(change.timestamp())
            .filter(|t| *t > 0)
            .and_then(|t| DateTime::from_timestamp(t, 0));
        out.push(ActivityEntry {
            who,
            actor,
            side,
            at,
            what,
        });
    }
    Ok(out)
}

//! The relay's judge of every change a writable connection sends: verified authorship, the
//! portal's permission table for client tokens, and the shape rules for everyone.
//!
//! The engine calls [`RelayGuard::admit`] with the document as it would be after the changes;
//! the rules themselves are `threshold_model::access::check_change`, shared with the app.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use threshold_model::access::{check_change, Author, Role, Side, Writer};
use threshold_model::doc::{has_kind, DocKind};
use threshold_protocol::automerge::{ActorId, Automerge, Change};
use threshold_protocol::{ChangeGuard, ConnId, DocumentId};

use crate::authors::AuthorBook;
use crate::cooldown::Cooldown;
use crate::history_budget::HistoryBook;

/// The person behind a connection, as its token says.
#[derive(Clone, Debug)]
pub struct Person {
    pub token_id: String,
    pub name: String,
    pub role: Role,
}

/// Who is on each open connection. The hub writes it as connections come and go; the guard
/// reads it, on the same thread.
pub type People = Arc<Mutex<HashMap<ConnId, Person>>>;

pub const FORGED: &str = "this change claims to be by someone else";

pub struct RelayGuard {
    people: People,
    authors: AuthorBook,
    history: HistoryBook,
    /// Client tokens refused again and again, whose changes are refused unjudged for a while.
    cooldown: Cooldown,
}

impl RelayGuard {
    pub fn new(
        people: People,
        authors: AuthorBook,
        history: HistoryBook,
        cooldown: Cooldown,
    ) -> Self {
        Self {
            people,
            authors,
            history,
            cooldown,
        }
    }

    fn person(&self, conn: ConnId) -> Option<Person> {
        self.people.lock().ok()?.get(&conn).cloned()
    }
}

impl ChangeGuard for RelayGuard {
    fn before_applying(&mut self, conn: ConnId) -> Result<(), String> {
        let Some(person) = self.person(conn).filter(|p| p.role == Role::Client) else {
            return Ok(());
        };
        match self.cooldown.wait(&person.token_id) {
            Some((refusals, wait)) => {
                // Still counted: a device that keeps sending waits longer.
                self.cooldown.note_refusal(&person.token_id);
                Err(format!(
                    "the relay refused {refusals} changes from this access within ten minutes; it takes none for {} s",
                    wait.as_secs_f64().ceil() as u64
                ))
            }
            None => Ok(()),
        }
    }

    fn admit(
        &mut self,
        conn: ConnId,
        doc: &DocumentId,
        doc_after: &Automerge,
        new_changes: &[Change],
    ) -> Result<(), String> {
        let verdict = self.judge(conn, doc, doc_after, new_changes);
        if verdict.is_err() {
            if let Some(person) = self.person(conn).filter(|p| p.role == Role::Client) {
                self.cooldown.note_refusal(&person.token_id);
            }
        }
        verdict
    }
}

impl RelayGuard {
    fn judge(
        &mut self,
        conn: ConnId,
        doc: &DocumentId,
        doc_after: &Automerge,
        new_changes: &[Change],
    ) -> Result<(), String> {
        let person = self
            .people
            .lock()
            .map_err(|_| "the relay lost track of who is connected".to_owned())?
            .get(&conn)
            .cloned()
            .ok_or_else(|| "the relay does not know who sent this change".to_owned())?;
        let table = self.authors.table(doc).map_err(|e| {
            tracing::error!(%doc, error = %e, "could not read the document's authors");
            "the relay could not read who wrote this document".to_owned()
        })?;
        let mut own: Vec<ActorId> = table
            .iter()
            .filter(|a| a.token_id == person.token_id)
            .filter_map(|a| hex::decode(&a.actor).ok().map(ActorId::from))
            .collect();
        let mut bindings: Vec<Author> = Vec::new();
        for change in new_changes {
            let actor = change.actor_id();
            let hex = actor.to_hex_string();
            match table.iter().find(|a| a.actor == hex) {
                Some(bound) if bound.token_id != person.token_id => return Err(FORGED.into()),
                Some(_) => {}
                None if bindings.iter().any(|b| b.actor == hex) => {}
                None => {
                    // An actor seen here for the first time must start here (its first change
                    // in this batch), or it is one that wrote before the relay bound actors and
                    // belongs to nobody yet. Only the provider's side may claim such an actor
                    // (its own devices from before); a client claiming it could pass as anyone.
                    let starts_here = new_changes
                        .iter()
                        .any(|c| c.actor_id() == actor && c.seq() == 1);
                    if !starts_here && person.role == Role::Client {
                        return Err(FORGED.into());
                    }
                    own.push(actor.clone());
                    bindings.push(Author {
                        actor: hex,
                        token_id: person.token_id.clone(),
                        name: person.name.clone(),
                        role: person.role,
                    });
                }
            }
        }
        // A client on a portal is held to the portal's table; anyone else (the provider, or a
        // client on a document that is no portal) to the shape rules alone. A document is a
        // portal if it says so before the change or after it, so a change cannot pick its own
        // judge by rewriting `kind` (which the shape rules refuse besides).
        let client = person.role == Role::Client;
        let portal_after = client && has_kind(doc_after, DocKind::Portal, None);
        for change in new_changes {
            let client_rules = client
                && (portal_after || has_kind(doc_after, DocKind::Portal, Some(change.deps())));
            let writer = Writer {
                side: if client_rules {
                    Side::Client
                } else {
                    Side::Provider
                },
                own_actors: &own,
            };
            check_change(doc_after, change, &writer).map_err(|rule| rule.to_string())?;
        }
        // A client's changes spend its portal's history budget; counted last, so only changes
        // that pass every other rule are counted, and recorded only once they are admitted.
        let spent = if client {
            let bytes: u64 = new_changes.iter().map(|c| c.raw_bytes().len() as u64).sum();
            let usage = self.history.check(doc, bytes).map_err(|e| {
                tracing::error!(%doc, error = %e, "could not read the document's history budget");
                "the relay could not read this portal's history budget".to_owned()
            })?;
            Some(usage.map_err(|over| over.to_string())?)
        } else {
            None
        };
        if !bindings.is_empty() {
            self.authors.bind(doc, bindings).map_err(|e| {
                tracing::error!(%doc, error = %e, "could not store the document's authors");
                "the relay could not record who wrote this change".to_owned()
            })?;
        }
        if let Some(usage) = spent {
            self.history.record(doc, usage).map_err(|e| {
                tracing::error!(%doc, error = %e, "could not store the document's history budget");
                "the relay could not record this portal's history budget".to_owned()
            })?;
        }
        Ok(())
    }
}

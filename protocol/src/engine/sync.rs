//! Documents with peers: routing document messages, applying sync messages, and sending each
//! subscribed peer what it lacks.

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash, ReadDoc};

use super::document::{DocEntry, PeerDoc, PeerStatus};
use super::op_count::{check_ops, OpCountError, OpLimits};
use super::{ConnId, Engine};
use crate::{DocumentId, Effect, Message, PeerId};

impl Engine {
    pub(super) fn route_doc_message(&mut self, conn: ConnId, message: Message) {
        let Some(id) = message.document_id() else {
            return;
        };
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        if !state.access.can_read(&id) {
            // Exactly the answer a document that does not exist gets, and at once: neither the
            // reply nor its timing may hint that the document is here.
            if matches!(message, Message::Request(_) | Message::Sync(_)) {
                self.answer_unavailable(conn, id);
            }
            return;
        }
        if !state.docs.contains(&id) {
            if state.docs.len() >= self.config.max_docs_per_conn {
                let limit = self.config.max_docs_per_conn;
                return self.fail(
                    conn,
                    format!("too many documents on one connection (the limit is {limit})"),
                );
            }
            state.docs.insert(id);
        }
        match self.docs.get_mut(&id) {
            Some(entry) if entry.doc.is_none() => entry.pending.push((conn, message)),
            Some(_) => self.process_doc_message(conn, message),
            None => {
                let mut entry = DocEntry::loading(false);
                entry.pending.push((conn, message));
                self.docs.insert(id, entry);
                self.effects.push(Effect::Load { doc: id });
            }
        }
    }

    pub(super) fn process_doc_message(&mut self, conn: ConnId, message: Message) {
        // Messages replayed after a load were checked on arrival, but access may have narrowed
        // while storage was read.
        let allowed = message
            .document_id()
            .is_some_and(|id| self.access(conn).is_some_and(|a| a.can_read(&id)));
        if !allowed {
            return;
        }
        match message {
            Message::Request(m) => self.receive_sync(conn, m.document_id, &m.data, true),
            Message::Sync(m) => self.receive_sync(conn, m.document_id, &m.data, false),
            Message::DocUnavailable { document_id, .. } => {
                self.ensure_peer_doc(document_id, conn);
                if let Some(pd) = self.peer_doc_mut(document_id, conn) {
                    pd.status = PeerStatus::Unavailable;
                }
                self.check_unavailable(document_id);
            }
            Message::Ephemeral {
                sender_id,
                document_id,
                count,
                session_id,
                data,
                ..
            } => {
                // A read-only peer sends nothing to anyone, presence included.
                if !self.access(conn).is_some_and(|a| a.can_write(&document_id)) {
                    return;
                }
                let limits = self.config.ephemeral;
                if session_id.len() > limits.max_session_id_bytes {
                    return self.fail(
                        conn,
                        format!(
                            "ephemeral session id of {} bytes is longer than the limit of {} bytes",
                            session_id.len(),
                            limits.max_session_id_bytes
                        ),
                    );
                }
                if data.len() > limits.max_data_bytes {
                    return self.fail(
                        conn,
                        format!(
                            "ephemeral message of {} bytes is larger than the limit of {} bytes",
                            data.len(),
                            limits.max_data_bytes
                        ),
                    );
                }
                let now = self.now_ms;
                if !self
                    .ephemeral_seen
                    .fresh(&limits, conn, &session_id, count, now)
                {
                    return;
                }
                // Relayed under the id the connection joined with, not the one the message
                // claims: a peer speaks for itself only.
                let sender_id = self.remote_id(conn).unwrap_or(sender_id);
                self.effects.push(Effect::Ephemeral {
                    doc: document_id,
                    sender: sender_id.clone(),
                    data: data.clone(),
                });
                for (target, target_id) in self.subscriber_peers(document_id, Some(conn)) {
                    let forwarded = Message::Ephemeral {
                        sender_id: sender_id.clone(),
                        target_id,
                        document_id,
                        count,
                        session_id: session_id.clone(),
                        data: data.clone(),
                    };
                    self.send(target, &forwarded);
                }
            }
            _ => {}
        }
    }

    pub(super) fn receive_sync(
        &mut self,
        conn: ConnId,
        id: DocumentId,
        data: &[u8],
        is_request: bool,
    ) {
        let sync_message = match sync::Message::decode(data) {
            Ok(m) => m,
            Err(e) => return self.fail(conn, format!("malformed sync message for {id}: {e}")),
        };
        let peer_has_it = !sync_message.heads.is_empty();
        let may_write = self.access(conn).is_some_and(|a| a.can_write(&id));
        if !may_write && !sync_message.changes.is_empty() {
            self.effects.push(Effect::Warning {
                message: format!("dropped changes to {id} from a read-only peer"),
            });
        }
        let limits = match (
            self.config.max_ops_per_change,
            self.config.max_ops_per_message,
            self.config.max_inflated_bytes,
        ) {
            (None, None, None) => None,
            (per_change, per_message, inflated) => Some(OpLimits {
                per_change: per_change.unwrap_or(usize::MAX),
                per_message: per_message.unwrap_or(usize::MAX),
                max_inflated_bytes: inflated.unwrap_or(usize::MAX),
            }),
        };
        if let Some(limits) = limits.filter(|_| may_write) {
            // Counted before anything is applied: applying is what costs (see `op_count`).
            // Nothing of the message is kept, so the peer's sync state is left as it was.
            match check_ops(sync_message.changes.iter(), limits) {
                Ok(()) => {}
                Err(
                    e @ (OpCountError::OverLimit { .. }
                    | OpCountError::OverMessageLimit { .. }
                    | OpCountError::InflatesTooFar { .. }),
                ) => return self.refuse(conn, id, e.to_string()),
                Err(e @ OpCountError::Malformed(_)) => {
                    return self.fail(conn, format!("malformed sync message for {id}: {e}"))
                }
            }
        }
        if may_write && !sync_message.changes.is_empty() {
            if let Some(guard) = self.guard.as_mut() {
                if let Err(rule) = guard.before_applying(conn) {
                    return self.refuse(conn, id, rule);
                }
            }
        }
        self.ensure_peer_doc(id, conn);
        let owed = self.owed_sync.contains(id, conn);
        let Some(entry) = self.docs.get_mut(&id) else {
            return;
        };
        let (Some(doc), Some(pd)) = (entry.doc.as_mut(), entry.peers.get_mut(&conn)) else {
            return;
        };
        pd.subscribed = true;
        if is_request && pd.status != PeerStatus::Has {
            pd.status = PeerStatus::Wants;
        }
        if peer_has_it {
            pd.status = PeerStatus::Has;
        }
        let guard = self.guard.as_mut().filter(|_| may_write);
        if guard.is_some() && entry.queued_by != Some(conn) && has_queue(doc) {
            // Automerge keeps a change whose dependencies are missing and applies it once they
            // arrive, during whichever peer's receive brings them: the guard would judge it as
            // that peer's. So a queue left by another peer is dropped before this one's
            // changes are applied; that peer's sync asks for the change again.
            rebuild_at(doc, &doc.get_heads());
        }
        let before = doc.get_heads();
        let acknowledges = sync_message.changes.is_empty() && sync_message.heads == before;
        let told = pd.sync.last_sent_heads.clone();
        if let Err(e) = doc.receive_sync_message(&mut pd.sync, sync_message) {
            return self.fail(
                conn,
                format!("sync message for {id} could not be applied: {e}"),
            );
        }
        if owed && acknowledges {
            // A message without changes at our heads makes automerge record those heads as
            // sent (`last_sent_heads`), so it generates nothing more for this peer. Frame by
            // frame that holds: whatever changed our heads was answered at once. But this
            // peer is owed a message not generated yet: an earlier frame of this batch (its
            // own changes, or another peer's) moved our heads, and the peer has not been told.
            // Without it, a peer at our heads never hears that we are: a browser that has just
            // created a portal waits for "Synced" forever (`tests/relay_batches.rs`).
            pd.sync.last_sent_heads = told;
        }
        let changed = doc.get_heads() != before;
        if let Some(guard) = guard {
            let verdict = if changed {
                guard.admit(conn, &id, doc, &doc.get_changes(&before))
            } else {
                Ok(())
            };
            if let Err(rule) = verdict {
                // Expensive, but only on a refusal: the document as it was, without the queue.
                rebuild_at(doc, &before);
                entry.queued_by = None;
                return self.refuse(conn, id, rule);
            }
            entry.queued_by = has_queue(doc).then_some(conn);
        }
        if changed {
            entry.reported_unavailable = false;
            entry.search_started = None;
            self.persist(id);
            self.effects.push(Effect::DocChanged { doc: id });
            for (other, _) in self.subscriber_peers(id, Some(conn)) {
                self.owe_sync(id, other, false);
            }
        }
        // Always answer a sync message, as the automerge sync protocol expects: a peer with a
        // message in flight waits for the reply before it sends its next changes.
        self.owe_sync(id, conn, true);
        self.save_sync_state(id, conn);
        let wants = self
            .peer_doc_mut(id, conn)
            .is_some_and(|pd| pd.status == PeerStatus::Wants);
        if wants && self.docs.get(&id).is_some_and(DocEntry::is_empty) {
            self.search(id, conn);
        }
        self.check_unavailable(id);
    }

    /// A peer's changes broke the guard's rules: they are already undone; report it (the shell
    /// logs and counts it), tell the peer which rule, and end the connection. Nothing was
    /// persisted, relayed or reported as changed.
    fn refuse(&mut self, conn: ConnId, doc: DocumentId, rule: String) {
        self.effects.push(Effect::Refused {
            conn,
            doc,
            rule: rule.clone(),
        });
        self.fail(conn, rule);
    }

    pub(super) fn ensure_peer_doc(&mut self, id: DocumentId, conn: ConnId) {
        let persisted_state = self.durable_storage_id(conn);
        let read_only = !self.access(conn).is_some_and(|a| a.can_write(&id));
        let Some(entry) = self.docs.get_mut(&id) else {
            return;
        };
        entry.idle_since = None;
        entry.peers.entry(conn).or_insert_with(|| {
            let mut sync = persisted_state
                .and_then(|sid| entry.stored_sync_states.get(&sid))
                .and_then(|bytes| sync::State::decode(bytes).ok())
                .unwrap_or_default();
            // A read-only sync state neither applies nor asks for the peer's changes; the
            // peer is still sent everything it lacks.
            sync.read_only = read_only;
            PeerDoc {
                saved_shared_heads: sync.shared_heads.clone(),
                sync,
                status: PeerStatus::Unknown,
                subscribed: false,
            }
        });
    }

    pub(super) fn peer_doc_mut(&mut self, id: DocumentId, conn: ConnId) -> Option<&mut PeerDoc> {
        self.docs.get_mut(&id)?.peers.get_mut(&conn)
    }

    pub(super) fn subscriber_peers(
        &self,
        id: DocumentId,
        except: Option<ConnId>,
    ) -> Vec<(ConnId, PeerId)> {
        let Some(entry) = self.docs.get(&id) else {
            return Vec::new();
        };
        entry
            .peers
            .iter()
            .filter(|(c, pd)| pd.subscribed && Some(**c) != except)
            .filter(|(c, _)| self.access(**c).is_some_and(|a| a.can_read(&id)))
            .filter_map(|(c, _)| Some((*c, self.remote_id(*c)?)))
            .collect()
    }

    pub(super) fn sync_subscribers(&mut self, id: DocumentId, except: Option<ConnId>) {
        for (conn, _) in self.subscriber_peers(id, except) {
            self.sync_one(id, conn);
        }
    }

    /// Note that a peer is owed a sync message for a document (see `owed`).
    fn owe_sync(&mut self, id: DocumentId, conn: ConnId, responding: bool) {
        self.owed_sync.owe(id, conn, responding);
    }

    /// Send a peer whatever the automerge sync protocol says it needs from us.
    pub(super) fn sync_one(&mut self, id: DocumentId, conn: ConnId) {
        self.send_sync(id, conn, false);
    }

    pub(super) fn send_sync(&mut self, id: DocumentId, conn: ConnId, responding: bool) {
        let Some(target_id) = self.remote_id(conn) else {
            return;
        };
        let Some(entry) = self.docs.get_mut(&id) else {
            return;
        };
        let empty = entry.is_empty();
        let (Some(doc), Some(pd)) = (entry.doc.as_ref(), entry.peers.get_mut(&conn)) else {
            return;
        };
        // With nothing to offer, only a peer that may hold the document is worth a message.
        if !responding && empty && matches!(pd.status, PeerStatus::Wants | PeerStatus::Unavailable)
        {
            return;
        }
        let Some(data) = entry.first_sync.message(doc, &mut pd.sync) else {
            return;
        };
        let body = crate::DocMessage {
            sender_id: self.config.peer_id.clone(),
            target_id,
            document_id: id,
            data,
        };
        let message = if empty && pd.status == PeerStatus::Unknown {
            Message::Request(body)
        } else {
            Message::Sync(body)
        };
        self.send(conn, &message);
    }
}

/// Whether changes wait in the document for dependencies it lacks.
fn has_queue(doc: &Automerge) -> bool {
    !doc.get_missing_deps(&[]).is_empty()
}

/// The document with exactly the changes up to `heads` applied, and nothing queued; its actor
/// is kept.
fn rebuild_at(doc: &mut Automerge, heads: &[ChangeHash]) {
    let actor = doc.get_actor().clone();
    match doc.fork_at(heads) {
        Ok(mut rebuilt) => {
            rebuilt.set_actor(actor);
            *doc = rebuilt;
        }
        // Unreachable: `heads` were read from this very document.
        Err(e) => panic!("rebuilding a document at its own heads failed: {e}"),
    }
}

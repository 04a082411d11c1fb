//! Search: asking other peers for a document this side does not have, and telling whoever
//! asked when nobody has it.

use super::document::PeerStatus;
use super::{ConnId, Engine};
use crate::{DocumentId, Effect, Message};

impl Engine {
    /// Someone asked for a document we lack: ask every other connected peer before answering
    /// `doc-unavailable`. This is what makes create-on-one-client, find-on-another work when
    /// the find reaches the relay before the creator's first sync message.
    pub(super) fn search(&mut self, id: DocumentId, requester: ConnId) {
        // Only peers that may reach the document and write it are asked: asking anyone else
        // would tell them the id, and a read-only peer's answer could not be applied anyway.
        let others: Vec<ConnId> = self
            .connected_peers()
            .map(|(c, _)| c)
            .filter(|c| *c != requester && self.access(*c).is_some_and(|a| a.can_write(&id)))
            .collect();
        let mut asked = false;
        for conn in others {
            let known = self
                .docs
                .get(&id)
                .is_some_and(|e| e.peers.contains_key(&conn));
            if known {
                continue;
            }
            self.ensure_peer_doc(id, conn);
            self.sync_one(id, conn);
            asked = true;
        }
        if asked {
            let now = self.now_ms;
            if let Some(entry) = self.docs.get_mut(&id) {
                entry.search_started.get_or_insert(now);
            }
        }
    }

    /// If nobody can give us a document we lack, tell those who asked, once.
    pub(super) fn check_unavailable(&mut self, id: DocumentId) {
        let Some(entry) = self.docs.get_mut(&id) else {
            return;
        };
        if entry.doc.is_none() || !entry.is_empty() {
            return;
        }
        let settled = entry
            .peers
            .values()
            .all(|pd| matches!(pd.status, PeerStatus::Wants | PeerStatus::Unavailable));
        if !settled {
            return;
        }
        let mut notify = Vec::new();
        for (conn, pd) in entry.peers.iter_mut() {
            if pd.status == PeerStatus::Wants {
                pd.status = PeerStatus::Unavailable;
                notify.push(*conn);
            }
        }
        let report_locally =
            entry.wanted_locally && !entry.peers.is_empty() && !entry.reported_unavailable;
        if report_locally {
            entry.reported_unavailable = true;
            self.effects.push(Effect::DocUnavailable { doc: id });
        }
        for conn in notify {
            self.answer_unavailable(conn, id);
        }
    }

    /// Tell a peer we do not have a document, without touching any state for it.
    pub(super) fn answer_unavailable(&mut self, conn: ConnId, id: DocumentId) {
        if let Some(target_id) = self.remote_id(conn) {
            let message = Message::DocUnavailable {
                sender_id: self.config.peer_id.clone(),
                target_id,
                document_id: id,
            };
            self.send(conn, &message);
        }
    }
}

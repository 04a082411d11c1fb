//! Connections: the handshake, what each connection may reach, frames in, and closing with a
//! reason.

use std::collections::HashSet;

use super::{Engine, Role};
use crate::{Access, DocumentId, Effect, Message, PeerId, PeerMetadata, PROTOCOL_V1};

/// A connection as the shell numbers it. The engine never invents these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

pub(super) struct Conn {
    /// Set once the handshake completes.
    pub(super) remote: Option<(PeerId, PeerMetadata)>,
    pub(super) access: Access,
    /// Documents this peer has asked about, counted against `max_docs_per_conn`.
    pub(super) docs: HashSet<DocumentId>,
    /// Who the shell says is on this connection (a relay: the token's id). A peer id joined
    /// under one principal cannot be claimed by another.
    pub(super) principal: Option<String>,
}

impl Engine {
    /// A transport connection opened, with full access. A client starts the handshake at once.
    pub fn connect(&mut self, conn: ConnId) {
        self.connect_with(conn, Access::full());
    }

    /// A transport connection opened whose peer may only do what `access` allows.
    pub fn connect_with(&mut self, conn: ConnId, access: Access) {
        self.open_conn(conn, access, None);
    }

    /// As [`Engine::connect_with`], for a peer the shell knows as `principal` (a relay: the
    /// token it was admitted with). The peer id it joins with is bound to that principal while
    /// it is connected: a connection of another principal claiming it is refused.
    pub fn connect_as(&mut self, conn: ConnId, access: Access, principal: impl Into<String>) {
        self.open_conn(conn, access, Some(principal.into()));
    }

    fn open_conn(&mut self, conn: ConnId, access: Access, principal: Option<String>) {
        self.conns.insert(
            conn,
            Conn {
                remote: None,
                access,
                docs: HashSet::new(),
                principal,
            },
        );
        if self.config.role == Role::Client {
            let join = Message::Join {
                sender_id: self.config.peer_id.clone(),
                peer_metadata: self.config.metadata.clone(),
                supported_protocol_versions: vec![PROTOCOL_V1.to_owned()],
            };
            self.send(conn, &join);
        }
    }

    /// Narrow or widen what a connected peer may do (a token turned read-only, say). Documents
    /// now outside its scope stop syncing with it at once.
    pub fn set_access(&mut self, conn: ConnId, access: Access) {
        let Some(state) = self.conns.get_mut(&conn) else {
            return;
        };
        state.docs.retain(|doc| access.can_read(doc));
        state.access = access.clone();
        let mut resync = Vec::new();
        for (id, entry) in self.docs.iter_mut() {
            if !access.can_read(id) {
                entry.peers.remove(&conn);
                continue;
            }
            if let Some(pd) = entry.peers.get_mut(&conn) {
                if pd.sync.read_only == access.write {
                    pd.sync.set_read_only(!access.write);
                    resync.push(*id);
                }
            }
        }
        for id in resync {
            self.sync_one(id, conn);
        }
    }

    /// Refuse a connection on the shell's behalf (a revoked token, a rate limit): tell the peer
    /// why, close, and forget it.
    pub fn reject(&mut self, conn: ConnId, reason: &str) {
        if self.conns.contains_key(&conn) {
            self.fail(conn, reason.to_owned());
        }
    }

    /// A transport connection closed (or the shell closed it).
    pub fn disconnect(&mut self, conn: ConnId) {
        if self.conns.remove(&conn).is_none() {
            return;
        }
        // Ephemeral dedupe entries only matter while their connection is open.
        self.ephemeral_seen.drop_conn(conn);
        let now = self.now_ms;
        let affected: Vec<DocumentId> = self
            .docs
            .iter_mut()
            .filter_map(|(id, entry)| {
                entry.peers.remove(&conn)?;
                if entry.peers.is_empty() {
                    entry.idle_since = Some(now);
                }
                Some(*id)
            })
            .collect();
        for doc in affected {
            self.check_unavailable(doc);
        }
    }

    pub fn connected_peers(&self) -> impl Iterator<Item = (ConnId, &PeerId)> {
        self.conns
            .iter()
            .filter_map(|(c, conn)| conn.remote.as_ref().map(|(p, _)| (*c, p)))
    }

    /// One frame arrived on a connection.
    pub fn receive(&mut self, conn: ConnId, frame: &[u8]) {
        let Some(state) = self.conns.get(&conn) else {
            return;
        };
        let established = state.remote.is_some();
        let message = match Message::decode(frame) {
            Ok(m) => m,
            Err(e) => return self.fail(conn, format!("malformed message: {e}")),
        };
        match message {
            Message::Join {
                sender_id,
                peer_metadata,
                supported_protocol_versions,
            } if self.config.role == Role::Relay => {
                if !supported_protocol_versions.iter().any(|v| v == PROTOCOL_V1) {
                    let reason = "unsupported protocol version".to_owned();
                    return self.fail_with_target(conn, sender_id, reason);
                }
                // As in the stock server, a second join from the same peer id replaces the
                // earlier connection: that is a browser reconnecting before the old socket died.
                // But only the same principal's: a peer id is public (every message carries
                // it), so anyone else claiming it is refused, not allowed to cut the holder off.
                let stale: Vec<ConnId> = self
                    .connected_peers()
                    .filter(|(c, p)| *c != conn && **p == sender_id)
                    .map(|(c, _)| c)
                    .collect();
                let principal = self.conns.get(&conn).and_then(|c| c.principal.clone());
                let foreign = stale
                    .iter()
                    .any(|old| self.conns.get(old).map(|c| &c.principal) != Some(&principal));
                let renamed = self
                    .remote_id(conn)
                    .is_some_and(|joined| joined != sender_id);
                if foreign || renamed {
                    self.effects.push(Effect::PeerIdInUse {
                        conn,
                        peer: sender_id.clone(),
                    });
                    let reason = if renamed {
                        "a connection keeps the peer id it joined with".to_owned()
                    } else {
                        format!("peer id {sender_id} is in use by another device's connection")
                    };
                    return self.fail_with_target(conn, sender_id, reason);
                }
                for old in stale {
                    self.effects.push(Effect::Close {
                        conn: old,
                        reason: "replaced by a newer connection of the same peer".into(),
                    });
                    self.disconnect(old);
                }
                let reply = Message::Peer {
                    sender_id: self.config.peer_id.clone(),
                    target_id: sender_id.clone(),
                    peer_metadata: self.config.metadata.clone(),
                    selected_protocol_version: PROTOCOL_V1.to_owned(),
                };
                self.send(conn, &reply);
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.remote = Some((sender_id, peer_metadata));
                }
                if !established {
                    self.on_established(conn);
                }
            }
            Message::Peer {
                sender_id,
                peer_metadata,
                ..
            } if self.config.role == Role::Client => {
                if let Some(c) = self.conns.get_mut(&conn) {
                    c.remote = Some((sender_id, peer_metadata));
                }
                if !established {
                    self.on_established(conn);
                }
            }
            Message::Error { message, .. } => {
                self.effects.push(Effect::Close {
                    conn,
                    reason: format!("peer reported an error: {message}"),
                });
                self.disconnect(conn);
            }
            Message::Leave { .. } => {
                self.effects.push(Effect::Close {
                    conn,
                    reason: "peer left".into(),
                });
                self.disconnect(conn);
            }
            Message::Other { .. } => {}
            message if !established => self.fail(
                conn,
                format!("expected the handshake first, got `{}`", message.kind()),
            ),
            message @ (Message::Join { .. } | Message::Peer { .. }) => self.fail(
                conn,
                format!("unexpected `{}` for this end of the wire", message.kind()),
            ),
            message => self.route_doc_message(conn, message),
        }
    }

    pub(super) fn on_established(&mut self, conn: ConnId) {
        if self.config.role != Role::Client {
            return;
        }
        let announce: Vec<DocumentId> = self
            .docs
            .iter()
            .filter(|(_, e)| e.doc.is_some() && (e.wanted_locally || !e.is_empty()))
            .map(|(id, _)| *id)
            .collect();
        for doc in announce {
            self.announce(doc, conn);
        }
    }

    pub(super) fn access(&self, conn: ConnId) -> Option<&Access> {
        self.conns.get(&conn).map(|c| &c.access)
    }

    pub(super) fn remote_id(&self, conn: ConnId) -> Option<PeerId> {
        self.conns
            .get(&conn)?
            .remote
            .as_ref()
            .map(|(p, _)| p.clone())
    }

    pub(super) fn send(&mut self, conn: ConnId, message: &Message) {
        self.effects.push(Effect::Send {
            conn,
            frame: message.encode(),
        });
    }

    pub(super) fn fail(&mut self, conn: ConnId, reason: String) {
        let target = self.remote_id(conn).unwrap_or_else(|| PeerId::new(""));
        self.fail_with_target(conn, target, reason);
    }

    /// Tell the peer why, close, and forget the connection.
    pub(super) fn fail_with_target(&mut self, conn: ConnId, target_id: PeerId, reason: String) {
        let message = Message::Error {
            sender_id: self.config.peer_id.clone(),
            target_id,
            message: reason.clone(),
        };
        self.send(conn, &message);
        self.effects.push(Effect::Close { conn, reason });
        self.disconnect(conn);
    }
}

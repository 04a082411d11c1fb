//! What a relay engine keeps per connection, tried with hand-made peers: the ephemeral table
//! is bounded and keyed by connection, a peer id belongs to the principal that joined with it,
//! and a document whose save failed is read again from storage rather than served from memory.

use threshold_protocol::automerge::sync::{self, SyncDoc};
use threshold_protocol::automerge::Automerge;
use threshold_protocol::{
    Access, ConnId, DocumentId, Effect, Engine, EngineConfig, Loaded, Message, PeerId,
    PeerMetadata, PROTOCOL_V1,
};

fn relay() -> Engine {
    Engine::new(EngineConfig::relay(
        PeerId::new("relay"),
        "relay-store".into(),
    ))
}

fn join(engine: &mut Engine, conn: ConnId, peer: &str) -> Vec<Effect> {
    let join = Message::Join {
        sender_id: PeerId::new(peer),
        peer_metadata: PeerMetadata {
            storage_id: None,
            is_ephemeral: true,
        },
        supported_protocol_versions: vec![PROTOCOL_V1.to_owned()],
    };
    engine.receive(conn, &join.encode());
    answer_loads(engine)
}

/// Take the effects, answering every load with an empty document.
fn answer_loads(engine: &mut Engine) -> Vec<Effect> {
    let mut all = Vec::new();
    loop {
        let effects = engine.take_effects();
        if effects.is_empty() {
            return all;
        }
        for effect in effects {
            if let Effect::Load { doc } = effect {
                engine.loaded(
                    doc,
                    Loaded {
                        chunks: Vec::new(),
                        sync_states: Vec::new(),
                    },
                );
            }
            all.push(effect);
        }
    }
}

fn ephemeral(sender: &str, doc: DocumentId, session: String, count: u64) -> Vec<u8> {
    Message::Ephemeral {
        sender_id: PeerId::new(sender),
        target_id: PeerId::new("relay"),
        document_id: doc,
        count,
        session_id: session,
        data: vec![1, 2, 3],
    }
    .encode()
}

fn closed(effects: &[Effect], conn: ConnId) -> Option<String> {
    effects.iter().find_map(|e| match e {
        Effect::Close { conn: c, reason } if *c == conn => Some(reason.clone()),
        _ => None,
    })
}

#[test]
fn forged_ephemeral_senders_fill_no_table_and_leave_nothing_behind() {
    let mut engine = relay();
    let doc = DocumentId::random();
    let conn = ConnId(1);
    engine.connect_as(conn, Access::full(), "token-a");
    join(&mut engine, conn, "honest");
    // Hundreds of sessions under forged sender ids: the table keeps a bounded few.
    for i in 0..500 {
        engine.receive(
            conn,
            &ephemeral(&format!("forged-{i}"), doc, format!("s{i}"), 1),
        );
        let effects = answer_loads(&mut engine);
        assert_eq!(closed(&effects, conn), None, "small sessions are fine");
    }
    let limit = EngineConfig::relay(PeerId::new("r"), "s".into())
        .ephemeral
        .sessions_per_conn;
    assert!(
        engine.ephemeral_entries() <= limit,
        "{} entries for one connection",
        engine.ephemeral_entries()
    );
    // When the connection goes, so do its entries, whatever sender ids they claimed.
    engine.disconnect(conn);
    assert_eq!(engine.ephemeral_entries(), 0);
}

#[test]
fn an_oversized_ephemeral_session_id_is_refused_and_not_stored() {
    let mut engine = relay();
    let doc = DocumentId::random();
    let conn = ConnId(1);
    engine.connect_as(conn, Access::full(), "token-a");
    join(&mut engine, conn, "peer");
    engine.receive(conn, &ephemeral("peer", doc, "x".repeat(1024 * 1024), 1));
    let effects = answer_loads(&mut engine);
    let reason = closed(&effects, conn).expect("closed");
    assert!(reason.contains("session id"), "{reason}");
    assert_eq!(engine.ephemeral_entries(), 0);
}

#[test]
fn ephemeral_messages_are_relayed_under_the_senders_joined_id() {
    let mut engine = relay();
    let doc = DocumentId::random();
    let (a, b) = (ConnId(1), ConnId(2));
    engine.connect_as(a, Access::full(), "token-a");
    engine.connect_as(b, Access::full(), "token-b");
    join(&mut engine, a, "alice");
    join(&mut engine, b, "bob");
    // Bob subscribes to the document with a sync request.
    let request = Message::Request(threshold_protocol::DocMessage {
        sender_id: PeerId::new("bob"),
        target_id: PeerId::new("relay"),
        document_id: doc,
        data: Automerge::new()
            .generate_sync_message(&mut sync::State::new())
            .expect("a first message")
            .encode(),
    });
    engine.receive(b, &request.encode());
    answer_loads(&mut engine);
    engine.receive(a, &ephemeral("bob", doc, "s".into(), 1));
    let effects = answer_loads(&mut engine);
    let forwarded = effects.iter().find_map(|e| match e {
        Effect::Send { conn, frame } if *conn == b => match Message::decode(frame) {
            Ok(Message::Ephemeral { sender_id, .. }) => Some(sender_id),
            _ => None,
        },
        _ => None,
    });
    assert_eq!(
        forwarded,
        Some(PeerId::new("alice")),
        "not under the claimed id"
    );
}

#[test]
fn another_principal_claiming_a_connected_peer_id_is_refused() {
    let mut engine = relay();
    let (provider, intruder, reconnect) = (ConnId(1), ConnId(2), ConnId(3));
    engine.connect_as(provider, Access::full(), "owner-token");
    join(&mut engine, provider, "provider-device");
    engine.connect_as(intruder, Access::full(), "client-token");
    let effects = join(&mut engine, intruder, "provider-device");
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::PeerIdInUse { conn, .. } if *conn == intruder)));
    let reason = closed(&effects, intruder).expect("the intruder is closed");
    assert!(reason.contains("in use"), "{reason}");
    assert_eq!(closed(&effects, provider), None, "the holder stays");
    // The same principal's newer connection still replaces the old one (a browser reconnecting).
    engine.connect_as(reconnect, Access::full(), "owner-token");
    let effects = join(&mut engine, reconnect, "provider-device");
    assert!(closed(&effects, provider).is_some_and(|r| r.contains("replaced")));
    assert_eq!(closed(&effects, reconnect), None);
}

#[test]
fn a_document_whose_save_failed_is_read_again_from_storage_not_advertised_from_memory() {
    use threshold_protocol::automerge::transaction::Transactable;
    use threshold_protocol::automerge::{AutoCommit, ROOT};
    use threshold_protocol::DocMessage;

    let mut engine = relay();
    let id = DocumentId::random();
    let writer = ConnId(1);
    engine.connect_as(writer, Access::full(), "token-a");
    join(&mut engine, writer, "writer");
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "note", "only in memory").expect("put");
    // Sync until the relay has the change (the first message carries only heads).
    let mut state = sync::State::new();
    let mut saved = false;
    let mut first = true;
    loop {
        let Some(message) = doc.sync().generate_sync_message(&mut state) else {
            break;
        };
        let body = DocMessage {
            sender_id: PeerId::new("writer"),
            target_id: PeerId::new("relay"),
            document_id: id,
            data: message.encode(),
        };
        let frame = if first {
            Message::Request(body)
        } else {
            Message::Sync(body)
        };
        first = false;
        engine.receive(writer, &frame.encode());
        for effect in answer_loads(&mut engine) {
            match effect {
                Effect::Save { doc, .. } if doc == id => saved = true,
                Effect::Send { conn, frame } if conn == writer => {
                    if let Ok(Message::Sync(reply) | Message::Request(reply)) =
                        Message::decode(&frame)
                    {
                        let reply = sync::Message::decode(&reply.data).expect("sync message");
                        doc.sync()
                            .receive_sync_message(&mut state, reply)
                            .expect("applies");
                    }
                }
                _ => {}
            }
        }
    }
    assert!(saved, "the change is to be saved");
    // The shell could not store it; it closes the connections that were syncing it.
    assert_eq!(engine.forget_unstored(id), vec![writer]);
    engine.disconnect(writer);

    let reader = ConnId(2);
    engine.connect_as(reader, Access::full(), "token-b");
    join(&mut engine, reader, "reader");
    let empty = Automerge::new();
    let data = empty
        .generate_sync_message(&mut sync::State::new())
        .expect("a first message")
        .encode();
    let ask = Message::Request(DocMessage {
        sender_id: PeerId::new("reader"),
        target_id: PeerId::new("relay"),
        document_id: id,
        data,
    });
    engine.receive(reader, &ask.encode());
    let effects = engine.take_effects();
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Load { doc } if *doc == id)),
        "read again from storage: {effects:?}"
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Send { conn, .. } if *conn == reader)),
        "nothing answered from memory before storage is read"
    );
}

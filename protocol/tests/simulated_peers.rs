//! Several engines in one process, wired by an in-memory network with in-memory storage.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

mod common;

use automerge::transaction::Transactable;
use automerge::{Automerge, Change, ChangeHash, ReadDoc, ROOT};
use threshold_protocol::{
    Access, ChangeGuard, Chunk, ConnId, DocumentId, Effect, Engine, EngineConfig, Loaded, Message,
    PeerId,
};

#[derive(Default)]
struct Storage {
    chunks: HashMap<DocumentId, Vec<Vec<u8>>>,
}

struct Node {
    engine: Engine,
    storage: Storage,
    unavailable: Vec<DocumentId>,
    closed: Vec<(ConnId, String)>,
    /// Connections whose changes the guard refused, with the rule, in order.
    refused: Vec<(ConnId, String)>,
    /// While set, frames this node sends wait in `outbox` (a slow uplink).
    hold_outbound: bool,
    outbox: Vec<(ConnId, Vec<u8>)>,
}

impl Node {
    fn new(config: EngineConfig) -> Self {
        Self {
            engine: Engine::new(config),
            storage: Storage::default(),
            unavailable: Vec::new(),
            closed: Vec::new(),
            refused: Vec::new(),
            hold_outbound: false,
            outbox: Vec::new(),
        }
    }
}

/// Node 0 is the relay; every other node is a client linked to it.
struct Net {
    nodes: Vec<Node>,
    /// (node, conn) → (node, conn) on the other end.
    links: HashMap<(usize, ConnId), (usize, ConnId)>,
    wire: VecDeque<(usize, ConnId, Vec<u8>)>,
    /// Whole-document chunks sent in sync messages, by sending node.
    document_chunks_sent: HashMap<usize, usize>,
}

impl Net {
    fn new() -> Self {
        let relay = Node::new(EngineConfig::relay(
            PeerId::new("relay"),
            "relay-store".into(),
        ));
        Self {
            nodes: vec![relay],
            links: HashMap::new(),
            wire: VecDeque::new(),
            document_chunks_sent: HashMap::new(),
        }
    }

    fn add_client(&mut self, name: &str) -> usize {
        let index = self.nodes.len();
        self.nodes.push(Node::new(EngineConfig::client(
            PeerId::new(name),
            format!("{name}-store"),
        )));
        self.link(index);
        index
    }

    fn link(&mut self, client: usize) {
        self.link_with(client, Access::full());
    }

    /// A client whose connection the relay admits with `access` (a token's grants).
    fn add_client_with(&mut self, name: &str, access: Access) -> usize {
        let index = self.nodes.len();
        self.nodes.push(Node::new(EngineConfig::client(
            PeerId::new(name),
            format!("{name}-store"),
        )));
        self.link_with(index, access);
        index
    }

    fn link_with(&mut self, client: usize, access: Access) {
        let relay_side = ConnId(client as u64);
        self.links.insert((client, ConnId(0)), (0, relay_side));
        self.links.insert((0, relay_side), (client, ConnId(0)));
        self.nodes[0].engine.connect_with(relay_side, access);
        self.nodes[client].engine.connect(ConnId(0));
        self.run();
    }

    fn unlink(&mut self, client: usize) {
        let relay_side = ConnId(client as u64);
        self.links.remove(&(client, ConnId(0)));
        self.links.remove(&(0, relay_side));
        self.nodes[0].engine.disconnect(relay_side);
        self.nodes[client].engine.disconnect(ConnId(0));
        self.run();
    }

    fn flush_effects(&mut self) -> bool {
        let mut progressed = false;
        for index in 0..self.nodes.len() {
            let effects = self.nodes[index].engine.take_effects();
            progressed |= !effects.is_empty();
            for effect in effects {
                self.execute(index, effect);
            }
        }
        progressed
    }

    fn execute(&mut self, index: usize, effect: Effect) {
        let node = &mut self.nodes[index];
        match effect {
            Effect::Send { conn, frame } => {
                *self.document_chunks_sent.entry(index).or_default() += document_chunks(&frame);
                if node.hold_outbound {
                    node.outbox.push((conn, frame));
                } else if let Some((to, to_conn)) = self.links.get(&(index, conn)) {
                    self.wire.push_back((*to, *to_conn, frame));
                }
            }
            Effect::Close { conn, reason } => node.closed.push((conn, reason)),
            Effect::Load { doc } => {
                let chunks = node.storage.chunks.get(&doc).cloned().unwrap_or_default();
                node.engine.loaded(
                    doc,
                    Loaded {
                        chunks,
                        sync_states: Vec::new(),
                    },
                );
            }
            Effect::Save { doc, chunk } => {
                let stored = node.storage.chunks.entry(doc).or_default();
                if let Chunk::Snapshot(_) = chunk {
                    stored.clear();
                }
                stored.push(chunk.bytes().to_vec());
            }
            Effect::DocUnavailable { doc } => node.unavailable.push(doc),
            Effect::Refused { conn, rule, .. } => node.refused.push((conn, rule)),
            _ => {}
        }
    }

    /// Deliver frames and execute effects until the network is quiet.
    fn run(&mut self) {
        for _ in 0..10_000 {
            let progressed = self.flush_effects();
            match self.wire.pop_front() {
                Some((to, conn, frame)) => self.nodes[to].engine.receive(conn, &frame),
                None if !progressed => return,
                None => {}
            }
        }
        panic!("the network did not settle");
    }

    fn release(&mut self, index: usize) {
        let node = &mut self.nodes[index];
        node.hold_outbound = false;
        for (conn, frame) in std::mem::take(&mut node.outbox) {
            if let Some((to, to_conn)) = self.links.get(&(index, conn)) {
                self.wire.push_back((*to, *to_conn, frame));
            }
        }
    }

    fn engine(&mut self, index: usize) -> &mut Engine {
        &mut self.nodes[index].engine
    }

    fn title(&self, index: usize, doc: &DocumentId) -> Option<String> {
        let d = self.nodes[index].engine.doc(doc)?;
        let (value, _) = d.get(ROOT, "title").ok()??;
        value.into_scalar().ok()?.into_string().ok()
    }
}

/// How many whole-document chunks (type 0) the sync message in `frame` carries.
fn document_chunks(frame: &[u8]) -> usize {
    let (Ok(Message::Sync(m)) | Ok(Message::Request(m))) = Message::decode(frame) else {
        return 0;
    };
    let Ok(sync) = automerge::sync::Message::decode(&m.data) else {
        return 0;
    };
    sync.changes
        .iter()
        .filter(|chunk| chunk.get(8) == Some(&0))
        .count()
}

fn doc_with_title(title: &str) -> Automerge {
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "title", title)?;
        Ok(())
    })
    .expect("transaction commits");
    doc
}

fn set_title(engine: &mut Engine, id: DocumentId, title: &str) {
    engine
        .change(id, |doc| {
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put(ROOT, "title", title)?;
                Ok(())
            })
            .expect("transaction commits");
        })
        .expect("document is loaded");
}

#[test]
fn a_document_created_on_one_client_is_found_by_another() {
    let mut net = Net::new();
    let a = net.add_client("a");
    let b = net.add_client("b");
    let id = DocumentId::random();
    net.engine(a).create(id, doc_with_title("Acme onboarding"));
    net.run();
    net.engine(b).open(id);
    net.run();
    assert_eq!(net.title(b, &id).as_deref(), Some("Acme onboarding"));
    assert!(net.nodes[b].unavailable.is_empty());
}

#[test]
fn find_racing_ahead_of_create_still_finds_the_document() {
    let mut net = Net::new();
    let a = net.add_client("a");
    let b = net.add_client("b");
    let id = DocumentId::random();
    // A creates the document, but its first sync message is still on the wire...
    net.nodes[a].hold_outbound = true;
    net.engine(a)
        .create(id, doc_with_title("created a moment ago"));
    net.flush_effects();
    // ...when B's request reaches the relay, which has never heard of the document.
    net.engine(b).open(id);
    net.run();
    assert!(
        net.nodes[b].unavailable.is_empty(),
        "the relay must ask A and wait before saying unavailable"
    );
    net.release(a);
    net.run();
    assert_eq!(net.title(b, &id).as_deref(), Some("created a moment ago"));
    assert!(net.nodes[b].unavailable.is_empty());
}

#[test]
fn the_relay_asks_other_peers_for_a_document_it_lacks() {
    let mut net = Net::new();
    let a = net.add_client("a");
    // A made a document while offline from the relay's point of view: only A has it.
    net.unlink(a);
    let id = DocumentId::random();
    net.engine(a).create(id, doc_with_title("only on a"));
    net.run();
    // A reconnects but withholds its announcement, as a slow client would.
    net.nodes[a].hold_outbound = true;
    net.link(a);
    net.nodes[a]
        .outbox
        .retain(|(_, frame)| matches!(Message::decode(frame), Ok(Message::Join { .. })));
    net.release(a);
    net.run();
    let b = net.add_client("b");
    net.engine(b).open(id);
    net.run();
    assert_eq!(net.title(b, &id).as_deref(), Some("only on a"));
}

#[test]
fn a_document_nobody_has_is_reported_unavailable() {
    let mut net = Net::new();
    let _a = net.add_client("a");
    let b = net.add_client("b");
    let id = DocumentId::random();
    net.engine(b).open(id);
    net.run();
    assert_eq!(net.nodes[b].unavailable, vec![id]);
    assert_eq!(net.title(b, &id), None);
}

#[test]
fn a_silent_peer_does_not_stall_a_search_forever() {
    let mut net = Net::new();
    let a = net.add_client("a");
    let b = net.add_client("b");
    net.nodes[a].hold_outbound = true; // A never answers.
    let id = DocumentId::random();
    net.engine(b).open(id);
    net.run();
    assert!(net.nodes[b].unavailable.is_empty());
    net.engine(0).tick(10_000);
    net.run();
    assert_eq!(net.nodes[b].unavailable, vec![id]);
}

#[test]
fn offline_edits_on_both_sides_merge_without_loss() {
    let mut net = Net::new();
    let a = net.add_client("a");
    let b = net.add_client("b");
    let id = DocumentId::random();
    net.engine(a).create(id, Automerge::new());
    net.engine(a).change(id, |doc| {
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            let text = tx.put_object(ROOT, "welcome", automerge::ObjType::Text)?;
            tx.splice_text(&text, 0, 0, "Hello")?;
            Ok(())
        })
        .expect("commits");
    });
    net.run();
    net.engine(b).open(id);
    net.run();
    net.unlink(a);
    let edit = |engine: &mut Engine, key: &str, at: usize, insert: &str| {
        engine.change(id, |doc| {
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                let (_, text) = tx.get(ROOT, "welcome")?.expect("welcome exists");
                tx.splice_text(&text, at, 0, insert)?;
                tx.put(ROOT, key, true)?;
                Ok(())
            })
            .expect("commits");
        });
    };
    edit(net.engine(a), "a_was_here", 5, " world");
    edit(net.engine(b), "b_was_here", 0, ">> ");
    net.run();
    net.link(a);
    for node in [a, b] {
        let doc = net.nodes[node].engine.doc(&id).expect("loaded");
        let (_, text) = doc.get(ROOT, "welcome").expect("ok").expect("exists");
        assert_eq!(doc.text(&text).expect("text"), ">> Hello world");
        assert!(doc.get(ROOT, "a_was_here").expect("ok").is_some());
        assert!(doc.get(ROOT, "b_was_here").expect("ok").is_some());
    }
    assert!(net.nodes[a].engine.is_doc_synced(&id));
}

#[test]
fn offline_edits_sent_as_a_whole_document_pass_the_relays_op_limits() {
    // Automerge sends a whole document when most changes are new to the other side: a device
    // back with many offline edits sends one for a document the relay holds. The relay counts
    // it (default limits) and keeps it; refusing it was a wrong fix once.
    let mut net = Net::new(); // `EngineConfig::relay`: both op limits on, at their defaults.
    let a = net.add_client("a");
    let id = DocumentId::random();
    net.engine(a).create(id, doc_with_title("first"));
    net.run();
    net.unlink(a);
    for n in 0..10 {
        set_title(net.engine(a), id, &format!("offline {n}"));
    }
    let before = net.document_chunks_sent.get(&a).copied().unwrap_or(0);
    net.link(a);
    assert!(
        net.document_chunks_sent[&a] > before,
        "the device sent its offline edits as a whole document"
    );
    assert!(net.nodes[a].closed.is_empty(), "{:?}", net.nodes[a].closed);
    assert!(net.nodes[0].closed.is_empty(), "{:?}", net.nodes[0].closed);
    assert_eq!(net.title(0, &id).as_deref(), Some("offline 9"));
    assert!(net.nodes[a].engine.is_doc_synced(&id));
}

#[test]
fn the_relay_stores_what_it_acknowledges_and_survives_a_restart() {
    let mut net = Net::new();
    let a = net.add_client("a");
    let id = DocumentId::random();
    net.engine(a).create(id, doc_with_title("v1"));
    net.run();
    for n in 0..100 {
        set_title(net.engine(a), id, &format!("v{n}"));
    }
    net.run();
    assert!(net.nodes[a].engine.is_doc_synced(&id));
    // Compaction kept the stored chunk count bounded.
    let stored = net.nodes[0].storage.chunks[&id].len();
    assert!(stored <= 65, "{stored} chunks stored");
    // Restart the relay with the same storage and ask from a fresh client.
    let storage = std::mem::take(&mut net.nodes[0].storage);
    net.unlink(a);
    net.nodes[0] = Node::new(EngineConfig::relay(
        PeerId::new("relay-2"),
        "relay-store".into(),
    ));
    net.nodes[0].storage = storage;
    let c = net.add_client("c");
    net.engine(c).open(id);
    net.run();
    assert_eq!(net.title(c, &id).as_deref(), Some("v99"));
}

#[test]
fn idle_documents_are_evicted_and_reloaded_on_demand() {
    let mut net = Net::new();
    let a = net.add_client("a");
    let id = DocumentId::random();
    net.engine(a).create(id, doc_with_title("kept on disk"));
    net.run();
    assert_eq!(net.nodes[0].engine.loaded_documents(), 1);
    net.unlink(a);
    net.engine(0).tick(120_000);
    assert_eq!(net.nodes[0].engine.loaded_documents(), 0);
    let b = net.add_client("b");
    net.engine(b).open(id);
    net.run();
    assert_eq!(net.title(b, &id).as_deref(), Some("kept on disk"));
}

#[test]
fn malformed_frames_close_the_connection_with_an_error() {
    let mut relay = Engine::new(EngineConfig::relay(PeerId::new("relay"), "s".into()));
    relay.connect(ConnId(1));
    relay.receive(ConnId(1), &[0xff, 0xfe, 0x00]);
    let effects = relay.take_effects();
    assert!(matches!(
        effects.first(),
        Some(Effect::Send { frame, .. }) if matches!(Message::decode(frame), Ok(Message::Error { .. }))
    ));
    assert!(matches!(
        effects.last(),
        Some(Effect::Close {
            conn: ConnId(1),
            ..
        })
    ));
}

#[test]
fn a_corrupt_sync_payload_is_refused_and_the_document_is_untouched() {
    let mut net = Net::new();
    let a = net.add_client("a");
    let id = DocumentId::random();
    net.engine(a).create(id, doc_with_title("intact"));
    net.run();
    let bad = Message::Sync(threshold_protocol::DocMessage {
        sender_id: PeerId::new("a"),
        target_id: PeerId::new("relay"),
        document_id: id,
        data: vec![0x42, 0xff, 0xff, 0xff],
    });
    net.engine(0).receive(ConnId(a as u64), &bad.encode());
    net.run();
    assert!(!net.nodes[0].closed.is_empty());
    let c = net.add_client("c");
    net.engine(c).open(id);
    net.run();
    assert_eq!(net.title(c, &id).as_deref(), Some("intact"));
}

/// The chunk an engine just asked to store.
use common::{put_root, saved_chunk};

#[test]
fn changes_stored_by_another_tab_are_applied_without_being_stored_again() {
    let mut net = Net::new();
    let tab1 = net.add_client("tab1");
    let tab2 = net.add_client("tab2");
    let id = DocumentId::random();
    net.engine(tab1).create(id, doc_with_title("v1"));
    net.run();
    net.engine(tab2).open(id);
    net.run();
    // Tab 1 edits while the relay is unreachable; the chunk it stores reaches tab 2 directly.
    net.unlink(tab1);
    net.unlink(tab2);
    set_title(net.engine(tab1), id, "v2");
    let chunk = saved_chunk(net.engine(tab1)).bytes().to_vec();
    net.engine(tab2).apply_stored(id, &chunk);
    let effects = net.engine(tab2).take_effects();
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::DocChanged { .. })));
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Save { .. })),
        "stored once, by tab 1"
    );
    assert_eq!(net.title(tab2, &id).as_deref(), Some("v2"));
    // Tab 2's next own edit is stored as just that edit, after tab 1's.
    set_title(net.engine(tab2), id, "v3");
    let saved = saved_chunk(net.engine(tab2));
    // On top of v1 and v2 the chunk applies (it holds v3)...
    let full = net.nodes[tab1].engine.doc(&id).expect("loaded").clone();
    let mut replay = full.clone();
    replay
        .load_incremental(saved.bytes())
        .expect("tab 2's chunk");
    assert_ne!(
        replay.get_heads(),
        full.get_heads(),
        "tab 2's chunk holds its own change"
    );
    // ...but on top of v1 alone it cannot, because it does not repeat tab 1's v2.
    let v1_heads: Vec<_> = {
        let mut v1 = Automerge::new();
        v1.load_incremental(&net.nodes[0].storage.chunks[&id][0])
            .expect("relay has v1");
        v1.get_heads()
    };
    let mut at_v1 = full.fork_at(&v1_heads).expect("fork at v1");
    at_v1.load_incremental(saved.bytes()).expect("queued");
    assert_eq!(
        at_v1.get_heads(),
        v1_heads,
        "v2 was not written a second time"
    );
}

#[test]
fn frames_that_arrive_together_are_answered_once_per_peer() {
    let mut net = Net::new();
    let a = net.add_client("a");
    let b = net.add_client("b");
    let id = DocumentId::random();
    net.engine(a).create(id, doc_with_title("v1"));
    net.run();
    net.engine(b).open(id);
    net.run();
    // Both edit at once; the relay receives both frames before it acts on either, as the
    // relay's hub does with the frames waiting in its inbox.
    net.nodes[a].hold_outbound = true;
    net.nodes[b].hold_outbound = true;
    set_title(net.engine(a), id, "from a");
    set_title(net.engine(b), id, "from b");
    net.flush_effects();
    let mut frames = Vec::new();
    for node in [a, b] {
        net.nodes[node].hold_outbound = false;
        for (_, frame) in std::mem::take(&mut net.nodes[node].outbox) {
            frames.push((node, frame));
        }
    }
    for (node, frame) in &frames {
        net.nodes[0].engine.receive(ConnId(*node as u64), frame);
    }
    let effects = net.nodes[0].engine.take_effects();
    let sends_to = |node: usize| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::Send { conn, .. } if *conn == ConnId(node as u64)))
            .count()
    };
    // One message each, carrying the other's change and the answer to its own; answering frame
    // by frame would send each of them two.
    assert_eq!((sends_to(a), sends_to(b)), (1, 1));
    for effect in effects {
        net.execute(0, effect);
    }
    net.run();
    let (title_a, title_b) = (net.title(a, &id), net.title(b, &id));
    assert_eq!(title_a, title_b, "both converge");
    assert_eq!(net.title(0, &id), title_a);
}

// ----- access --------------------------------------------------------------------------------

#[test]
fn a_scoped_peer_gets_unavailable_for_documents_outside_its_grants_and_nobody_is_asked() {
    let mut net = Net::new();
    let provider = net.add_client("provider");
    let portal = DocumentId::random();
    let internal = DocumentId::random();
    net.engine(provider)
        .create(portal, doc_with_title("Acme portal"));
    net.engine(provider)
        .create(internal, doc_with_title("Acme internal notes"));
    net.run();
    let client = net.add_client_with("client", Access::only(portal, true));
    net.engine(client).open(portal);
    net.engine(client).open(internal);
    // A document only the provider's browser holds: the relay must not ask it on the client's
    // behalf, which would reveal the id and fetch the content.
    let secret = DocumentId::random();
    net.nodes[provider].hold_outbound = true;
    net.engine(provider)
        .create(secret, doc_with_title("never synced"));
    net.flush_effects();
    net.nodes[provider].outbox.clear();
    net.nodes[provider].hold_outbound = false;
    net.engine(client).open(secret);
    net.run();
    assert_eq!(net.title(client, &portal).as_deref(), Some("Acme portal"));
    assert_eq!(net.title(client, &internal), None);
    assert!(net.nodes[client].unavailable.contains(&internal));
    assert!(net.nodes[client].unavailable.contains(&secret));
    assert!(
        net.nodes[0].engine.doc(&secret).is_none(),
        "the relay neither loaded nor searched for a document outside the grants"
    );
    assert!(net.nodes[client].closed.is_empty());
}

#[test]
fn changes_from_a_read_only_peer_are_never_applied_or_relayed() {
    let mut net = Net::new();
    let provider = net.add_client("provider");
    let portal = DocumentId::random();
    net.engine(provider)
        .create(portal, doc_with_title("Archive"));
    net.run();
    let alumni = net.add_client_with("alumni", Access::only(portal, false));
    net.engine(alumni).open(portal);
    net.run();
    assert_eq!(net.title(alumni, &portal).as_deref(), Some("Archive"));

    set_title(net.engine(alumni), portal, "Defaced");
    net.run();
    assert_eq!(net.title(0, &portal).as_deref(), Some("Archive"));
    assert_eq!(net.title(provider, &portal).as_deref(), Some("Archive"));
    let stored = net.nodes[0].storage.chunks.get(&portal).map_or(0, Vec::len);

    // The read-only peer still receives the provider's later changes.
    set_title(net.engine(provider), portal, "Archive, final");
    net.run();
    assert_eq!(
        net.nodes[0].storage.chunks.get(&portal).map_or(0, Vec::len),
        stored + 1
    );
    let seen = net.nodes[alumni].engine.doc(&portal).map(|d| d.get_heads());
    let provider_heads = net.nodes[provider]
        .engine
        .doc(&portal)
        .map(|d| d.get_heads());
    let alumni_doc = net.nodes[alumni].engine.doc(&portal).expect("loaded");
    for head in provider_heads.expect("loaded") {
        assert!(alumni_doc.get_change_by_hash(&head).is_some());
    }
    assert!(seen.is_some());
}

#[test]
fn a_peer_turned_read_only_mid_session_stops_writing_and_can_be_turned_back() {
    let mut net = Net::new();
    let provider = net.add_client("provider");
    let portal = DocumentId::random();
    net.engine(provider).create(portal, doc_with_title("v1"));
    net.run();
    let client = net.add_client_with("client", Access::only(portal, true));
    net.engine(client).open(portal);
    net.run();
    set_title(net.engine(client), portal, "v2 from the client");
    net.run();
    assert_eq!(
        net.title(provider, &portal).as_deref(),
        Some("v2 from the client")
    );

    let relay_side = ConnId(client as u64);
    net.engine(0)
        .set_access(relay_side, Access::only(portal, false));
    set_title(net.engine(client), portal, "v3 while read-only");
    net.run();
    assert_eq!(
        net.title(provider, &portal).as_deref(),
        Some("v2 from the client")
    );

    // Given write access again, the relay asks afresh and takes the held-back change.
    net.engine(0)
        .set_access(relay_side, Access::only(portal, true));
    net.run();
    assert_eq!(
        net.title(provider, &portal).as_deref(),
        Some("v3 while read-only")
    );
}

#[test]
fn a_connection_asking_about_too_many_documents_is_closed_with_an_error() {
    let mut config = EngineConfig::relay(PeerId::new("relay"), "relay-store".into());
    config.max_docs_per_conn = 3;
    let mut net = Net::new();
    net.nodes[0].engine = Engine::new(config);
    let greedy = net.add_client("greedy");
    for _ in 0..5 {
        net.engine(greedy).open(DocumentId::random());
    }
    net.run();
    let closed = &net.nodes[0].closed;
    assert_eq!(closed.len(), 1, "{closed:?}");
    assert!(closed[0].1.contains("too many documents"), "{closed:?}");
}

/// What a guard was asked: the connection and the hashes of the changes it judged.
type Judged = Arc<Mutex<Vec<(ConnId, Vec<ChangeHash>)>>>;

/// Refuses any change that writes the root key `forbidden`, and records what it judged.
struct MarkerGuard {
    judged: Judged,
}

const MARKER_RULE: &str = "no one may write the forbidden key";

impl ChangeGuard for MarkerGuard {
    fn admit(
        &mut self,
        conn: ConnId,
        _doc: &DocumentId,
        doc_after: &Automerge,
        new_changes: &[Change],
    ) -> Result<(), String> {
        let hashes = new_changes.iter().map(Change::hash).collect();
        self.judged.lock().unwrap().push((conn, hashes));
        match doc_after.get(ROOT, "forbidden") {
            Ok(Some(_)) => Err(MARKER_RULE.to_owned()),
            _ => Ok(()),
        }
    }
}

/// A relay guarded by [`MarkerGuard`], with two clients sharing one document titled "shared".
fn guarded_net() -> (Net, usize, usize, DocumentId, Judged) {
    let mut net = Net::new();
    let judged = Judged::default();
    net.engine(0).set_guard(Box::new(MarkerGuard {
        judged: judged.clone(),
    }));
    let a = net.add_client("a");
    let b = net.add_client("b");
    let id = DocumentId::random();
    net.engine(a).create(id, doc_with_title("shared"));
    net.run();
    net.engine(b).open(id);
    net.run();
    assert_eq!(net.title(b, &id).as_deref(), Some("shared"));
    (net, a, b, id, judged)
}

fn stored_chunks(net: &Net, id: &DocumentId) -> usize {
    net.nodes[0].storage.chunks.get(id).map_or(0, Vec::len)
}

#[test]
fn a_refused_change_is_undone_unsaved_unrelayed_and_its_peer_told_why_then_closed() {
    let (mut net, a, b, id, _) = guarded_net();
    let stored = stored_chunks(&net, &id);
    let relay_heads = net.nodes[0].engine.doc(&id).unwrap().get_heads();
    put_root(net.engine(a), id, "forbidden", "yes");
    net.run();
    let relay_doc = net.nodes[0].engine.doc(&id).unwrap();
    assert_eq!(
        relay_doc.get_heads(),
        relay_heads,
        "the relay's document is as it was"
    );
    assert!(relay_doc.get(ROOT, "forbidden").unwrap().is_none());
    assert_eq!(stored_chunks(&net, &id), stored, "nothing of it was stored");
    assert!(
        net.nodes[b]
            .engine
            .doc(&id)
            .unwrap()
            .get(ROOT, "forbidden")
            .unwrap()
            .is_none(),
        "nothing of it reached the other peer"
    );
    let relay_side = ConnId(a as u64);
    assert_eq!(
        net.nodes[0].refused,
        vec![(relay_side, MARKER_RULE.to_owned())]
    );
    assert_eq!(
        net.nodes[0].closed,
        vec![(relay_side, MARKER_RULE.to_owned())]
    );
    // The peer heard the rule in an `error` message before the close.
    assert_eq!(
        net.nodes[a].closed,
        vec![(ConnId(0), format!("peer reported an error: {MARKER_RULE}"))]
    );
}

#[test]
fn the_guard_emits_refused_then_the_error_frame_then_the_close() {
    let (mut net, a, _, id, _) = guarded_net();
    net.nodes[a].hold_outbound = true;
    put_root(net.engine(a), id, "forbidden", "yes");
    net.flush_effects();
    let frames = std::mem::take(&mut net.nodes[a].outbox);
    for (_, frame) in frames {
        net.engine(0).receive(ConnId(a as u64), &frame);
    }
    let effects = net.engine(0).take_effects();
    let refused = effects
        .iter()
        .position(|e| matches!(e, Effect::Refused { .. }))
        .expect("a refusal");
    let error = effects
        .iter()
        .position(|e| matches!(e, Effect::Send { frame, .. } if matches!(Message::decode(frame), Ok(Message::Error { message, .. }) if message == MARKER_RULE)))
        .expect("an error naming the rule");
    let close = effects
        .iter()
        .position(|e| matches!(e, Effect::Close { .. }))
        .expect("a close");
    assert!(refused < error && error < close);
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::Save { .. } | Effect::DocChanged { .. })));
}

#[test]
fn an_admitted_change_flows_as_before_and_is_judged_as_its_senders() {
    let (mut net, a, b, id, judged) = guarded_net();
    judged.lock().unwrap().clear();
    set_title(net.engine(a), id, "renamed");
    net.run();
    assert_eq!(net.title(b, &id).as_deref(), Some("renamed"));
    assert!(net.nodes[0].refused.is_empty() && net.nodes[0].closed.is_empty());
    let judged = judged.lock().unwrap();
    assert_eq!(judged.len(), 1);
    assert_eq!(judged[0].0, ConnId(a as u64));
}

/// A sync message carrying exactly `changes`, as a peer whose heads they are would send it.
fn sync_frame(from: &str, id: DocumentId, changes: &[&Change]) -> Vec<u8> {
    let message = automerge::sync::Message {
        heads: changes.iter().map(|c| c.hash()).collect(),
        need: Vec::new(),
        have: Vec::new(),
        changes: changes
            .iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect::<Vec<_>>()
            .into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    };
    Message::Sync(threshold_protocol::DocMessage {
        sender_id: PeerId::new(from),
        target_id: PeerId::new("relay"),
        document_id: id,
        data: message.encode(),
    })
    .encode()
}

/// Changes made one after another on a copy of `node`'s document, each writing one root key:
/// each depends on the one before. None of them is sent anywhere.
fn changes_in_a_row<const N: usize>(
    net: &Net,
    node: usize,
    id: DocumentId,
    keys: [&str; N],
) -> [Change; N] {
    let mut fork = net.nodes[node].engine.doc(&id).unwrap().fork();
    keys.map(|key| {
        fork.transact::<_, _, automerge::AutomergeError>(|tx| {
            tx.put(ROOT, key, "x")?;
            Ok(())
        })
        .expect("transaction commits");
        fork.get_last_local_change().unwrap().clone()
    })
}

#[test]
fn a_change_queued_by_one_peer_is_never_judged_as_anothers() {
    let (mut net, a, b, id, judged) = guarded_net();
    // Two changes in a row: `second` depends on `first`.
    let [first, second] = changes_in_a_row(&net, a, id, ["first", "second"]);
    judged.lock().unwrap().clear();
    // A sends only `second`: the relay cannot apply it yet and keeps it queued.
    net.engine(0)
        .receive(ConnId(a as u64), &sync_frame("a", id, &[&second]));
    // B then brings `first`. Applying the queued `second` now would judge A's change as B's.
    net.engine(0)
        .receive(ConnId(b as u64), &sync_frame("b", id, &[&first]));
    let judged = judged.lock().unwrap().clone();
    assert_eq!(judged, vec![(ConnId(b as u64), vec![first.hash()])]);
    let relay_doc = net.nodes[0].engine.doc(&id).unwrap();
    assert!(relay_doc.get(ROOT, "first").unwrap().is_some());
    assert!(relay_doc.get(ROOT, "second").unwrap().is_none());
    // A's own next message still completes its queue: the same peer's dependencies are its own.
    net.engine(0)
        .receive(ConnId(a as u64), &sync_frame("a", id, &[&second]));
    let relay_doc = net.nodes[0].engine.doc(&id).unwrap();
    assert!(relay_doc.get(ROOT, "second").unwrap().is_some());
}

#[test]
fn a_peer_completing_its_own_queue_is_judged_on_both_changes() {
    let (mut net, a, _, id, judged) = guarded_net();
    let [first, second] = changes_in_a_row(&net, a, id, ["first", "forbidden"]);
    judged.lock().unwrap().clear();
    let relay_side = ConnId(a as u64);
    net.engine(0)
        .receive(relay_side, &sync_frame("a", id, &[&second]));
    net.engine(0)
        .receive(relay_side, &sync_frame("a", id, &[&first]));
    let judged = judged.lock().unwrap().clone();
    assert_eq!(judged.len(), 1);
    assert_eq!(
        judged[0].1.len(),
        2,
        "the queued change is judged with the one it waited for"
    );
    let relay_doc = net.nodes[0].engine.doc(&id).unwrap();
    assert!(relay_doc.get(ROOT, "first").unwrap().is_none());
    assert!(relay_doc.get(ROOT, "forbidden").unwrap().is_none());
}

#[test]
fn a_relay_applies_chunks_another_relay_stored_and_its_own_peers_receive_them() {
    // Node 0 is relay B; relay A is another engine on the same storage, with its own client.
    let mut net = Net::new();
    let on_b = net.add_client("on-b");
    let id = DocumentId::random();
    net.engine(on_b).create(id, doc_with_title("v1"));
    net.run();
    let mut relay_a = Engine::new(EngineConfig::relay(
        PeerId::new("relay-a"),
        "relay-store".into(),
    ));
    let stored: Vec<Vec<u8>> = net.nodes[0].storage.chunks[&id].clone();
    relay_a.loaded(
        id,
        Loaded {
            chunks: stored,
            sync_states: Vec::new(),
        },
    );
    // A client of relay A changes the title: relay A stores the change (its group commit)...
    relay_a
        .change(id, |doc| {
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put(ROOT, "title", "from relay A")?;
                Ok(())
            })
            .expect("transaction commits");
        })
        .expect("changes");
    let chunk = saved_chunk(&mut relay_a).bytes().to_vec();
    // ...and relay B, told the chunk is stored, applies it without storing it again.
    net.engine(0).apply_stored(id, &chunk);
    let effects = net.engine(0).take_effects();
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Save { .. })),
        "already stored, by relay A"
    );
    for effect in effects {
        net.execute(0, effect);
    }
    net.run();
    assert_eq!(net.title(on_b, &id).as_deref(), Some("from relay A"));
}

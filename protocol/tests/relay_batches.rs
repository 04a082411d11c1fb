//! A relay fed the way the relay's hub feeds it: whatever frames and finished loads are waiting
//! are run through the engine together, and only then are its effects taken and executed.
//! Clients answer frame by frame, as the browser's shell does. Many interleavings, each from a
//! seed, so a failing one can be replayed.

use std::collections::{HashMap, VecDeque};

use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
mod common;
use common::put_root;
use threshold_protocol::{
    Access, Chunk, ConnId, DocumentId, Effect, Engine, EngineConfig, Loaded, PeerId,
};

/// Deterministic and small: the interleaving is a function of the seed alone.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[derive(Default)]
struct Store {
    chunks: HashMap<DocumentId, Vec<Vec<u8>>>,
}

impl Store {
    fn save(&mut self, doc: DocumentId, chunk: Chunk) {
        let stored = self.chunks.entry(doc).or_default();
        if let Chunk::Snapshot(_) = chunk {
            stored.clear();
        }
        stored.push(chunk.bytes().to_vec());
    }

    fn load(&self, doc: &DocumentId) -> Loaded {
        Loaded {
            chunks: self.chunks.get(doc).cloned().unwrap_or_default(),
            sync_states: Vec::new(),
        }
    }
}

/// What waits in the hub's channel.
enum Inbound {
    Frame(ConnId, Vec<u8>),
    /// A loader thread finished reading a document.
    Loaded(DocumentId),
}

struct Relay {
    engine: Engine,
    store: Store,
    inbox: VecDeque<Inbound>,
    /// Loads asked for and not finished yet.
    loading: Vec<DocumentId>,
}

struct Client {
    engine: Engine,
    store: Store,
    inbox: VecDeque<Vec<u8>>,
}

/// A local edit a client makes, in order.
type Action = Box<dyn Fn(&mut Engine)>;

struct Net {
    relay: Relay,
    clients: Vec<Client>,
}

impl Net {
    fn new(clients: usize) -> Self {
        let mut net = Self {
            relay: Relay {
                engine: Engine::new(EngineConfig::relay(
                    PeerId::new("relay"),
                    "relay-store".into(),
                )),
                store: Store::default(),
                inbox: VecDeque::new(),
                loading: Vec::new(),
            },
            clients: Vec::new(),
        };
        for index in 0..clients {
            let name = format!("client-{index}");
            let mut engine = Engine::new(EngineConfig::client(
                PeerId::new(&name),
                format!("{name}-store"),
            ));
            net.relay
                .engine
                .connect_with(relay_side(index), Access::full());
            engine.connect(ConnId(0));
            net.clients.push(Client {
                engine,
                store: Store::default(),
                inbox: VecDeque::new(),
            });
            net.pump_client(index);
            net.pump_relay();
        }
        net
    }

    /// One batch, as the hub runs it: up to `take` commands already waiting, then the effects.
    fn relay_batch(&mut self, take: usize) {
        for _ in 0..take {
            let Some(command) = self.relay.inbox.pop_front() else {
                break;
            };
            match command {
                Inbound::Frame(conn, frame) => self.relay.engine.receive(conn, &frame),
                Inbound::Loaded(doc) => {
                    let loaded = self.relay.store.load(&doc);
                    self.relay.engine.loaded(doc, loaded);
                }
            }
        }
        self.pump_relay();
    }

    fn pump_relay(&mut self) {
        loop {
            let effects = self.relay.engine.take_effects();
            if effects.is_empty() {
                return;
            }
            for effect in effects {
                match effect {
                    Effect::Load { doc } => self.relay.loading.push(doc),
                    Effect::Save { doc, chunk } => self.relay.store.save(doc, chunk),
                    Effect::Send { conn, frame } => {
                        self.clients[conn.0 as usize - 1].inbox.push_back(frame)
                    }
                    _ => {}
                }
            }
        }
    }

    /// A loader thread finishes: its answer queues behind the commands already waiting.
    fn finish_load(&mut self, which: usize) {
        let doc = self.relay.loading.remove(which);
        self.relay.inbox.push_back(Inbound::Loaded(doc));
    }

    fn pump_client(&mut self, index: usize) {
        loop {
            let client = &mut self.clients[index];
            let effects = client.engine.take_effects();
            if effects.is_empty() {
                return;
            }
            for effect in effects {
                match effect {
                    Effect::Load { doc } => {
                        let loaded = client.store.load(&doc);
                        client.engine.loaded(doc, loaded);
                    }
                    Effect::Save { doc, chunk } => client.store.save(doc, chunk),
                    Effect::Send { frame, .. } => self
                        .relay
                        .inbox
                        .push_back(Inbound::Frame(relay_side(index), frame)),
                    _ => {}
                }
            }
        }
    }

    fn client_receives(&mut self, index: usize) {
        if let Some(frame) = self.clients[index].inbox.pop_front() {
            self.clients[index].engine.receive(ConnId(0), &frame);
            self.pump_client(index);
        }
    }

    fn quiet(&self) -> bool {
        self.relay.inbox.is_empty()
            && self.relay.loading.is_empty()
            && self.clients.iter().all(|c| c.inbox.is_empty())
    }

    /// Run `script` (per client, in order) with every step's order drawn from `rng`, then let
    /// the network settle the same way.
    fn run(&mut self, rng: &mut Rng, mut scripts: Vec<VecDeque<Action>>) {
        for _ in 0..100_000 {
            let mut choices: Vec<usize> = Vec::new();
            if !self.relay.inbox.is_empty() {
                choices.push(0);
            }
            if !self.relay.loading.is_empty() {
                choices.push(1);
            }
            for (index, client) in self.clients.iter().enumerate() {
                if !client.inbox.is_empty() {
                    choices.push(2 + 2 * index);
                }
                if !scripts[index].is_empty() {
                    choices.push(3 + 2 * index);
                }
            }
            if choices.is_empty() {
                return;
            }
            match choices[rng.below(choices.len())] {
                0 => {
                    let take = 1 + rng.below(self.relay.inbox.len());
                    self.relay_batch(take);
                }
                1 => {
                    let which = rng.below(self.relay.loading.len());
                    self.finish_load(which);
                }
                n if n % 2 == 0 => self.client_receives((n - 2) / 2),
                n => {
                    let index = (n - 3) / 2;
                    let action = scripts[index].pop_front().expect("a step left");
                    action(&mut self.clients[index].engine);
                    self.pump_client(index);
                }
            }
        }
        panic!("the network did not settle");
    }

    /// Every document a client holds is at the relay's heads, and the client knows it.
    fn assert_in_sync(&self, seed: u64, docs: &[DocumentId]) {
        assert!(self.quiet());
        for (index, client) in self.clients.iter().enumerate() {
            for id in docs {
                let Some(theirs) = client.engine.doc(id) else {
                    continue;
                };
                let ours = self.relay.engine.doc(id).map(Automerge::get_heads);
                assert_eq!(
                    ours,
                    Some(theirs.get_heads()),
                    "seed {seed}: the relay has client {index}'s {id}"
                );
                assert!(
                    client.engine.is_doc_synced(id),
                    "seed {seed}: client {index} sees {id} acknowledged by the relay"
                );
            }
            assert_eq!(
                client.engine.summary().docs_behind,
                0,
                "seed {seed}: client {index} shows Synced"
            );
        }
    }
}

fn relay_side(client: usize) -> ConnId {
    ConnId(client as u64 + 1)
}

fn doc_with(key: &str, value: &str) -> Automerge {
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, key, value)?;
        Ok(())
    })
    .expect("transaction commits");
    doc
}

fn create(id: DocumentId, key: &'static str) -> Action {
    Box::new(move |engine: &mut Engine| engine.create(id, doc_with(key, "created")))
}

fn edit(id: DocumentId, key: &'static str, value: &'static str) -> Action {
    Box::new(move |engine: &mut Engine| put_root(engine, id, key, value))
}

fn open(id: DocumentId) -> Action {
    Box::new(move |engine: &mut Engine| engine.open(id))
}

/// What the app does when a provider creates a portal: the portal, its listing in the
/// workspace, the internal notes and their link, the brand copied in.
fn create_portal_steps(
    workspace: DocumentId,
    portal: DocumentId,
    internal: DocumentId,
) -> Vec<Action> {
    vec![
        create(portal, "client"),
        edit(workspace, "portal", "listed"),
        create(internal, "checklist"),
        edit(workspace, "internal", "linked"),
        edit(portal, "brand", "copied"),
        edit(portal, "welcome", "edited"),
    ]
}

#[test]
fn a_peer_whose_change_and_acknowledgement_arrive_in_one_batch_is_told_the_relays_heads() {
    let mut net = Net::new(2);
    let (a, b) = (0, 1);
    let id = DocumentId::random();
    let mut rng = Rng::new(1);
    net.run(
        &mut rng,
        vec![vec![create(id, "title")].into(), vec![open(id)].into()],
    );
    net.assert_in_sync(0, &[id]);
    // B's change reaches the relay first; A's, made meanwhile, waits behind it.
    edit(id, "from", "b")(&mut net.clients[b].engine);
    net.pump_client(b);
    edit(id, "from", "a")(&mut net.clients[a].engine);
    net.pump_client(a);
    // The relay takes B's frame alone and sends A B's change.
    net.relay_batch(1);
    while !net.clients[b].inbox.is_empty() {
        net.client_receives(b);
    }
    // A applies it and acknowledges: it now has every change the relay will have once its own
    // change (still waiting) is applied, and says so without changes.
    net.client_receives(a);
    assert_eq!(
        net.relay.inbox.len(),
        2,
        "A's change, then A's acknowledgement"
    );
    // Both arrive together. Answered frame by frame, A's change gets an answer at the new heads
    // before the acknowledgement is read; answered once for the batch, the acknowledgement must
    // not stand in for it.
    net.relay_batch(2);
    net.run(&mut rng, vec![VecDeque::new(), VecDeque::new()]);
    net.assert_in_sync(0, &[id]);
}

#[test]
fn a_portal_created_while_the_relay_answers_in_batches_reaches_synced() {
    for seed in 0..400 {
        let mut rng = Rng::new(seed);
        let mut net = Net::new(1);
        let workspace = DocumentId::random();
        let (portal, internal) = (DocumentId::random(), DocumentId::random());
        let mut steps = vec![create(workspace, "name")];
        steps.extend(create_portal_steps(workspace, portal, internal));
        net.run(&mut rng, vec![steps.into()]);
        net.assert_in_sync(seed, &[workspace, portal, internal]);
    }
}

#[test]
fn a_second_device_editing_alongside_keeps_both_synced_under_batches() {
    for seed in 0..400 {
        let mut rng = Rng::new(seed);
        let mut net = Net::new(2);
        let workspace = DocumentId::random();
        let (portal, internal) = (DocumentId::random(), DocumentId::random());
        let mut first = vec![create(workspace, "name")];
        first.extend(create_portal_steps(workspace, portal, internal));
        let second = vec![
            open(workspace),
            open(portal),
            edit_if_loaded(workspace, "seen", "by the second device"),
            edit_if_loaded(portal, "seen", "by the second device"),
        ];
        net.run(&mut rng, vec![first.into(), second.into()]);
        net.assert_in_sync(seed, &[workspace, portal, internal]);
    }
}

/// An edit made only if the document has arrived by then (a person edits what they see).
fn edit_if_loaded(id: DocumentId, key: &'static str, value: &'static str) -> Action {
    Box::new(move |engine: &mut Engine| {
        if engine.has_content(&id) {
            put_root(engine, id, key, value);
        }
    })
}

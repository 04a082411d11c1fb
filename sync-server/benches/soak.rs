//! Soak: the relay under a bounded attack while an honest provider and client keep editing one
//! portal. Two runs side by side, each on a fresh relay with its default limits: the honest pair
//! alone, then the honest pair while, at once,
//!
//! - `SOAK_IDLE` connections (default 1,000) hold sockets open: half send nothing at all, half
//!   send part of a request's headers and stop; each comes back 100 ms after the relay drops it
//!   (holding connections, not flooding connects, which is the network's to stop);
//! - `SOAK_SLOW_READERS` (default 10) provider devices ask for eight 4 MB documents (32 MB,
//!   as the attack) and never read what the relay sends; each reconnects when the
//!   relay closes it;
//! - a client contact of the portal sends a 2,000,000-operation change (a few KiB on the wire)
//!   every two seconds.
//!
//! Printed: the honest edit→visible latency (each side sees the other's check-in edit; a change
//! every `SOAK_PACE_MS`, default 200) p50 / p99, the honest side's failures, the relay's peak
//! memory, and what became of the attackers. Asserts nothing. Run it with
//! `scripts/bench-soak.sh`, or directly:
//!
//!   cargo bench -p threshold-sync-server --bench soak
//!
//! Environment: `SOAK_SECONDS` (each run's measured window, default 60), `SOAK_IDLE`,
//! `SOAK_SLOW_READERS`, `SOAK_PACE_MS`, `THRESHOLD_RELAY_BIN` (default
//! target/release/sync-server). Attackers and the honest pair run in this process, on the same
//! cores as the relay: the figures compare the two runs, they are not capacity.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use threshold_protocol::automerge::transaction::Transactable;
use threshold_protocol::automerge::{self, Automerge, ObjType, ROOT};
use threshold_protocol::{
    ConnId, DocMessage, DocumentId, Effect, Engine, EngineConfig, Message, PeerId, PeerMetadata,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message as WsMessage;

mod common;
use common::*;

/// What the attackers achieved, counted as they go.
#[derive(Default)]
struct Attack {
    /// Idle or half-sent connections the relay closed.
    idle_dropped: AtomicU64,
    /// Connections the relay refused or that could not be made.
    idle_refused: AtomicU64,
    slow_readers_closed: AtomicU64,
    bombs_sent: AtomicU64,
    bombs_refused: AtomicU64,
    stop: AtomicBool,
}

struct Figures {
    visible: Samples,
    honest_failures: usize,
    peak_rss_kb: u64,
    attack: Option<Arc<Attack>>,
}

fn main() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let seconds = env("SOAK_SECONDS", 60);
    let idle = env("SOAK_IDLE", 1000) as usize;
    let slow = env("SOAK_SLOW_READERS", 10) as usize;
    let pace = Duration::from_millis(env("SOAK_PACE_MS", 200));
    let bin = std::env::var("THRESHOLD_RELAY_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/sync-server").into()
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    println!(
        "soak: {seconds} s per run; honest provider and client editing every {} ms; attack: {idle} idle or half-sent connections, {slow} slow readers, an op bomb every 2 s",
        pace.as_millis()
    );
    let calm = runtime.block_on(run(&bin, seconds, pace, None));
    let attacked = runtime.block_on(run(&bin, seconds, pace, Some((idle, slow))));
    println!();
    println!("| run | honest edit→visible p50 / p99 | honest failures | relay peak RSS |");
    println!("|---|---|---|---|");
    for (name, f) in [("honest pair alone", &calm), ("under attack", &attacked)] {
        println!(
            "| {name} | {} / {} ({} edits seen) | {} | {} MB |",
            ms(f.visible.p(0.5)),
            ms(f.visible.p(0.99)),
            f.visible.0.len(),
            f.honest_failures,
            f.peak_rss_kb / 1024
        );
    }
    if let Some(a) = &attacked.attack {
        println!();
        println!(
            "attackers: idle/half-sent connections dropped by the relay {}, refused {}; slow readers closed {}; op bombs sent {}, refused {}",
            a.idle_dropped.load(Ordering::Relaxed),
            a.idle_refused.load(Ordering::Relaxed),
            a.slow_readers_closed.load(Ordering::Relaxed),
            a.bombs_sent.load(Ordering::Relaxed),
            a.bombs_refused.load(Ordering::Relaxed),
        );
    }
}

async fn run(bin: &str, seconds: u64, pace: Duration, attack: Option<(usize, usize)>) -> Figures {
    let relay = start(&RelayKind::Ours(bin.to_owned()), &[]);
    let port = relay.port;
    let owner = relay.owner.clone().expect("the owner token");
    let ws = |token: &str| format!("ws://127.0.0.1:{port}/sync?token={token}");
    let portal = DocumentId::random();
    let provider = mint(port, &owner, portal, true).await;
    let client_token = mint(port, &owner, portal, false).await;
    let shared = Arc::new(Shared::new());
    let load = Load::Portal { judged: true };
    let honest = [
        tokio::spawn(client(
            ws(&provider),
            "provider".into(),
            portal,
            true,
            load,
            pace,
            shared.clone(),
        )),
        tokio::spawn(client(
            ws(&client_token),
            "client".into(),
            portal,
            false,
            load,
            pace,
            shared.clone(),
        )),
    ];
    let mut state = None;
    if let Some((idle, slow)) = attack {
        let a = Arc::new(Attack::default());
        let big = big_documents(&ws(&owner)).await;
        for n in 0..idle {
            tokio::spawn(idle_connection(port, n % 2 == 1, a.clone()));
        }
        for _ in 0..slow {
            let token = mint(port, &owner, portal, true).await;
            tokio::spawn(slow_reader(ws(&token), big.clone(), a.clone()));
        }
        let bomb = Arc::new(op_bomb());
        tokio::spawn(bomber(ws(&client_token), portal, bomb, a.clone()));
        state = Some(a);
    }
    // Let everyone connect and the honest pair find the portal, then measure a window.
    tokio::time::sleep(Duration::from_secs(3)).await;
    shared.visible.lock().expect("lock").0.clear();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    shared.stop.store(true, Ordering::Relaxed);
    if let Some(a) = &state {
        a.stop.store(true, Ordering::Relaxed);
    }
    let mut honest_failures = 0;
    for task in honest {
        if !matches!(
            tokio::time::timeout(Duration::from_secs(10), task).await,
            Ok(Ok(Outcome::Ran))
        ) {
            honest_failures += 1;
        }
    }
    let peak_rss_kb = peak_rss_kb(relay.child.id());
    drop(relay);
    let visible = std::mem::take(&mut *shared.visible.lock().expect("lock"));
    Figures {
        visible,
        honest_failures,
        peak_rss_kb,
        attack: state,
    }
}

/// A connection that holds a socket: nothing at all, or part of a request's headers. When the
/// relay drops it, it comes straight back.
async fn idle_connection(port: u16, half_sent: bool, attack: Arc<Attack>) {
    while !attack.stop.load(Ordering::Relaxed) {
        let Ok(mut socket) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
            attack.idle_refused.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        if half_sent {
            let _ = socket
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                .await;
        }
        // Wait until the relay closes it (a read of 0 bytes or an error), or the soak ends.
        let mut buf = [0u8; 256];
        loop {
            match tokio::time::timeout(Duration::from_millis(500), socket.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) => {
                    attack.idle_dropped.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    break;
                }
                Ok(Ok(_)) => {}
                Err(_) if attack.stop.load(Ordering::Relaxed) => return,
                Err(_) => {}
            }
        }
    }
}

/// Eight documents of 4 MB each, stored by the owner, for slow readers to ask for.
async fn big_documents(url: &str) -> Vec<DocumentId> {
    let docs: Vec<DocumentId> = (0..8).map(|_| DocumentId::random()).collect();
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("the owner connects");
    let (mut sink, mut stream) = ws.split();
    let mut engine = Engine::new(EngineConfig::client(
        PeerId::new("owner-setup"),
        "setup".into(),
    ));
    engine.connect(ConnId(0));
    for (n, id) in docs.iter().enumerate() {
        let mut doc = Automerge::new();
        let _ = doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            // Random bytes: the relay cannot compress what it sends.
            let noise: Vec<u8> = (0..4 * 1024 * 1024)
                .map(|i| ((i * 7919 + n * 104_729) % 251) as u8 ^ (i >> 8) as u8)
                .collect();
            tx.put(ROOT, "payload", noise)?;
            Ok(())
        });
        engine.create(*id, doc);
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    let started = Instant::now();
    while Instant::now() < deadline && !docs.iter().all(|d| engine.is_doc_synced(d)) {
        for effect in engine.take_effects() {
            match effect {
                Effect::Send { frame, .. } => {
                    let _ = sink.send(WsMessage::Binary(frame.into())).await;
                }
                Effect::Load { doc } => engine.loaded(doc, Default::default()),
                _ => {}
            }
        }
        if let Ok(Some(Ok(WsMessage::Binary(frame)))) =
            tokio::time::timeout(Duration::from_millis(200), stream.next()).await
        {
            engine.receive(ConnId(0), &frame);
        }
    }
    if std::env::var("BENCH_DEBUG").is_ok() {
        let synced = docs.iter().filter(|d| engine.is_doc_synced(d)).count();
        eprintln!(
            "big documents: {synced} of {} stored in {:?}",
            docs.len(),
            started.elapsed()
        );
    }
    docs
}

/// A provider device that asks for the big documents and then reads nothing; it looks again
/// every ten seconds whether the relay closed it, and reconnects.
async fn slow_reader(url: String, docs: Vec<DocumentId>, attack: Arc<Attack>) {
    while !attack.stop.load(Ordering::Relaxed) {
        let Ok(Ok((ws, _))) = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(&url),
        )
        .await
        else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        let (mut sink, mut stream) = ws.split();
        let mut engine = Engine::new(EngineConfig::client(PeerId::random("slow"), "slow".into()));
        engine.connect(ConnId(0));
        for doc in &docs {
            engine.open(*doc);
        }
        // The join; then, once the relay's answer to it is read, one request per document.
        let mut sent = 0;
        let deadline = Instant::now() + Duration::from_secs(10);
        while sent <= docs.len() && Instant::now() < deadline {
            for effect in engine.take_effects() {
                match effect {
                    Effect::Send { frame, .. } => {
                        let _ = sink.send(WsMessage::Binary(frame.into())).await;
                        sent += 1;
                    }
                    Effect::Load { doc } => engine.loaded(doc, Default::default()),
                    _ => {}
                }
            }
            if sent <= docs.len() {
                if let Ok(Some(Ok(WsMessage::Binary(frame)))) =
                    tokio::time::timeout(Duration::from_millis(500), stream.next()).await
                {
                    engine.receive(ConnId(0), &frame);
                }
            }
        }
        // Not reading: the relay's frames pile up in its queue for this socket.
        for _ in 0..20 {
            if attack.stop.load(Ordering::Relaxed) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        // Then read what came, to see whether the relay gave up on this socket.
        let mut bytes = 0;
        let closed = loop {
            match tokio::time::timeout(Duration::from_secs(2), stream.next()).await {
                Ok(Some(Ok(WsMessage::Close(_)))) | Ok(Some(Err(_))) | Ok(None) => break true,
                Ok(Some(Ok(frame))) => bytes += frame.len(),
                Err(_) => break false,
            }
        };
        if std::env::var("BENCH_DEBUG").is_ok() {
            eprintln!(
                "slow reader: read {bytes} bytes after stalling; closed by the relay: {closed}"
            );
        }
        if closed {
            attack.slow_readers_closed.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// One change of 2,000,000 text operations, compressed to a few KiB, made once.
fn op_bomb() -> Vec<u8> {
    let mut doc = Automerge::new();
    let _ = doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        let text = tx.put_object(ROOT, "bomb", ObjType::Text)?;
        tx.splice_text(&text, 0, 0, &"x".repeat(2_000_000))?;
        Ok(())
    });
    let mut change = doc.get_last_local_change().expect("a change").clone();
    change.bytes().into_owned()
}

/// A client contact who sends the op bomb into their portal every two seconds.
async fn bomber(url: String, portal: DocumentId, bomb: Arc<Vec<u8>>, attack: Arc<Attack>) {
    let me = PeerId::random("bomber");
    while !attack.stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let Ok(Ok((mut ws, _))) = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(&url),
        )
        .await
        else {
            continue;
        };
        let join = Message::Join {
            sender_id: me.clone(),
            peer_metadata: PeerMetadata::default(),
            supported_protocol_versions: vec!["1".into()],
        };
        let _ = ws.send(WsMessage::Binary(join.encode().into())).await;
        let relay = loop {
            match tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
                Ok(Some(Ok(WsMessage::Binary(frame)))) => {
                    if let Ok(Message::Peer { sender_id, .. }) = Message::decode(&frame) {
                        break Some(sender_id);
                    }
                }
                _ => break None,
            }
        };
        let Some(relay) = relay else {
            continue;
        };
        let sync = automerge::sync::Message {
            heads: Vec::new(),
            need: Vec::new(),
            have: Vec::new(),
            changes: vec![bomb.as_slice().to_vec()].into(),
            flags: None,
            version: automerge::sync::MessageVersion::V1,
        };
        let message = Message::Sync(DocMessage {
            sender_id: me.clone(),
            target_id: relay,
            document_id: portal,
            data: sync.encode(),
        });
        let _ = ws.send(WsMessage::Binary(message.encode().into())).await;
        attack.bombs_sent.fetch_add(1, Ordering::Relaxed);
        loop {
            match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
                Ok(Some(Ok(WsMessage::Binary(frame)))) => {
                    if let Ok(Message::Error { .. }) = Message::decode(&frame) {
                        attack.bombs_refused.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
                Ok(Some(Ok(_))) => {}
                _ => break,
            }
        }
    }
}

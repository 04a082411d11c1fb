//! Relay load benchmark: our relay and the stock `@automerge/automerge-repo-sync-server`, side
//! by side in one run, under the same load of protocol clients. Prints figures and the ratios
//! ours/stock; asserts nothing. Run it with `scripts/bench-relay.sh` (it builds our relay in
//! release and installs the stock server), or directly:
//!
//!   cargo bench -p threshold-sync-server --bench relay_load
//!
//! Environment: `BENCH_CLIENTS` (default "100,500,1000"), `BENCH_SECONDS` (load phase per run,
//! default 10), `THRESHOLD_RELAY_BIN` (default target/release/sync-server), `STOCK_RELAY_JS`
//! (the stock server's entry script; its run is skipped when absent), `BENCH_LOAD` (`plain`,
//! the default, or `portal`, below).
//!
//! `BENCH_LOAD=portal` measures what the portal's permission table costs the relay. Every
//! group's document is a real portal (`threshold_model::portal::new_portal_doc`), created by a
//! provider (a team token per group); the other members are client contacts (client tokens).
//! Each writer adds one check-in and then keeps editing its body, an act the table must place
//! and allow ("edit their own check-in"). Our relay runs twice, side by side: once as is, where
//! the guard judges every client change with the table, and once with the same documents under
//! another `kind`, where the guard checks authorship and shape only. The ratio of the two is the
//! table's cost per change.
//!
//! The load: half the clients each work in their own portal, the other half in groups of two to
//! five sharing one. Every client is a closed-loop writer: it makes a change, waits until the
//! relay acknowledges it, and makes the next. Group members see each other's changes, which is
//! the edit-to-remote-visible latency. Our relay runs with access checks on: every client gets
//! its own client token, scoped to its portal, minted through the API. Clients run in this
//! process, on the same two cores as the relay under test: figures are for comparing the two
//! relays in one run, not absolute capacity.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use threshold_protocol::automerge::transaction::Transactable;
use threshold_protocol::automerge::{self, Automerge, ReadDoc, ROOT};
use threshold_protocol::{ConnId, DocumentId, Effect, Engine, EngineConfig, PeerId};
use tokio_tungstenite::tungstenite::Message as WsMessage;

fn main() {
    let clients: Vec<usize> = std::env::var("BENCH_CLIENTS")
        .unwrap_or_else(|_| "100,500,1000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let ours_bin = std::env::var("THRESHOLD_RELAY_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/sync-server").into()
    });
    let stock_js = std::env::var("STOCK_RELAY_JS").ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if std::env::var("BENCH_LOAD").is_ok_and(|l| l == "portal") {
        return portal_load(&runtime, &clients, seconds, &ours_bin);
    }
    println!(
        "relay load: {seconds} s of closed-loop writers per run; half solo, half in groups of 2-5"
    );
    let mut rows = Vec::new();
    for &n in &clients {
        let ours = runtime.block_on(run(
            RelayKind::Ours(ours_bin.clone()),
            n,
            seconds,
            Load::Plain,
        ));
        print_result("ours", n, &ours);
        let stock = stock_js
            .as_ref()
            .map(|js| runtime.block_on(run(RelayKind::Stock(js.clone()), n, seconds, Load::Plain)));
        if let Some(stock) = &stock {
            print_result("stock", n, stock);
        }
        rows.push((n, ours, stock));
    }
    println!();
    println!("| clients | relay | find p50 / p99 | edit→remote p50 / p99 | changes/s | relay CPU per change | peak RSS | failed / never found |");
    println!("|---|---|---|---|---|---|---|---|");
    for (n, ours, stock) in &rows {
        println!("{}", ours.row(*n, "ours"));
        if let Some(stock) = stock {
            println!("{}", stock.row(*n, "stock"));
            println!(
                "| {n} | **ours/stock** | {} / {} | {} / {} | **{:.2}×** | **{:.2}×** | **{:.2}×** | |",
                ratio(ours.find.p(0.5), stock.find.p(0.5)),
                ratio(ours.find.p(0.99), stock.find.p(0.99)),
                ratio(ours.visible.p(0.5), stock.visible.p(0.5)),
                ratio(ours.visible.p(0.99), stock.visible.p(0.99)),
                ours.changes_per_sec / stock.changes_per_sec.max(f64::MIN_POSITIVE),
                ours.cpu_ms_per_change / stock.cpu_ms_per_change.max(f64::MIN_POSITIVE),
                ours.peak_rss_kb as f64 / (stock.peak_rss_kb.max(1)) as f64,
            );
        }
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".into(),
    }
}

/// Print a run's row as soon as it is measured, in the table's own format.
fn print_result(name: &str, n: usize, r: &RunResult) {
    println!("{}", r.row(n, name));
}

fn ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.1} ms"))
}

enum RelayKind {
    Ours(String),
    Stock(String),
}

struct Relay {
    child: Child,
    port: u16,
    owner: Option<String>,
    _data: tempfile::TempDir,
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start(kind: &RelayKind) -> Relay {
    let data = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    match kind {
        RelayKind::Ours(bin) => {
            let mut child = Command::new(bin)
                .args(["serve", "--port", &port.to_string()])
                // A benchmark measures what a change costs, not the flood limits: a closed-loop
                // writer in a busy group sends more than an honest person's messages per second.
                .args(["--rate-per-second", "1000000", "--rate-burst", "1000000"])
                .arg("--data-dir")
                .arg(data.path())
                .env("RUST_LOG", "error")
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect(
                    "our relay starts (build it: cargo build --release -p threshold-sync-server)",
                );
            let mut owner = None;
            let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).expect("reads") == 0 {
                    panic!("our relay exited early");
                }
                if let Some((_, token)) = line.trim().split_once("#/join/") {
                    owner = Some(token.to_owned());
                }
                if line.contains("listening on") {
                    break;
                }
            }
            Relay {
                child,
                port,
                owner,
                _data: data,
            }
        }
        RelayKind::Stock(js) => {
            let child = Command::new("node")
                .arg(js)
                .env("PORT", port.to_string())
                .env("DATA_DIR", data.path())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("node runs the stock sync server");
            // It prints nothing reliable; wait until the port accepts connections.
            let deadline = Instant::now() + Duration::from_secs(15);
            while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
                assert!(Instant::now() < deadline, "the stock server did not start");
                std::thread::sleep(Duration::from_millis(50));
            }
            Relay {
                child,
                port,
                owner: None,
                _data: data,
            }
        }
    }
}

/// CPU time (user + system) a process has used so far, from `/proc/<pid>/stat`, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let ticks_per_second = 100.0; // USER_HZ, 100 on every Linux this runs on.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // Fields after the command name, which is in parentheses and may hold spaces.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / ticks_per_second)
        })
        .unwrap_or(0.0)
}

/// Peak resident memory of a process, from the kernel (`VmHWM`), in KiB.
fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

#[derive(Default)]
struct Samples(Vec<f64>);

impl Samples {
    fn p(&self, q: f64) -> Option<f64> {
        if self.0.is_empty() {
            return None;
        }
        let mut sorted = self.0.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        let index = ((q * sorted.len() as f64).floor() as usize).min(sorted.len() - 1);
        Some(sorted[index])
    }
}

struct RunResult {
    find: Samples,
    visible: Samples,
    changes_per_sec: f64,
    /// The relay's CPU time (user + system) during the window, per acknowledged change: what a
    /// change costs the relay, whoever else needs the cores.
    cpu_ms_per_change: f64,
    peak_rss_kb: u64,
    /// Clients whose connection broke.
    failed: usize,
    /// Clients that asked for their group's document and never received it.
    not_found: usize,
}

enum Outcome {
    Ran,
    NeverFound,
    Failed,
}

impl RunResult {
    fn row(&self, n: usize, name: &str) -> String {
        format!(
            "| {n} | {name} | {} / {} | {} / {} | {:.0} | {:.2} ms | {} MB | {} / {} |",
            ms(self.find.p(0.5)),
            ms(self.find.p(0.99)),
            ms(self.visible.p(0.5)),
            ms(self.visible.p(0.99)),
            self.changes_per_sec,
            self.cpu_ms_per_change,
            self.peak_rss_kb / 1024,
            self.failed,
            self.not_found
        )
    }
}

/// Split `n` clients: half alone, the rest in groups of 2-5 (sizes cycle deterministically).
fn groups(n: usize) -> Vec<usize> {
    let mut out = vec![1; n / 2];
    let mut left = n - n / 2;
    let mut size = 2;
    while left > 0 {
        let take = size.min(left);
        out.push(take);
        left -= take;
        size = if size == 5 { 2 } else { size + 1 };
    }
    out
}

async fn mint(port: u16, owner: &str, portal: DocumentId, provider: bool) -> String {
    let body = if provider {
        serde_json::json!({ "role": "team", "name": "bench provider" })
    } else {
        serde_json::json!({ "role": "client", "portal": portal.to_string(), "name": "bench" })
    };
    let client = TcpHttp { port };
    let response = client.post("/api/tokens", owner, &body.to_string()).await;
    let json: serde_json::Value = serde_json::from_str(&response).expect("token json");
    json["token"].as_str().expect("token").to_owned()
}

/// Just enough HTTP/1.1 for one JSON POST.
struct TcpHttp {
    port: u16,
}

impl TcpHttp {
    async fn post(&self, path: &str, token: &str, body: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .expect("connects");
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("writes");
        let mut response = String::new();
        stream.read_to_string(&mut response).await.expect("reads");
        response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default()
    }
}

struct Shared {
    stop: AtomicBool,
    acked: AtomicU64,
    find: Mutex<Samples>,
    visible: Mutex<Samples>,
    started: Instant,
}

async fn run(kind: RelayKind, n: usize, seconds: u64, load: Load) -> RunResult {
    let relay = start(&kind);
    let shared = Arc::new(Shared {
        stop: AtomicBool::new(false),
        acked: AtomicU64::new(0),
        find: Mutex::new(Samples::default()),
        visible: Mutex::new(Samples::default()),
        started: Instant::now(),
    });
    let mut tasks = Vec::new();
    let mut client_index = 0;
    for size in groups(n) {
        let doc = DocumentId::random();
        for member in 0..size {
            // Every client contact has a token of their own, scoped to the group's portal, as
            // the app's invites make them (and each has its own rate limit).
            // In a portal load the group's first member, who creates the portal, is the
            // provider.
            let provider = member == 0 && load != Load::Plain;
            let url = match &relay.owner {
                Some(owner) => {
                    let token = mint(relay.port, owner, doc, provider).await;
                    format!("ws://127.0.0.1:{}/sync?token={token}", relay.port)
                }
                None => format!("ws://127.0.0.1:{}", relay.port),
            };
            let shared = shared.clone();
            let url = url.clone();
            let name = format!("bench-{client_index}");
            client_index += 1;
            tasks.push(tokio::spawn(async move {
                client(url, name, doc, member == 0, load, shared).await
            }));
        }
    }
    // Let every client connect and find its document, then measure a steady window.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let acked_before = shared.acked.load(Ordering::Relaxed);
    let cpu_before = cpu_seconds(relay.child.id());
    let window_start = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let acked = shared.acked.load(Ordering::Relaxed) - acked_before;
    let cpu = cpu_seconds(relay.child.id()) - cpu_before;
    let window = window_start.elapsed().as_secs_f64();
    shared.stop.store(true, Ordering::Relaxed);
    let (mut failed, mut not_found) = (0, 0);
    for task in tasks {
        match tokio::time::timeout(Duration::from_secs(5), task).await {
            Ok(Ok(Outcome::Ran)) => {}
            Ok(Ok(Outcome::NeverFound)) => not_found += 1,
            _ => failed += 1,
        }
    }
    let peak = peak_rss_kb(relay.child.id());
    drop(relay);
    let find = std::mem::take(&mut *shared.find.lock().expect("lock"));
    let visible = std::mem::take(&mut *shared.visible.lock().expect("lock"));
    RunResult {
        find,
        visible,
        changes_per_sec: acked as f64 / window,
        cpu_ms_per_change: cpu * 1000.0 / acked.max(1) as f64,
        peak_rss_kb: peak,
        failed,
        not_found,
    }
}

/// One protocol client: creates (or finds) its document, then writes in a closed loop.
async fn client(
    url: String,
    name: String,
    doc: DocumentId,
    creator: bool,
    load: Load,
    shared: Arc<Shared>,
) -> Outcome {
    let Ok(Ok((ws, _))) = tokio::time::timeout(
        Duration::from_secs(20),
        tokio_tungstenite::connect_async(&url),
    )
    .await
    else {
        return Outcome::Failed;
    };
    let (mut sink, mut stream) = ws.split();
    let mut engine = Engine::new(EngineConfig::client(PeerId::new(&name), name.clone()));
    engine.connect(ConnId(0));
    let asked = Instant::now();
    if creator {
        engine.create(doc, load.initial());
    } else {
        engine.open(doc);
    }
    let mut found = creator;
    let mut pending: Option<(u64, Vec<automerge::ChangeHash>)> = None;
    let mut seq = 0u64;
    // In a portal load, this writer's check-in, once added.
    let mut checkin: Option<automerge::ObjId> = None;
    // Changes by others already counted, so each is timed once.
    let mut seen: HashMap<String, u64> = HashMap::new();
    loop {
        // Run the engine's effects: frames out, loads answered with empty storage.
        for effect in engine.take_effects() {
            let alive = match effect {
                Effect::Send { frame, .. } => {
                    sink.send(WsMessage::Binary(frame.into())).await.is_ok()
                }
                Effect::Load { doc } => {
                    engine.loaded(doc, Default::default());
                    true
                }
                Effect::Close { reason, .. } => {
                    if std::env::var("BENCH_DEBUG").is_ok() {
                        eprintln!("{name}: the engine closed: {reason}");
                    }
                    false
                }
                _ => true,
            };
            if !alive {
                if std::env::var("BENCH_DEBUG").is_ok() {
                    eprintln!("{name}: could not send, or the engine closed");
                }
                return Outcome::Failed;
            }
        }
        if !found && engine.has_content(&doc) {
            found = true;
            shared
                .find
                .lock()
                .expect("lock")
                .0
                .push(asked.elapsed().as_secs_f64() * 1000.0);
        }
        // Others' changes: each writer stamps its key with the time it wrote.
        if found {
            if let Some(d) = engine.doc(&doc) {
                for (key, stamp) in load.stamps(d) {
                    if key
                        .strip_prefix("w-")
                        .is_none_or(|rest| rest.starts_with(&name))
                    {
                        continue;
                    }
                    if seen.get(&key) != Some(&stamp) {
                        seen.insert(key, stamp);
                        let now = shared.started.elapsed().as_micros() as u64;
                        let latency = now.saturating_sub(stamp) as f64 / 1000.0;
                        if !shared.stop.load(Ordering::Relaxed) {
                            shared.visible.lock().expect("lock").0.push(latency);
                        }
                    }
                }
            }
        }
        // The closed loop: the next change once the relay has acknowledged the last.
        if found && !shared.stop.load(Ordering::Relaxed) {
            let acknowledged = match &pending {
                None => true,
                Some((_, heads)) => engine.is_doc_synced(&doc) || heads.is_empty(),
            };
            if acknowledged {
                if pending.take().is_some() {
                    shared.acked.fetch_add(1, Ordering::Relaxed);
                }
                seq += 1;
                let stamp = shared.started.elapsed().as_micros() as u64;
                let key = format!("w-{name}");
                engine.change(doc, |d| load.write(d, &key, stamp, seq, &mut checkin));
                let heads = engine.doc(&doc).map(|d| d.get_heads()).unwrap_or_default();
                pending = Some((seq, heads));
                continue;
            }
        }
        if shared.stop.load(Ordering::Relaxed) {
            return if found {
                Outcome::Ran
            } else {
                Outcome::NeverFound
            };
        }
        match tokio::time::timeout(Duration::from_millis(200), stream.next()).await {
            Ok(Some(Ok(WsMessage::Binary(frame)))) => engine.receive(ConnId(0), &frame),
            Ok(Some(Ok(WsMessage::Close(frame)))) => {
                if std::env::var("BENCH_DEBUG").is_ok() {
                    eprintln!("{name}: closed by the relay: {frame:?}");
                }
                return Outcome::Failed;
            }
            Ok(None) | Ok(Some(Err(_))) => {
                if std::env::var("BENCH_DEBUG").is_ok() {
                    eprintln!("{name}: the connection broke");
                }
                return Outcome::Failed;
            }
            Ok(Some(Ok(_))) | Err(_) => {}
        }
    }
}

/// What the writers write: plain keys on a plain document, or check-ins in a real portal.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Load {
    Plain,
    /// A portal; `judged` false gives the same document another `kind`, so the relay's guard
    /// does not apply the portal's permission table to it.
    Portal {
        judged: bool,
    },
}

impl Load {
    fn initial(self) -> Automerge {
        match self {
            Load::Plain => {
                let mut initial = Automerge::new();
                let _ = initial.transact::<_, _, automerge::AutomergeError>(|tx| {
                    tx.put(ROOT, "title", "bench portal")?;
                    Ok(())
                });
                initial
            }
            Load::Portal { judged } => {
                let portal = threshold_model::portal::new_portal_doc("Bench client", "Welcome")
                    .expect("a portal");
                if judged {
                    return portal;
                }
                // The same document under another kind, written fresh: `kind` never changes in
                // a document's history (the relay's shape rules refuse that).
                let mut copy = Automerge::new();
                let _ = copy.transact::<_, _, automerge::AutomergeError>(|tx| {
                    copy_map(&portal, &ROOT, tx, &ROOT)?;
                    tx.put(ROOT, "kind", "bench-unjudged")?;
                    Ok(())
                });
                copy
            }
        }
    }

    /// One change: a stamped key, or this writer's check-in (added once, then its body edited).
    fn write(
        self,
        doc: &mut Automerge,
        key: &str,
        stamp: u64,
        seq: u64,
        checkin: &mut Option<automerge::ObjId>,
    ) {
        let body = format!("{key} {stamp}");
        let _ = doc.transact::<_, _, threshold_model::doc::ModelError>(|tx| {
            match (self, checkin.as_ref()) {
                (Load::Plain, _) => {
                    tx.put(ROOT, key, stamp.to_string())?;
                    tx.put(ROOT, "seq", seq)?;
                }
                (Load::Portal { .. }, None) => {
                    let id = threshold_model::portal::add_checkin(
                        tx,
                        key,
                        threshold_model::portal::Assignee::Client,
                        &body,
                        chrono::Utc::now(),
                    )?;
                    let checkins = tx.get(ROOT, "checkins")?.map(|(_, obj)| obj);
                    *checkin = checkins
                        .and_then(|c| tx.get(&c, id.as_str()).ok().flatten())
                        .map(|(_, obj)| obj);
                }
                (Load::Portal { .. }, Some(obj)) => tx.put(obj, "body", body)?,
            }
            Ok(())
        });
    }

    /// Every writer's latest stamp in the document, by its key.
    fn stamps(self, doc: &Automerge) -> Vec<(String, u64)> {
        let parse = |text: &str| text.trim_matches('"').parse::<u64>().ok();
        match self {
            Load::Plain => doc
                .keys(ROOT)
                .filter(|k| k.starts_with("w-"))
                .filter_map(|k| {
                    let (value, _) = doc.get(ROOT, k.as_str()).ok().flatten()?;
                    Some((k, parse(&value.to_string())?))
                })
                .collect(),
            Load::Portal { .. } => threshold_model::portal::read_checkins(doc)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| {
                    let (key, stamp) = c.body.split_once(' ')?;
                    Some((key.to_owned(), parse(stamp)?))
                })
                .collect(),
        }
    }
}

/// `BENCH_LOAD=portal`: our relay with the permission table judging every client change, and
/// without it (the same portals under another `kind`), side by side.
fn portal_load(runtime: &tokio::runtime::Runtime, clients: &[usize], seconds: u64, ours_bin: &str) {
    println!(
        "relay load, portal-shaped: {seconds} s per run; half solo, half in groups of 2-5; each group a provider and client contacts editing check-ins"
    );
    let mut rows = Vec::new();
    for &n in clients {
        let ours = |judged| {
            runtime.block_on(run(
                RelayKind::Ours(ours_bin.to_owned()),
                n,
                seconds,
                Load::Portal { judged },
            ))
        };
        let unjudged = ours(false);
        print_result("table off", n, &unjudged);
        let judged = ours(true);
        print_result("table on", n, &judged);
        rows.push((n, judged, unjudged));
    }
    println!();
    println!("| clients | relay | find p50 / p99 | edit→remote p50 / p99 | changes/s | relay CPU per change | peak RSS | failed / never found |");
    println!("|---|---|---|---|---|---|---|---|");
    for (n, judged, unjudged) in &rows {
        println!("{}", unjudged.row(*n, "table off (other kind)"));
        println!("{}", judged.row(*n, "table on (portal)"));
        println!(
            "| {n} | **on/off** | {} / {} | {} / {} | **{:.2}×** | **{:.2}×** | **{:.2}×** | |",
            ratio(judged.find.p(0.5), unjudged.find.p(0.5)),
            ratio(judged.find.p(0.99), unjudged.find.p(0.99)),
            ratio(judged.visible.p(0.5), unjudged.visible.p(0.5)),
            ratio(judged.visible.p(0.99), unjudged.visible.p(0.99)),
            judged.changes_per_sec / unjudged.changes_per_sec.max(f64::MIN_POSITIVE),
            judged.cpu_ms_per_change / unjudged.cpu_ms_per_change.max(f64::MIN_POSITIVE),
            judged.peak_rss_kb as f64 / unjudged.peak_rss_kb.max(1) as f64,
        );
    }
}

/// Copy the map `from` of `source` into the map `to`: nested maps, text and scalars (all a new
/// portal holds).
fn copy_map(
    source: &Automerge,
    from: &automerge::ObjId,
    tx: &mut automerge::transaction::Transaction<'_>,
    to: &automerge::ObjId,
) -> Result<(), automerge::AutomergeError> {
    use automerge::{ObjType, Value};
    for key in source.keys(from) {
        let Some((value, id)) = source.get(from, key.as_str())? else {
            continue;
        };
        match value {
            Value::Object(ObjType::Text) => {
                let text = tx.put_object(to, key.as_str(), ObjType::Text)?;
                tx.splice_text(&text, 0, 0, &source.text(&id)?)?;
            }
            Value::Object(_) => {
                let map = tx.put_object(to, key.as_str(), ObjType::Map)?;
                copy_map(source, &id, tx, &map)?;
            }
            Value::Scalar(scalar) => tx.put(to, key.as_str(), scalar.into_owned())?,
        }
    }
    Ok(())
}

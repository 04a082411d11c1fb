//! What the relay benchmarks share: starting a relay (ours or the stock one) in a temp dir,
//! reading its CPU time and peak memory, minting tokens, and the protocol client that writes to
//! a document and times how soon it sees other writers' changes.

#![allow(dead_code)] // Each benchmark uses a different part.

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

pub fn ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.1} ms"))
}

pub enum RelayKind {
    Ours(String),
    Stock(String),
}

pub struct Relay {
    pub child: Child,
    pub port: u16,
    pub owner: Option<String>,
    _data: tempfile::TempDir,
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Start a relay in a fresh temp dir; `extra` are more arguments to ours (`serve` flags).
pub fn start(kind: &RelayKind, extra: &[&str]) -> Relay {
    let data = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    match kind {
        RelayKind::Ours(bin) => {
            let mut child = Command::new(bin)
                .args(["serve", "--port", &port.to_string()])
                .args(extra)
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
pub fn cpu_seconds(pid: u32) -> f64 {
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
pub fn peak_rss_kb(pid: u32) -> u64 {
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
pub struct Samples(pub Vec<f64>);

impl Samples {
    pub fn p(&self, q: f64) -> Option<f64> {
        if self.0.is_empty() {
            return None;
        }
        let mut sorted = self.0.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        let index = ((q * sorted.len() as f64).floor() as usize).min(sorted.len() - 1);
        Some(sorted[index])
    }
}

pub enum Outcome {
    Ran,
    NeverFound,
    Failed,
}

pub async fn mint(port: u16, owner: &str, portal: DocumentId, provider: bool) -> String {
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
pub struct TcpHttp {
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

pub struct Shared {
    pub stop: AtomicBool,
    pub acked: AtomicU64,
    pub find: Mutex<Samples>,
    pub visible: Mutex<Samples>,
    /// Edit-to-remote latency between peers on different relays (several relays on one
    /// database): a client's name ends in `@<relay>` there; `visible` then holds same-relay pairs.
    pub visible_cross: Mutex<Samples>,
    pub started: Instant,
}

impl Shared {
    pub fn new() -> Self {
        Self {
            stop: AtomicBool::new(false),
            acked: AtomicU64::new(0),
            find: Mutex::new(Samples::default()),
            visible: Mutex::new(Samples::default()),
            visible_cross: Mutex::new(Samples::default()),
            started: Instant::now(),
        }
    }
}

/// The relay a client's name places it on (`bench-7@2`), if any.
fn relay_tag(name: &str) -> Option<&str> {
    name.rsplit_once('@').map(|(_, relay)| relay)
}

/// One protocol client: creates (or finds) its document, then writes in a closed loop: each
/// change once the relay acknowledged the last, and no sooner than `pace` after it (zero: at
/// once, as fast as the relay goes; a person's pace is a change every second or so).
pub async fn client(
    url: String,
    name: String,
    doc: DocumentId,
    creator: bool,
    load: Load,
    pace: Duration,
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
    let mut last_write: Option<Instant> = None;
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
                        seen.insert(key.clone(), stamp);
                        let now = shared.started.elapsed().as_micros() as u64;
                        let latency = now.saturating_sub(stamp) as f64 / 1000.0;
                        if !shared.stop.load(Ordering::Relaxed) {
                            let writer = key.strip_prefix("w-").unwrap_or(&key);
                            let samples = if relay_tag(writer) == relay_tag(&name) {
                                &shared.visible
                            } else {
                                &shared.visible_cross
                            };
                            samples.lock().expect("lock").0.push(latency);
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
            if acknowledged && pending.take().is_some() {
                shared.acked.fetch_add(1, Ordering::Relaxed);
            }
            if acknowledged && last_write.is_none_or(|t| t.elapsed() >= pace) {
                seq += 1;
                let stamp = shared.started.elapsed().as_micros() as u64;
                let key = format!("w-{name}");
                engine.change(doc, |d| load.write(d, &key, stamp, seq, &mut checkin));
                let heads = engine.doc(&doc).map(|d| d.get_heads()).unwrap_or_default();
                pending = Some((seq, heads));
                last_write = Some(Instant::now());
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
        // Wake for the next paced change, or at the latest to check whether to stop.
        let wait = match (&pending, last_write) {
            (None, Some(t)) => pace.saturating_sub(t.elapsed()),
            _ => Duration::from_millis(200),
        }
        .clamp(Duration::from_millis(1), Duration::from_millis(200));
        match tokio::time::timeout(wait, stream.next()).await {
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
pub enum Load {
    Plain,
    /// A portal; `judged` false gives the same document another `kind`, so the relay's guard
    /// does not apply the portal's permission table to it.
    Portal {
        judged: bool,
    },
}

impl Load {
    pub fn initial(self) -> Automerge {
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
    pub fn write(
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
    pub fn stamps(self, doc: &Automerge) -> Vec<(String, u64)> {
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

/// Copy the map `from` of `source` into the map `to`: nested maps, text and scalars (all a new
/// portal holds).
pub fn copy_map(
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

/// Flood limits out of the way: a benchmark measures what a change costs, not the limits. A
/// closed-loop writer in a busy group sends more than an honest person's messages per second,
/// the setup mints a token per client through the API at once, and a thousand clients are more
/// sockets than one business needs.
pub const UNLIMITED: [&str; 12] = [
    "--rate-per-second",
    "1000000",
    "--rate-burst",
    "1000000",
    "--http-rate-per-second",
    "1000000",
    "--http-rate-burst",
    "1000000",
    "--max-sockets",
    "100000",
    "--max-sockets-per-token",
    "100000",
];

/// Split `n` clients: half alone, the rest in groups of 2-5 (sizes cycle deterministically).
pub fn groups(n: usize) -> Vec<usize> {
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

/// Wait for the clients after `stop`: how many failed, and how many never found their document.
pub async fn tally(tasks: Vec<tokio::task::JoinHandle<Outcome>>) -> (usize, usize) {
    let (mut failed, mut not_found) = (0, 0);
    for task in tasks {
        match tokio::time::timeout(Duration::from_secs(5), task).await {
            Ok(Ok(Outcome::Ran)) => {}
            Ok(Ok(Outcome::NeverFound)) => not_found += 1,
            _ => failed += 1,
        }
    }
    (failed, not_found)
}

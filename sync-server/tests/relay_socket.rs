//! The relay as a real process on loopback, driven by protocol clients over real WebSockets.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use threshold_protocol::automerge::transaction::Transactable;
use threshold_protocol::automerge::{self, Automerge, ReadDoc, ROOT};
use threshold_protocol::{ConnId, DocumentId, Effect, Engine, EngineConfig, Message, PeerId};
use tokio_tungstenite::tungstenite::Message as WsMessage;

struct Relay {
    child: Child,
    port: u16,
}

impl Relay {
    fn start(data_dir: &Path, static_dir: Option<&Path>) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sync-server"));
        command
            .args(["serve", "--port", "0", "--data-dir"])
            .arg(data_dir)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(dir) = static_dir {
            command.arg("--static-dir").arg(dir);
        }
        let mut child = command.spawn().expect("relay starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("relay prints its address");
        let port = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        Self { child, port }
    }

    fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/sync", self.port)
    }

    fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        self.child.wait().expect("reaped")
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A client engine wired to one WebSocket, with no storage of its own.
struct Client {
    engine: Engine,
    ws: Ws,
}

impl Client {
    async fn connect(relay: &Relay, name: &str) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(relay.url())
            .await
            .expect("connects");
        let mut engine = Engine::new(EngineConfig::client(PeerId::random(name), name.into()));
        engine.connect(ConnId(0));
        let mut client = Self { engine, ws };
        client.flush().await;
        assert!(
            client
                .pump_until(|e| e.connected_peers().count() == 1)
                .await,
            "handshake completes"
        );
        client
    }

    async fn flush(&mut self) {
        loop {
            let effects = self.engine.take_effects();
            if effects.is_empty() {
                return;
            }
            for effect in effects {
                match effect {
                    Effect::Send { frame, .. } => {
                        self.ws
                            .send(WsMessage::Binary(frame.into()))
                            .await
                            .expect("sends");
                    }
                    Effect::Load { doc } => self.engine.loaded(doc, Default::default()),
                    _ => {}
                }
            }
        }
    }

    /// Exchange frames until `done` holds or five seconds pass.
    async fn pump_until(&mut self, done: impl Fn(&Engine) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            self.flush().await;
            if done(&self.engine) {
                return true;
            }
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Ok(Some(Ok(WsMessage::Binary(frame)))) => self.engine.receive(ConnId(0), &frame),
                Ok(Some(Ok(_))) => {}
                _ => return false,
            }
        }
    }

    /// Open a document and wait until its content has arrived.
    async fn fetch(&mut self, id: DocumentId) -> bool {
        self.engine.open(id);
        self.pump_until(|e| e.has_content(&id)).await
    }

    fn title(&self, id: &DocumentId) -> Option<String> {
        let doc = self.engine.doc(id)?;
        let (value, _) = doc.get(ROOT, "title").ok()??;
        value.into_scalar().ok()?.into_string().ok()
    }

    fn set_title(&mut self, id: DocumentId, title: &str) {
        self.engine.change(id, |doc| {
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put(ROOT, "title", title)?;
                Ok(())
            })
            .expect("commits");
        });
    }
}

fn titled(title: &str) -> Automerge {
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "title", title)?;
        Ok(())
    })
    .expect("commits");
    doc
}

#[tokio::test]
async fn two_clients_sync_a_document_through_the_relay() {
    let data = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(data.path(), None);
    let mut a = Client::connect(&relay, "a").await;
    let mut b = Client::connect(&relay, "b").await;
    let id = DocumentId::random();
    a.engine.create(id, titled("from a"));
    assert!(a.pump_until(|e| e.is_doc_synced(&id)).await);
    assert!(b.fetch(id).await);
    assert_eq!(b.title(&id).as_deref(), Some("from a"));
    b.set_title(id, "edited by b");
    assert!(b.pump_until(|e| e.is_doc_synced(&id)).await);
    let seen = a.pump_until(|e| {
        e.doc(&id)
            .and_then(|d| d.get(ROOT, "title").ok().flatten())
            .is_some_and(|(v, _)| v.to_string().contains("edited by b"))
    });
    assert!(seen.await, "a sees b's edit live");
}

#[tokio::test]
async fn find_right_after_create_on_another_client_succeeds() {
    let data = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(data.path(), None);
    let mut a = Client::connect(&relay, "a").await;
    let mut b = Client::connect(&relay, "b").await;
    let id = DocumentId::random();
    // B asks first; A's document exists only on A when the request reaches the relay.
    b.engine.open(id);
    b.flush().await;
    a.engine.create(id, titled("just made"));
    let a_task = tokio::spawn(async move {
        a.pump_until(|e| e.is_doc_synced(&id)).await;
        a
    });
    assert!(b.pump_until(|e| e.has_content(&id)).await);
    assert_eq!(b.title(&id).as_deref(), Some("just made"));
    let _ = a_task.await;
}

#[tokio::test]
async fn an_unknown_document_is_answered_unavailable() {
    let data = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(data.path(), None);
    let mut b = Client::connect(&relay, "b").await;
    let id = DocumentId::random();
    b.engine.open(id);
    b.flush().await;
    let mut unavailable = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !unavailable {
        let Ok(Some(Ok(WsMessage::Binary(frame)))) =
            tokio::time::timeout_at(deadline, b.ws.next()).await
        else {
            break;
        };
        unavailable = matches!(Message::decode(&frame), Ok(Message::DocUnavailable { document_id, .. }) if document_id == id);
    }
    assert!(unavailable, "the relay says doc-unavailable");
}

#[tokio::test]
async fn what_a_client_saw_synced_survives_sigkill_and_restart() {
    let data = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(data.path(), None);
    let mut a = Client::connect(&relay, "a").await;
    let id = DocumentId::random();
    a.engine.create(id, titled("v0"));
    for n in 1..=150 {
        a.set_title(id, &format!("v{n}"));
        a.flush().await;
    }
    assert!(a.pump_until(|e| e.is_doc_synced(&id)).await);
    relay.kill();
    let relay = Relay::start(data.path(), None);
    let mut b = Client::connect(&relay, "b").await;
    assert!(b.fetch(id).await);
    assert_eq!(b.title(&id).as_deref(), Some("v150"));
    // Compaction kept the chunk files bounded.
    let files = std::fs::read_dir(data.path().join("docs").join(id.to_string()))
        .expect("doc dir")
        .count();
    assert!(files <= 65, "{files} chunk files");
}

#[tokio::test]
async fn sigterm_shuts_down_cleanly_and_keeps_data() {
    let data = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(data.path(), None);
    let mut a = Client::connect(&relay, "a").await;
    let id = DocumentId::random();
    a.engine.create(id, titled("kept"));
    assert!(a.pump_until(|e| e.is_doc_synced(&id)).await);
    let status = relay.terminate();
    assert!(status.success(), "graceful exit, got {status}");
    let relay = Relay::start(data.path(), None);
    let mut b = Client::connect(&relay, "b").await;
    assert!(b.fetch(id).await);
    assert_eq!(b.title(&id).as_deref(), Some("kept"));
}

#[tokio::test]
async fn malformed_frames_get_an_error_and_a_close() {
    let data = tempfile::tempdir().expect("temp dir");
    let relay = Relay::start(data.path(), None);
    let (mut ws, _) = tokio_tungstenite::connect_async(relay.url())
        .await
        .expect("connects");
    ws.send(WsMessage::Binary(vec![0xff, 0x00, 0x13].into()))
        .await
        .expect("sends");
    let mut got_error = false;
    let mut closed = false;
    while let Ok(Some(Ok(message))) = tokio::time::timeout(Duration::from_secs(5), ws.next()).await
    {
        match message {
            WsMessage::Binary(frame) => {
                got_error |= matches!(Message::decode(&frame), Ok(Message::Error { message, .. }) if message.contains("malformed"));
            }
            WsMessage::Close(_) => {
                closed = true;
                break;
            }
            _ => {}
        }
    }
    assert!(got_error && closed, "error={got_error} closed={closed}");
    // The relay is still serving others.
    let mut a = Client::connect(&relay, "a").await;
    let id = DocumentId::random();
    a.engine.create(id, titled("still fine"));
    assert!(a.pump_until(|e| e.is_doc_synced(&id)).await);
}

fn http_get(port: u16, path: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    response
}

#[tokio::test]
async fn serves_health_the_app_and_deep_links() {
    let data = tempfile::tempdir().expect("temp dir");
    let site = tempfile::tempdir().expect("temp dir");
    std::fs::write(site.path().join("index.html"), "<title>Threshold</title>").expect("writes");
    std::fs::write(site.path().join("app.js"), "console.log(1)").expect("writes");
    let relay = Relay::start(data.path(), Some(site.path()));
    assert!(http_get(relay.port, "/healthz").ends_with("ok"));
    assert!(http_get(relay.port, "/app.js").contains("console.log(1)"));
    let deep = http_get(relay.port, "/portal/some/deep/link");
    assert!(deep.starts_with("HTTP/1.1 200"), "{deep}");
    assert!(deep.contains("<title>Threshold</title>"));
    std::fs::write(site.path().join("sw.js"), "// v1").expect("writes");
    let sw = http_get(relay.port, "/sw.js");
    assert!(
        sw.to_ascii_lowercase().contains("cache-control: no-cache"),
        "{sw}"
    );
    assert!(sw.ends_with("// v1"));
    // A new build is visible at once, even within the same second.
    std::fs::write(site.path().join("sw.js"), "// v2").expect("writes");
    assert!(http_get(relay.port, "/sw.js").ends_with("// v2"));
}

//! Shared by the relay tests: the relay as a real process on loopback, protocol clients over
//! real WebSockets, tokens minted with the real command line, and raw HTTP.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use threshold_protocol::automerge::transaction::Transactable;
use threshold_protocol::automerge::{self, Automerge, ReadDoc, ROOT};
use threshold_protocol::{ConnId, DocumentId, Effect, Engine, EngineConfig, Message, PeerId};
use tokio_tungstenite::tungstenite::Message as WsMessage;

pub struct Relay {
    pub child: Child,
    pub port: u16,
    pub data_dir: PathBuf,
    /// The owner token printed at first start (or minted for a restart on an existing dir).
    pub owner: String,
    /// What it was started with besides its data dir, to start it again the same way.
    static_dir: Option<PathBuf>,
    extra: Vec<String>,
    /// The data dir of a `fresh` relay, removed once the relay is dropped (after the child is
    /// killed, as `Drop for Relay` runs before the fields are dropped).
    scratch: Option<tempfile::TempDir>,
}

pub const RELAY_BIN: &str = env!("CARGO_BIN_EXE_sync-server");

impl Relay {
    /// A relay on a data dir of its own, serving no app: the usual start of a socket test.
    pub fn fresh() -> Self {
        Self::fresh_with(&[])
    }

    /// `fresh` with extra `serve` arguments (limits and the like).
    pub fn fresh_with(extra: &[&str]) -> Self {
        let scratch = tempfile::tempdir().expect("temp dir");
        let mut relay = Self::start_with(scratch.path(), None, extra);
        relay.scratch = Some(scratch);
        relay
    }

    pub fn start(data_dir: &Path, static_dir: Option<&Path>) -> Self {
        Self::start_with(data_dir, static_dir, &[])
    }

    /// Start again on the same data dir with the same arguments, after `kill` or `terminate`,
    /// as an operator would after a crash or a deploy. The port and owner token are new.
    pub fn restart(&mut self) {
        let extra: Vec<&str> = self.extra.iter().map(String::as_str).collect();
        let mut next = Self::start_with(&self.data_dir, self.static_dir.as_deref(), &extra);
        next.scratch = self.scratch.take();
        *self = next;
    }

    pub fn start_with(data_dir: &Path, static_dir: Option<&Path>, extra: &[&str]) -> Self {
        // On a restart no owner link is printed: mint an owner token before the relay reads
        // its access file.
        let owner = data_dir
            .join("access.json")
            .exists()
            .then(|| mint_in(data_dir, &["--role", "owner"]).1);
        let mut command = Command::new(RELAY_BIN);
        command
            .args(["serve", "--port", "0", "--data-dir"])
            .arg(data_dir)
            .args(extra)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(dir) = static_dir {
            command.arg("--static-dir").arg(dir);
        }
        let mut relay = Self::from_child(command.spawn().expect("relay starts"), data_dir, owner);
        relay.static_dir = static_dir.map(Path::to_owned);
        relay.extra = extra.iter().map(|a| a.to_string()).collect();
        relay
    }

    /// Read the relay's first lines: the owner link on a first start, then its address.
    pub fn from_child(mut child: Child, data_dir: &Path, owner: Option<String>) -> Self {
        let stdout = child.stdout.take().expect("stdout piped");
        let mut reader = BufReader::new(stdout);
        let mut owner = owner;
        let port = loop {
            let mut line = String::new();
            let read = reader
                .read_line(&mut line)
                .expect("relay prints its address");
            assert!(read > 0, "relay exited before listening");
            if let Some((_, token)) = line.trim().split_once("#/join/") {
                owner = Some(token.to_owned());
            }
            if line.contains("listening on http://") {
                break line
                    .trim()
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| panic!("unexpected line: {line:?}"));
            }
        };
        let owner = owner.expect("a first start prints the owner link");
        Self {
            child,
            port,
            data_dir: data_dir.to_owned(),
            owner,
            static_dir: None,
            extra: Vec::new(),
            scratch: None,
        }
    }

    pub fn url(&self) -> String {
        self.url_with(&self.owner)
    }

    pub fn url_with(&self, token: &str) -> String {
        format!("ws://127.0.0.1:{}/sync?token={token}", self.port)
    }

    /// `GET path` as `token`: `(status, head, body)`.
    pub fn get(&self, path: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
        request(self.port, "GET", path, token, &[], b"")
    }

    /// `GET path` as `token` for one byte range (`bytes=…`, as the Range header writes it).
    pub fn get_range(
        &self,
        path: &str,
        token: Option<&str>,
        range: &str,
    ) -> (u16, String, Vec<u8>) {
        request(self.port, "GET", path, token, &[("Range", range)], b"")
    }

    /// `PUT path` with `body` as `token`: `(status, head, body)`.
    pub fn put(&self, path: &str, token: Option<&str>, body: &[u8]) -> (u16, String, Vec<u8>) {
        request(self.port, "PUT", path, token, &[], body)
    }

    /// Mint a token with the real command line, against the live data dir: `(id, secret)`.
    pub fn mint(&self, args: &[&str]) -> (String, String) {
        mint_in(&self.data_dir, args)
    }

    pub fn mint_client(&self, portal: DocumentId, read_only: bool) -> (String, String) {
        let portal = portal.to_string();
        let mut args = vec![
            "--role",
            "client",
            "--portal",
            portal.as_str(),
            "--name",
            "Client",
        ];
        if read_only {
            args.push("--read-only");
        }
        self.mint(&args)
    }

    /// Revoke with the real command line, as an operator would while the relay runs.
    pub fn revoke(&self, id: &str) {
        let status = Command::new(RELAY_BIN)
            .args(["token", "revoke", "--data-dir"])
            .arg(&self.data_dir)
            .arg(id)
            .stdout(Stdio::null())
            .status()
            .expect("token revoke runs");
        assert!(status.success());
    }

    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        self.child.wait().expect("reaped")
    }
}

pub fn mint_in(data_dir: &Path, args: &[&str]) -> (String, String) {
    let output = Command::new(RELAY_BIN)
        .args(["token", "create", "--json", "--data-dir"])
        .arg(data_dir)
        .args(args)
        .output()
        .expect("token create runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    (
        json["id"].as_str().expect("id").to_owned(),
        json["token"].as_str().expect("token").to_owned(),
    )
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A client engine wired to one WebSocket, with no storage of its own.
pub struct Client {
    pub engine: Engine,
    pub ws: Ws,
    /// The close frame the relay sent, once it has.
    pub closed: Option<(u16, String)>,
    /// `error` messages the relay sent.
    pub errors: Vec<String>,
}

impl Client {
    pub async fn connect(relay: &Relay, name: &str) -> Self {
        Self::connect_as(relay, name, &relay.owner).await
    }

    /// Two owner clients, "a" and "b": the usual pair of devices syncing through the relay.
    pub async fn pair(relay: &Relay) -> (Self, Self) {
        (
            Self::connect(relay, "a").await,
            Self::connect(relay, "b").await,
        )
    }

    pub async fn connect_as(relay: &Relay, name: &str, token: &str) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(relay.url_with(token))
            .await
            .expect("connects");
        let mut engine = Engine::new(EngineConfig::client(PeerId::random(name), name.into()));
        engine.connect(ConnId(0));
        let mut client = Self {
            engine,
            ws,
            closed: None,
            errors: Vec::new(),
        };
        client.flush().await;
        assert!(
            client
                .pump_until(|e| e.connected_peers().count() == 1)
                .await,
            "handshake completes"
        );
        client
    }

    pub async fn flush(&mut self) {
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
    pub async fn pump_until(&mut self, done: impl Fn(&Engine) -> bool) -> bool {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            self.flush().await;
            if done(&self.engine) {
                return true;
            }
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Ok(Some(Ok(WsMessage::Binary(frame)))) => {
                    if let Ok(Message::Error { message, .. }) = Message::decode(&frame) {
                        self.errors.push(message);
                    }
                    self.engine.receive(ConnId(0), &frame);
                }
                Ok(Some(Ok(WsMessage::Close(frame)))) => {
                    self.closed = Some(frame.map_or((1005, String::new()), |f| {
                        (f.code.into(), f.reason.to_string())
                    }));
                    return done(&self.engine);
                }
                Ok(Some(Ok(_))) => {}
                _ => return false,
            }
        }
    }

    /// Open a document and wait until its content has arrived.
    pub async fn fetch(&mut self, id: DocumentId) -> bool {
        self.engine.open(id);
        self.pump_until(|e| e.has_content(&id)).await
    }

    pub fn title(&self, id: &DocumentId) -> Option<String> {
        let doc = self.engine.doc(id)?;
        let (value, _) = doc.get(ROOT, "title").ok()??;
        value.into_scalar().ok()?.into_string().ok()
    }

    pub fn set_title(&mut self, id: DocumentId, title: &str) {
        self.engine.change(id, |doc| {
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put(ROOT, "title", title)?;
                Ok(())
            })
            .expect("commits");
        });
    }
}

pub fn titled(title: &str) -> Automerge {
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "title", title)?;
        Ok(())
    })
    .expect("commits");
    doc
}

/// One raw HTTP request over a fresh socket, written by hand so a test controls every byte (and
/// can cut it off): `(status, head, body)`.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("writes head");
    stream.write_all(body).expect("writes body");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("reads");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, head, response[split + 4..].to_vec())
}

/// A GET with no token: the whole response, head and body, as text.
pub fn http_get(port: u16, path: &str) -> String {
    let (_, head, body) = request(port, "GET", path, None, &[], b"");
    format!("{head}\r\n\r\n{}", String::from_utf8_lossy(&body))
}

/// One JSON API call: `(status, head, body)`.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, String, String) {
    let json = [("Content-Type", "application/json")];
    let body = body.unwrap_or("").as_bytes();
    let (status, head, body) = request(port, method, path, token, &json, body);
    let body = String::from_utf8_lossy(&body);
    // Chunked bodies carry size lines; the JSON we read is small and in one chunk.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body.split("\r\n").nth(1).unwrap_or("").to_owned()
    } else {
        body.into_owned()
    };
    (status, head, body)
}

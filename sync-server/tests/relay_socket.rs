//! The relay as a real process on loopback, driven by protocol clients over real WebSockets.

mod common;

use std::time::Duration;

use common::*;
use futures_util::{SinkExt, StreamExt};
use threshold_protocol::automerge::ReadDoc;
use threshold_protocol::automerge::ROOT;
use threshold_protocol::{DocumentId, Message};
use tokio_tungstenite::tungstenite::Message as WsMessage;

#[tokio::test]
async fn two_clients_sync_a_document_through_the_relay() {
    let relay = Relay::fresh();
    let (mut a, mut b) = Client::pair(&relay).await;
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
    let relay = Relay::fresh();
    let (mut a, mut b) = Client::pair(&relay).await;
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
    let relay = Relay::fresh();
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
    let mut relay = Relay::fresh();
    let mut a = Client::connect(&relay, "a").await;
    let id = DocumentId::random();
    a.engine.create(id, titled("v0"));
    for n in 1..=150 {
        a.set_title(id, &format!("v{n}"));
        a.flush().await;
    }
    assert!(a.pump_until(|e| e.is_doc_synced(&id)).await);
    relay.kill();
    relay.restart();
    let mut b = Client::connect(&relay, "b").await;
    assert!(b.fetch(id).await);
    assert_eq!(b.title(&id).as_deref(), Some("v150"));
    // Compaction kept the chunk files bounded.
    let files = std::fs::read_dir(relay.data_dir.join("docs").join(id.to_string()))
        .expect("doc dir")
        .count();
    assert!(files <= 65, "{files} chunk files");
}

#[tokio::test]
async fn sigterm_shuts_down_cleanly_and_keeps_data() {
    let mut relay = Relay::fresh();
    let mut a = Client::connect(&relay, "a").await;
    let id = DocumentId::random();
    a.engine.create(id, titled("kept"));
    assert!(a.pump_until(|e| e.is_doc_synced(&id)).await);
    let status = relay.terminate();
    assert!(status.success(), "graceful exit, got {status}");
    relay.restart();
    let mut b = Client::connect(&relay, "b").await;
    assert!(b.fetch(id).await);
    assert_eq!(b.title(&id).as_deref(), Some("kept"));
}

#[tokio::test]
async fn malformed_frames_get_an_error_and_a_close() {
    let relay = Relay::fresh();
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

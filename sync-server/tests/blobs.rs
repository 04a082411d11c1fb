//! The blob store over real sockets: upload, range download, hash mismatch, size limit,
//! unauthorized reads and writes, and an upload cut off by SIGKILL.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::{Client, Relay};
use sha2::{Digest, Sha256};
use threshold_model::doc::edit;
use threshold_model::portal::{add_file, new_portal_doc, Attachment, FileSpec};
use threshold_protocol::DocumentId;

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// A portal on the relay that refers to `hashes`, created by the provider over `/sync`.
async fn portal_referring_to(relay: &Relay, hashes: &[&str]) -> DocumentId {
    let mut provider = Client::connect(relay, "provider").await;
    let mut doc = new_portal_doc("Acme", "").expect("portal");
    for hash in hashes {
        let spec = FileSpec {
            hash: (*hash).into(),
            name: "NDA.pdf".into(),
            size: 3,
            mime: "application/pdf".into(),
        };
        edit(&mut doc, |tx| {
            add_file(tx, &spec, &Attachment::Portal, "Sam", chrono::Utc::now())
        })
        .expect("file");
    }
    let id = DocumentId::random();
    provider.engine.create(id, doc);
    assert!(
        provider.pump_until(|e| e.is_doc_synced(&id)).await,
        "the relay has the portal"
    );
    id
}

#[tokio::test]
async fn a_provider_uploads_and_a_client_of_the_portal_downloads_whole_and_in_ranges() {
    let relay = Relay::fresh();
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let hash = sha(&content);
    let portal = portal_referring_to(&relay, &[&hash]).await;
    let (_, client) = relay.mint_client(portal, false);

    let path = format!("/blobs/{hash}");
    let (status, _, _) = relay.put(&path, Some(&relay.owner), &content);
    assert_eq!(status, 201);
    let (again, _, _) = relay.put(&path, Some(&relay.owner), &content);
    assert_eq!(again, 200, "the same content again is already there");
    assert!(
        relay
            .data_dir
            .join("blobs")
            .join(&hash[..2])
            .join(&hash)
            .is_file(),
        "stored under its hash"
    );

    let query = format!("{path}?name=Signed%20NDA.pdf&type=application/pdf");
    let (status, head, body) = relay.get(&query, Some(&client));
    assert_eq!(status, 200);
    assert_eq!(body, content);
    assert_eq!(header(&head, "content-type"), Some("application/pdf"));
    assert_eq!(
        header(&head, "content-disposition"),
        Some("inline; filename=\"Signed NDA.pdf\"; filename*=UTF-8''Signed%20NDA.pdf")
    );
    assert_eq!(header(&head, "x-content-type-options"), Some("nosniff"));
    assert!(header(&head, "content-security-policy").is_some_and(|c| c.starts_with("sandbox")));

    let (status, head, body) = relay.get_range(&path, Some(&client), "bytes=1000-1999");
    assert_eq!(status, 206);
    assert_eq!(body, &content[1000..2000]);
    assert_eq!(
        header(&head, "content-range"),
        Some(format!("bytes 1000-1999/{}", content.len()).as_str())
    );
    let (status, _, body) = relay.get_range(&path, Some(&client), "bytes=-10");
    assert_eq!(
        (status, body.as_slice()),
        (206, &content[content.len() - 10..])
    );
    let (status, _, _) = relay.get_range(&path, Some(&client), "bytes=999999-");
    assert_eq!(status, 416, "a range past the end is unsatisfiable");

    // Anything else is served as an attachment, whatever type the caller asks for.
    let (_, head, _) = relay.get(&format!("{path}?name=x.html&type=text/html"), Some(&client));
    assert_eq!(header(&head, "content-type"), Some("text/html"));
    assert!(header(&head, "content-disposition").is_some_and(|d| d.starts_with("attachment")));
}

#[tokio::test]
async fn a_mismatched_hash_is_400_and_too_large_is_413_and_neither_leaves_anything() {
    let relay = Relay::fresh_with(&["--max-blob-bytes", "1000"]);
    let content = b"the real content".to_vec();
    let wrong = sha(b"something else");
    let (status, _, body) = relay.put(&format!("/blobs/{wrong}"), Some(&relay.owner), &content);
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body)
        .contains(&format!("the content's SHA-256 is {}", sha(&content))));

    let big = vec![7u8; 1001];
    let (status, _, body) = relay.put(&format!("/blobs/{}", sha(&big)), Some(&relay.owner), &big);
    assert_eq!(status, 413);
    assert!(
        String::from_utf8_lossy(&body).contains("files up to 1000 bytes can be shared here"),
        "{}",
        String::from_utf8_lossy(&body)
    );

    let (status, _, _) = relay.put("/blobs/NOT-A-HASH", Some(&relay.owner), &content);
    assert_eq!(status, 400);
    let stored: Vec<_> = walk(&relay.data_dir.join("blobs"));
    assert!(
        stored.is_empty(),
        "nothing half-written or mismatched is kept: {stored:?}"
    );
}

#[tokio::test]
async fn blobs_outside_a_clients_portal_are_404_and_read_only_clients_cannot_write() {
    let relay = Relay::fresh();
    let ours = b"ours".to_vec();
    let theirs = b"another portal's file".to_vec();
    let (ours_hash, theirs_hash) = (sha(&ours), sha(&theirs));
    let portal = portal_referring_to(&relay, &[&ours_hash]).await;
    // Another portal refers to the other blob: it exists, just not for this client.
    portal_referring_to(&relay, &[&theirs_hash]).await;
    for (bytes, hash) in [(&ours, &ours_hash), (&theirs, &theirs_hash)] {
        let (status, _, _) = relay.put(&format!("/blobs/{hash}"), Some(&relay.owner), bytes);
        assert_eq!(status, 201);
    }
    let (_, client) = relay.mint_client(portal, false);
    let (status, _, _) = relay.get(&format!("/blobs/{ours_hash}"), Some(&client));
    assert_eq!(status, 200);
    let (status, _, body) = relay.get(&format!("/blobs/{theirs_hash}"), Some(&client));
    assert_eq!(
        status, 404,
        "another portal's blob does not exist for this client"
    );
    let missing = sha(b"never uploaded");
    let (status_missing, _, body_missing) = relay.get(&format!("/blobs/{missing}"), Some(&client));
    assert_eq!(
        (status_missing, body_missing),
        (404, body),
        "no hint that it exists"
    );

    // Writing a blob the portal does not refer to is refused the same way.
    let stray = b"not in the portal".to_vec();
    let (status, _, _) = relay.put(&format!("/blobs/{}", sha(&stray)), Some(&client), &stray);
    assert_eq!(status, 404);

    let (_, reader) = relay.mint_client(portal, true);
    let (status, _, _) = relay.get(&format!("/blobs/{ours_hash}"), Some(&reader));
    assert_eq!(status, 200, "an alumni client keeps reading their files");
    let (status, _, body) = relay.put(&format!("/blobs/{ours_hash}"), Some(&reader), &ours);
    assert_eq!(status, 403);
    assert!(String::from_utf8_lossy(&body).contains("read-only"));

    let (status, _, _) = relay.get(&format!("/blobs/{ours_hash}"), None);
    assert_eq!(status, 401);
    let (id, revoked) = relay.mint_client(portal, false);
    relay.revoke(&id);
    // The command line changes the access file; the relay re-reads it within a second
    // (`watch_access_file` looks every 250 ms), as the README promises, not at once.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let status = loop {
        let (status, _, _) = relay.get(&format!("/blobs/{ours_hash}"), Some(&revoked));
        if status != 200 || std::time::Instant::now() > deadline {
            break status;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(status, 401, "a revoked token reads nothing within a second");
}

#[tokio::test]
async fn an_upload_cut_off_by_sigkill_leaves_no_blob_and_can_be_sent_again() {
    let mut relay = Relay::fresh();
    let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let hash = sha(&content);
    let path = format!("/blobs/{hash}");
    let mut stream = TcpStream::connect(("127.0.0.1", relay.port)).expect("connects");
    write!(stream, "PUT {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\n\r\n", relay.owner, content.len()).expect("head");
    stream
        .write_all(&content[..1_500_000])
        .expect("half the body");
    stream.flush().expect("flush");
    // Wait until the relay has started writing the upload, then kill it mid-write.
    let incoming = relay.data_dir.join("blobs").join(".incoming");
    for _ in 0..100 {
        if walk(&incoming)
            .iter()
            .any(|f| std::fs::metadata(f).map(|m| m.len() > 0).unwrap_or(false))
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!walk(&incoming).is_empty(), "the upload was being written");
    relay.kill();
    drop(stream);
    assert!(
        !relay
            .data_dir
            .join("blobs")
            .join(&hash[..2])
            .join(&hash)
            .exists(),
        "no partial blob under its name"
    );

    relay.restart();
    assert!(
        walk(&incoming).is_empty(),
        "the interrupted upload is cleared at start"
    );
    let (status, _, _) = relay.get(&path, Some(&relay.owner));
    assert_eq!(status, 404);
    let (status, _, _) = relay.put(&path, Some(&relay.owner), &content);
    assert_eq!(status, 201);
    let (status, _, body) = relay.get(&path, Some(&relay.owner));
    assert_eq!((status, body.len()), (200, content.len()));
    assert_eq!(sha(&body), hash);
}

/// Every file below `dir` (none if it does not exist).
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

//! The frame decoder and the relay's message handling under hostile input.
//!
//! Every frame a peer can send goes through `Message::decode` and then through the engine. This
//! test feeds both the kept corpus (`tests/corpus/`, real frames of every message type, including
//! sync payloads made by automerge) plus proptest's mutations of it and arbitrary bytes. The
//! promise: an error or a closed connection, never a panic, and well-formed peers unaffected.
//! Proptest keeps any failing case under `proptest-regressions/`, which is committed with the
//! fix.

use std::path::{Path, PathBuf};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ROOT};
use proptest::prelude::*;
use threshold_protocol::{
    ConnId, DocMessage, DocumentId, Effect, Engine, EngineConfig, Message, PeerId, PeerMetadata,
};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn corpus() -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("the corpus is kept in the repository")
        .map(|e| e.expect("readable corpus entry").path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read(p).expect("readable corpus file"))
        .collect()
}

/// Frames of every message type, as a well-behaved peer sends them.
fn seed_frames() -> Vec<(&'static str, Vec<u8>)> {
    let doc_id: DocumentId = "4NMNnkMhL8jXrdJ9jamS58PAVdXu".parse().expect("valid id");
    let mut doc = Automerge::new();
    doc.transact::<_, _, automerge::AutomergeError>(|tx| {
        tx.put(ROOT, "title", "Acme onboarding")?;
        Ok(())
    })
    .expect("commits");
    let first = doc
        .generate_sync_message(&mut sync::State::new())
        .expect("a first message")
        .encode();
    let mut state = sync::State::new();
    let _ = doc.generate_sync_message(&mut state);
    let mut peer = Automerge::new();
    let mut peer_state = sync::State::new();
    let from_peer = peer
        .generate_sync_message(&mut peer_state)
        .expect("a first message");
    doc.receive_sync_message(&mut state, from_peer)
        .expect("applies");
    let with_changes = doc
        .generate_sync_message(&mut state)
        .expect("a message carrying changes")
        .encode();
    let _ = peer.receive_sync_message(
        &mut peer_state,
        sync::Message::decode(&with_changes).expect("decodes"),
    );
    let doc_message = |data: Vec<u8>| DocMessage {
        sender_id: PeerId::new("client-1"),
        target_id: PeerId::new("relay"),
        document_id: doc_id,
        data,
    };
    vec![
        (
            "join",
            Message::Join {
                sender_id: PeerId::new("client-1"),
                peer_metadata: PeerMetadata {
                    storage_id: Some("storage-1".into()),
                    is_ephemeral: false,
                },
                supported_protocol_versions: vec!["1".into()],
            }
            .encode(),
        ),
        (
            "request",
            Message::Request(doc_message(first.clone())).encode(),
        ),
        ("sync-heads", Message::Sync(doc_message(first)).encode()),
        (
            "sync-changes",
            Message::Sync(doc_message(with_changes)).encode(),
        ),
        (
            "doc-unavailable",
            Message::DocUnavailable {
                sender_id: PeerId::new("client-1"),
                target_id: PeerId::new("relay"),
                document_id: doc_id,
            }
            .encode(),
        ),
        (
            "ephemeral",
            Message::Ephemeral {
                sender_id: PeerId::new("client-1"),
                target_id: PeerId::new("relay"),
                document_id: doc_id,
                count: 1,
                session_id: "session".into(),
                data: vec![0xa1, 0x61, 0x78, 0x01],
            }
            .encode(),
        ),
        (
            "leave",
            Message::Leave {
                sender_id: PeerId::new("client-1"),
            }
            .encode(),
        ),
    ]
}

/// Rewrites the corpus seeds: `cargo test -p threshold-protocol --test decoder_fuzz -- --ignored`.
#[test]
#[ignore = "writes the corpus; run by hand when the seeds change"]
fn regenerate_corpus() {
    let dir = corpus_dir();
    std::fs::create_dir_all(&dir).expect("corpus dir");
    for (name, frame) in seed_frames() {
        std::fs::write(dir.join(format!("{name}.cbor")), frame).expect("write seed");
    }
}

/// A relay engine with one connection that has completed its handshake.
fn relay_with_peer() -> (Engine, ConnId) {
    let mut engine = Engine::new(EngineConfig::relay(PeerId::new("relay"), "store".into()));
    let conn = ConnId(1);
    engine.connect(conn);
    let join = &seed_frames()[0].1;
    engine.receive(conn, join);
    drive(&mut engine);
    (engine, conn)
}

/// Answer loads with empty storage until the engine is quiet, as a shell would.
fn drive(engine: &mut Engine) -> Vec<Effect> {
    let mut all = Vec::new();
    loop {
        let effects = engine.take_effects();
        if effects.is_empty() {
            return all;
        }
        for effect in &effects {
            if let Effect::Load { doc } = effect {
                engine.loaded(*doc, Default::default());
            }
        }
        all.extend(effects);
    }
}

fn feed(frame: &[u8]) {
    let _ = Message::decode(frame);
    let (mut engine, conn) = relay_with_peer();
    engine.receive(conn, frame);
    drive(&mut engine);
    // Wrapped as a sync payload too, so automerge's own decoder sees the bytes.
    let doc = DocumentId::random();
    let wrapped = Message::Sync(DocMessage {
        sender_id: PeerId::new("client-1"),
        target_id: PeerId::new("relay"),
        document_id: doc,
        data: frame.to_vec(),
    });
    engine.receive(conn, &wrapped.encode());
    drive(&mut engine);
}

#[test]
fn every_kept_frame_decodes_and_is_handled() {
    let kept = corpus();
    assert!(
        kept.len() >= seed_frames().len(),
        "corpus has {} files",
        kept.len()
    );
    for frame in &kept {
        Message::decode(frame).expect("every kept seed is a valid frame");
        feed(frame);
    }
}

#[test]
fn hostile_shapes_are_errors_not_crashes() {
    // Nesting deep enough to overflow a naive recursive decoder.
    let deep: Vec<u8> = std::iter::repeat_n(0x81u8, 100_000).chain([0x00]).collect();
    assert!(Message::decode(&deep).is_err());
    feed(&deep);
    // A byte string claiming 2^63 bytes, to tempt a decoder into allocating it.
    let huge_claim = [
        0xa1, 0x64, b'd', b'a', b't', b'a', 0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ];
    assert!(Message::decode(&huge_claim).is_err());
    feed(&huge_claim);
    // A map claiming billions of entries.
    let wide = [0xbb, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff];
    assert!(Message::decode(&wide).is_err());
    feed(&wide);
}

#[test]
fn a_malformed_sync_payload_closes_only_that_connection() {
    let (mut engine, conn) = relay_with_peer();
    let garbage = Message::Sync(DocMessage {
        sender_id: PeerId::new("client-1"),
        target_id: PeerId::new("relay"),
        document_id: DocumentId::random(),
        data: vec![0x42, 0xff, 0xff, 0xff],
    });
    engine.receive(conn, &garbage.encode());
    let effects = drive(&mut engine);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Close { conn: c, reason } if *c == conn && reason.contains("malformed sync message"))),
        "{effects:?}"
    );
}

fn mutated(seed: Vec<u8>, edits: Vec<(usize, u8, u8)>, cut: usize) -> Vec<u8> {
    let mut frame = seed;
    for (position, value, kind) in edits {
        if frame.is_empty() {
            frame.push(value);
            continue;
        }
        let at = position % frame.len();
        match kind % 4 {
            0 => frame[at] = value,
            1 => frame[at] ^= 1 << (value % 8),
            2 => frame.insert(at, value),
            _ => {
                frame.remove(at);
            }
        }
    }
    let keep = frame.len().saturating_sub(cut % 4);
    frame.truncate(keep);
    frame
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_corpus_frames_never_panic(
        index in 0usize..64,
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..8),
        cut in any::<usize>(),
    ) {
        let kept = corpus();
        let seed = kept[index % kept.len()].clone();
        feed(&mutated(seed, edits, cut));
    }

    #[test]
    fn arbitrary_bytes_never_panic(frame in proptest::collection::vec(any::<u8>(), 0..512)) {
        feed(&frame);
    }
}

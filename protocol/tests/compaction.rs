//! When the engine writes a snapshot instead of another incremental chunk, and how it loads
//! what it wrote.

mod common;

use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc, ROOT};
use common::saved_chunk;
use threshold_protocol::{Chunk, DocumentId, Effect, Engine, EngineConfig, Loaded, PeerId};

fn engine() -> Engine {
    Engine::new(EngineConfig::client(PeerId::new("tab"), "storage".into()))
}

fn doc_with_keys(keys: usize) -> Automerge {
    let mut doc = Automerge::new();
    for i in 0..keys {
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            // Random values, so that the saved document does not compress to nothing.
            let value = format!("{} {}", DocumentId::random(), DocumentId::random());
            tx.put(ROOT, format!("key-{i}"), value)?;
            Ok(())
        })
        .expect("transaction commits");
    }
    doc
}

/// Make one small edit and return the chunk the engine asks to store for it.
fn edit(engine: &mut Engine, id: DocumentId, n: usize) -> Chunk {
    engine
        .change(id, |doc| {
            doc.transact::<_, _, automerge::AutomergeError>(|tx| {
                tx.put(ROOT, "counter", n as i64)?;
                Ok(())
            })
            .expect("transaction commits");
        })
        .expect("document is loaded");
    saved_chunk(engine)
}

fn first_snapshot(engine: &mut Engine, id: DocumentId, limit: usize) -> Option<usize> {
    (1..=limit).find(|&n| matches!(edit(engine, id, n), Chunk::Snapshot(_)))
}

#[test]
fn a_small_document_is_compacted_after_the_configured_number_of_chunks() {
    let mut engine = engine();
    let id = DocumentId::random();
    engine.create(id, doc_with_keys(50));
    let _ = engine.take_effects();
    let after = EngineConfig::client(PeerId::new("x"), "y".into()).snapshot_after_chunks;
    assert_eq!(first_snapshot(&mut engine, id, 10 * after), Some(after + 1));
}

#[test]
fn a_large_document_is_compacted_only_once_its_chunks_add_up_to_a_quarter_of_it() {
    let mut engine = engine();
    let id = DocumentId::random();
    let doc = doc_with_keys(3_000);
    let size = doc.save().len();
    engine.create(id, doc);
    let _ = engine.take_effects();
    let mut written = 0;
    let mut edits = 0;
    loop {
        edits += 1;
        match edit(&mut engine, id, edits) {
            Chunk::Incremental(bytes) => written += bytes.len(),
            Chunk::Snapshot(_) => break,
        }
        assert!(edits < 100_000, "never compacted");
    }
    let after = EngineConfig::client(PeerId::new("x"), "y".into()).snapshot_after_chunks;
    assert!(edits > after * 4, "compacted after only {edits} edits");
    assert!(
        written * 4 >= size,
        "compacted after {written} of {size} bytes"
    );
}

#[test]
fn stored_chunks_load_to_the_same_document_in_any_order() {
    let mut writer = engine();
    let id = DocumentId::random();
    writer.create(id, doc_with_keys(200));
    let mut chunks: Vec<Vec<u8>> = writer
        .take_effects()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Save { chunk, .. } => Some(chunk.bytes().to_vec()),
            _ => None,
        })
        .collect();
    for n in 0..5 {
        chunks.push(edit(&mut writer, id, n).bytes().to_vec());
    }
    let heads = writer.doc(&id).expect("loaded").get_heads();
    // Incremental chunks first, as a key-ordered listing returns them.
    chunks.rotate_left(1);
    let mut reader = engine();
    reader.open(id);
    let _ = reader.take_effects();
    reader.loaded(
        id,
        Loaded {
            chunks,
            sync_states: Vec::new(),
        },
    );
    let doc = reader.doc(&id).expect("loaded");
    assert_eq!(doc.get_heads(), heads);
    assert_eq!(doc.keys(ROOT).count(), 201);
}

#[test]
fn a_document_first_received_from_a_peer_is_stored_whole() {
    let mut writer = engine();
    let id = DocumentId::random();
    writer.create(id, doc_with_keys(300));
    let _ = writer.take_effects();
    let changes = writer.doc(&id).expect("loaded").save_after(&[]);

    // Another device with nothing stored receives every change at once, as a first sync does.
    let mut reader = engine();
    reader.open(id);
    let _ = reader.take_effects();
    reader.loaded(id, Loaded::default());
    reader.apply_stored(id, &changes);
    let _ = reader.take_effects();
    let chunk = edit(&mut reader, id, 1);
    assert!(matches!(chunk, Chunk::Snapshot(_)), "stored as a snapshot");
    // From then on, small edits are incremental.
    assert!(matches!(edit(&mut reader, id, 2), Chunk::Incremental(_)));
}

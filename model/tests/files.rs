//! File references in a portal: what a document holds of a file, and what the relay asks of it.

use chrono::{TimeZone, Utc};
use threshold_model::*;

fn spec(hash: &str, name: &str) -> FileSpec {
    FileSpec {
        hash: hash.into(),
        name: name.into(),
        size: 1234,
        mime: "application/pdf".into(),
    }
}

const NDA: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
const W9: &str = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

#[test]
fn a_file_reference_keeps_hash_name_size_type_uploader_and_attachment() {
    let mut doc = new_portal_doc("Acme", "").unwrap();
    let at = Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap();
    let nda = ExchangeId::new();
    let id = edit(&mut doc, |tx| {
        add_file(
            tx,
            &spec(NDA, "Signed NDA.pdf"),
            &Attachment::Exchange(nda.clone()),
            "Dana Reyes",
            at,
        )
    })
    .unwrap();
    let files = read_files(&doc).unwrap();
    assert_eq!(files.len(), 1);
    let f = &files[0];
    assert_eq!(
        (f.id.clone(), f.spec.clone()),
        (id.clone(), spec(NDA, "Signed NDA.pdf"))
    );
    assert_eq!(f.attached_to, Attachment::Exchange(nda));
    assert_eq!(
        (f.uploaded_by.as_str(), f.uploaded_at),
        ("Dana Reyes", Some(at))
    );
    assert!(references_blob(&doc, NDA).unwrap());
    assert!(
        !references_blob(&doc, W9).unwrap(),
        "only what the portal refers to"
    );
    edit(&mut doc, |tx| remove_file(tx, &id)).unwrap();
    assert!(
        !references_blob(&doc, NDA).unwrap(),
        "a removed reference grants nothing"
    );
}

#[test]
fn a_reference_must_name_a_sha256_and_names_lose_paths_and_control_characters() {
    let mut doc = new_portal_doc("Acme", "").unwrap();
    let bad = edit(&mut doc, |tx| {
        add_file(
            tx,
            &spec("not-a-hash", "x"),
            &Attachment::Portal,
            "A",
            Utc::now(),
        )
    });
    assert!(matches!(bad, Err(ModelError::Rule(_))), "{bad:?}");
    assert!(
        !is_blob_hash(&NDA.to_uppercase()),
        "the store names blobs in lowercase"
    );
    assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
    assert_eq!(clean_file_name("C:\\Users\\dana\\W-9.pdf"), "W-9.pdf");
    assert_eq!(clean_file_name("a\u{0}b\nc.txt"), "abc.txt");
    assert_eq!(clean_file_name(".."), "file");
    assert_eq!(clean_file_name("  "), "file");
}

#[test]
fn attachments_round_trip_and_unknown_ones_fall_back_to_the_portal() {
    for a in [
        Attachment::Portal,
        Attachment::Field(FieldId::new()),
        Attachment::Exchange(ExchangeId::new()),
        Attachment::Deliverable(DeliverableId::new()),
        Attachment::Task(TaskId::new()),
    ] {
        assert_eq!(Attachment::parse(&a.to_key()), a);
    }
    assert_eq!(Attachment::parse("folder:xyz"), Attachment::Portal);
}

#[test]
fn files_added_on_two_devices_at_once_are_both_kept() {
    let mut a = new_portal_doc("Acme", "").unwrap();
    let mut b = a.fork();
    edit(&mut a, |tx| {
        add_file(
            tx,
            &spec(NDA, "NDA.pdf"),
            &Attachment::Portal,
            "Sam",
            Utc::now(),
        )
    })
    .unwrap();
    edit(&mut b, |tx| {
        add_file(
            tx,
            &spec(W9, "W-9.pdf"),
            &Attachment::Portal,
            "Dana",
            Utc::now(),
        )
    })
    .unwrap();
    a.merge(&mut b).unwrap();
    assert_eq!(read_files(&a).unwrap().len(), 2);
    assert!(references_blob(&a, NDA).unwrap() && references_blob(&a, W9).unwrap());
}

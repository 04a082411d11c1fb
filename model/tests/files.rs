//! File references in a portal: what a document holds of a file, and what the relay asks of it.

use chrono::{TimeZone, Utc};
use threshold_model::{doc::*, formats::*, onboarding::*, portal::*};

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
    edit(&mut doc, |tx| remove_file(tx, &id, "Sam", Utc::now())).unwrap();
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

#[test]
fn a_file_question_is_answered_by_its_attached_files() {
    let mut doc = new_portal_doc("Acme", "").unwrap();
    let field = edit(&mut doc, |tx| {
        add_field(
            tx,
            &FieldSpec {
                label: "Signed W-9".into(),
                help: String::new(),
                kind: FieldKind::File,
                required: true,
                options: vec![],
            },
        )
    })
    .unwrap();
    assert_eq!(read_intake(&doc).unwrap().progress().answered, 0);
    let at = Utc::now();
    let a = edit(&mut doc, |tx| {
        add_file(
            tx,
            &spec(W9, "W-9.pdf"),
            &Attachment::Field(field.clone()),
            "Dana",
            at,
        )
    })
    .unwrap();
    edit(&mut doc, |tx| {
        add_file(
            tx,
            &spec(NDA, "Addendum.pdf"),
            &Attachment::Field(field.clone()),
            "Dana",
            at,
        )
    })
    .unwrap();
    let intake = read_intake(&doc).unwrap();
    assert_eq!(
        intake.progress().answered,
        1,
        "a required file question with a file is answered"
    );
    assert_eq!(
        intake.answers[&field].value,
        AnswerValue::Text("Addendum.pdf, W-9.pdf".into())
    );
    assert_eq!(intake.answers[&field].answered_by, "Dana");
    edit(&mut doc, |tx| remove_file(tx, &a, "Dana", at)).unwrap();
    assert_eq!(
        read_intake(&doc).unwrap().answers[&field].value,
        AnswerValue::Text("Addendum.pdf".into())
    );
    let b = read_files(&doc).unwrap()[0].id.clone();
    edit(&mut doc, |tx| remove_file(tx, &b, "Dana", at)).unwrap();
    assert_eq!(
        read_intake(&doc).unwrap().progress().answered,
        0,
        "no files, no answer"
    );
}

#[test]
fn the_export_archive_holds_the_portal_and_every_file_and_opens_with_any_zip_reader() {
    use std::io::Read;
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 9, 30, 12).unwrap();
    let file = |name: &str, hash: &str| FileRef {
        id: FileId::new(),
        spec: spec(hash, name),
        attached_to: Attachment::Portal,
        uploaded_by: "Dana".into(),
        uploaded_at: Some(now),
    };
    let files = vec![
        (file("NDA.pdf", NDA), b"%PDF-1.7 the nda".to_vec()),
        (file("NDA.pdf", W9), b"%PDF-1.7 another nda".to_vec()),
        (file("Présentation finale", NDA), vec![0u8, 1, 2, 255]),
    ];
    let bytes = export_archive(b"{\"format\":1}", b"automerge bytes", &files, now).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a valid zip");
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "portal.json",
            "portal.automerge",
            "files/NDA.pdf",
            "files/NDA (2).pdf",
            "files/Présentation finale"
        ]
    );
    let read = |zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str| {
        let mut out = Vec::new();
        zip.by_name(name)
            .unwrap()
            .read_to_end(&mut out)
            .expect("the CRC checks out");
        out
    };
    assert_eq!(read(&mut zip, "portal.json"), b"{\"format\":1}");
    assert_eq!(read(&mut zip, "files/NDA (2).pdf"), b"%PDF-1.7 another nda");
    assert_eq!(
        read(&mut zip, "files/Présentation finale"),
        vec![0u8, 1, 2, 255]
    );
    let modified = zip.by_name("portal.json").unwrap().last_modified().unwrap();
    assert_eq!(
        (
            modified.year(),
            modified.month(),
            modified.day(),
            modified.hour(),
            modified.minute()
        ),
        (2026, 11, 22, 9, 30)
    );
}

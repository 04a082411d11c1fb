//! Every `Part` names all the keys its reader reads: on a document with something under every
//! key, emptying or changing any key not in `keys` leaves the reading as it was. A view that
//! re-reads only when its keys are touched then never shows a stale reading.

use std::fmt::Debug;

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc, Value, ROOT};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use threshold_model::doc::{edit, ModelError, Part, PartnerId};
use threshold_model::offboarding::*;
use threshold_model::onboarding::*;
use threshold_model::portal::*;
use threshold_model::workspace::*;
use threshold_protocol::DocumentId;

fn at(month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, 10, 0, 0)
        .single()
        .expect("valid time")
}

fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, day).expect("valid date")
}

fn partner() -> Partner {
    Partner {
        id: PartnerId::new(),
        name: "Books & Co".into(),
        service: "Bookkeeping".into(),
        url: String::new(),
        email: String::new(),
    }
}

/// A portal with something under every key a reader looks at.
fn full_portal() -> Automerge {
    let mut doc = new_portal_doc("Northwind", "Welcome").expect("creates");
    edit(&mut doc, |tx| {
        set_stage(tx, Stage::Onboarding, at(9, 1))?;
        set_stage(tx, Stage::Active, at(9, 2))?;
        let contact = ContactSpec {
            name: "Dana Reyes".into(),
            role: "Owner".into(),
            email: "dana@northwind.example".into(),
            phone: String::new(),
            about: String::new(),
            side: Assignee::Client,
        };
        add_contact(tx, &contact)?;
        add_contact(
            tx,
            &ContactSpec {
                name: "Sam Lee".into(),
                side: Assignee::Provider,
                ..contact
            },
        )?;
        let link = LinkSpec {
            title: "Drive".into(),
            url: "https://drive.example".into(),
            note: String::new(),
            sensitive: false,
        };
        add_link(tx, &link)?;
        let meeting = MeetingSpec {
            title: "Kick-off".into(),
            kind: MeetingKind::First,
            starts_at: at(9, 3),
            duration_minutes: 45,
            time_zone: "UTC".into(),
            agenda: String::new(),
            location: String::new(),
            notes: String::new(),
        };
        add_meeting(tx, &meeting)?;
        add_milestone(tx, "Launch", Some(date(10, 1)))?;
        let logo = add_exchange_item(tx, "Logo files", Direction::WeSend, Some(date(9, 20)))?;
        set_exchange_status(tx, &logo, ExchangeStatus::Signed)?;
        add_exchange_item(tx, "Deposit invoice", Direction::WeSend, None)?;
        let field = add_field(
            tx,
            &FieldSpec {
                label: "Company".into(),
                help: String::new(),
                kind: FieldKind::ShortText,
                required: true,
                options: Vec::new(),
            },
        )?;
        set_answer(
            tx,
            &field,
            &AnswerValue::Text("Northwind".into()),
            "Dana",
            at(9, 4),
        )?;
        let task = add_task(tx, "Send the brand book", Assignee::Client, at(9, 2))?;
        set_task_done(tx, &task, true)?;
        add_task_comment(tx, &task, "Sam", "Thanks!", at(9, 5))?;
        add_checkin(tx, "Sam", Assignee::Provider, "All good", at(9, 6))?;
        add_file(
            tx,
            &FileSpec {
                hash: "a".repeat(64),
                name: "brief.pdf".into(),
                size: 10,
                mime: "application/pdf".into(),
            },
            &Attachment::Portal,
            "Dana",
            at(9, 7),
        )?;
        record_activity(tx, Assignee::Client, at(9, 8))?;
        start_offboarding(tx, &OffboardingPlaybook::standard(), date(11, 2), at(11, 2))?;
        let metric = MetricSpec {
            name: "Orders a week".into(),
            unit: String::new(),
            baseline: 10.0,
            baseline_date: None,
            higher_is_better: true,
        };
        add_metric(tx, &metric, at(11, 2))?;
        refer_partner(tx, &partner(), "For the taxes")?;
        schedule_follow_ups(tx, date(11, 30))?;
        set_exit_score(tx, Some(9))
    })
    .expect("set up");
    doc
}

fn full_workspace() -> Automerge {
    let mut doc = new_workspace_doc("Studio").expect("creates");
    edit(&mut doc, |tx| {
        add_portal(tx, DocumentId::random(), "Northwind", at(9, 1))?;
        save_partner(tx, &partner())
    })
    .expect("set up");
    doc
}

fn full_internal() -> Automerge {
    let mut doc = new_internal_doc(DocumentId::random()).expect("creates");
    edit(&mut doc, |tx| {
        set_offboarding_lead(tx, "Sam")?;
        update_internal_notes(tx, "Prefers email")
    })
    .expect("set up");
    doc
}

/// Change what is at the top-level `key` so that any reader of it would see a difference:
/// empty a map, rewrite a text, replace a scalar.
fn disturb(doc: &Automerge, key: &str) -> Automerge {
    let mut doc = doc.fork();
    edit(&mut doc, |tx| {
        match tx.get(ROOT, key)? {
            Some((Value::Object(ObjType::Map), obj)) => {
                for entry in tx.keys(&obj).collect::<Vec<_>>() {
                    tx.delete(&obj, entry)?;
                }
            }
            Some((Value::Object(ObjType::Text), obj)) => tx.update_text(&obj, "changed")?,
            Some(_) => tx.put(ROOT, key, "changed")?,
            None => {}
        }
        Ok::<_, ModelError>(())
    })
    .expect("disturbs");
    doc
}

/// Reading `keys` of `doc` with `read` is unaffected by every other top-level key, and affected
/// by its own (so the document really has something there to read).
fn check<T: PartialEq + Debug>(
    name: &str,
    doc: &Automerge,
    keys: &[&str],
    read: impl Fn(&Automerge) -> Result<T, ModelError>,
) {
    let reading = |doc: &Automerge| read(doc).map_err(|e| e.to_string());
    let before = reading(doc);
    assert!(before.is_ok(), "{name} reads the full document: {before:?}");
    let all_keys: Vec<String> = doc.keys(ROOT).collect();
    for key in all_keys.iter().filter(|k| !keys.contains(&k.as_str())) {
        assert_eq!(
            reading(&disturb(doc, key)),
            before,
            "{name} changed when `{key}`, not among its keys, did"
        );
    }
    let mut own = doc.fork();
    for key in keys {
        own = disturb(&own, key);
    }
    assert_ne!(
        reading(&own),
        before,
        "{name} reads nothing of its own keys"
    );
}

fn check_part<T: PartialEq + Debug>(name: &str, doc: &Automerge, part: Part<T>) {
    check(name, doc, part.keys, part.read);
}

#[test]
fn every_portal_part_reads_only_its_keys() {
    let doc = full_portal();
    check_part("PORTAL", &doc, PORTAL);
    check_part("CLIENT_NAME", &doc, CLIENT_NAME);
    check_part("TASKS", &doc, TASKS);
    check_part("STAGE", &doc, STAGE);
    check_part("FILES", &doc, FILES);
    check_part("CHECKINS", &doc, CHECKINS);
    check_part("CONTACTS", &doc, CONTACTS);
    check_part("LINKS", &doc, LINKS);
    check_part("MEETINGS", &doc, MEETINGS);
    check_part("MILESTONES", &doc, MILESTONES);
    check_part("EXCHANGE", &doc, EXCHANGE);
    check_part("INTAKE", &doc, INTAKE);
    check_part("DELIVERABLES", &doc, DELIVERABLES);
    check_part("DELIVERABLE_CANDIDATES", &doc, DELIVERABLE_CANDIDATES);
    check_part("METRICS", &doc, METRICS);
    check_part("ACCESS_WRAPUP", &doc, ACCESS_WRAPUP);
    check_part("NEXT_STEPS", &doc, NEXT_STEPS);
    check_part("REFERRALS", &doc, REFERRALS);
    check_part("FOLLOW_UPS", &doc, FOLLOW_UPS);
    check_part("OFFBOARDING", &doc, OFFBOARDING);
    check_part("EXIT_FEEDBACK", &doc, EXIT_FEEDBACK);
    check_part("CHECKLIST", &doc, CHECKLIST);
}

#[test]
fn the_readers_that_take_more_than_the_document_read_only_their_keys() {
    let doc = full_portal();
    check("GOODBYE_KEYS", &doc, GOODBYE_KEYS, |doc| {
        compose_goodbye(doc, "Sam", &[])
    });
    check("SUMMARY_KEYS", &doc, SUMMARY_KEYS, |doc| {
        summarize(doc, at(11, 3), date(11, 3))
    });
    check("EXIT_RECORD_KEYS", &doc, EXIT_RECORD_KEYS, |doc| {
        exit_record(doc, Some(at(9, 1)))
    });
}

#[test]
fn every_workspace_and_internal_part_reads_only_its_keys() {
    let workspace = full_workspace();
    check_part("WORKSPACE", &workspace, WORKSPACE);
    check_part("TEMPLATES", &workspace, TEMPLATES);
    check_part("PARTNERS", &workspace, PARTNERS);
    check_part("INTERNAL", &full_internal(), INTERNAL);
}

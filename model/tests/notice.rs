//! The notices a portal holds for each side: what waits on the client, and what the client did,
//! each with a stable key, a line, a view to link to and the actor that made it.

use automerge::{ActorId, Automerge};
use chrono::{NaiveDate, TimeZone, Utc};
use threshold_model::doc::edit;
use threshold_model::notify::{notices, read_notice_facts, Notice};
use threshold_model::offboarding::{acknowledge_deliverable, add_deliverable, DeliverableSpec};
use threshold_model::onboarding::{
    add_exchange_item, add_field, set_answer, set_exchange_status, AnswerValue, Direction,
    ExchangeStatus, FieldKind, FieldSpec,
};
use threshold_model::portal::{
    add_checkin, add_file, add_task, add_task_comment, new_portal_doc, set_stage, set_task_due,
    Assignee, Attachment, FileSpec, Stage,
};

const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn actor(byte: u8) -> ActorId {
    ActorId::from(vec![byte; 16])
}

fn find<'a>(all: &'a [Notice], side: Assignee, key_start: &str) -> Vec<&'a Notice> {
    all.iter()
        .filter(|n| n.side == side && n.key.starts_with(key_start))
        .collect()
}

/// A portal the provider (actor 0xaa) set up and the client (actor 0xcc) acted in.
fn portal() -> Automerge {
    let mut doc = new_portal_doc("Acme", "Welcome").unwrap();
    doc.set_actor(actor(0xaa));
    edit(&mut doc, |tx| {
        let t = add_task(tx, "Send the brand guide", Assignee::Client, at())?;
        set_task_due(tx, &t, Some(NaiveDate::from_ymd_opt(2026, 3, 10).unwrap()))?;
        add_task(tx, "Kickoff deck", Assignee::Provider, at())?;
        add_exchange_item(tx, "W-9", Direction::WeNeed, None)?;
        let nda = add_exchange_item(tx, "NDA", Direction::WeSend, None)?;
        set_exchange_status(tx, &nda, ExchangeStatus::Sent)?;
        add_exchange_item(tx, "Statement of work", Direction::WeSend, None)?;
        add_field(
            tx,
            &FieldSpec {
                label: "Company size".into(),
                help: String::new(),
                kind: FieldKind::ShortText,
                required: true,
                options: Vec::new(),
            },
        )?;
        Ok(())
    })
    .unwrap();
    let mut client = doc.fork().with_actor(actor(0xcc));
    let facts = read_notice_facts(&client).unwrap();
    let task = facts
        .tasks
        .iter()
        .find(|t| t.assignee == Assignee::Client)
        .unwrap()
        .id
        .clone();
    let field = facts.intake.fields[0].id.clone();
    edit(&mut client, |tx| {
        set_answer(tx, &field, &AnswerValue::Text("40".into()), "Dana", at())?;
        add_file(
            tx,
            &FileSpec {
                hash: HASH.into(),
                name: "logo.png".into(),
                size: 10,
                mime: "image/png".into(),
            },
            &Attachment::Portal,
            "Dana",
            at(),
        )?;
        add_task_comment(
            tx,
            &task,
            "Dana",
            "Here it is, with the\nnew colours.",
            at(),
        )?;
        add_checkin(tx, "Dana", Assignee::Client, "All good this week", at())?;
        Ok(())
    })
    .unwrap();
    doc.merge(&mut client).unwrap();
    doc
}

#[test]
fn what_waits_on_the_client_is_their_open_tasks_and_the_documents_they_owe() {
    let all = notices(&read_notice_facts(&portal()).unwrap());
    let lines: Vec<&str> = all
        .iter()
        .filter(|n| n.side == Assignee::Client && !n.key.starts_with("comment:"))
        .map(|n| n.text.as_str())
        .collect();
    assert_eq!(
        lines,
        [
            "A task for you: \u{201c}Send the brand guide\u{201d} (due 10 Mar 2026)",
            "To sign: \u{201c}NDA\u{201d}",
            "Requested from you: \u{201c}W-9\u{201d}",
        ],
        "the provider's own task and the document not yet sent wait on nobody on the client's side"
    );
    let task = &find(&all, Assignee::Client, "task:")[0];
    assert_eq!(task.view, "plan");
    assert!(!task.act);
    assert_eq!(
        find(&all, Assignee::Client, "document:")[0].view,
        "documents"
    );
}

#[test]
fn what_the_client_did_is_told_to_the_provider_with_the_actor_that_did_it() {
    let all = notices(&read_notice_facts(&portal()).unwrap());
    let client = actor(0xcc).to_hex_string();
    let acts: Vec<(&str, &str)> = all
        .iter()
        .filter(|n| n.side == Assignee::Provider)
        .map(|n| (n.key.split(':').next().unwrap(), n.view))
        .collect();
    assert_eq!(
        acts,
        [
            ("comment", "plan"),
            ("answer", "intake"),
            ("file", "files"),
            ("checkin", "activity")
        ]
    );
    assert!(all
        .iter()
        .filter(|n| n.side == Assignee::Provider)
        .all(|n| n.act && n.by.as_deref() == Some(client.as_str())));
    let comment = find(&all, Assignee::Provider, "comment:")[0];
    assert_eq!(
        comment.line(Some("Dana Reyes")),
        "Dana Reyes commented on \u{201c}Send the brand guide\u{201d}: \u{201c}Here it is, with the new colours.\u{201d}"
    );
    assert!(comment.line(None).starts_with("Your client commented on"));
    // The same comment is a reply on the client's own task, for the client's side.
    let reply = find(&all, Assignee::Client, "comment:")[0];
    assert_eq!(reply.key, comment.key);
    assert_ne!(reply.id(), comment.id());
    assert!(reply
        .text
        .starts_with("A reply on \u{201c}Send the brand guide\u{201d}"));
}

#[test]
fn nobody_is_told_of_their_own_action_and_the_provider_hears_only_of_the_clients() {
    let all = notices(&read_notice_facts(&portal()).unwrap());
    let comment = find(&all, Assignee::Provider, "comment:")[0];
    assert!(comment.tells(Some((Assignee::Client, "dana")), "zoe"));
    assert!(
        !comment.tells(Some((Assignee::Provider, "sam")), "zoe"),
        "a teammate's comment"
    );
    assert!(
        !comment.tells(None, "zoe"),
        "an author the relay cannot name"
    );
    let reply = find(&all, Assignee::Client, "comment:")[0];
    assert!(
        !reply.tells(Some((Assignee::Client, "dana")), "dana"),
        "their own"
    );
    assert!(reply.tells(Some((Assignee::Provider, "zoe")), "dana"));
}

#[test]
fn keys_stay_the_same_while_the_thing_is_the_same_and_settled_things_drop_out() {
    let mut doc = portal();
    let before = notices(&read_notice_facts(&doc).unwrap());
    let facts = read_notice_facts(&doc).unwrap();
    let w9 = facts
        .exchange
        .iter()
        .find(|d| d.name == "W-9")
        .unwrap()
        .id
        .clone();
    edit(&mut doc, |tx| {
        set_exchange_status(tx, &w9, ExchangeStatus::Signed)
    })
    .unwrap();
    let after = notices(&read_notice_facts(&doc).unwrap());
    let ids = |all: &[Notice]| all.iter().map(Notice::id).collect::<Vec<_>>();
    let gone: Vec<String> = ids(&before)
        .into_iter()
        .filter(|id| !ids(&after).contains(id))
        .collect();
    assert_eq!(gone, [format!("client/document:{}", w9.as_str())]);
    assert!(ids(&after).iter().all(|id| ids(&before).contains(id)));
}

#[test]
fn offboarding_asks_the_client_to_acknowledge_and_give_feedback_and_a_closed_portal_asks_nothing() {
    let mut doc = portal();
    edit(&mut doc, |tx| {
        set_stage(tx, Stage::Active, at())?;
        set_stage(tx, Stage::Offboarding, at())?;
        add_deliverable(
            tx,
            &DeliverableSpec {
                title: "Brand guide".into(),
                owner: "Zoë".into(),
                due: None,
            },
            None,
            at(),
        )?;
        Ok(())
    })
    .unwrap();
    let all = notices(&read_notice_facts(&doc).unwrap());
    assert_eq!(find(&all, Assignee::Client, "deliverable:").len(), 1);
    assert_eq!(find(&all, Assignee::Client, "feedback").len(), 1);

    let id = read_notice_facts(&doc).unwrap().deliverables[0].id.clone();
    let mut client = doc.fork().with_actor(actor(0xcc));
    edit(&mut client, |tx| {
        acknowledge_deliverable(tx, &id, Some("Dana"), at())
    })
    .unwrap();
    doc.merge(&mut client).unwrap();
    let all = notices(&read_notice_facts(&doc).unwrap());
    assert!(find(&all, Assignee::Client, "deliverable:").is_empty());
    let ack = find(&all, Assignee::Provider, "acknowledged:")[0];
    assert_eq!(ack.by, Some(actor(0xcc).to_hex_string()));
    assert_eq!(ack.text, "acknowledged \u{201c}Brand guide\u{201d}");

    edit(&mut doc, |tx| set_stage(tx, Stage::Alumni, at())).unwrap();
    assert!(notices(&read_notice_facts(&doc).unwrap()).is_empty());
}

//! Task plan details, check-ins and the activity feed, natively.

use automerge::ActorId;
use chrono::{DateTime, TimeZone, Utc};
use threshold_model::{doc::*, onboarding::*, portal::*, workspace::*};

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, hour, 0, 0)
        .single()
        .expect("valid time")
}

#[test]
fn tasks_carry_status_a_person_and_a_comment_thread() {
    let mut doc = new_portal_doc("Acme", "").expect("creates");
    let ada = edit(&mut doc, |tx| {
        add_contact(
            tx,
            &ContactSpec {
                name: "Ada".into(),
                role: "Ops".into(),
                email: String::new(),
                phone: String::new(),
                about: String::new(),
                side: Assignee::Client,
            },
        )
    })
    .expect("adds");
    let ours = edit(&mut doc, |tx| {
        add_task(tx, "Configure SSO", Assignee::Provider, at(9))
    })
    .expect("adds");
    let theirs = edit(&mut doc, |tx| {
        add_task(tx, "Invite admins", Assignee::Provider, at(10))
    })
    .expect("adds");
    edit(&mut doc, |tx| {
        set_task_person(tx, &theirs, Assignee::Client, Some(&ada))
    })
    .expect("assigns");
    edit(&mut doc, |tx| {
        set_task_status(tx, &ours, TaskStatus::InProgress)
    })
    .expect("starts");
    let mut other_device = doc.fork();
    edit(&mut doc, |tx| {
        add_task_comment(
            tx,
            &theirs,
            "Provider team",
            "Here is the admin guide.",
            at(11),
        )
    })
    .expect("comments");
    edit(&mut other_device, |tx| {
        add_task_comment(tx, &theirs, "Ada", "Will do by Friday.", at(12))
    })
    .expect("comments");
    doc.merge(&mut other_device).expect("merges");

    let portal = read_portal(&doc).expect("reads");
    let theirs_task = portal.tasks.iter().find(|t| t.id == theirs).expect("task");
    assert_eq!(
        (theirs_task.assignee, theirs_task.person.clone()),
        (Assignee::Client, Some(ada))
    );
    let bodies: Vec<_> = theirs_task
        .comments
        .iter()
        .map(|c| c.body.as_str())
        .collect();
    assert_eq!(
        bodies,
        ["Here is the admin guide.", "Will do by Friday."],
        "both comments, in time order"
    );
    let ours_task = portal.tasks.iter().find(|t| t.id == ours).expect("task");
    assert_eq!(
        (ours_task.status, ours_task.done),
        (TaskStatus::InProgress, false)
    );
    // The client's own open to-dos come first for the client.
    assert_eq!(client_first(&portal.tasks)[0].id, theirs);
    edit(&mut doc, |tx| set_task_done(tx, &theirs, true)).expect("done");
    let portal = read_portal(&doc).expect("reads");
    assert_eq!(
        client_first(&portal.tasks)[0].id,
        ours,
        "a finished to-do drops back"
    );
    assert_eq!(
        portal
            .tasks
            .iter()
            .find(|t| t.id == theirs)
            .expect("task")
            .status,
        TaskStatus::Done
    );
}

#[test]
fn check_ins_are_dated_notes_from_either_side_newest_first() {
    let mut doc = new_portal_doc("Acme", "").expect("creates");
    edit(&mut doc, |tx| {
        add_checkin(
            tx,
            "Provider team",
            Assignee::Provider,
            "Week 1: kick-off done.",
            at(9),
        )
    })
    .expect("adds");
    edit(&mut doc, |tx| {
        add_checkin(tx, "Ada", Assignee::Client, "Data export is ready.", at(15))
    })
    .expect("adds");
    let checkins = read_checkins(&doc).expect("reads");
    assert_eq!(
        checkins.iter().map(|c| c.body.as_str()).collect::<Vec<_>>(),
        ["Data export is ready.", "Week 1: kick-off done."]
    );
    assert_eq!(checkins[0].side, Assignee::Client);
}

#[test]
fn the_activity_feed_names_who_changed_what_and_when() {
    let mut provider = new_portal_doc("Acme", "").expect("creates");
    provider.set_actor(ActorId::random());
    let mut client = provider.fork();
    client.set_actor(ActorId::random());
    let provider_actor = provider.get_actor().clone();
    let client_actor = client.get_actor().clone();
    edit_at(&mut provider, at(9), |tx| {
        register_actor(tx, &provider_actor, "Sam (provider)", Assignee::Provider)?;
        add_task(tx, "Kick-off", Assignee::Provider, at(9)).map(|_| ())
    })
    .expect("edits");
    edit_at(&mut client, at(10), |tx| {
        register_actor(tx, &client_actor, "Ada (client)", Assignee::Client)?;
        update_welcome(tx, "Thanks!")
    })
    .expect("edits");
    edit_at(&mut client, at(11), |tx| {
        record_activity(tx, Assignee::Client, at(11))
    })
    .expect("bookkeeping only");
    provider.merge(&mut client).expect("merges");
    assert!(is_registered(&provider, &client_actor).expect("reads"));

    let feed = activity(&provider, 10).expect("reads");
    let ada = feed
        .iter()
        .find(|e| e.who == "Ada (client)")
        .expect("client entry");
    assert_eq!(ada.what, ["the welcome message"]);
    assert_eq!(ada.at, Some(at(10)));
    assert_eq!(ada.side, Some(Assignee::Client));
    let sam = feed
        .iter()
        .find(|e| e.who == "Sam (provider)")
        .expect("provider entry");
    assert_eq!(sam.what, ["the task plan"]);
    assert!(
        feed.iter().all(|e| !e.what.is_empty()),
        "bookkeeping changes are not listed"
    );
    assert_eq!(activity(&provider, 1).expect("reads").len(), 1);
}

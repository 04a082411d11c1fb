//! The model's rules, natively: shapes, edits, merges and schema tolerance.

use automerge::transaction::Transactable;
use automerge::{Automerge, ObjType, ReadDoc, ROOT};
use chrono::{DateTime, TimeZone, Utc};
use threshold_model::{doc::*, portal::*, workspace::*};
use threshold_protocol::DocumentId;

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 9, minute, 0)
        .single()
        .expect("valid time")
}

/// Two devices: a fork with its own actor, as a second browser would have.
fn fork(doc: &Automerge) -> Automerge {
    doc.fork()
}

#[test]
fn a_new_portal_reads_back() {
    let doc = new_portal_doc("Acme Ltd", "Welcome aboard!").expect("creates");
    let portal = read_portal(&doc).expect("reads");
    assert_eq!(portal.client_name, "Acme Ltd");
    assert_eq!(portal.welcome, "Welcome aboard!");
    assert!(portal.tasks.is_empty());
    assert_eq!(portal.schema, CURRENT_SCHEMA);
}

#[test]
fn tasks_are_added_completed_renamed_reassigned_and_deleted_by_id() {
    let mut doc = new_portal_doc("Acme", "").expect("creates");
    let first = edit(&mut doc, |tx| {
        add_task(tx, "Sign the NDA", Assignee::Client, at(1))
    })
    .expect("adds");
    let second = edit(&mut doc, |tx| {
        add_task(tx, " Kick-off call ", Assignee::Provider, at(2))
    })
    .expect("adds");
    edit(&mut doc, |tx| set_task_done(tx, &first, true)).expect("done");
    edit(&mut doc, |tx| {
        rename_task(tx, &second, "Kick-off call with the team")
    })
    .expect("renames");
    edit(&mut doc, |tx| {
        set_task_assignee(tx, &second, Assignee::Client)
    })
    .expect("reassigns");
    let portal = read_portal(&doc).expect("reads");
    let titles: Vec<_> = portal.tasks.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Sign the NDA", "Kick-off call with the team"]);
    assert!(portal.tasks[0].done);
    assert_eq!(portal.tasks[1].assignee, Assignee::Client);
    edit(&mut doc, |tx| delete_task(tx, &first)).expect("deletes");
    assert_eq!(read_portal(&doc).expect("reads").tasks.len(), 1);
    let missing = edit(&mut doc, |tx| set_task_done(tx, &first, false));
    assert!(matches!(missing, Err(ModelError::NoSuchTask(_))));
}

#[test]
fn concurrent_typing_in_the_welcome_merges_character_by_character() {
    let mut a = new_portal_doc("Acme", "Hello team").expect("creates");
    let mut b = fork(&a);
    edit(&mut a, |tx| update_welcome(tx, "Hello dear team")).expect("edits");
    edit(&mut b, |tx| update_welcome(tx, "Hello team, welcome!")).expect("edits");
    a.merge(&mut b).expect("merges");
    b.merge(&mut a).expect("merges");
    let expected = "Hello dear team, welcome!";
    assert_eq!(read_portal(&a).expect("reads").welcome, expected);
    assert_eq!(read_portal(&b).expect("reads").welcome, expected);
}

#[test]
fn concurrent_task_edits_on_two_devices_all_survive() {
    let mut a = new_portal_doc("Acme", "").expect("creates");
    let shared = edit(&mut a, |tx| {
        add_task(tx, "Shared task", Assignee::Provider, at(0))
    })
    .expect("adds");
    let mut b = fork(&a);
    edit(&mut a, |tx| add_task(tx, "From A", Assignee::Client, at(1))).expect("adds");
    edit(&mut b, |tx| {
        add_task(tx, "From B", Assignee::Provider, at(1))
    })
    .expect("adds");
    edit(&mut a, |tx| set_task_done(tx, &shared, true)).expect("done");
    edit(&mut b, |tx| {
        rename_task(tx, &shared, "Shared task, renamed")
    })
    .expect("renames");
    a.merge(&mut b).expect("merges");
    let portal = read_portal(&a).expect("reads");
    assert_eq!(portal.tasks.len(), 3);
    let task = portal
        .tasks
        .iter()
        .find(|t| t.id == shared)
        .expect("shared task");
    assert!(task.done);
    assert_eq!(task.title, "Shared task, renamed");
    b.merge(&mut a).expect("merges");
    assert_eq!(
        read_portal(&b).expect("reads"),
        portal,
        "both devices show the same order"
    );
}

#[test]
fn a_document_written_by_the_js_client_reads_and_upgrades() {
    // The stock JS client writes strings as collaborative text and knows nothing of `schema`.
    let mut doc = Automerge::new();
    edit(&mut doc, |tx| {
        let name = tx.put_object(ROOT, "clientName", ObjType::Text)?;
        tx.splice_text(&name, 0, 0, "Made in JS")?;
        tx.put(ROOT, "welcome", "plain string welcome")?;
        Ok(())
    })
    .expect("writes");
    let portal = read_portal(&doc).expect("reads");
    assert_eq!(portal.client_name, "Made in JS");
    assert_eq!(portal.welcome, "plain string welcome");
    assert_eq!(portal.schema, 0);
    edit(&mut doc, |tx| {
        update_welcome(tx, "plain string welcome, now text")
    })
    .expect("edits");
    edit(&mut doc, |tx| {
        add_task(tx, "First", Assignee::Client, at(3))
    })
    .expect("adds");
    let portal = read_portal(&doc).expect("reads");
    assert_eq!(portal.welcome, "plain string welcome, now text");
    assert_eq!(portal.schema, CURRENT_SCHEMA);
    assert_eq!(portal.tasks.len(), 1);
}

#[test]
fn fields_from_a_newer_version_survive_edits() {
    let mut doc = new_portal_doc("Acme", "hi").expect("creates");
    edit(&mut doc, |tx| {
        tx.put(ROOT, "schema", 7_u64)?;
        tx.put(ROOT, "futureField", "keep me")?;
        Ok(())
    })
    .expect("writes");
    edit(&mut doc, |tx| set_client_name(tx, "Acme 2")).expect("edits");
    edit(&mut doc, |tx| update_welcome(tx, "hello")).expect("edits");
    let (value, _) = doc.get(ROOT, "futureField").expect("ok").expect("kept");
    assert_eq!(value.as_str(), Some("keep me"));
    assert_eq!(
        read_portal(&doc).expect("reads").schema,
        7,
        "a newer version is not downgraded"
    );
}

#[test]
fn reading_the_wrong_kind_of_document_is_an_error() {
    let workspace = new_workspace_doc("Studio").expect("creates");
    assert!(matches!(
        read_portal(&workspace),
        Err(ModelError::WrongKind { .. })
    ));
    let portal = new_portal_doc("Acme", "").expect("creates");
    assert!(matches!(
        read_workspace(&portal),
        Err(ModelError::WrongKind { .. })
    ));
}

#[test]
fn the_workspace_lists_portals_newest_first_and_merges_concurrent_adds() {
    let mut a = new_workspace_doc("Studio").expect("creates");
    let mut b = fork(&a);
    let (acme, globex) = (DocumentId::random(), DocumentId::random());
    edit(&mut a, |tx| add_portal(tx, acme, "Acme", at(1))).expect("adds");
    edit(&mut b, |tx| add_portal(tx, globex, "Globex", at(2))).expect("adds");
    a.merge(&mut b).expect("merges");
    let workspace = read_workspace(&a).expect("reads");
    let names: Vec<_> = workspace
        .portals
        .iter()
        .map(|p| p.client_name.as_str())
        .collect();
    assert_eq!(names, ["Globex", "Acme"]);
    edit(&mut a, |tx| add_portal(tx, acme, "Acme Corp", at(5))).expect("re-adds");
    edit(&mut a, |tx| rename_portal_entry(tx, globex, "Globex Inc")).expect("renames");
    let workspace = read_workspace(&a).expect("reads");
    assert_eq!(workspace.portals.len(), 2);
    assert_eq!(workspace.portals[0].client_name, "Globex Inc");
    assert_eq!(workspace.portals[1].client_name, "Acme Corp");
    edit(&mut a, |tx| remove_portal(tx, acme)).expect("removes");
    assert_eq!(read_workspace(&a).expect("reads").portals.len(), 1);
}

//! Reading only what changed: `touched` names the parts of a portal a batch of changes touched,
//! and `read_portal_update` must then agree exactly with reading the whole portal again.

use automerge::Automerge;
use chrono::{TimeZone, Utc};
use threshold_model::{
    self as model, doc::edit, doc::touched, onboarding::add_field, onboarding::set_answer,
    onboarding::AnswerValue, onboarding::FieldKind, onboarding::FieldSpec, portal::add_task,
    portal::add_task_comment, portal::delete_task, portal::new_portal_doc, portal::read_portal,
    portal::read_portal_update, portal::rename_task, portal::set_stage, portal::set_task_due,
    portal::set_task_status, portal::update_welcome, portal::Assignee, portal::Stage,
    portal::TaskStatus,
};

fn portal_with_tasks(n: usize) -> (Automerge, Vec<model::portal::TaskId>) {
    let mut doc = new_portal_doc("Acme", "Welcome").expect("portal");
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap();
    let ids = (0..n)
        .map(|i| {
            edit(&mut doc, |tx| {
                add_task(tx, &format!("Task {i}"), Assignee::Client, at)
            })
            .expect("task")
        })
        .collect();
    (doc, ids)
}

#[test]
fn an_edit_to_one_task_touches_that_task_alone() {
    let (mut doc, ids) = portal_with_tasks(5);
    let before = doc.get_heads();
    edit(&mut doc, |tx| {
        set_task_status(tx, &ids[2], TaskStatus::Done)
    })
    .expect("edit");
    let t = touched(&doc, &before);
    assert!(!t.everything);
    assert_eq!(t.keys.iter().collect::<Vec<_>>(), vec!["tasks"]);
    assert_eq!(t.tasks.iter().collect::<Vec<_>>(), vec![ids[2].as_str()]);
    assert!(!t.any(&["intake"]) && t.any(&["tasks"]));
}

#[test]
fn comments_new_tasks_and_deletions_name_their_task() {
    let (mut doc, ids) = portal_with_tasks(3);
    let at = Utc.with_ymd_and_hms(2026, 2, 1, 9, 0, 0).unwrap();
    let before = doc.get_heads();
    edit(&mut doc, |tx| {
        add_task_comment(tx, &ids[0], "Sam", "Looks good", at)
    })
    .expect("comment");
    let new = edit(&mut doc, |tx| add_task(tx, "Fresh", Assignee::Provider, at)).expect("task");
    edit(&mut doc, |tx| delete_task(tx, &ids[1])).expect("delete");
    let t = touched(&doc, &before);
    let expected: std::collections::BTreeSet<String> = [&ids[0], &new, &ids[1]]
        .iter()
        .map(|id| id.as_str().to_owned())
        .collect();
    assert_eq!(t.tasks, expected);
}

#[test]
fn intake_answers_and_the_welcome_text_touch_their_own_keys() {
    let (mut doc, _) = portal_with_tasks(1);
    let spec = FieldSpec {
        label: "Company size".into(),
        help: String::new(),
        kind: FieldKind::ShortText,
        required: false,
        options: Vec::new(),
    };
    let field = edit(&mut doc, |tx| add_field(tx, &spec)).expect("field");
    let before = doc.get_heads();
    let at = Utc.with_ymd_and_hms(2026, 2, 1, 9, 0, 0).unwrap();
    edit(&mut doc, |tx| {
        set_answer(tx, &field, &AnswerValue::Text("12".into()), "Dana", at)
    })
    .expect("answer");
    let t = touched(&doc, &before);
    assert_eq!(t.keys.iter().collect::<Vec<_>>(), vec!["intake"]);
    assert!(t.tasks.is_empty());

    let before = doc.get_heads();
    edit(&mut doc, |tx| update_welcome(tx, "Welcome aboard")).expect("welcome");
    assert_eq!(
        touched(&doc, &before).keys.iter().collect::<Vec<_>>(),
        vec!["welcome"]
    );
    assert!(
        touched(&doc, &doc.get_heads()).is_empty(),
        "nothing since now"
    );
    assert!(touched(&doc, &[]).everything, "since nothing: everything");
}

#[test]
fn changes_merged_from_another_device_are_traced_too() {
    let (mut doc, ids) = portal_with_tasks(4);
    let mut other = doc.fork();
    edit(&mut other, |tx| {
        rename_task(tx, &ids[3], "Renamed elsewhere")
    })
    .expect("rename");
    edit(&mut other, |tx| {
        set_stage(tx, Stage::Active, chrono::Utc::now())
    })
    .expect("stage");
    let before = doc.get_heads();
    doc.merge(&mut other).expect("merge");
    let t = touched(&doc, &before);
    assert!(t.keys.contains("tasks") && t.keys.contains("stage"));
    assert_eq!(t.tasks.iter().collect::<Vec<_>>(), vec![ids[3].as_str()]);
}

/// A long, mixed run of edits from two devices: after every merge the updated portal equals
/// the portal read from scratch.
#[test]
fn the_updated_portal_always_equals_a_full_read() {
    let (mut doc, mut ids) = portal_with_tasks(6);
    let mut other = doc.fork();
    let mut portal = read_portal(&doc).expect("read");
    let mut heads = doc.get_heads();
    let at = |n: u32| Utc.with_ymd_and_hms(2026, 3, 1 + n % 28, 9, 0, 0).unwrap();
    for n in 0..120u32 {
        let target = ids[(n as usize * 7) % ids.len()].clone();
        let device = if n % 3 == 0 { &mut other } else { &mut doc };
        let result = match n % 9 {
            0 => edit(device, |tx| {
                add_task(tx, &format!("Added {n}"), Assignee::Client, at(n))
            })
            .map(|id| ids.push(id)),
            1 => edit(device, |tx| set_task_status(tx, &target, TaskStatus::Done)),
            2 => edit(device, |tx| {
                rename_task(tx, &target, &format!("Renamed {n}"))
            }),
            3 => edit(device, |tx| {
                add_task_comment(tx, &target, "Ann", "Note", at(n))
            })
            .map(|_| ()),
            4 => edit(device, |tx| {
                set_task_due(tx, &target, Some(at(n).date_naive()))
            }),
            5 => edit(device, |tx| {
                update_welcome(tx, &format!("Welcome, version {n}"))
            }),
            6 if ids.len() > 4 => edit(device, |tx| delete_task(tx, &target)).map(|_| {
                ids.retain(|id| *id != target);
            }),
            _ => edit(device, |tx| {
                model::portal::set_client_name(tx, &format!("Acme {n}"))
            }),
        };
        // A task deleted on one device may be edited on the other: that edit is an error there.
        let _ = result;
        if n % 4 == 3 {
            doc.merge(&mut other).expect("merge");
            other.merge(&mut doc).expect("merge back");
        }
        let t = touched(&doc, &heads);
        portal = read_portal_update(&doc, &portal, &t).expect("update");
        assert_eq!(
            portal,
            read_portal(&doc).expect("full read"),
            "after edit {n}"
        );
        heads = doc.get_heads();
    }
}

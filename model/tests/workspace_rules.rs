//! Welcome pack, stages, health, the internal document and templates, natively.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use threshold_model::{doc::*, onboarding::*, portal::*, workspace::*};
use threshold_protocol::DocumentId;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0)
        .single()
        .expect("valid time")
}

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date")
}

#[test]
fn contacts_list_our_team_first_and_links_keep_their_sensitivity() {
    let mut doc = new_portal_doc("Acme", "").expect("creates");
    let contact = |name: &str, side| ContactSpec {
        name: name.into(),
        role: "Lead".into(),
        email: format!("{}@example.com", name.to_lowercase()),
        phone: String::new(),
        about: "Anything about the project".into(),
        side,
    };
    edit(&mut doc, |tx| {
        add_contact(tx, &contact("Zoe", Assignee::Provider))
    })
    .expect("adds");
    let client = edit(&mut doc, |tx| {
        add_contact(tx, &contact("Ada", Assignee::Client))
    })
    .expect("adds");
    edit(&mut doc, |tx| {
        add_contact(tx, &contact("Ben", Assignee::Provider))
    })
    .expect("adds");
    let names: Vec<_> = read_contacts(&doc)
        .expect("reads")
        .into_iter()
        .map(|c| c.spec.name)
        .collect();
    assert_eq!(names, ["Ben", "Zoe", "Ada"]);
    edit(&mut doc, |tx| remove_contact(tx, &client)).expect("removes");
    assert_eq!(read_contacts(&doc).expect("reads").len(), 2);

    let login = LinkSpec {
        title: "CMS admin login".into(),
        url: "https://cms.example/login".into(),
        note: "user: acme / pass: hunter2".into(),
        sensitive: true,
    };
    let id = edit(&mut doc, |tx| add_link(tx, &login)).expect("adds");
    edit(&mut doc, |tx| {
        add_link(
            tx,
            &LinkSpec {
                title: "Brand guide".into(),
                url: "https://acme.example/brand".into(),
                note: String::new(),
                sensitive: false,
            },
        )
    })
    .expect("adds");
    let links = read_links(&doc).expect("reads");
    assert_eq!(
        links
            .iter()
            .map(|l| l.spec.title.as_str())
            .collect::<Vec<_>>(),
        ["Brand guide", "CMS admin login"]
    );
    assert!(links[1].spec.sensitive && !links[0].spec.sensitive);
    assert!(!masked(&links[1].spec.note).contains("hunter2"));
    edit(&mut doc, |tx| {
        update_link(
            tx,
            &id,
            &LinkSpec {
                sensitive: false,
                ..login.clone()
            },
        )
    })
    .expect("updates");
    assert!(!read_links(&doc).expect("reads")[1].spec.sensitive);
}

#[test]
fn stages_move_only_along_the_lifecycle() {
    let mut doc = new_portal_doc("Acme", "").expect("creates");
    assert_eq!(
        read_stage(&doc).expect("reads"),
        Stage::Onboarding,
        "portals start in onboarding"
    );
    edit(&mut doc, |tx| {
        set_stage(tx, Stage::Active, chrono::Utc::now())
    })
    .expect("onboarding → active");
    let skip = edit(&mut doc, |tx| {
        set_stage(tx, Stage::Alumni, chrono::Utc::now())
    });
    assert!(
        matches!(skip, Err(ModelError::Stage(_))),
        "active cannot jump to alumni"
    );
    edit(&mut doc, |tx| {
        set_stage(tx, Stage::Offboarding, chrono::Utc::now())
    })
    .expect("active → offboarding");
    edit(&mut doc, |tx| {
        set_stage(tx, Stage::Alumni, chrono::Utc::now())
    })
    .expect("offboarding → alumni");
    assert_eq!(read_stage(&doc).expect("reads"), Stage::Alumni);
    assert!(
        edit(&mut doc, |tx| set_stage(
            tx,
            Stage::Cancelled,
            chrono::Utc::now()
        ))
        .is_err(),
        "alumni cannot cancel"
    );
    for from in [
        Stage::Invited,
        Stage::Onboarding,
        Stage::Active,
        Stage::Offboarding,
    ] {
        assert!(
            from.next_stages().contains(&Stage::Cancelled),
            "{from:?} can cancel"
        );
        assert!(!from.is_closed(), "{from:?} is still an open engagement");
    }
    // Only the two ways out leave the client with a read-only archive.
    assert!(Stage::Alumni.is_closed() && Stage::Cancelled.is_closed());
}

/// Health of an active engagement, `overdue` items overdue, the client last seen `last`.
fn active(last: Option<chrono::DateTime<Utc>>, overdue: usize) -> Health {
    health(
        Signals {
            stage: Stage::Active,
            last_client_activity: last,
            waiting_since: Some(now() - Duration::days(30)),
            overdue,
        },
        now(),
    )
}

#[test]
fn health_says_why() {
    let quiet = |days| Some(now() - Duration::days(days));
    let health = |last, overdue, _now| active(last, overdue);
    assert_eq!(health(quiet(2), 0, now()).level, HealthLevel::Good);
    let week = health(quiet(8), 0, now());
    assert_eq!(week.level, HealthLevel::NeedsAttention);
    assert_eq!(week.reasons, ["No activity from the client for 8 days"]);
    let risky = health(quiet(20), 1, now());
    assert_eq!(risky.level, HealthLevel::AtRisk);
    assert_eq!(
        risky.reasons,
        ["No activity from the client for 20 days", "1 overdue item"]
    );
    assert_eq!(health(quiet(1), 3, now()).level, HealthLevel::AtRisk);
    assert_eq!(
        health(None, 0, now()).reasons,
        ["The client has not opened the portal in the 30 days since it started"]
    );
}

#[test]
fn a_brand_new_portal_does_not_need_attention_until_the_client_has_had_time_to_open_it() {
    let signals = |days: Option<i64>| Signals {
        stage: Stage::Invited,
        last_client_activity: None,
        waiting_since: days.map(|d| now() - Duration::days(d)),
        overdue: 0,
    };
    for fresh in [None, Some(0), Some(6)] {
        let h = health(signals(fresh), now());
        assert_eq!(h.level, HealthLevel::Good, "{fresh:?}");
        assert_eq!(h.reasons, ["Not opened by the client yet"]);
    }
    assert_eq!(
        health(signals(Some(FIRST_VISIT_GRACE_DAYS)), now()).level,
        HealthLevel::NeedsAttention
    );
}

#[test]
fn alumni_and_cancelled_portals_are_judged_as_ended_not_as_overdue() {
    for (stage, reason) in [
        (Stage::Alumni, "Alumni: the engagement ended well"),
        (Stage::Cancelled, "Cancelled: the engagement has ended"),
    ] {
        let h = health(
            Signals {
                stage,
                last_client_activity: Some(now() - Duration::days(90)),
                waiting_since: Some(now() - Duration::days(90)),
                overdue: 1,
            },
            now(),
        );
        assert_eq!(h.level, HealthLevel::Ended);
        assert_eq!(h.reasons, [reason]);
    }
}

#[test]
fn the_internal_document_starts_with_the_provisioning_checklist() {
    let portal = DocumentId::random();
    let mut doc = new_internal_doc(portal).expect("creates");
    let internal = read_internal(&doc).expect("reads");
    assert_eq!(internal.portal, Some(portal));
    let areas: std::collections::BTreeSet<_> =
        internal.provisioning.iter().map(|p| p.area).collect();
    assert_eq!(
        areas.len(),
        ProvisioningArea::ALL.len(),
        "every area has items"
    );
    let (done, total) = internal.provisioning_progress();
    assert_eq!(done, 0);
    let first = internal.provisioning[0].id.clone();
    edit(&mut doc, |tx| {
        set_provisioning_owner(tx, &first, "Sam (ops)")
    })
    .expect("owns");
    edit(&mut doc, |tx| {
        set_provisioning_done(tx, &first, Some(now()))
    })
    .expect("done");
    edit(&mut doc, |tx| {
        update_internal_notes(tx, "Prefers calls to email.")
    })
    .expect("notes");
    let internal = read_internal(&doc).expect("reads");
    assert_eq!(internal.provisioning_progress(), (1, total));
    assert_eq!(internal.provisioning[0].owner, "Sam (ops)");
    assert_eq!(internal.notes, "Prefers calls to email.");
    let portal_doc = new_portal_doc("Acme", "").expect("creates");
    assert!(
        read_internal(&portal_doc).is_err(),
        "a portal is not an internal document"
    );
    // The workspace knows which internal document belongs to which portal.
    let mut workspace = new_workspace_doc("Studio").expect("creates");
    let internal_id = DocumentId::random();
    edit(&mut workspace, |tx| add_portal(tx, portal, "Acme", now())).expect("adds");
    edit(&mut workspace, |tx| {
        set_portal_internal(tx, portal, internal_id)
    })
    .expect("links");
    let entry = &read_workspace(&workspace).expect("reads").portals[0];
    assert_eq!(entry.internal, Some(internal_id));
}

#[test]
fn a_new_workspace_holds_two_default_templates_that_make_full_portals() {
    let workspace = new_workspace_doc("Studio").expect("creates");
    let templates = read_templates(&workspace).expect("reads");
    let names: Vec<_> = templates.iter().map(|(_, t)| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["Service engagement", "Software customer onboarding"]
    );
    for (_, template) in &templates {
        let doc = instantiate(template, "Northwind", start(), now()).expect("instantiates");
        let portal = read_portal(&doc).expect("reads");
        assert_eq!(portal.client_name, "Northwind");
        assert_eq!(portal.welcome, template.welcome);
        let titles: Vec<_> = portal.tasks.iter().map(|t| t.title.clone()).collect();
        let expected: Vec<_> = template.tasks.iter().map(|t| t.title.clone()).collect();
        assert_eq!(titles, expected, "tasks keep the playbook's order");
        assert_eq!(
            portal.tasks[0].due,
            Some(start() + Duration::days(template.tasks[0].due_in_days.expect("dated")))
        );
        assert_eq!(
            read_intake(&doc).expect("reads").fields.len(),
            template.intake.len()
        );
        assert_eq!(
            read_exchange(&doc).expect("reads").len(),
            template.exchange.len()
        );
        assert_eq!(
            read_milestones(&doc).expect("reads").len(),
            template.milestones.len()
        );
        assert!(read_intake(&doc)
            .expect("reads")
            .fields
            .iter()
            .any(|f| f.spec.required));
    }
}

#[test]
fn any_portal_can_be_saved_as_a_template_and_used_again() {
    let mut workspace = new_workspace_doc("Studio").expect("creates");
    let defaults = read_templates(&workspace).expect("reads");
    let original = instantiate(&defaults[0].1, "Acme", start(), now()).expect("instantiates");
    let saved = template_from_portal(
        &original,
        "Our agency playbook",
        "Tuned after Acme",
        start(),
    )
    .expect("captures");
    assert_eq!(saved.tasks, defaults[0].1.tasks);
    assert_eq!(saved.milestones, defaults[0].1.milestones);
    let id = edit(&mut workspace, |tx| save_template(tx, &saved)).expect("saves");
    let templates = read_templates(&workspace).expect("reads");
    assert_eq!(templates.len(), 3);
    let (_, reread) = templates
        .iter()
        .find(|(t, _)| *t == id)
        .expect("saved template");
    assert_eq!(reread, &saved);
    let later = NaiveDate::from_ymd_opt(2027, 1, 4).expect("valid date");
    let again = instantiate(reread, "Globex", later, now()).expect("instantiates");
    assert_eq!(
        read_portal(&again).expect("reads").tasks[0].due,
        Some(later + Duration::days(3))
    );
    edit(&mut workspace, |tx| remove_template(tx, &id)).expect("removes");
    assert_eq!(read_templates(&workspace).expect("reads").len(), 2);
}

#[test]
fn the_dashboard_line_sums_progress_next_due_and_health() {
    let templates = read_templates(&new_workspace_doc("Studio").expect("creates")).expect("reads");
    let mut doc = instantiate(&templates[0].1, "Northwind", start(), now()).expect("instantiates");
    let today = start();
    let fresh = summarize(&doc, now(), today).expect("summarizes");
    assert_eq!(fresh.stage, Stage::Onboarding);
    assert_eq!(fresh.progress.0, 0);
    assert_eq!(fresh.progress.1, 8 + 9 + 4 + 4);
    // The earliest open item: "Send the welcome pack", due the day after the start.
    assert_eq!(
        fresh.next_due,
        Some((
            "Send the welcome pack".to_owned(),
            start() + Duration::days(1)
        ))
    );
    assert_eq!(fresh.health.level, HealthLevel::Good);
    assert_eq!(fresh.health.reasons, ["Not opened by the client yet"]);

    let first = read_portal(&doc).expect("reads").tasks[4].id.clone();
    edit(&mut doc, |tx| set_task_done(tx, &first, true)).expect("done");
    edit(&mut doc, |tx| record_activity(tx, Assignee::Client, now())).expect("records");
    let later =
        summarize(&doc, now() + Duration::days(9), today + Duration::days(9)).expect("summarizes");
    assert_eq!(later.progress.0, 1);
    assert_eq!(later.percent(), Some(4));
    assert_eq!(
        later.health.level,
        HealthLevel::AtRisk,
        "{:?}",
        later.health.reasons
    );
    assert_eq!(
        later.health.reasons[0],
        "No activity from the client for 9 days"
    );
    assert!(later.health.reasons[1].ends_with("overdue items"));
    assert_eq!(
        last_activity(&doc, Assignee::Client).expect("reads"),
        Some(now())
    );
    assert_eq!(
        last_activity(&doc, Assignee::Provider).expect("reads"),
        None
    );
}

//! The offboarding rules, natively: the plan, the review, success measured, access wrap-up,
//! exit feedback, cancellation, the invoice gate, the goodbye, follow-ups, exports, analytics.

use std::io::BufReader;

use automerge::Automerge;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use threshold_model::{doc::*, formats::*, offboarding::*, onboarding::*, portal::*, workspace::*};

fn at(month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, 10, 0, 0)
        .single()
        .expect("valid time")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A portal whose engagement is active, with one client contact and one of ours.
fn active_portal() -> Automerge {
    let mut doc = new_portal_doc("Northwind", "Welcome").expect("creates");
    edit(&mut doc, |tx| {
        set_stage(tx, Stage::Active, at(9, 1))?;
        for (name, email, side) in [
            ("Dana Reyes", "dana@northwind.example", Assignee::Client),
            ("Sam Lee", "sam@studio.example", Assignee::Provider),
        ] {
            add_contact(
                tx,
                &ContactSpec {
                    name: name.into(),
                    role: String::new(),
                    email: email.into(),
                    phone: String::new(),
                    about: String::new(),
                    side,
                },
            )?;
        }
        Ok(())
    })
    .expect("set up");
    doc
}

fn offboarding_portal() -> Automerge {
    let mut doc = active_portal();
    edit(&mut doc, |tx| {
        start_offboarding(
            tx,
            &OffboardingPlaybook::standard(),
            date(2026, 11, 2),
            at(11, 2),
        )
    })
    .expect("starts");
    doc
}

fn rule_error<T: std::fmt::Debug>(result: Result<T, ModelError>) -> String {
    match result {
        Err(ModelError::Rule(why)) => why,
        other => panic!("expected a rule to refuse, got {other:?}"),
    }
}

#[test]
fn offboarding_starts_from_the_playbook_with_dates_counted_from_the_start() {
    // A portal still onboarding starts offboarding without its stage set to Active by hand:
    // the stage passes through Active on the way, dated.
    let mut doc = new_portal_doc("Acme", "").expect("creates");
    edit(&mut doc, |tx| {
        start_offboarding(
            tx,
            &OffboardingPlaybook::standard(),
            date(2026, 11, 2),
            at(11, 2),
        )
    })
    .expect("starts from onboarding");
    assert_eq!(read_stage(&doc).unwrap(), Stage::Offboarding);
    assert!(read_stage_dates(&doc)
        .unwrap()
        .contains(&(Stage::Active, at(11, 2))));
    // An ended engagement does not start offboarding again.
    let mut doc = new_portal_doc("Acme", "").expect("creates");
    edit(&mut doc, |tx| set_stage(tx, Stage::Cancelled, at(11, 1))).expect("cancels");
    let ended = edit(&mut doc, |tx| {
        start_offboarding(
            tx,
            &OffboardingPlaybook::standard(),
            date(2026, 11, 2),
            at(11, 2),
        )
    });
    assert_eq!(
        rule_error(ended),
        "Offboarding starts from an engagement that has not ended."
    );

    let doc = offboarding_portal();
    assert_eq!(read_stage(&doc).unwrap(), Stage::Offboarding);
    let deliverables = read_deliverables(&doc).unwrap();
    let titles: Vec<_> = deliverables.iter().map(|d| d.spec.title.as_str()).collect();
    assert_eq!(titles, ["Final report", "Handover session"]);
    assert_eq!(deliverables[0].spec.due, Some(date(2026, 11, 9)));
    let access = read_access_wrapup(&doc).unwrap();
    assert_eq!(access.len(), 2);
    assert_eq!(access[1].remover, Assignee::Client);
    assert_eq!(read_exit_feedback(&doc).unwrap().questions.len(), 3);
    assert_eq!(read_next_steps(&doc).unwrap().len(), 2);
    assert_eq!(read_offboarding(&doc).unwrap().started_at, Some(at(11, 2)));
    let dates = read_stage_dates(&doc).unwrap();
    assert!(dates.contains(&(Stage::Active, at(9, 1))));
    assert!(dates.contains(&(Stage::Offboarding, at(11, 2))));

    // Back to active and offboarding again: the plan resumes, it is not filled a second time.
    let mut doc = doc;
    edit(&mut doc, |tx| set_stage(tx, Stage::Active, at(11, 3))).unwrap();
    edit(&mut doc, |tx| {
        start_offboarding(
            tx,
            &OffboardingPlaybook::standard(),
            date(2026, 11, 4),
            at(11, 4),
        )
    })
    .unwrap();
    assert_eq!(read_deliverables(&doc).unwrap().len(), 2);
    assert_eq!(read_exit_feedback(&doc).unwrap().questions.len(), 3);
    assert_eq!(read_offboarding(&doc).unwrap().started_at, Some(at(11, 2)));
}

#[test]
fn the_review_gathers_finished_tasks_and_sent_documents_once_and_the_client_acknowledges() {
    let mut doc = offboarding_portal();
    edit(&mut doc, |tx| {
        let task = add_task(
            tx,
            "Design the new storefront",
            Assignee::Provider,
            at(10, 1),
        )?;
        set_task_done(tx, &task, true)?;
        add_task(tx, "Still open", Assignee::Provider, at(10, 1))?;
        let guide = add_exchange_item(tx, "Brand guide", Direction::WeSend, None)?;
        set_exchange_status(tx, &guide, ExchangeStatus::Signed)?;
        let invoice = add_exchange_item(tx, "Final invoice", Direction::WeSend, None)?;
        set_exchange_status(tx, &invoice, ExchangeStatus::Paid)?;
        Ok(())
    })
    .unwrap();
    let candidates = |doc: &Automerge| {
        deliverable_candidates(
            &read_portal(doc).unwrap().tasks,
            &read_exchange(doc).unwrap(),
            &read_deliverables(doc).unwrap(),
        )
    };
    let found = candidates(&doc);
    let titles: Vec<_> = found.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        titles,
        ["Design the new storefront", "Brand guide"],
        "invoices are not deliverables"
    );
    let (source, title) = found[0].clone();
    let id = edit(&mut doc, |tx| {
        add_deliverable(
            tx,
            &DeliverableSpec {
                title,
                owner: "Sam Lee".into(),
                due: Some(date(2026, 11, 20)),
            },
            Some(&source),
            at(11, 3),
        )
    })
    .unwrap();
    assert_eq!(
        candidates(&doc).len(),
        1,
        "a gathered deliverable is not offered again"
    );

    let handover = Handover {
        how_to_use: "Log in at /admin.".into(),
        maintenance: "Renew the certificate yearly.".into(),
        time_needed: "10 minutes a week".into(),
    };
    edit(&mut doc, |tx| set_handover(tx, &id, &handover)).unwrap();
    edit(&mut doc, |tx| {
        acknowledge_deliverable(tx, &id, Some("Dana Reyes"), at(11, 21))
    })
    .unwrap();
    let d = read_deliverables(&doc)
        .unwrap()
        .into_iter()
        .find(|d| d.id == id)
        .unwrap();
    assert_eq!(d.handover, handover);
    assert_eq!(d.acknowledged, Some((at(11, 21), "Dana Reyes".into())));
    assert_eq!(d.spec.owner, "Sam Lee");
    edit(&mut doc, |tx| {
        acknowledge_deliverable(tx, &id, None, at(11, 22))
    })
    .unwrap();
    assert_eq!(
        read_deliverables(&doc)
            .unwrap()
            .iter()
            .find(|d| d.id == id)
            .unwrap()
            .acknowledged,
        None
    );
    assert_eq!(
        rule_error(edit(&mut doc, |tx| add_deliverable(
            tx,
            &DeliverableSpec::default(),
            None,
            at(11, 3)
        ))),
        "A deliverable needs a name."
    );
}

#[test]
fn handover_notes_typed_on_two_devices_at_once_keep_both() {
    let mut provider = offboarding_portal();
    let id = read_deliverables(&provider).unwrap()[0].id.clone();
    let mut client = provider.fork();
    let notes = |how: &str| Handover {
        how_to_use: how.into(),
        ..Handover::default()
    };
    edit(&mut provider, |tx| {
        set_handover(tx, &id, &notes("Open the report. Read the summary."))
    })
    .unwrap();
    edit(&mut client, |tx| {
        set_handover(tx, &id, &notes("Open the report."))
    })
    .unwrap();
    edit(&mut client, |tx| {
        set_handover(tx, &id, &notes("Open the report. Share it."))
    })
    .unwrap();
    provider.merge(&mut client).unwrap();
    let merged = read_deliverables(&provider).unwrap()[0]
        .handover
        .how_to_use
        .clone();
    assert!(
        merged.contains("Read the summary.") && merged.contains("Share it."),
        "{merged}"
    );
}

#[test]
fn success_is_measured_against_the_baseline_in_the_right_direction() {
    let mut doc = active_portal();
    let spec = |name: &str, baseline: f64, higher: bool| MetricSpec {
        name: name.into(),
        unit: "a week".into(),
        baseline,
        baseline_date: Some(date(2026, 9, 1)),
        higher_is_better: higher,
    };
    let orders = edit(&mut doc, |tx| {
        add_metric(tx, &spec("Orders", 12.0, true), at(9, 1))
    })
    .unwrap();
    let hours = edit(&mut doc, |tx| {
        add_metric(tx, &spec("Support hours", 40.0, false), at(9, 2))
    })
    .unwrap();
    let zero = edit(&mut doc, |tx| {
        add_metric(tx, &spec("Reviews", 0.0, true), at(9, 3))
    })
    .unwrap();
    edit(&mut doc, |tx| {
        set_metric_exit(tx, &orders, Some((50.0, date(2026, 11, 20))))?;
        set_metric_exit(tx, &hours, Some((10.0, date(2026, 11, 20))))?;
        set_metric_exit(tx, &zero, Some((8.0, date(2026, 11, 20))))
    })
    .unwrap();
    let metrics = read_metrics(&doc).unwrap();
    assert_eq!(metrics[0].change(), Some(38.0));
    assert_eq!(metrics[0].percent_change().map(f64::round), Some(317.0));
    assert_eq!(metrics[0].improved(), Some(true));
    assert_eq!(metrics[0].bar_lengths(), (0.24, 1.0));
    assert_eq!(metrics[1].improved(), Some(true), "fewer hours is better");
    assert_eq!(metrics[1].percent_change(), Some(-75.0));
    assert_eq!(
        metrics[2].percent_change(),
        None,
        "no percentage from a zero baseline"
    );
    assert_eq!(metrics[2].exit, Some((8.0, Some(date(2026, 11, 20)))));
    assert_eq!(format_number(12.5), "12.5");
    assert_eq!(format_number(50.0), "50");
    assert_eq!(
        rule_error(edit(&mut doc, |tx| set_metric_exit(
            tx,
            &orders,
            Some((f64::NAN, date(2026, 11, 20)))
        ))),
        "The exit value must be a number."
    );
    edit(&mut doc, |tx| set_metric_exit(tx, &orders, None)).unwrap();
    assert_eq!(read_metrics(&doc).unwrap()[0].exit, None);
}

#[test]
fn access_is_wrapped_up_only_when_both_sides_confirm_even_at_the_same_moment() {
    let mut provider = offboarding_portal();
    let id = read_access_wrapup(&provider).unwrap()[0].id.clone();
    let mut client = provider.fork();
    edit(&mut provider, |tx| {
        confirm_access_removed(tx, &id, Assignee::Provider, Some(at(11, 10)))
    })
    .unwrap();
    assert!(!read_access_wrapup(&provider).unwrap()[0].is_wrapped_up());
    assert!(read_access_wrapup(&provider).unwrap()[0].is_overdue(date(2026, 11, 17)));
    edit(&mut client, |tx| {
        confirm_access_removed(tx, &id, Assignee::Client, Some(at(11, 10)))
    })
    .unwrap();
    provider.merge(&mut client).unwrap();
    let item = &read_access_wrapup(&provider).unwrap()[0];
    assert!(item.is_wrapped_up(), "{item:?}");
    assert!(!item.is_overdue(date(2026, 11, 30)));
    edit(&mut provider, |tx| {
        confirm_access_removed(tx, &id, Assignee::Client, None)
    })
    .unwrap();
    assert!(!read_access_wrapup(&provider).unwrap()[0].is_wrapped_up());
}

#[test]
fn exit_feedback_needs_a_score_from_0_to_10_and_words_for_other() {
    let mut doc = offboarding_portal();
    let q = read_exit_feedback(&doc).unwrap().questions[0].id.clone();
    assert_eq!(
        rule_error(edit(&mut doc, |tx| submit_exit_feedback(
            tx,
            "Dana",
            at(11, 20)
        ))),
        "Choose how likely you are to recommend us, from 0 to 10."
    );
    assert_eq!(
        rule_error(edit(&mut doc, |tx| set_exit_score(tx, Some(11)))),
        "The score goes from 0 to 10."
    );
    edit(&mut doc, |tx| {
        set_exit_score(tx, Some(9))?;
        set_exit_reason(tx, LeaveReason::WorkComplete, true)?;
        set_exit_reason(tx, LeaveReason::Other, true)?;
        set_exit_answer(tx, &q, "Fast, friendly, clear.")?;
        set_testimonial(tx, true, "They got us live in six weeks.")
    })
    .unwrap();
    assert_eq!(
        rule_error(edit(&mut doc, |tx| submit_exit_feedback(
            tx,
            "Dana",
            at(11, 20)
        ))),
        "Say what the other reason is."
    );
    edit(&mut doc, |tx| {
        set_other_reason(tx, "Moving abroad")?;
        submit_exit_feedback(tx, "Dana", at(11, 20))
    })
    .unwrap();
    let f = read_exit_feedback(&doc).unwrap();
    assert_eq!(f.score, Some(9));
    assert_eq!(f.reasons, [LeaveReason::WorkComplete, LeaveReason::Other]);
    assert_eq!(f.questions[0].answer, "Fast, friendly, clear.");
    assert!(f.quote_permission);
    assert_eq!(f.testimonial, "They got us live in six weeks.");
    assert_eq!(f.submitted, Some((at(11, 20), "Dana".into())));
}

#[test]
fn the_goodbye_waits_for_every_invoice_and_says_which() {
    let mut doc = offboarding_portal();
    let (deposit, last) = edit(&mut doc, |tx| {
        let deposit = add_exchange_item(tx, "Deposit invoice", Direction::WeSend, None)?;
        let last = add_exchange_item(tx, "Final payment", Direction::WeSend, None)?;
        let w9 = add_exchange_item(tx, "W-9", Direction::WeNeed, None)?;
        set_exchange_status(tx, &last, ExchangeStatus::Sent)?;
        let _ = w9;
        Ok((deposit, last))
    })
    .unwrap();
    let refused = rule_error(edit(&mut doc, |tx| complete_offboarding(tx, at(11, 25))));
    assert_eq!(
        refused,
        "The goodbye waits until every invoice is paid: 2 are not paid yet, “Deposit invoice” (requested), “Final payment” (sent)."
    );
    // The stage select goes through the same rule.
    assert!(edit(&mut doc, |tx| set_stage(tx, Stage::Alumni, at(11, 25))).is_err());
    assert_eq!(
        read_stage(&doc).unwrap(),
        Stage::Offboarding,
        "nothing of a refused edit is kept"
    );
    let gate = offboarding_checklist(&doc)
        .unwrap()
        .into_iter()
        .find(|c| c.blocks_goodbye)
        .unwrap();
    assert_eq!((gate.done, gate.total), (0, 2));

    edit(&mut doc, |tx| {
        set_exchange_status(tx, &deposit, ExchangeStatus::Paid)
    })
    .unwrap();
    let one = rule_error(edit(&mut doc, |tx| complete_offboarding(tx, at(11, 25))));
    assert_eq!(
        one,
        "The goodbye waits until every invoice is paid: “Final payment” (sent) is not paid yet."
    );
    // An item marked as a document is no invoice, whatever its name.
    edit(&mut doc, |tx| set_exchange_invoice(tx, &last, false)).unwrap();
    edit(&mut doc, |tx| complete_offboarding(tx, at(11, 25))).expect("all paid");
    assert_eq!(read_stage(&doc).unwrap(), Stage::Alumni);
    assert_eq!(
        read_offboarding(&doc).unwrap().goodbye_sent_at,
        Some(at(11, 25))
    );
    let again = rule_error(edit(&mut doc, |tx| complete_offboarding(tx, at(11, 26))));
    assert!(
        again.starts_with("The goodbye is the last step of offboarding"),
        "{again}"
    );
}

#[test]
fn stage_moves_follow_the_lifecycle_and_record_when() {
    let mut doc = new_portal_doc("Acme", "").unwrap();
    assert!(
        edit(&mut doc, |tx| set_stage(tx, Stage::Offboarding, at(10, 1))).is_err(),
        "no skipping"
    );
    edit(&mut doc, |tx| set_stage(tx, Stage::Active, at(10, 1))).unwrap();
    edit(&mut doc, |tx| set_stage(tx, Stage::Offboarding, at(11, 1))).unwrap();
    edit(&mut doc, |tx| set_stage(tx, Stage::Active, at(11, 2)))
        .expect("offboarding can be undone");
    edit(&mut doc, |tx| set_stage(tx, Stage::Offboarding, at(11, 3))).unwrap();
    edit(&mut doc, |tx| set_stage(tx, Stage::Alumni, at(11, 4))).unwrap();
    assert!(
        edit(&mut doc, |tx| set_stage(tx, Stage::Cancelled, at(11, 5))).is_err(),
        "alumni do not cancel"
    );
    let dates = read_stage_dates(&doc).unwrap();
    assert!(
        dates.contains(&(Stage::Offboarding, at(11, 3))),
        "the last entry counts"
    );
    assert_eq!(
        read_follow_ups(&doc).unwrap().len(),
        3,
        "ending schedules the follow-ups"
    );
}

#[test]
fn cancelling_needs_a_reason_and_moves_the_client_to_cancelled() {
    let mut doc = active_portal();
    edit(&mut doc, |tx| {
        set_save_offer(
            tx,
            Some(&SaveOffer {
                kind: SaveOfferKind::Pause,
                text: "Pause for up to 3 months at no cost.".into(),
            }),
        )
    })
    .unwrap();
    assert_eq!(
        read_offboarding(&doc).unwrap().save_offer.unwrap().kind,
        SaveOfferKind::Pause
    );
    assert_eq!(
        rule_error(edit(&mut doc, |tx| cancel_engagement(
            tx,
            None,
            "",
            "Dana",
            at(11, 5)
        ))),
        "Choose a reason for cancelling."
    );
    assert_eq!(
        rule_error(edit(&mut doc, |tx| cancel_engagement(
            tx,
            Some(LeaveReason::Other),
            " ",
            "Dana",
            at(11, 5)
        ))),
        "Tell us the reason for cancelling in a few words."
    );
    // Taking the offer keeps the client where they are.
    let mut saved = doc.fork();
    edit(&mut saved, |tx| accept_save_offer(tx, at(11, 5))).unwrap();
    assert_eq!(read_stage(&saved).unwrap(), Stage::Active);
    assert_eq!(
        read_offboarding(&saved).unwrap().offer_accepted_at,
        Some(at(11, 5))
    );

    edit(&mut doc, |tx| {
        cancel_engagement(
            tx,
            Some(LeaveReason::Budget),
            "Budget cut",
            "Dana",
            at(11, 5),
        )
    })
    .unwrap();
    assert_eq!(read_stage(&doc).unwrap(), Stage::Cancelled);
    let c = read_offboarding(&doc).unwrap().cancellation.unwrap();
    assert_eq!(
        (c.reason, c.detail.as_str(), c.by.as_str(), c.at),
        (LeaveReason::Budget, "Budget cut", "Dana", at(11, 5))
    );
    assert_eq!(
        read_exit_feedback(&doc).unwrap().reasons,
        [LeaveReason::Budget]
    );
    assert_eq!(read_follow_ups(&doc).unwrap()[0].due, date(2027, 2, 5));
    assert_eq!(
        rule_error(edit(&mut doc, |tx| cancel_engagement(
            tx,
            Some(LeaveReason::Budget),
            "",
            "Dana",
            at(11, 6)
        ))),
        "This engagement has already ended."
    );
}

#[test]
fn follow_ups_fall_on_real_dates_across_month_ends_and_leap_years() {
    assert_eq!(follow_up_date(date(2026, 11, 30), 3), date(2027, 2, 28));
    assert_eq!(
        follow_up_date(date(2027, 11, 30), 3),
        date(2028, 2, 29),
        "2028 is a leap year"
    );
    assert_eq!(follow_up_date(date(2027, 8, 31), 6), date(2028, 2, 29));
    assert_eq!(follow_up_date(date(2026, 8, 31), 6), date(2027, 2, 28));
    assert_eq!(follow_up_date(date(2028, 2, 29), 12), date(2029, 2, 28));
    assert_eq!(follow_up_date(date(2026, 3, 31), 3), date(2026, 6, 30));
    assert_eq!(
        follow_up_date(date(2026, 10, 15), 3),
        date(2027, 1, 15),
        "across the year end"
    );
}

#[test]
fn follow_ups_are_scheduled_once_editable_and_exported_as_a_calendar() {
    let mut a = offboarding_portal();
    let mut b = a.fork();
    edit(&mut a, |tx| complete_offboarding(tx, at(11, 30))).unwrap();
    edit(&mut b, |tx| schedule_follow_ups(tx, date(2026, 12, 1))).unwrap();
    a.merge(&mut b).unwrap();
    let follow_ups = read_follow_ups(&a).unwrap();
    assert_eq!(
        follow_ups.len(),
        3,
        "two devices scheduling at once make three, not six"
    );
    assert_eq!(
        follow_ups.iter().map(|f| f.months).collect::<Vec<_>>(),
        [3, 6, 12]
    );

    edit(&mut a, |tx| set_follow_up_due(tx, "m3", date(2027, 3, 1))).unwrap();
    edit(&mut a, |tx| schedule_follow_ups(tx, date(2026, 12, 1))).unwrap();
    let f3 = read_follow_ups(&a).unwrap()[0].clone();
    assert_eq!(
        f3.due,
        date(2027, 3, 1),
        "an edited date survives rescheduling"
    );
    assert!(!f3.is_due(date(2027, 2, 28)) && f3.is_due(date(2027, 3, 1)));
    edit(&mut a, |tx| {
        set_follow_up_done(tx, "m3", Some(at(11, 30)), "Happy, wants a phase 2")
    })
    .unwrap();
    assert!(!read_follow_ups(&a).unwrap()[0].is_due(date(2027, 4, 1)));

    let ics = follow_ups_to_ics(
        &read_follow_ups(&a).unwrap(),
        "doc123",
        "Northwind",
        at(11, 30),
    );
    for line in ics.split_terminator("\r\n") {
        assert!(line.len() <= 75, "folded: {line}");
    }
    let calendar = ical::IcalParser::new(BufReader::new(ics.as_bytes()))
        .next()
        .expect("one calendar")
        .expect("parses");
    assert_eq!(calendar.events.len(), 3);
    let prop = |i: usize, name: &str| {
        calendar.events[i]
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(prop(0, "SUMMARY"), "3-month follow-up — Northwind");
    assert_eq!(prop(0, "DTSTART"), "20270301");
    assert_eq!(prop(2, "DTSTART"), "20271130");
    assert_eq!(prop(2, "UID"), "doc123-m12@threshold");
}

#[test]
fn the_goodbye_email_is_composed_from_the_portal_and_parses_as_rfc_5322() {
    let mut doc = offboarding_portal();
    edit(&mut doc, |tx| {
        let id = read_deliverables(tx)?[0].id.clone();
        set_handover(
            tx,
            &id,
            &Handover {
                how_to_use: "Read it top to bottom.".into(),
                ..Handover::default()
            },
        )?;
        let m = add_metric(
            tx,
            &MetricSpec {
                name: "Weekly orders".into(),
                unit: "orders".into(),
                baseline: 12.0,
                baseline_date: None,
                higher_is_better: true,
            },
            at(9, 1),
        )?;
        set_metric_exit(tx, &m, Some((50.0, date(2026, 11, 20))))?;
        set_review_link(tx, "https://reviews.example/studio")?;
        set_support_offer(tx, "Support at €200 a month, cancel any time.")?;
        let partner = Partner {
            id: PartnerId::new(),
            name: "Ledger & Co".into(),
            service: "Bookkeeping".into(),
            url: "https://ledger.example".into(),
            email: String::new(),
        };
        refer_partner(tx, &partner, "")?;
        refer_partner(tx, &partner, "They know e-commerce")?;
        complete_offboarding(tx, at(11, 30))
    })
    .unwrap();
    assert_eq!(
        read_referrals(&doc).unwrap().len(),
        1,
        "referring twice lists the partner once"
    );
    let email = compose_goodbye(&doc, "Sam Lee, Studio Ltd", &[]).unwrap();
    assert_eq!(email.to, ["dana@northwind.example"]);
    assert_eq!(
        email.subject,
        "Thank you, Northwind: wrapping up our work together"
    );
    for expected in [
        "Hi Dana,",
        "- Final report\n  How to use it: Read it top to bottom.",
        "- Weekly orders: 12 → 50 orders (+317%)",
        "- Sam Lee, sam@studio.example",
        "- For bookkeeping, we recommend Ledger & Co, https://ledger.example",
        "- Support at €200 a month, cancel any time.",
        "We will check in with you on 28 Feb 2027, 30 May 2027 and 30 Nov 2027.",
        "A short review helps too: https://reviews.example/studio",
        "Thank you again,\nSam Lee, Studio Ltd",
    ] {
        assert!(
            email.body.contains(expected),
            "missing {expected:?} in:\n{}",
            email.body
        );
    }

    let mailto = email.mailto();
    assert!(
        mailto.starts_with("mailto:dana%40northwind.example?subject=Thank%20you%2C%20Northwind"),
        "{mailto}"
    );
    assert!(mailto.contains("%E2%82%AC200"), "UTF-8 percent-encoded");

    let sender = Sender {
        name: "Sam Lée".into(),
        address: "sam@studio.example".into(),
    };
    let eml = email
        .to_eml(&sender, at(11, 30), "goodbye-1@threshold")
        .unwrap();
    for line in eml.split("\r\n") {
        assert!(line.len() <= 78, "line too long: {line}");
        assert!(!line.contains('\n'), "bare LF");
    }
    assert!(eml.is_ascii(), "an .eml is 7-bit");
    let parsed = mail_parser::MessageParser::default()
        .parse(eml.as_bytes())
        .expect("parses");
    assert_eq!(parsed.subject(), Some(email.subject.as_str()));
    let from = parsed.from().and_then(|f| f.first()).expect("from");
    assert_eq!(from.name(), Some("Sam Lée"));
    assert_eq!(from.address(), Some("sam@studio.example"));
    assert_eq!(
        parsed
            .to()
            .and_then(|t| t.first())
            .and_then(|a| a.address()),
        Some("dana@northwind.example")
    );
    assert_eq!(parsed.message_id(), Some("goodbye-1@threshold"));
    assert_eq!(
        parsed.date().map(|d| d.to_timestamp()),
        Some(at(11, 30).timestamp())
    );
    assert_eq!(parsed.header_raw("X-Unsent").map(str::trim), Some("1"));
    // The message ends with a line break of its own.
    let body = parsed.body_text(0).expect("a text body");
    assert_eq!(body.replace("\r\n", "\n"), format!("{}\n", email.body));
}

#[test]
fn an_eml_with_a_malformed_address_is_refused_in_words() {
    let email = Email {
        to: vec!["not an address".into()],
        subject: "Hi".into(),
        body: "Hello".into(),
    };
    let sender = Sender {
        name: "Sam".into(),
        address: "sam@studio.example".into(),
    };
    let refused = email.to_eml(&sender, at(11, 1), "m@t").unwrap_err();
    assert_eq!(
        refused.to_string(),
        "“not an address” is not an email address"
    );
}

#[test]
fn a_long_plain_subject_is_folded_and_parses_back_whole() {
    let email = Email {
        to: vec!["a@example.com".into()],
        subject: "Thank you, The Very Long Name Of A Client Company Incorporated Of Somewhere: wrapping up our work together".into(),
        body: "Hello\n".into(),
    };
    let eml = email
        .to_eml(
            &Sender {
                name: String::new(),
                address: "me@example.com".into(),
            },
            at(11, 1),
            "m@t",
        )
        .unwrap();
    assert!(eml.split("\r\n").all(|l| l.len() <= 78), "{eml}");
    let parsed = mail_parser::MessageParser::default()
        .parse(eml.as_bytes())
        .expect("parses");
    assert_eq!(parsed.subject(), Some(email.subject.as_str()));
}

#[test]
fn an_email_with_a_long_non_ascii_subject_still_parses() {
    let email = Email {
        to: vec!["a@example.com".into(), "b@example.com".into()],
        subject: "Merci beaucoup, Société Générale d'Équipement Électrique — on se revoit à l'été prochain".into(),
        body: format!("{}=end \nlast line ", "x".repeat(200)),
    };
    let eml = email
        .to_eml(
            &Sender {
                name: "A \"quoted\" name".into(),
                address: "me@example.com".into(),
            },
            at(11, 1),
            "m@t",
        )
        .unwrap();
    let parsed = mail_parser::MessageParser::default()
        .parse(eml.as_bytes())
        .expect("parses");
    assert_eq!(parsed.subject(), Some(email.subject.as_str()));
    assert_eq!(parsed.to().map(|t| t.iter().count()), Some(2));
    assert_eq!(
        parsed.from().and_then(|f| f.first()).and_then(|a| a.name()),
        Some("A \"quoted\" name")
    );
    assert_eq!(
        parsed.body_text(0).unwrap().replace("\r\n", "\n"),
        format!("{}\n", email.body),
        "trailing spaces and = survive"
    );
}

#[test]
fn nps_counts_promoters_minus_detractors_and_rounds() {
    assert_eq!(nps(&[]), None);
    assert_eq!(nps(&[10, 9, 8, 7, 6]), Some(20));
    assert_eq!(nps(&[0, 0, 10]), Some(-33));
    assert_eq!(nps(&[9, 9, 6]), Some(33));
    assert_eq!(nps(&[10; 4]), Some(100));
    assert_eq!(nps(&[6, 5]), Some(-100));
    assert_eq!(nps(&[7, 8]), Some(0), "passives count in the total only");
    assert_eq!(nps(&[9, 6, 7, 7, 7, 7, 7, 7]), Some(0));
    assert_eq!(nps(&[9, 9, 7, 7, 7, 7, 7, 7]), Some(25));
    assert_eq!(NpsGroup::of(6), NpsGroup::Detractor);
    assert_eq!(NpsGroup::of(7), NpsGroup::Passive);
    assert_eq!(NpsGroup::of(9), NpsGroup::Promoter);
    assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
    assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    assert_eq!(median(&[]), None);
}

#[test]
fn exit_analytics_summarise_the_workspace() {
    let mut alumni = offboarding_portal();
    edit(&mut alumni, |tx| {
        set_exit_score(tx, Some(10))?;
        set_exit_reason(tx, LeaveReason::WorkComplete, true)?;
        complete_offboarding(tx, at(5, 1))
    })
    .unwrap();
    let mut cancelled = active_portal();
    edit(&mut cancelled, |tx| {
        set_exit_score(tx, Some(3))?;
        cancel_engagement(tx, Some(LeaveReason::Budget), "", "Dana", at(11, 1))
    })
    .unwrap();
    let mut onboarding = new_portal_doc("Fresh", "").unwrap();
    edit(&mut onboarding, |tx| {
        set_stage(tx, Stage::Onboarding, at(11, 1))
    })
    .unwrap();
    let records = vec![
        // Created on 20 August, active on 1 September: 12 days.
        exit_record(&alumni, Some(at(8, 20))).unwrap(),
        // No creation time known and no onboarding date: not counted.
        exit_record(&cancelled, None).unwrap(),
        exit_record(&onboarding, Some(at(10, 1))).unwrap(),
    ];
    let a = exit_analytics(&records, date(2026, 8, 2));
    assert_eq!(a.median_days_to_onboard, Some(12.0));
    assert_eq!(a.onboarded, 1);
    assert_eq!(
        a.reasons,
        [(LeaveReason::WorkComplete, 1), (LeaveReason::Budget, 1)]
    );
    assert_eq!(a.score_counts[10], 1);
    assert_eq!(a.score_counts[3], 1);
    assert_eq!(a.responses(), 2);
    assert_eq!(a.nps, Some(0));
    // The alumni's 3-month follow-up (1 August) is due; the cancelled client's is in February.
    assert_eq!(a.follow_ups_due.len(), 1);
    assert_eq!(a.follow_ups_due[0].0, "Northwind");
    assert_eq!(a.follow_ups_due[0].1.due, date(2026, 8, 1));
}

#[test]
fn the_exports_hold_the_whole_portal_and_load_back() {
    let mut doc = offboarding_portal();
    edit(&mut doc, |tx| {
        add_task(tx, "Launch", Assignee::Provider, at(10, 1))?;
        set_exit_score(tx, Some(8))
    })
    .unwrap();
    let json = export_json(&doc, at(11, 30)).unwrap();
    let text = serde_json::to_string_pretty(&json).unwrap();
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back["format"], EXPORT_FORMAT);
    assert_eq!(back["version"], 1);
    assert_eq!(back["exportedAt"], "2026-11-30T10:00:00+00:00");
    let document = &back["document"];
    assert_eq!(document["kind"], "portal");
    assert_eq!(document["clientName"], "Northwind");
    assert_eq!(document["welcome"], "Welcome", "text exports as a string");
    assert_eq!(document["feedback"]["score"], 8);
    assert_eq!(document["stage"], "offboarding");
    assert_eq!(
        document["stageChangedAt"]["active"],
        "2026-09-01T10:00:00+00:00"
    );
    let tasks = document["tasks"].as_object().unwrap();
    assert_eq!(tasks.values().next().unwrap()["title"], "Launch");
    assert_eq!(document["deliverables"].as_object().unwrap().len(), 2);

    // The binary export is the document itself: any Automerge loads it, and it reads the same.
    let bytes = doc.save();
    let loaded = Automerge::load(&bytes).unwrap();
    assert_eq!(read_portal(&loaded).unwrap(), read_portal(&doc).unwrap());
    assert_eq!(export_json(&loaded, at(11, 30)).unwrap(), json);
}

#[test]
fn partners_are_kept_in_the_workspace_directory() {
    let mut ws = new_workspace_doc("Studio").unwrap();
    let partner = Partner {
        id: PartnerId::new(),
        name: "Ledger & Co".into(),
        service: "Bookkeeping".into(),
        url: "https://ledger.example".into(),
        email: "hi@ledger.example".into(),
    };
    edit(&mut ws, |tx| save_partner(tx, &partner)).unwrap();
    edit(&mut ws, |tx| {
        save_partner(
            tx,
            &Partner {
                service: "Accounting".into(),
                ..partner.clone()
            },
        )
    })
    .unwrap();
    let partners = read_partners(&ws).unwrap();
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0].service, "Accounting");
    assert_eq!(
        rule_error(edit(&mut ws, |tx| save_partner(
            tx,
            &Partner {
                name: " ".into(),
                ..partner.clone()
            }
        ))),
        "A partner needs a name."
    );
    edit(&mut ws, |tx| remove_partner(tx, &partner.id)).unwrap();
    assert!(read_partners(&ws).unwrap().is_empty());
}

#[test]
fn the_offboarding_lead_is_kept_in_the_internal_document() {
    let portal: threshold_protocol::DocumentId = "2Ud5Xng1aDjKYvVQhdsXTVAU1TaR"
        .parse()
        .unwrap_or_else(|_| threshold_protocol::DocumentId::random());
    let mut internal = new_internal_doc(portal).unwrap();
    edit(&mut internal, |tx| set_offboarding_lead(tx, "Sam Lee")).unwrap();
    assert_eq!(
        read_internal(&internal).unwrap().offboarding_lead,
        "Sam Lee"
    );
}

#[test]
fn templates_carry_an_offboarding_playbook_and_old_ones_get_the_standard() {
    let old = r#"{"name":"Old playbook"}"#;
    let template: Template = serde_json::from_str(old).unwrap();
    assert_eq!(template.offboarding, OffboardingPlaybook::standard());
    assert!(default_templates()
        .iter()
        .all(|t| !t.offboarding.deliverables.is_empty()));
}

#[test]
fn the_dashboard_shows_an_alumni_clients_next_follow_up_as_due() {
    let mut doc = offboarding_portal();
    edit(&mut doc, |tx| {
        let task = add_task(tx, "Never finished", Assignee::Provider, at(10, 1))?;
        set_task_due(tx, &task, Some(date(2026, 10, 20)))?;
        complete_offboarding(tx, at(11, 30))
    })
    .unwrap();
    let summary = summarize(&doc, at(11, 30), date(2026, 11, 30)).unwrap();
    assert_eq!(summary.stage, Stage::Alumni);
    assert_eq!(
        summary.next_due,
        Some(("3-month follow-up".into(), date(2027, 2, 28)))
    );
    edit(&mut doc, |tx| {
        set_follow_up_done(tx, "m3", Some(at(11, 30)), "")
    })
    .unwrap();
    let summary = summarize(&doc, at(11, 30), date(2026, 11, 30)).unwrap();
    assert_eq!(
        summary.next_due.map(|(t, _)| t),
        Some("6-month follow-up".into())
    );
}

#[test]
fn a_checklist_line_with_nothing_in_it_is_not_done() {
    let doc = offboarding_portal();
    let checklist = offboarding_checklist(&doc).expect("reads");
    let measured = checklist
        .iter()
        .find(|i| i.label == "Success measured at exit")
        .expect("the line");
    if read_metrics(&doc).expect("reads").is_empty() {
        assert!(measured.is_empty());
        assert!(
            !measured.is_complete(),
            "no measures is not success measured"
        );
    }
    let empty = ChecklistItem {
        label: "Success measured at exit",
        done: 0,
        total: 0,
        blocks_goodbye: false,
    };
    assert!(!empty.is_complete() && empty.is_empty());
    let done = ChecklistItem {
        done: 2,
        total: 2,
        ..empty
    };
    assert!(done.is_complete() && !done.is_empty());
}

#[test]
fn the_goodbye_is_addressed_to_the_invited_client_by_name_and_signed_by_a_person() {
    let doc = offboarding_portal();
    let invited = [Recipient {
        name: "Robin Park".into(),
        email: "robin@northwind.example".into(),
    }];
    let email = compose_goodbye(&doc, "Sam Lee", &invited).expect("composes");
    assert!(
        email.to.contains(&"robin@northwind.example".to_owned()),
        "{:?}",
        email.to
    );
    assert!(email.body.contains("Robin"), "{}", email.body);
    assert!(!email.body.starts_with("Hello,"));
    assert!(email.body.trim_end().ends_with("Sam Lee"));
}

#[test]
fn recipients_are_the_invited_people_then_the_listed_contacts_once_per_address() {
    let invited = [
        Recipient {
            name: "Robin Park".into(),
            email: "Robin@Northwind.example".into(),
        },
        Recipient {
            name: "No Address".into(),
            email: String::new(),
        },
    ];
    let mut doc = active_portal();
    edit(&mut doc, |tx| {
        for (name, email) in [
            ("Robin P.", "robin@northwind.example"),
            ("Kim Lo", "kim@northwind.example"),
        ] {
            add_contact(
                tx,
                &ContactSpec {
                    name: name.into(),
                    role: String::new(),
                    email: email.into(),
                    phone: String::new(),
                    about: String::new(),
                    side: Assignee::Client,
                },
            )?;
        }
        Ok(())
    })
    .expect("adds");
    let got = goodbye_recipients(&invited, &read_contacts(&doc).expect("reads"));
    let emails: Vec<_> = got.iter().map(|r| r.email.as_str()).collect();
    let names: Vec<_> = got.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        emails
            .iter()
            .filter(|e| e.eq_ignore_ascii_case("robin@northwind.example"))
            .count(),
        1
    );
    assert!(emails.contains(&"kim@northwind.example"));
    assert!(names.contains(&"Robin Park") && names.contains(&"No Address"));
    let email = compose_goodbye(&doc, "Sam", &invited).expect("composes");
    assert!(email.body.starts_with("Hi "), "{}", email.body);
}

#[test]
fn the_goodbye_is_signed_by_the_person_not_by_a_role() {
    let ours = vec!["Sam Lee".to_owned()];
    assert_eq!(goodbye_signer("Owner", &ours, "Harbor Studio"), "Sam Lee");
    assert_eq!(goodbye_signer("Pat Doe", &ours, "Harbor Studio"), "Pat Doe");
    // No contact: the business signs, by the name its clients know it by.
    assert_eq!(
        goodbye_signer("Owner", &[], "Harbor Studio"),
        "Harbor Studio"
    );
    assert_eq!(goodbye_signer("Owner", &[], " "), "Owner");
}

#[test]
fn a_follow_up_reminds_the_provider_until_they_choose_to_email_the_client_with_their_own_text() {
    let mut a = offboarding_portal();
    edit(&mut a, |tx| complete_offboarding(tx, at(11, 30))).unwrap();
    let f3 = read_follow_ups(&a).unwrap()[0].clone();
    assert_eq!(
        (f3.mode, f3.message.as_str()),
        (FollowUpMode::RemindMe, ""),
        "nothing goes to the client unless the provider chooses it"
    );
    let default = f3.message_or_default("Dana Reyes", "Harbor Studio");
    assert!(default.starts_with("Hello Dana Reyes,"), "{default}");
    assert!(default.contains("3 months") && default.ends_with("Harbor Studio"));

    let mut b = a.fork();
    edit(&mut a, |tx| {
        set_follow_up_mode(tx, "m3", FollowUpMode::EmailClient)
    })
    .unwrap();
    edit(&mut b, |tx| {
        set_follow_up_message(tx, "m3", "  Hi Dana, how is the new site doing?  ")
    })
    .unwrap();
    a.merge(&mut b).unwrap();
    let f3 = read_follow_ups(&a).unwrap()[0].clone();
    assert_eq!(f3.mode, FollowUpMode::EmailClient);
    assert_eq!(
        f3.message_or_default("Dana", "Harbor"),
        "Hi Dana, how is the new site doing?",
        "the provider's text, trimmed, replaces the default"
    );
    edit(&mut a, |tx| set_follow_up_message(tx, "m3", " ")).unwrap();
    assert!(read_follow_ups(&a).unwrap()[0]
        .message_or_default("Dana", "")
        .starts_with("Hello Dana,"));
    assert_eq!(
        default_follow_up_message(12, "", ""),
        "Hello,\n\nIt has been a year since we wrapped up, and we wanted to check in: how are things going? Is what we built together still serving you well, and is there anything we could help with?\n\nJust reply to this email; we read every answer."
    );
    assert_eq!(
        FollowUpMode::parse("carrier-pigeon"),
        FollowUpMode::RemindMe
    );
}

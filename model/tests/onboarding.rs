//! The onboarding rules, natively: intake, document exchange, timeline, meetings, outstanding.

use std::io::BufReader;

use automerge::Automerge;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use threshold_model::{doc::*, onboarding::*, portal::*};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("valid time")
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("valid date")
}

fn portal() -> Automerge {
    new_portal_doc("Acme", "Welcome").expect("creates")
}

fn spec(label: &str, kind: FieldKind, required: bool, options: &[&str]) -> FieldSpec {
    FieldSpec {
        label: label.into(),
        help: String::new(),
        kind,
        required,
        options: options.iter().map(|o| o.to_string()).collect(),
    }
}

#[test]
fn every_field_kind_validates_its_answers_with_a_clear_message() {
    let text = |kind, input: &str| {
        parse_answer(
            &spec("Field", kind, false, &["Red", "Blue"]),
            AnswerInput::Text(input),
        )
    };
    assert_eq!(
        text(FieldKind::ShortText, " Acme "),
        Ok(AnswerValue::Text("Acme".into()))
    );
    assert_eq!(
        text(FieldKind::LongText, "a\nb"),
        Ok(AnswerValue::Text("a\nb".into()))
    );
    assert_eq!(
        text(FieldKind::Number, "1,250.5"),
        Ok(AnswerValue::Number(1250.5))
    );
    assert_eq!(
        text(FieldKind::Number, "twelve"),
        Err(AnswerError::NotANumber("Field".into()))
    );
    assert_eq!(
        text(FieldKind::Date, "2026-11-30"),
        Ok(AnswerValue::Date(day(30)))
    );
    assert_eq!(
        text(FieldKind::Date, "30/11/2026"),
        Err(AnswerError::NotADate("Field".into()))
    );
    assert_eq!(
        text(FieldKind::Email, "ada@example.com"),
        Ok(AnswerValue::Text("ada@example.com".into()))
    );
    assert_eq!(
        text(FieldKind::Email, "ada@example"),
        Err(AnswerError::NotAnEmail("Field".into()))
    );
    assert_eq!(
        text(FieldKind::Url, "https://acme.example/brand"),
        Ok(AnswerValue::Text("https://acme.example/brand".into()))
    );
    assert_eq!(
        text(FieldKind::Url, "acme.example"),
        Err(AnswerError::NotAUrl("Field".into()))
    );
    assert_eq!(
        text(FieldKind::SingleChoice, "Red"),
        Ok(AnswerValue::Choices(vec!["Red".into()]))
    );
    assert_eq!(
        text(FieldKind::SingleChoice, "Green"),
        Err(AnswerError::NotAnOption("Field".into()))
    );
    let choices = |kind, chosen: &[&str]| {
        parse_answer(
            &spec("Colours", kind, false, &["Red", "Blue"]),
            AnswerInput::Choices(chosen.iter().map(|c| c.to_string()).collect()),
        )
    };
    assert_eq!(
        choices(FieldKind::MultipleChoice, &["Red", "Blue"]),
        Ok(AnswerValue::Choices(vec!["Red".into(), "Blue".into()]))
    );
    assert_eq!(
        choices(FieldKind::SingleChoice, &["Red", "Blue"]),
        Err(AnswerError::TooManyChoices("Colours".into()))
    );
    let checkbox = parse_answer(
        &spec("Agree", FieldKind::Checkbox, false, &[]),
        AnswerInput::Checked(true),
    );
    assert_eq!(checkbox, Ok(AnswerValue::Checked(true)));
    let required = spec("Company name", FieldKind::ShortText, true, &[]);
    let missing = parse_answer(&required, AnswerInput::Text("   ")).expect_err("blank is refused");
    assert_eq!(missing.to_string(), "Company name is required.");
    let unticked = parse_answer(
        &spec("Terms", FieldKind::Checkbox, true, &[]),
        AnswerInput::Checked(false),
    );
    assert_eq!(unticked, Err(AnswerError::Required("Terms".into())));
}

#[test]
fn intake_progress_counts_answers_and_names_missing_required_fields() {
    let mut doc = portal();
    let kinds = [
        ("Company name", FieldKind::ShortText, true),
        ("About you", FieldKind::LongText, false),
        ("Start date", FieldKind::Date, true),
        ("Team size", FieldKind::Number, false),
        ("Billing email", FieldKind::Email, true),
        ("Website", FieldKind::Url, false),
        ("Agree to terms", FieldKind::Checkbox, true),
    ];
    let ids: Vec<FieldId> = kinds
        .iter()
        .map(|(label, kind, required)| {
            edit(&mut doc, |tx| {
                add_field(tx, &spec(label, *kind, *required, &[]))
            })
            .expect("adds")
        })
        .collect();
    let intake = read_intake(&doc).expect("reads");
    assert_eq!(
        intake
            .fields
            .iter()
            .map(|f| f.spec.label.as_str())
            .collect::<Vec<_>>(),
        kinds.map(|k| k.0)
    );
    assert_eq!(
        intake.progress(),
        IntakeProgress {
            answered: 0,
            total: 7,
            required_missing: vec![
                ids[0].clone(),
                ids[2].clone(),
                ids[4].clone(),
                ids[6].clone()
            ]
        }
    );

    let answer = |doc: &mut Automerge, id: &FieldId, value: AnswerValue| {
        edit(doc, |tx| {
            set_answer(tx, id, &value, "Ada (client)", at(21, 9))
        })
        .expect("answers");
    };
    answer(&mut doc, &ids[0], AnswerValue::Text("Acme Ltd".into()));
    answer(&mut doc, &ids[2], AnswerValue::Date(day(30)));
    answer(&mut doc, &ids[3], AnswerValue::Number(12.0));
    answer(&mut doc, &ids[6], AnswerValue::Checked(true));
    let intake = read_intake(&doc).expect("reads");
    let progress = intake.progress();
    assert_eq!((progress.answered, progress.total), (4, 7));
    assert_eq!(progress.required_missing, vec![ids[4].clone()]);
    let recorded = &intake.answers[&ids[2]];
    assert_eq!(recorded.value, AnswerValue::Date(day(30)));
    assert_eq!(recorded.answered_by, "Ada (client)");
    assert_eq!(recorded.answered_at, Some(at(21, 9)));
    assert_eq!(intake.answers[&ids[3]].value.display(), "12");

    // Removing a field removes its answer; moving one changes only its place.
    edit(&mut doc, |tx| remove_field(tx, &ids[3])).expect("removes");
    edit(&mut doc, |tx| move_field(tx, &ids[6], None, Some(&ids[0]))).expect("moves");
    let intake = read_intake(&doc).expect("reads");
    assert_eq!(intake.fields[0].id, ids[6]);
    assert_eq!(intake.fields.len(), 6);
    assert!(!intake.answers.contains_key(&ids[3]));
    let unknown = edit(&mut doc, |tx| {
        set_answer(tx, &ids[3], &AnswerValue::Checked(true), "x", at(21, 10))
    });
    assert!(matches!(unknown, Err(ModelError::NoSuchItem(_))));
}

#[test]
fn a_client_answering_while_the_provider_edits_the_form_keeps_both() {
    let mut provider = portal();
    let field = edit(&mut provider, |tx| {
        add_field(
            tx,
            &spec(
                "Brand colours",
                FieldKind::MultipleChoice,
                false,
                &["Red", "Blue"],
            ),
        )
    })
    .expect("adds");
    let mut client = provider.fork();
    edit(&mut provider, |tx| {
        update_field(
            tx,
            &field,
            &spec(
                "Brand colours",
                FieldKind::MultipleChoice,
                true,
                &["Red", "Blue", "Green"],
            ),
        )
    })
    .expect("edits");
    edit(&mut client, |tx| {
        set_answer(
            tx,
            &field,
            &AnswerValue::Choices(vec!["Blue".into()]),
            "client",
            at(21, 11),
        )
    })
    .expect("answers");
    provider.merge(&mut client).expect("merges");
    let intake = read_intake(&provider).expect("reads");
    assert_eq!(intake.fields[0].spec.options, ["Red", "Blue", "Green"]);
    assert!(intake.fields[0].spec.required);
    assert_eq!(
        intake.answers[&field].value,
        AnswerValue::Choices(vec!["Blue".into()])
    );
    assert!(intake.progress().is_complete());
}

#[test]
fn document_exchange_tracks_status_direction_and_overdue_items() {
    let mut doc = portal();
    let nda = edit(&mut doc, |tx| {
        add_exchange_item(tx, "NDA", Direction::WeSend, Some(day(20)))
    })
    .expect("adds");
    let w9 = edit(&mut doc, |tx| {
        add_exchange_item(tx, "W-9", Direction::WeNeed, Some(day(25)))
    })
    .expect("adds");
    let invoice = edit(&mut doc, |tx| {
        add_exchange_item(tx, "Invoice #1", Direction::WeSend, None)
    })
    .expect("adds");
    let items = read_exchange(&doc).expect("reads");
    assert_eq!(
        items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
        ["NDA", "W-9", "Invoice #1"]
    );
    let today = day(22);
    assert!(
        items[0].is_overdue(today) && items[0].waits_on_us(),
        "we owe them the NDA"
    );
    assert!(!items[1].is_overdue(today) && items[1].waits_on_client());

    edit(&mut doc, |tx| {
        set_exchange_status(tx, &nda, ExchangeStatus::Sent)
    })
    .expect("sends");
    edit(&mut doc, |tx| {
        set_exchange_status(tx, &invoice, ExchangeStatus::Sent)
    })
    .expect("sends");
    edit(&mut doc, |tx| {
        set_exchange_details(
            tx,
            &w9,
            Some(day(28)),
            "https://files.example/w9",
            "Latest year",
        )
    })
    .expect("edits");
    let items = read_exchange(&doc).expect("reads");
    let nda_item = items.iter().find(|i| i.id == nda).expect("nda");
    assert!(nda_item.waits_on_client(), "sent: now the client must sign");
    assert!(nda_item.is_overdue(today));
    let w9_item = items.iter().find(|i| i.id == w9).expect("w9");
    assert_eq!(
        (w9_item.due, w9_item.link.as_str()),
        (Some(day(28)), "https://files.example/w9")
    );

    edit(&mut doc, |tx| {
        set_exchange_status(tx, &nda, ExchangeStatus::Signed)
    })
    .expect("signs");
    let signed = read_exchange(&doc)
        .expect("reads")
        .into_iter()
        .find(|i| i.id == nda)
        .expect("nda");
    assert!(!signed.is_overdue(today) && !signed.waits_on_client() && !signed.waits_on_us());
}

#[test]
fn milestones_are_reached_once_and_celebrated_on_the_side_that_sees_it() {
    let mut provider = portal();
    let kickoff = edit(&mut provider, |tx| {
        add_milestone(tx, "Kick-off", Some(day(24)))
    })
    .expect("adds");
    let launch = edit(&mut provider, |tx| {
        add_milestone(tx, "Launch", Some(day(30)))
    })
    .expect("adds");
    let mut client = provider.fork();
    let before = read_milestones(&client).expect("reads");
    assert!(before[0].is_late(day(25)) && !before[1].is_late(day(25)));

    edit(&mut provider, |tx| {
        set_milestone_reached(tx, &kickoff, Some(at(24, 16)))
    })
    .expect("reaches");
    edit(&mut provider, |tx| {
        set_milestone_reached(tx, &kickoff, Some(at(25, 9)))
    })
    .expect("reaching twice keeps the first");
    client.merge(&mut provider).expect("merges");
    let after = read_milestones(&client).expect("reads");
    assert_eq!(newly_reached(&before, &after), vec![kickoff.clone()]);
    assert_eq!(after[0].reached_at, Some(at(24, 16)));
    assert!(newly_reached(&after, &after).is_empty());
    edit(&mut client, |tx| set_milestone_reached(tx, &launch, None)).expect("unsets nothing");
    edit(&mut client, |tx| remove_milestone(tx, &launch)).expect("removes");
    assert_eq!(read_milestones(&client).expect("reads").len(), 1);
}

fn meeting(title: &str, kind: MeetingKind, starts_at: DateTime<Utc>) -> MeetingSpec {
    MeetingSpec {
        title: title.into(),
        kind,
        starts_at,
        duration_minutes: 45,
        time_zone: "Europe/London".into(),
        agenda: "1. Introductions\n2. Goals; scope, timeline".into(),
        location: "https://meet.example/acme-kickoff".into(),
        notes: String::new(),
    }
}

#[test]
fn meetings_export_as_a_valid_icalendar_file() {
    let mut doc = portal();
    let first = edit(&mut doc, |tx| {
        add_meeting(
            tx,
            &meeting("Kick-off call", MeetingKind::First, at(24, 15)),
        )
    })
    .expect("adds");
    let mut long = meeting(
        "Weekly check-in with a deliberately long title that must be folded across lines",
        MeetingKind::Next,
        at(28, 10),
    );
    long.agenda = "Résumé of the week — ünïcödé text that is long enough to need folding, twice over, to prove that folding never splits a character in half.".into();
    edit(&mut doc, |tx| add_meeting(tx, &long)).expect("adds");
    let meetings = read_meetings(&doc).expect("reads");
    assert_eq!(
        next_meeting(&meetings, at(25, 0)).map(|m| m.spec.kind),
        Some(MeetingKind::Next)
    );
    assert_eq!(meetings[0].id, first);

    let ics = meetings_to_ics(&meetings, "Acme Ltd", at(21, 12));
    for line in ics.split_terminator("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line:?}", line.len());
    }
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    let calendar = ical::IcalParser::new(BufReader::new(ics.as_bytes()))
        .next()
        .expect("one calendar")
        .expect("parses");
    assert_eq!(calendar.events.len(), 2);
    let prop = |event: &ical::parser::ical::component::IcalEvent, name: &str| {
        event
            .properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
            .unwrap_or_else(|| panic!("{name} present"))
    };
    let kickoff = &calendar.events[0];
    assert_eq!(prop(kickoff, "DTSTART"), "20261124T150000Z");
    assert_eq!(prop(kickoff, "DTEND"), "20261124T154500Z");
    assert_eq!(prop(kickoff, "SUMMARY"), "Kick-off call — Acme Ltd");
    assert_eq!(
        prop(kickoff, "DESCRIPTION"),
        "1. Introductions\\n2. Goals\\; scope\\, timeline"
    );
    assert_eq!(prop(kickoff, "URL"), "https://meet.example/acme-kickoff");
    assert_eq!(prop(kickoff, "UID"), format!("{first}@threshold"));
    let folded = &calendar.events[1];
    let summary = prop(folded, "SUMMARY");
    assert!(
        summary.starts_with(
            "Weekly check-in with a deliberately long title that must be folded across lines"
        ),
        "{summary:?}"
    );
    assert!(prop(folded, "DESCRIPTION").contains("ünïcödé"));
}

#[test]
fn outstanding_splits_what_waits_on_the_client_from_what_waits_on_us() {
    let mut doc = portal();
    let company = edit(&mut doc, |tx| {
        add_field(tx, &spec("Company name", FieldKind::ShortText, true, &[]))
    })
    .expect("adds");
    edit(&mut doc, |tx| {
        add_field(tx, &spec("Fun fact", FieldKind::ShortText, false, &[]))
    })
    .expect("adds");
    edit(&mut doc, |tx| {
        add_exchange_item(tx, "W-9", Direction::WeNeed, Some(day(20)))
    })
    .expect("adds");
    let invoice = edit(&mut doc, |tx| {
        add_exchange_item(tx, "Invoice #1", Direction::WeSend, Some(day(30)))
    })
    .expect("adds");
    edit(&mut doc, |tx| {
        set_exchange_status(tx, &invoice, ExchangeStatus::Sent)
    })
    .expect("sends");
    edit(&mut doc, |tx| {
        add_exchange_item(tx, "Contract", Direction::WeSend, None)
    })
    .expect("adds");
    let upload = edit(&mut doc, |tx| {
        add_task(tx, "Upload brand kit", Assignee::Client, at(21, 9))
    })
    .expect("adds");
    edit(&mut doc, |tx| set_task_due(tx, &upload, Some(day(21)))).expect("due");
    edit(&mut doc, |tx| {
        add_task(tx, "Set up Slack channel", Assignee::Provider, at(21, 9))
    })
    .expect("adds");
    let done = edit(&mut doc, |tx| {
        add_task(tx, "Send welcome pack", Assignee::Provider, at(21, 9))
    })
    .expect("adds");
    edit(&mut doc, |tx| set_task_done(tx, &done, true)).expect("done");

    let portal = read_portal(&doc).expect("reads");
    let result = outstanding(
        &read_intake(&doc).expect("reads"),
        &read_exchange(&doc).expect("reads"),
        &portal.tasks,
        &[],
        day(22),
    );
    let titles =
        |items: &[OutstandingItem]| items.iter().map(|i| i.title.clone()).collect::<Vec<_>>();
    // Overdue first, the longest overdue first.
    assert_eq!(
        titles(&result.waiting_on_client),
        [
            "W-9",
            "Upload brand kit",
            "Invoice #1",
            "Answer “Company name”"
        ]
    );
    assert_eq!(
        titles(&result.waiting_on_us),
        [
            "Contract",
            "Schedule the first meeting",
            "Set up Slack channel"
        ]
    );
    assert_eq!(result.waiting_on_client[2].kind, OutstandingKind::Payment);
    assert_eq!(result.overdue_count(), 2);

    edit(&mut doc, |tx| {
        set_answer(
            tx,
            &company,
            &AnswerValue::Text("Acme".into()),
            "client",
            at(22, 9),
        )
    })
    .expect("answers");
    edit(&mut doc, |tx| {
        add_meeting(tx, &meeting("Kick-off", MeetingKind::First, at(24, 15)))
    })
    .expect("adds");
    let result = outstanding(
        &read_intake(&doc).expect("reads"),
        &read_exchange(&doc).expect("reads"),
        &portal.tasks,
        &read_meetings(&doc).expect("reads"),
        day(22),
    );
    assert_eq!(result.waiting_on_client.len(), 3);
    assert_eq!(
        titles(&result.waiting_on_us),
        ["Contract", "Set up Slack channel"],
        "the first meeting is scheduled"
    );
}

#[test]
fn a_choice_question_needs_two_options() {
    let mut doc = portal();
    let one = spec("Colour", FieldKind::SingleChoice, false, &["Red", "  "]);
    assert!(matches!(
        validate_field_spec(&one),
        Err(ModelError::ChoiceNeedsTwoOptions)
    ));
    let refused = edit(&mut doc, |tx| add_field(tx, &one));
    assert!(matches!(refused, Err(ModelError::ChoiceNeedsTwoOptions)));
    let two = spec("Colour", FieldKind::MultipleChoice, false, &["Red", "Blue"]);
    let field = edit(&mut doc, |tx| add_field(tx, &two)).expect("two options are enough");
    let fewer = spec("Colour", FieldKind::MultipleChoice, false, &["Red"]);
    let refused = edit(&mut doc, |tx| update_field(tx, &field, &fewer));
    assert!(matches!(refused, Err(ModelError::ChoiceNeedsTwoOptions)));
    assert_eq!(
        ModelError::ChoiceNeedsTwoOptions.to_string(),
        "List at least two options, one per line."
    );
    // Questions without options are not concerned.
    assert!(validate_field_spec(&spec("Name", FieldKind::ShortText, true, &[])).is_ok());
    assert_eq!(
        read_intake(&doc).expect("reads").fields[0].spec.options,
        ["Red", "Blue"]
    );
}

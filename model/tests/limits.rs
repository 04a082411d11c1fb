//! The limits of names, titles, notes, links and numbers: each refusal is a `ModelError` with a
//! message the app shows next to the field, and nothing of a refused edit is kept.

use chrono::{TimeZone, Utc};
use threshold_model::doc::limits::{meeting_minutes, Invalid, Text};
use threshold_model::doc::*;
use threshold_model::onboarding::*;
use threshold_model::portal::*;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap()
}

fn invalid(result: Result<impl std::fmt::Debug, ModelError>) -> Invalid {
    match result {
        Err(ModelError::Invalid(i)) => i,
        other => panic!("expected a refused value, got {other:?}"),
    }
}

fn portal() -> automerge::Automerge {
    new_portal_doc("Acme", "Welcome").expect("creates")
}

#[test]
fn a_client_cannot_be_renamed_to_nothing_or_to_a_paragraph() {
    let mut doc = portal();
    let empty = invalid(edit(&mut doc, |tx| set_client_name(tx, "   ")));
    assert_eq!(empty, Invalid::Empty(Text::ClientName));
    assert_eq!(empty.to_string(), "Write the client's name.");
    let long = "x".repeat(503);
    let too_long = invalid(edit(&mut doc, |tx| set_client_name(tx, &long)));
    assert_eq!(
        too_long.to_string(),
        "A client name can be at most 120 characters; this one has 503."
    );
    assert_eq!(read_client_name(&doc).expect("reads"), "Acme");
    edit(&mut doc, |tx| set_client_name(tx, &"é".repeat(120))).expect("120 characters fit");
}

#[test]
fn a_task_needs_a_title_of_at_most_200_characters_when_added_or_renamed() {
    let mut doc = portal();
    let empty = invalid(edit(&mut doc, |tx| {
        add_task(tx, " ", Assignee::Client, now())
    }));
    assert_eq!(empty, Invalid::Empty(Text::TaskTitle));
    let id = edit(&mut doc, |tx| {
        add_task(tx, "Send the logo", Assignee::Client, now())
    })
    .expect("adds");
    invalid(edit(&mut doc, |tx| rename_task(tx, &id, "")));
    invalid(edit(&mut doc, |tx| rename_task(tx, &id, &"t".repeat(201))));
    assert_eq!(read_tasks(&doc).expect("reads")[0].title, "Send the logo");
}

#[test]
fn empty_contacts_links_milestones_check_ins_comments_and_documents_are_refused() {
    let mut doc = portal();
    let contact = ContactSpec {
        name: " ".into(),
        role: String::new(),
        email: String::new(),
        phone: String::new(),
        about: String::new(),
        side: Assignee::Provider,
    };
    assert_eq!(
        invalid(edit(&mut doc, |tx| add_contact(tx, &contact))),
        Invalid::Empty(Text::PersonName)
    );
    assert_eq!(
        invalid(edit(&mut doc, |tx| add_milestone(tx, "", None))),
        Invalid::Empty(Text::MilestoneTitle)
    );
    assert_eq!(
        invalid(edit(&mut doc, |tx| add_checkin(
            tx,
            "Pat",
            Assignee::Provider,
            "\n",
            now()
        ))),
        Invalid::Empty(Text::CheckinBody)
    );
    assert_eq!(
        invalid(edit(&mut doc, |tx| add_exchange_item(
            tx,
            "",
            Direction::WeSend,
            None
        ))),
        Invalid::Empty(Text::DocumentName)
    );
    let task = edit(&mut doc, |tx| add_task(tx, "Plan", Assignee::Client, now())).expect("adds");
    assert_eq!(
        invalid(edit(&mut doc, |tx| add_task_comment(
            tx,
            &task,
            "Dana",
            " ",
            now()
        ))),
        Invalid::Empty(Text::CommentBody)
    );
    invalid(edit(&mut doc, |tx| {
        add_checkin(tx, "Pat", Assignee::Provider, &"c".repeat(5_001), now())
    }));
    assert!(read_contacts(&doc).expect("reads").is_empty());
    assert!(read_milestones(&doc).expect("reads").is_empty());
    assert!(read_checkins(&doc).expect("reads").is_empty());
}

#[test]
fn a_link_must_be_a_web_or_mailto_address() {
    let mut doc = portal();
    let link = |url: &str| LinkSpec {
        title: "Brand kit".into(),
        url: url.into(),
        note: String::new(),
        sensitive: false,
    };
    for bad in [
        "not a url",
        "javascript:alert(1)",
        "example.com",
        "ftp://x.example",
    ] {
        let refused = invalid(edit(&mut doc, |tx| add_link(tx, &link(bad))));
        assert_eq!(refused, Invalid::NotALink, "{bad}");
    }
    assert_eq!(
        invalid(edit(&mut doc, |tx| add_link(tx, &link("")))),
        Invalid::Empty(Text::LinkAddress)
    );
    for good in [
        "https://x.example/kit",
        "mailto:dana@x.example",
        "http://x.example",
    ] {
        edit(&mut doc, |tx| add_link(tx, &link(good))).expect(good);
    }
    assert_eq!(read_links(&doc).expect("reads").len(), 3);
    // A document's link is optional, but when given it must be one too.
    let id = edit(&mut doc, |tx| {
        add_exchange_item(tx, "NDA", Direction::WeSend, None)
    })
    .expect("adds");
    invalid(edit(&mut doc, |tx| {
        set_exchange_details(tx, &id, None, "not a url", "")
    }));
    edit(&mut doc, |tx| {
        set_exchange_details(tx, &id, None, "", "note")
    })
    .expect("no link is fine");
}

#[test]
fn a_meeting_lasts_five_minutes_to_eight_hours_and_a_typo_is_not_saved_as_45() {
    assert_eq!(meeting_minutes("45").expect("in range"), 45);
    for bad in ["-30", "0", "4", "481", "an hour", ""] {
        let refused = invalid(meeting_minutes(bad));
        assert_eq!(
            refused.to_string(),
            "A meeting's length in minutes must be between 5 and 480.",
            "{bad}"
        );
    }
    assert_eq!(meeting_minutes(" 480 ").expect("in range"), 480);
    let mut doc = portal();
    let spec = MeetingSpec {
        title: "Kick-off".into(),
        kind: MeetingKind::First,
        starts_at: now(),
        duration_minutes: 2,
        time_zone: "UTC".into(),
        agenda: String::new(),
        location: String::new(),
        notes: String::new(),
    };
    invalid(edit(&mut doc, |tx| add_meeting(tx, &spec)));
    assert!(read_meetings(&doc).expect("reads").is_empty());
}

#[test]
fn a_signature_needs_a_typed_name_and_consent() {
    let mut doc = portal();
    let id = edit(&mut doc, |tx| {
        add_exchange_item(tx, "NDA", Direction::WeSend, None)
    })
    .expect("adds");
    let spec = |name: &str, consent| SignatureSpec {
        typed_name: name.into(),
        consent,
        file_hash: None,
    };
    assert_eq!(
        invalid(edit(&mut doc, |tx| sign_document(
            tx,
            &id,
            &spec(" ", true),
            now()
        ))),
        Invalid::Empty(Text::TypedSignature)
    );
    let no_consent = edit(&mut doc, |tx| {
        sign_document(tx, &id, &spec("Dana Reyes", false), now())
    });
    assert!(matches!(
        no_consent,
        Err(ModelError::Sign(SignError::NoConsent))
    ));
    edit(&mut doc, |tx| {
        sign_document(tx, &id, &spec("Dana Reyes", true), now())
    })
    .expect("signs");
    let all = read_signatures(&doc).expect("reads");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].typed_name, "Dana Reyes");
    assert_eq!(all[0].at, Some(now()));
    assert_eq!(all[0].signer.as_ref(), Some(doc.get_actor()));
}

#[test]
fn an_invite_needs_a_name_and_a_real_email_address_if_one_is_given() {
    use threshold_model::doc::limits::invite;
    assert!(invite("Robin Park", "robin@northwind.example").is_ok());
    assert!(invite("Robin Park", "").is_ok());
    assert_eq!(
        invalid(invite("", "robin@northwind.example")),
        Invalid::Empty(Text::PersonName)
    );
    for bad in [
        "robin",
        "robin@northwind",
        "robin @x.example",
        "@x.example",
        "a@b@c.example",
    ] {
        let refused = invalid(invite("Robin", bad));
        assert!(
            refused.to_string().contains("not an email address"),
            "{bad}"
        );
    }
}

#[test]
fn the_json_export_names_each_signatures_signer_by_actor_and_by_the_name_it_is_given() {
    let mut doc = portal();
    let id = edit(&mut doc, |tx| {
        add_exchange_item(tx, "NDA", Direction::WeSend, None)
    })
    .expect("adds");
    let spec = SignatureSpec {
        typed_name: "Dana Reyes".into(),
        consent: true,
        file_hash: Some("ab".repeat(32)),
    };
    let sig = edit(&mut doc, |tx| sign_document(tx, &id, &spec, now())).expect("signs");
    let actor = doc.get_actor().to_hex_string();
    let named = |a: &str| (a == actor).then(|| "Dana Reyes (verified)".to_owned());
    let json = threshold_model::formats::export_json_named(&doc, now(), &named).expect("exports");
    let entry = &json["document"]["signatures"][sig.as_str()];
    assert_eq!(entry["typedName"], "Dana Reyes");
    assert_eq!(entry["document"], id.as_str());
    assert_eq!(entry["fileHash"], "ab".repeat(32));
    assert_eq!(entry["signerActor"], actor.as_str());
    assert_eq!(entry["signedBy"], "Dana Reyes (verified)");
}

#[test]
fn a_portal_is_not_created_for_a_client_name_of_a_paragraph() {
    let refused = invalid(new_portal_doc(&"n".repeat(503), "Welcome"));
    assert_eq!(
        refused,
        Invalid::TooLong {
            text: Text::ClientName,
            len: 503
        }
    );
}

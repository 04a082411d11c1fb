//! The overview's one next step, for each side, at each stage of a portal's life.

use threshold_model::portal::*;

fn item(kind: OutstandingKind, title: &str) -> OutstandingItem {
    OutstandingItem {
        kind,
        title: title.to_owned(),
        due: None,
        overdue: false,
    }
}

fn facts(stage: Stage, outstanding: &Outstanding) -> StepFacts<'_> {
    StepFacts {
        stage,
        outstanding,
        clients_invited: Some(1),
        offboarding: None,
    }
}

/// Offboarding with `acknowledge` deliverables and `confirm` access items left to the client,
/// and no feedback yet.
fn client_owes(acknowledge: usize, confirm: usize) -> OffboardingFacts {
    OffboardingFacts {
        to_acknowledge: acknowledge,
        client_access_to_confirm: confirm,
        feedback_submitted: false,
        goodbye_blockers: vec![],
    }
}

#[test]
fn a_new_portal_asks_the_provider_to_invite_the_client() {
    let outstanding = Outstanding::default();
    let mut f = facts(Stage::Onboarding, &outstanding);
    f.clients_invited = Some(0);
    let step = next_step(Side::Provider, &f);
    assert_eq!(step.title, "Invite the client");
    assert_eq!(step.place, StepPlace::People);
}

#[test]
fn while_the_relay_has_not_said_who_has_access_no_invite_is_asked_for() {
    let outstanding = Outstanding {
        waiting_on_us: vec![item(OutstandingKind::Meeting, "Schedule the first meeting")],
        ..Default::default()
    };
    let mut f = facts(Stage::Onboarding, &outstanding);
    f.clients_invited = None;
    let step = next_step(Side::Provider, &f);
    assert_eq!(step.title, "Schedule the first meeting");
    assert_eq!(step.place, StepPlace::Plan);
}

#[test]
fn the_client_answers_the_intake_before_documents_and_tasks() {
    let outstanding = Outstanding {
        waiting_on_client: vec![
            item(OutstandingKind::Task, "Share brand assets"),
            item(OutstandingKind::Signature, "NDA"),
            item(OutstandingKind::IntakeAnswer, "Answer “Billing email”"),
            item(OutstandingKind::IntakeAnswer, "Answer “Primary goal”"),
        ],
        ..Default::default()
    };
    let step = next_step(Side::Client, &facts(Stage::Invited, &outstanding));
    assert_eq!(step.title, "Answer the intake questions");
    assert_eq!(
        step.detail,
        "2 required questions left, starting with “Billing email”. 3 more things wait after this."
    );
    assert_eq!(step.place, StepPlace::Intake);
}

#[test]
fn with_the_intake_done_the_client_signs_then_does_their_tasks() {
    let outstanding = Outstanding {
        waiting_on_client: vec![
            item(OutstandingKind::Task, "Share brand assets"),
            item(OutstandingKind::Signature, "NDA"),
        ],
        ..Default::default()
    };
    let step = next_step(Side::Client, &facts(Stage::Onboarding, &outstanding));
    assert_eq!(step.title, "Sign NDA");
    assert_eq!(step.place, StepPlace::Documents);

    let outstanding = Outstanding {
        waiting_on_client: vec![item(OutstandingKind::Task, "Share brand assets")],
        ..Default::default()
    };
    let step = next_step(Side::Client, &facts(Stage::Onboarding, &outstanding));
    assert_eq!(step.title, "Share brand assets");
    assert_eq!(step.place, StepPlace::Plan);
    assert!(step
        .detail
        .ends_with("It is the last thing waiting on you."));
}

#[test]
fn during_offboarding_the_client_acknowledges_then_confirms_access_then_gives_feedback() {
    let outstanding = Outstanding::default();
    let mut f = facts(Stage::Offboarding, &outstanding);
    let mut off = client_owes(2, 1);
    f.offboarding = Some(off.clone());
    assert_eq!(
        next_step(Side::Client, &f).title,
        "Review what we delivered"
    );
    off.to_acknowledge = 0;
    f.offboarding = Some(off.clone());
    assert_eq!(
        next_step(Side::Client, &f).title,
        "Confirm access was removed"
    );
    off.client_access_to_confirm = 0;
    f.offboarding = Some(off.clone());
    let step = next_step(Side::Client, &f);
    assert_eq!(step.title, "Tell us how it went");
    assert_eq!(step.place, StepPlace::Offboarding);
    off.feedback_submitted = true;
    f.offboarding = Some(off);
    let step = next_step(Side::Client, &f);
    assert_eq!(step.title, "Nothing waits on you");
    assert_eq!(step.action, None);
}

#[test]
fn the_provider_sends_the_goodbye_only_when_nothing_blocks_it() {
    let outstanding = Outstanding::default();
    let mut f = facts(Stage::Offboarding, &outstanding);
    f.offboarding = Some(OffboardingFacts {
        goodbye_blockers: vec!["Final invoice paid".to_owned()],
        ..Default::default()
    });
    let step = next_step(Side::Provider, &f);
    assert_eq!(step.title, "Settle before the goodbye");
    assert_eq!(step.detail, "Still open: Final invoice paid.");
    f.offboarding = Some(OffboardingFacts::default());
    let step = next_step(Side::Provider, &f);
    assert_eq!(step.title, "Send the goodbye");
    assert_eq!(step.place, StepPlace::Offboarding);
}

#[test]
fn an_onboarding_or_active_portal_with_nothing_on_us_offers_offboarding() {
    let outstanding = Outstanding::default();
    for stage in [Stage::Onboarding, Stage::Active] {
        let step = next_step(Side::Provider, &facts(stage, &outstanding));
        assert_eq!(step.place, StepPlace::Offboarding, "{stage:?}");
        assert_eq!(step.action.as_deref(), Some("Plan offboarding"));
    }
}

#[test]
fn the_provider_is_told_what_waits_on_the_client_while_doing_their_own_part() {
    let outstanding = Outstanding {
        waiting_on_client: vec![item(OutstandingKind::IntakeAnswer, "Answer “Goal”")],
        waiting_on_us: vec![
            item(OutstandingKind::Task, "Set up the project board"),
            item(OutstandingKind::Task, "Send the contract"),
        ],
    };
    let step = next_step(Side::Provider, &facts(Stage::Onboarding, &outstanding));
    assert_eq!(step.title, "Set up the project board");
    assert_eq!(
        step.detail,
        "1 item waits on the client. 1 more item waits on us after this."
    );
}

#[test]
fn an_ended_engagement_has_no_step_for_the_client_and_follow_ups_for_the_provider() {
    let outstanding = Outstanding {
        waiting_on_client: vec![item(OutstandingKind::Task, "Old task")],
        ..Default::default()
    };
    for stage in [Stage::Alumni, Stage::Cancelled] {
        let client = next_step(Side::Client, &facts(stage, &outstanding));
        assert_eq!(client.title, "This engagement has ended");
        assert_eq!(client.action, None);
        let provider = next_step(Side::Provider, &facts(stage, &outstanding));
        assert_eq!(provider.title, "This engagement has ended");
        assert_eq!(provider.place, StepPlace::Offboarding);
    }
}

#[test]
fn the_providers_button_names_the_place_the_step_is_done() {
    let outstanding = Outstanding {
        waiting_on_us: vec![item(OutstandingKind::Signature, "Contract")],
        ..Default::default()
    };
    let step = next_step(Side::Provider, &facts(Stage::Onboarding, &outstanding));
    assert_eq!(step.place, StepPlace::Documents);
    assert_eq!(step.action.as_deref(), Some("Open documents"));
}

#[test]
fn once_offboarding_starts_its_steps_come_before_what_is_left_from_onboarding() {
    // The intake was never finished; the client is now leaving.
    let outstanding = Outstanding {
        waiting_on_client: vec![item(
            OutstandingKind::IntakeAnswer,
            "Answer “Billing email”",
        )],
        ..Outstanding::default()
    };
    let mut f = facts(Stage::Offboarding, &outstanding);
    let mut off = client_owes(1, 0);
    f.offboarding = Some(off.clone());
    assert_eq!(
        next_step(Side::Client, &f).title,
        "Review what we delivered"
    );
    // With offboarding's part done, what is left of the start is still asked for.
    off.to_acknowledge = 0;
    off.feedback_submitted = true;
    f.offboarding = Some(off);
    assert_eq!(
        next_step(Side::Client, &f).title,
        "Answer the intake questions"
    );
}

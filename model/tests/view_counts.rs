//! The counts beside a portal's views in its navigation, for each side and stage.

use threshold_model::portal::*;

fn busy(stage: Stage) -> ViewFacts {
    ViewFacts {
        stage: Some(stage),
        offboarding_started: matches!(stage, Stage::Offboarding | Stage::Alumni),
        open_tasks: 3,
        questions_answered: 4,
        questions: 9,
        documents_waiting_on_client: 1,
        documents_waiting_on_us: 2,
        files: 5,
        checkins: 6,
        people: Some(2),
    }
}

#[test]
fn an_engagement_under_way_counts_what_is_open_for_each_side() {
    let provider = view_counts(Side::Provider, &busy(Stage::Active));
    assert_eq!(provider.plan.as_deref(), Some("3 open"));
    assert_eq!(provider.intake.as_deref(), Some("4/9"));
    assert_eq!(provider.documents.as_deref(), Some("3 waiting"));
    assert_eq!(provider.files.as_deref(), Some("5"));
    assert_eq!(provider.activity.as_deref(), Some("6"));
    assert_eq!(provider.offboarding.as_deref(), Some("not started"));
    let client = view_counts(Side::Client, &busy(Stage::Active));
    assert_eq!(
        client.documents.as_deref(),
        Some("1 waiting"),
        "only what waits on them"
    );
}

#[test]
fn people_shows_how_many_have_access_to_the_provider_only() {
    assert_eq!(
        view_counts(Side::Provider, &busy(Stage::Onboarding))
            .people
            .as_deref(),
        Some("2")
    );
    assert_eq!(
        view_counts(Side::Client, &busy(Stage::Onboarding)).people,
        None
    );
    let unknown = ViewFacts {
        people: None,
        ..busy(Stage::Onboarding)
    };
    assert_eq!(
        view_counts(Side::Provider, &unknown).people,
        None,
        "until the relay answers"
    );
}

#[test]
fn an_ended_engagement_shows_no_open_counts_only_what_its_archive_holds() {
    for (stage, how) in [(Stage::Alumni, "done"), (Stage::Cancelled, "cancelled")] {
        for side in [Side::Provider, Side::Client] {
            let counts = view_counts(side, &busy(stage));
            assert_eq!(counts.plan, None, "{stage:?} {side:?}");
            assert_eq!(counts.intake, None, "{stage:?} {side:?}");
            assert_eq!(counts.documents, None, "{stage:?} {side:?}");
            assert_eq!(counts.files.as_deref(), Some("5"));
            assert_eq!(counts.activity.as_deref(), Some("6"));
            assert_eq!(counts.offboarding.as_deref(), Some(how));
        }
    }
    assert_eq!(
        view_counts(Side::Provider, &busy(Stage::Alumni))
            .people
            .as_deref(),
        Some("2")
    );
}

#[test]
fn nothing_open_shows_nothing() {
    let counts = view_counts(
        Side::Provider,
        &ViewFacts {
            stage: Some(Stage::Onboarding),
            ..ViewFacts::default()
        },
    );
    assert_eq!(
        counts,
        ViewCounts {
            offboarding: Some("not started".into()),
            ..ViewCounts::default()
        }
    );
}

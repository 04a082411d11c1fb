//! The count or state beside each of a portal's views in its navigation ("Plan · 3 open",
//! "Intake · 4/9", "People · 2"), for the side reading it. Counts of what is open say what
//! still waits; once the engagement has ended nothing waits any more, so an ended portal shows
//! only what its archive holds (files, check-ins, people) and how it ended. A pure function of
//! facts the app has already read, so every rule is tested natively.

use crate::portal::{Side, Stage};

/// What the counts are made from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewFacts {
    /// `None` while the portal has not said.
    pub stage: Option<Stage>,
    pub offboarding_started: bool,
    pub open_tasks: usize,
    pub questions_answered: usize,
    pub questions: usize,
    pub documents_waiting_on_client: usize,
    pub documents_waiting_on_us: usize,
    pub files: usize,
    pub checkins: usize,
    /// People who have access (the relay's answer); `None` until it has answered.
    pub people: Option<usize>,
}

/// The words beside each view; `None` shows nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewCounts {
    pub plan: Option<String>,
    pub intake: Option<String>,
    pub documents: Option<String>,
    pub files: Option<String>,
    pub offboarding: Option<String>,
    pub activity: Option<String>,
    pub people: Option<String>,
}

pub fn view_counts(side: Side, facts: &ViewFacts) -> ViewCounts {
    let ended = facts.stage.is_some_and(|s| s.is_closed());
    let some = |n: usize| (n > 0).then(|| n.to_string());
    // What waits on someone: nothing, once the engagement has ended.
    let open = |n: usize, words: &str| (!ended && n > 0).then(|| format!("{n} {words}"));
    let documents = match side {
        Side::Client => facts.documents_waiting_on_client,
        Side::Provider => facts.documents_waiting_on_client + facts.documents_waiting_on_us,
    };
    ViewCounts {
        plan: open(facts.open_tasks, "open"),
        intake: (!ended && facts.questions > 0)
            .then(|| format!("{}/{}", facts.questions_answered, facts.questions)),
        documents: open(documents, "waiting"),
        files: some(facts.files),
        offboarding: Some(
            match facts.stage {
                Some(Stage::Offboarding) => "under way",
                Some(Stage::Alumni) => "done",
                Some(Stage::Cancelled) => "cancelled",
                _ if facts.offboarding_started => "started",
                _ => "not started",
            }
            .to_owned(),
        ),
        activity: some(facts.checkins),
        // Who has access is the provider's to see; it holds in an archive too.
        people: match side {
            Side::Provider => facts.people.map(|n| n.to_string()),
            Side::Client => None,
        },
    }
}

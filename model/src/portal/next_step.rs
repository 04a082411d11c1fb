//! The one next step each side reads first on a portal's overview.
//!
//! For the client: what waits on them, in the order a person would do it (the intake first,
//! then documents to sign or send, their tasks, and during offboarding the acknowledgements,
//! the access to confirm and the exit feedback); the first is the next step. For the provider:
//! the stage's next action (invite the client when nobody is, start offboarding when the work
//! is done, send the goodbye when nothing blocks it), else the first thing waiting on us.
//! A pure function of facts the app has already read, so every rule is tested natively.

use crate::portal::{Outstanding, OutstandingItem, OutstandingKind, Stage};

/// Whose overview the step is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Provider,
    Client,
}

/// The part of the portal where a step is done; the app maps it to a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepPlace {
    Overview,
    Plan,
    Intake,
    Documents,
    Offboarding,
    People,
}

/// What the overview's card says and where its button goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextStep {
    pub title: String,
    pub detail: String,
    pub place: StepPlace,
    /// The button's words; `None` when there is nothing to do (the card only informs).
    pub action: Option<String>,
}

/// Where offboarding stands, once it has started.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OffboardingFacts {
    /// Deliverables the client has not acknowledged yet.
    pub to_acknowledge: usize,
    /// Access items the client removes and has not confirmed yet.
    pub client_access_to_confirm: usize,
    pub feedback_submitted: bool,
    /// The checklist items that still hold the goodbye back (unpaid invoices, …).
    pub goodbye_blockers: Vec<String>,
}

/// What the step is decided from.
#[derive(Clone, Debug, PartialEq)]
pub struct StepFacts<'a> {
    pub stage: Stage,
    pub outstanding: &'a Outstanding,
    /// Client contacts with access (the provider's side reads it from the relay; `None` while
    /// unknown, so that the card does not ask for an invite that already exists).
    pub clients_invited: Option<usize>,
    /// `Some` once offboarding has started.
    pub offboarding: Option<OffboardingFacts>,
}

/// Where an outstanding item of `kind` is done.
pub fn place_of(kind: OutstandingKind) -> StepPlace {
    match kind {
        OutstandingKind::IntakeAnswer => StepPlace::Intake,
        OutstandingKind::Signature | OutstandingKind::Payment | OutstandingKind::Document => {
            StepPlace::Documents
        }
        OutstandingKind::Task | OutstandingKind::Meeting => StepPlace::Plan,
    }
}

/// The button's words for going to a place.
fn open(place: StepPlace) -> &'static str {
    match place {
        StepPlace::Overview => "Open the overview",
        StepPlace::Plan => "Open the plan",
        StepPlace::Intake => "Open the intake",
        StepPlace::Documents => "Open documents",
        StepPlace::Offboarding => "Open offboarding",
        StepPlace::People => "Open people",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn step(
    title: impl Into<String>,
    detail: impl Into<String>,
    place: StepPlace,
    action: &str,
) -> NextStep {
    NextStep {
        title: title.into(),
        detail: detail.into(),
        place,
        action: Some(action.to_owned()),
    }
}

fn nothing(title: &str, detail: &str) -> NextStep {
    NextStep {
        title: title.to_owned(),
        detail: detail.to_owned(),
        place: StepPlace::Overview,
        action: None,
    }
}

/// The first of a list of waiting items, in the client's order of work: answers before
/// documents before tasks, and overdue first within each (the list is already sorted so).
fn first_in_order(items: &[OutstandingItem]) -> Option<&OutstandingItem> {
    let rank = |k: OutstandingKind| match k {
        OutstandingKind::IntakeAnswer => 0,
        OutstandingKind::Signature | OutstandingKind::Payment | OutstandingKind::Document => 1,
        OutstandingKind::Task => 2,
        OutstandingKind::Meeting => 3,
    };
    items.iter().min_by_key(|i| rank(i.kind))
}

fn client_item_step(item: &OutstandingItem, waiting: &[OutstandingItem]) -> NextStep {
    let total = waiting.len();
    let more = if total > 1 {
        format!(
            " {} after this.",
            plural(total - 1, "more thing waits", "more things wait")
        )
    } else {
        " It is the last thing waiting on you.".to_owned()
    };
    match item.kind {
        OutstandingKind::IntakeAnswer => {
            let answers = waiting
                .iter()
                .filter(|i| i.kind == OutstandingKind::IntakeAnswer)
                .count();
            step(
                "Answer the intake questions",
                format!(
                    "{} left, starting with {}.{more}",
                    plural(answers, "required question", "required questions"),
                    item.title.trim_start_matches("Answer ")
                ),
                StepPlace::Intake,
                "Open the intake",
            )
        }
        OutstandingKind::Signature => step(
            format!("Sign {}", item.title),
            format!("Your provider is waiting for your signature.{more}"),
            StepPlace::Documents,
            "Open documents",
        ),
        OutstandingKind::Payment => step(
            format!("Pay {}", item.title),
            format!("Mark it paid once it is settled.{more}"),
            StepPlace::Documents,
            "Open documents",
        ),
        OutstandingKind::Document => step(
            format!("Send {}", item.title),
            format!("Your provider asked for this document.{more}"),
            StepPlace::Documents,
            "Open documents",
        ),
        OutstandingKind::Task | OutstandingKind::Meeting => step(
            item.title.clone(),
            format!("A task on your side of the plan.{more}"),
            StepPlace::Plan,
            "Open the plan",
        ),
    }
}

/// The client's next step. Once offboarding has started, what it asks of them comes first:
/// an intake answer left over from the start is not what a client leaving needs to do next.
fn client_step(facts: &StepFacts) -> NextStep {
    if facts.stage.is_closed() {
        return nothing(
            "This engagement has ended",
            "Everything stays here to read and download whenever you need it.",
        );
    }
    if let Some(step) = facts.offboarding.as_ref().and_then(offboarding_step) {
        return step;
    }
    let waiting = &facts.outstanding.waiting_on_client;
    if let Some(item) = first_in_order(waiting) {
        return client_item_step(item, waiting);
    }
    nothing(
        "Nothing waits on you",
        "You are all caught up. We will let you know when something needs you.",
    )
}

/// What offboarding asks of the client, in order: acknowledge, confirm access, give feedback.
fn offboarding_step(off: &OffboardingFacts) -> Option<NextStep> {
    if off.to_acknowledge > 0 {
        return Some(step(
            "Review what we delivered",
            format!(
                "Acknowledge {} once you have what you need.",
                plural(off.to_acknowledge, "deliverable", "deliverables")
            ),
            StepPlace::Offboarding,
            "Review deliverables",
        ));
    }
    if off.client_access_to_confirm > 0 {
        return Some(step(
            "Confirm access was removed",
            format!(
                "{} on your side to remove and confirm.",
                plural(off.client_access_to_confirm, "access item", "access items")
            ),
            StepPlace::Offboarding,
            "Open offboarding",
        ));
    }
    if !off.feedback_submitted {
        return Some(step(
            "Tell us how it went",
            "A few questions about the engagement, to help us do better.",
            StepPlace::Offboarding,
            "Give feedback",
        ));
    }
    None
}

/// The provider's next step.
fn provider_step(facts: &StepFacts) -> NextStep {
    let waiting_client = facts.outstanding.waiting_on_client.len();
    let on_client = if waiting_client == 0 {
        "Nothing waits on the client.".to_owned()
    } else {
        format!(
            "{} on the client.",
            plural(waiting_client, "item waits", "items wait")
        )
    };
    match facts.stage {
        Stage::Alumni | Stage::Cancelled => return step(
            "This engagement has ended",
            "The client keeps a read-only archive. Follow-ups are scheduled at 3, 6 and 12 months.",
            StepPlace::Offboarding,
            "See follow-ups",
        ),
        _ if facts.clients_invited == Some(0) => {
            return step(
                "Invite the client",
                "Nobody at the client has access yet. Create an invite link for their contact.",
                StepPlace::People,
                "Invite the client",
            )
        }
        Stage::Offboarding => {
            let blockers = facts
                .offboarding
                .as_ref()
                .map(|o| o.goodbye_blockers.clone())
                .unwrap_or_default();
            return if blockers.is_empty() {
                step(
                    "Send the goodbye",
                    format!("Nothing holds the goodbye back. {on_client}"),
                    StepPlace::Offboarding,
                    "Send the goodbye",
                )
            } else {
                step(
                    "Settle before the goodbye",
                    format!("Still open: {}.", blockers.join("; ")),
                    StepPlace::Offboarding,
                    "Open offboarding",
                )
            };
        }
        _ => {}
    }
    if let Some(item) = facts.outstanding.waiting_on_us.first() {
        let more = facts.outstanding.waiting_on_us.len() - 1;
        let after = if more == 0 {
            String::new()
        } else {
            format!(
                " {} on us after this.",
                plural(more, "more item waits", "more items wait")
            )
        };
        let place = place_of(item.kind);
        return step(
            item.title.clone(),
            format!("{on_client}{after}"),
            place,
            open(place),
        );
    }
    match facts.stage {
        Stage::Active => step(
            "Start offboarding when the work is done",
            format!(
                "{on_client} Offboarding plans the handover, the final invoice and the goodbye."
            ),
            StepPlace::Offboarding,
            "Plan offboarding",
        ),
        _ if waiting_client > 0 => nothing("Waiting on the client", &on_client),
        _ => step(
            "Onboarding is complete",
            "Nothing waits on either side. Start offboarding when the work is done.",
            StepPlace::Offboarding,
            "Plan offboarding",
        ),
    }
}

/// The next step on `side`'s overview.
pub fn next_step(side: Side, facts: &StepFacts) -> NextStep {
    match side {
        Side::Client => client_step(facts),
        Side::Provider => provider_step(facts),
    }
}

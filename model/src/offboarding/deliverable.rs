//! The deliverables review: everything the engagement delivered, in one place, each with its
//! owner, date and handover notes, acknowledged by the client.
//!
//! Shape, inside the portal document:
//! ```text
//! deliverables: { <deliverableId>: { title, owner, due: "YYYY-MM-DD", source: "task:<id>"|"exchange:<id>",
//!                                    howToUse: Text, maintenance: Text, timeNeeded: Text,
//!                                    createdAt: ts, acknowledgedAt: ts, acknowledgedBy } }
//! ```
//! Handover notes are collaborative text: provider and client may both add to them at once.

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc};
use chrono::{DateTime, NaiveDate, Utc};

use crate::doc::collection::{self, Item, Spec};
use crate::doc::record::Record;
use crate::doc::Part;
use crate::doc::{field, DeliverableId, ModelError};
use crate::onboarding::{read_exchange, ExchangeItem};
use crate::portal::{read_tasks, Task};

/// What the plan says about a deliverable: what it is, who delivers it, by when.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DeliverableSpec {
    pub title: String,
    /// The team member who hands it over.
    pub owner: String,
    pub due: Option<NaiveDate>,
}

/// How to live with a deliverable after the engagement.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Handover {
    pub how_to_use: String,
    pub maintenance: String,
    /// How long the recurring tasks take ("10 minutes a week to moderate comments").
    pub time_needed: String,
}

impl Handover {
    pub fn is_empty(&self) -> bool {
        self.how_to_use.trim().is_empty()
            && self.maintenance.trim().is_empty()
            && self.time_needed.trim().is_empty()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Deliverable {
    pub id: DeliverableId,
    pub spec: DeliverableSpec,
    /// The task or document it came from, if it was gathered from the plan.
    pub source: Option<String>,
    pub handover: Handover,
    pub acknowledged: Option<(DateTime<Utc>, String)>,
    pub created_at: Option<DateTime<Utc>>,
}

const HANDOVER_KEYS: [&str; 3] = ["howToUse", "maintenance", "timeNeeded"];

pub fn add_deliverable(
    tx: &mut impl Transactable,
    spec: &DeliverableSpec,
    source: Option<&str>,
    now: DateTime<Utc>,
) -> Result<DeliverableId, ModelError> {
    if spec.title.trim().is_empty() {
        return Err(ModelError::Rule("A deliverable needs a name.".into()));
    }
    let (id, obj) = collection::add(tx, spec)?;
    if let Some(source) = source {
        tx.put(&obj, "source", source)?;
    }
    field::put_timestamp(tx, &obj, "createdAt", now)?;
    // The notes exist from the start, so both sides' first words go into the same text.
    for key in HANDOVER_KEYS {
        tx.put_object(&obj, key, automerge::ObjType::Text)?;
    }
    Ok(id)
}

impl Spec for DeliverableSpec {
    type Item = Deliverable;

    fn write(&self, tx: &mut impl Transactable, obj: &ObjId) -> Result<(), ModelError> {
        tx.put(obj, "title", self.title.trim())?;
        tx.put(obj, "owner", self.owner.trim())?;
        field::put_date(tx, obj, "due", self.due)
    }
}

impl Item for Deliverable {
    const KEY: &'static str = "deliverables";
    type Id = DeliverableId;

    fn read(doc: &impl ReadDoc, id: DeliverableId, r: &Record) -> Result<Option<Self>, ModelError> {
        let text = |key| r.string(doc, key).map(Option::unwrap_or_default);
        Ok(Some(Deliverable {
            id,
            spec: DeliverableSpec {
                title: text("title")?,
                owner: text("owner")?,
                due: r.date(doc, "due")?,
            },
            source: r.string(doc, "source")?.filter(|s| !s.is_empty()),
            handover: Handover {
                how_to_use: text("howToUse")?,
                maintenance: text("maintenance")?,
                time_needed: text("timeNeeded")?,
            },
            acknowledged: r.timestamp("acknowledgedAt").map(|at| {
                (
                    at,
                    r.string(doc, "acknowledgedBy")
                        .ok()
                        .flatten()
                        .unwrap_or_default(),
                )
            }),
            created_at: r.timestamp("createdAt"),
        }))
    }

    /// By due date (undated last), then in the order they were added.
    fn order(a: &Self, b: &Self) -> Ordering {
        let key = |d: &Self| (d.spec.due.is_none(), d.spec.due, d.created_at);
        (key(a), &a.id).cmp(&(key(b), &b.id))
    }
}

pub fn update_deliverable(
    tx: &mut impl Transactable,
    id: &DeliverableId,
    spec: &DeliverableSpec,
) -> Result<(), ModelError> {
    collection::update(tx, id, spec)
}

/// Record the handover notes as character-level edits, so two people writing at once both keep
/// their words.
pub fn set_handover(
    tx: &mut impl Transactable,
    id: &DeliverableId,
    handover: &Handover,
) -> Result<(), ModelError> {
    let obj = collection::get::<Deliverable>(tx, id)?;
    let values = [
        &handover.how_to_use,
        &handover.maintenance,
        &handover.time_needed,
    ];
    for (key, value) in HANDOVER_KEYS.into_iter().zip(values) {
        let text = field::ensure_text(tx, &obj, key)?;
        tx.update_text(&text, value)?;
    }
    Ok(())
}

/// The client confirms they received it (or, with `by: None`, takes that back).
pub fn acknowledge_deliverable(
    tx: &mut impl Transactable,
    id: &DeliverableId,
    by: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), ModelError> {
    let obj = collection::get::<Deliverable>(tx, id)?;
    match by {
        Some(by) => {
            field::put_timestamp(tx, &obj, "acknowledgedAt", at)?;
            tx.put(&obj, "acknowledgedBy", by)?;
        }
        None => {
            tx.delete(&obj, "acknowledgedAt")?;
            tx.delete(&obj, "acknowledgedBy")?;
        }
    }
    Ok(())
}

pub fn remove_deliverable(
    tx: &mut impl Transactable,
    id: &DeliverableId,
) -> Result<(), ModelError> {
    collection::remove::<Deliverable>(tx, id)
}

/// By due date (undated last), then in the order they were added.
pub fn read_deliverables(doc: &impl ReadDoc) -> Result<Vec<Deliverable>, ModelError> {
    collection::read_all(doc)
}

/// [`read_deliverables`] as a [`Part`].
pub const DELIVERABLES: Part<Vec<Deliverable>> = Part {
    keys: &["deliverables"],
    read: |doc| read_deliverables(doc),
};

/// [`deliverable_candidates`] of the portal as it is, as a [`Part`].
pub const DELIVERABLE_CANDIDATES: Part<Vec<(String, String)>> = Part {
    keys: &["tasks", "exchange", "deliverables"],
    read: |doc| {
        let (tasks, exchange) = (read_tasks(doc)?, read_exchange(doc)?);
        Ok(deliverable_candidates(
            &tasks,
            &exchange,
            &read_deliverables(doc)?,
        ))
    },
};

/// What the plan delivered that the review does not list yet, as (source, title): finished
/// tasks, and documents we sent that are settled. Gathering them is how the review ends up with
/// every deliverable of the engagement in one place.
pub fn deliverable_candidates(
    tasks: &[Task],
    exchange: &[ExchangeItem],
    deliverables: &[Deliverable],
) -> Vec<(String, String)> {
    let listed = |source: &str| {
        deliverables
            .iter()
            .any(|d| d.source.as_deref() == Some(source))
    };
    let from_tasks = tasks
        .iter()
        .filter(|t| t.done)
        .map(|t| (format!("task:{}", t.id), t.title.clone()));
    let from_exchange = exchange
        .iter()
        .filter(|e| e.direction == crate::onboarding::Direction::WeSend && e.status.is_settled())
        .filter(|e| !e.is_invoice())
        .map(|e| (format!("exchange:{}", e.id), e.name.clone()));
    from_tasks
        .chain(from_exchange)
        .filter(|(source, _)| !listed(source))
        .collect()
}

//! The offboarding plan: starting it from a playbook, and the settings of the goodbye (review
//! link, save offer, support offer) that the provider configures for this client.
//!
//! Shape, inside the portal document:
//! ```text
//! offboarding: { startedAt: ts, reviewLink, goodbyeSentAt: ts,
//!                saveOffer: { kind: "pause"|"discount"|"other", text },
//!                supportOffer: { text, acceptedAt: ts },
//!                cancellation: { at: ts, by, reason, detail, offerAcceptedAt: ts } }
//! ```
//! The offboarding lead is provider-only and lives in the internal document.

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc, ROOT};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::words::stored_words;
use crate::doc::Part;
use crate::doc::{field, ModelError};
use crate::offboarding::{
    add_access_item, add_deliverable, add_exit_question, add_next_step, DeliverableSpec,
};
use crate::portal::{read_stage, set_stage, Assignee, Stage};

/// The offboarding part of a playbook. Dates are days from the day offboarding starts.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OffboardingPlaybook {
    pub deliverables: Vec<PlaybookDeliverable>,
    pub access: Vec<PlaybookAccess>,
    pub questions: Vec<String>,
    pub next_steps: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlaybookDeliverable {
    pub title: String,
    pub due_in_days: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PlaybookAccess {
    pub tool: String,
    /// "provider" or "client".
    pub remover: String,
    pub due_in_days: Option<i64>,
}

impl OffboardingPlaybook {
    /// The playbook a portal gets when its template has none: what every good goodbye covers.
    pub fn standard() -> Self {
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        Self {
            deliverables: vec![
                PlaybookDeliverable {
                    title: "Final report".into(),
                    due_in_days: Some(7),
                },
                PlaybookDeliverable {
                    title: "Handover session".into(),
                    due_in_days: Some(10),
                },
            ],
            access: vec![
                PlaybookAccess {
                    tool: "Shared drive folders".into(),
                    remover: "provider".into(),
                    due_in_days: Some(14),
                },
                PlaybookAccess {
                    tool: "Our accounts on the client's tools".into(),
                    remover: "client".into(),
                    due_in_days: Some(14),
                },
            ],
            questions: strings(&[
                "What did we do well?",
                "What could we have done better?",
                "Is there anything you need from us before we part?",
            ]),
            next_steps: strings(&[
                "Book a review of the results in three months",
                "Keep the handover notes where your team will find them",
            ]),
        }
    }
}

stored_words! {
    /// A save offer the provider makes to a client about to cancel.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum SaveOfferKind {
        Pause = "pause" / "Pause the engagement",
        Discount = "discount" / "A discount",
        Other = "other" / "Something else",
    }
    unknown => Other
}

#[derive(Clone, Debug, PartialEq)]
pub struct SaveOffer {
    pub kind: SaveOfferKind,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Cancellation {
    pub at: DateTime<Utc>,
    pub by: String,
    pub reason: crate::offboarding::LeaveReason,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Offboarding {
    pub started_at: Option<DateTime<Utc>>,
    pub review_link: String,
    pub save_offer: Option<SaveOffer>,
    /// When the client accepted the save offer instead of cancelling.
    pub offer_accepted_at: Option<DateTime<Utc>>,
    pub support_offer: String,
    pub support_accepted_at: Option<DateTime<Utc>>,
    pub goodbye_sent_at: Option<DateTime<Utc>>,
    pub cancellation: Option<Cancellation>,
}

pub(crate) fn offboarding_map(tx: &mut impl Transactable) -> Result<ObjId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    field::ensure_map(tx, &ROOT, "offboarding")
}

/// Begin offboarding: the client moves to the offboarding stage and the plan is filled from the
/// playbook, with dates counted from `today`. Offboarding that started before (and went back to
/// active) resumes with the plan it had, instead of gaining a second copy of the playbook.
pub fn start_offboarding(
    tx: &mut impl Transactable,
    playbook: &OffboardingPlaybook,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    match read_stage(tx)? {
        Stage::Active | Stage::Offboarding => {}
        // The work can be done before anyone set the stage to Active by hand: starting
        // offboarding walks the stage through the steps it skipped, each dated.
        Stage::Invited => {
            set_stage(tx, Stage::Onboarding, now)?;
            set_stage(tx, Stage::Active, now)?;
        }
        Stage::Onboarding => set_stage(tx, Stage::Active, now)?,
        Stage::Alumni | Stage::Cancelled => {
            return Err(ModelError::Rule(
                "Offboarding starts from an engagement that has not ended.".into(),
            ))
        }
    }
    let resumed = read_offboarding(tx)?.started_at.is_some();
    set_stage(tx, Stage::Offboarding, now)?;
    if resumed {
        return Ok(());
    }
    crate::portal::ensure_collections(tx)?;
    let obj = offboarding_map(tx)?;
    field::put_timestamp(tx, &obj, "startedAt", now)?;
    let date = |days: Option<i64>| days.map(|d| today + Duration::days(d));
    for (i, d) in playbook.deliverables.iter().enumerate() {
        let spec = DeliverableSpec {
            title: d.title.clone(),
            owner: String::new(),
            due: date(d.due_in_days),
        };
        // A millisecond apart, so the review keeps the playbook's order.
        add_deliverable(tx, &spec, None, now + Duration::milliseconds(i as i64))?;
    }
    for (i, a) in playbook.access.iter().enumerate() {
        let at = now + Duration::milliseconds(i as i64);
        add_access_item(
            tx,
            &a.tool,
            Assignee::parse(&a.remover),
            date(a.due_in_days),
            at,
        )?;
    }
    for q in &playbook.questions {
        add_exit_question(tx, q)?;
    }
    for (i, s) in playbook.next_steps.iter().enumerate() {
        add_next_step(tx, s, now + Duration::milliseconds(i as i64))?;
    }
    Ok(())
}

pub fn set_review_link(tx: &mut impl Transactable, url: &str) -> Result<(), ModelError> {
    let url = url.trim();
    if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
        return Err(ModelError::Rule(
            "The review link must start with https://.".into(),
        ));
    }
    let obj = offboarding_map(tx)?;
    tx.put(&obj, "reviewLink", url)?;
    Ok(())
}

/// Configure the offer shown to a client who starts to cancel (or remove it with `None`).
pub fn set_save_offer(
    tx: &mut impl Transactable,
    offer: Option<&SaveOffer>,
) -> Result<(), ModelError> {
    let obj = offboarding_map(tx)?;
    match offer.filter(|o| !o.text.trim().is_empty()) {
        Some(offer) => {
            let o = tx.put_object(&obj, "saveOffer", automerge::ObjType::Map)?;
            tx.put(&o, "kind", offer.kind.as_str())?;
            tx.put(&o, "text", offer.text.trim())?;
        }
        None => tx.delete(&obj, "saveOffer")?,
    }
    Ok(())
}

/// The client takes the save offer: they stay, and the provider sees it.
pub fn accept_save_offer(tx: &mut impl Transactable, at: DateTime<Utc>) -> Result<(), ModelError> {
    if read_offboarding(tx)?.save_offer.is_none() {
        return Err(ModelError::Rule("There is no offer to accept.".into()));
    }
    let obj = offboarding_map(tx)?;
    field::put_timestamp(tx, &obj, "offerAcceptedAt", at)
}

pub fn set_support_offer(tx: &mut impl Transactable, text: &str) -> Result<(), ModelError> {
    let obj = offboarding_map(tx)?;
    let offer = field::ensure_map(tx, &obj, "supportOffer")?;
    tx.put(&offer, "text", text.trim())?;
    Ok(())
}

/// The client takes up the post-engagement support offer (or changes their mind).
pub fn accept_support_offer(
    tx: &mut impl Transactable,
    at: Option<DateTime<Utc>>,
) -> Result<(), ModelError> {
    let obj = offboarding_map(tx)?;
    let offer = field::ensure_map(tx, &obj, "supportOffer")?;
    match at {
        Some(at) => field::put_timestamp(tx, &offer, "acceptedAt", at),
        None => Ok(tx.delete(&offer, "acceptedAt")?),
    }
}

pub fn read_offboarding(doc: &impl ReadDoc) -> Result<Offboarding, ModelError> {
    let Some(obj) = field::map(doc, &ROOT, "offboarding")? else {
        return Ok(Offboarding::default());
    };
    let r = Record::read(doc, &obj);
    let save_offer = match r.map("saveOffer") {
        Some(o) => {
            let o = Record::read(doc, o);
            Some(SaveOffer {
                kind: SaveOfferKind::parse(&o.string(doc, "kind")?.unwrap_or_default()),
                text: o.string(doc, "text")?.unwrap_or_default(),
            })
        }
        None => None,
    };
    let support = r.map("supportOffer").map(|o| Record::read(doc, o));
    let cancellation = match r.map("cancellation") {
        Some(c) => {
            let c = Record::read(doc, c);
            match (c.timestamp("at"), c.string(doc, "reason")?) {
                (Some(at), Some(reason)) => Some(Cancellation {
                    at,
                    by: c.string(doc, "by")?.unwrap_or_default(),
                    reason: crate::offboarding::LeaveReason::parse(&reason)
                        .unwrap_or(crate::offboarding::LeaveReason::Other),
                    detail: c.string(doc, "detail")?.unwrap_or_default(),
                }),
                _ => None,
            }
        }
        None => None,
    };
    Ok(Offboarding {
        started_at: r.timestamp("startedAt"),
        review_link: r.string(doc, "reviewLink")?.unwrap_or_default(),
        save_offer,
        offer_accepted_at: r.timestamp("offerAcceptedAt"),
        support_offer: match &support {
            Some(s) => s.string(doc, "text")?.unwrap_or_default(),
            None => String::new(),
        },
        support_accepted_at: support.as_ref().and_then(|s| s.timestamp("acceptedAt")),
        goodbye_sent_at: r.timestamp("goodbyeSentAt"),
        cancellation,
    })
}

/// [`read_offboarding`] as a [`Part`].
pub const OFFBOARDING: Part<Offboarding> = Part {
    keys: &["offboarding"],
    read: |doc| read_offboarding(doc),
};

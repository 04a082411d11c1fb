//! Exit feedback: open questions, how likely the client is to recommend us (0–10), why they are
//! leaving, and whether we may quote them.
//!
//! Shape, inside the portal document:
//! ```text
//! feedback: { questions: { <questionId>: { prompt, order: int } },
//!             answers: { <questionId>: Text },
//!             score: int, reasons: { <reason>: true }, otherReason,
//!             quotePermission: bool, testimonial: Text, submittedAt: ts, submittedBy }
//! ```
//! Reasons are keys of a map, so ticking two reasons on two devices keeps both.

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc, ROOT};
use chrono::{DateTime, Utc};

use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::words::stored_words;
use crate::doc::Part;
use crate::doc::{field, ModelError, QuestionId};

stored_words! {
    /// Why a client leaves. The same list serves exit feedback and cancellations, so the workspace
    /// can count them together.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum LeaveReason {
        WorkComplete = "work-complete" / "The work is complete",
        Budget = "budget" / "Budget",
        NeedsChanged = "needs-changed" / "Our needs changed",
        InHouse = "in-house" / "Moving the work in-house",
        OtherProvider = "other-provider" / "Switching to another provider",
        Results = "results" / "Not happy with the results",
        Communication = "communication" / "Communication",
        Timing = "timing" / "Timing",
        Other = "other" / "Other",
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExitQuestion {
    pub id: QuestionId,
    pub prompt: String,
    pub answer: String,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct ExitFeedback {
    pub questions: Vec<ExitQuestion>,
    /// How likely, 0–10, the client is to recommend us.
    pub score: Option<u8>,
    pub reasons: Vec<LeaveReason>,
    pub other_reason: String,
    pub quote_permission: bool,
    pub testimonial: String,
    pub submitted: Option<(DateTime<Utc>, String)>,
}

/// The feedback's maps and text, made once (with the portal, or when offboarding starts), so
/// that the first answers from two devices land in the same objects.
pub(crate) fn ensure_feedback(tx: &mut impl Transactable) -> Result<(), ModelError> {
    let feedback = field::ensure_map(tx, &ROOT, "feedback")?;
    for key in ["questions", "answers", "reasons"] {
        field::ensure_map(tx, &feedback, key)?;
    }
    field::ensure_text(tx, &feedback, "testimonial")?;
    Ok(())
}

fn feedback(tx: &mut impl Transactable) -> Result<ObjId, ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    field::ensure_map(tx, &ROOT, "feedback")
}

pub fn add_exit_question(
    tx: &mut impl Transactable,
    prompt: &str,
) -> Result<QuestionId, ModelError> {
    if prompt.trim().is_empty() {
        return Err(ModelError::Rule("Write the question.".into()));
    }
    let feedback = feedback(tx)?;
    let order = field::items(tx, &feedback, "questions")?.len() as i64;
    let id = QuestionId::new();
    let obj = field::new_item(tx, &feedback, "questions", id.as_str())?;
    tx.put(&obj, "prompt", prompt.trim())?;
    tx.put(&obj, "order", order)?;
    let answers = field::ensure_map(tx, &feedback, "answers")?;
    tx.put_object(&answers, id.as_str(), automerge::ObjType::Text)?;
    Ok(id)
}

pub fn remove_exit_question(tx: &mut impl Transactable, id: &QuestionId) -> Result<(), ModelError> {
    let feedback = feedback(tx)?;
    field::delete_item(tx, &feedback, "questions", id.as_str())
}

pub fn set_exit_answer(
    tx: &mut impl Transactable,
    id: &QuestionId,
    answer: &str,
) -> Result<(), ModelError> {
    let feedback = feedback(tx)?;
    let answers = field::ensure_map(tx, &feedback, "answers")?;
    let text = field::ensure_text(tx, &answers, id.as_str())?;
    tx.update_text(&text, answer)?;
    Ok(())
}

/// The likelihood to recommend, 0 to 10 (or none, to clear it).
pub fn set_exit_score(tx: &mut impl Transactable, score: Option<u8>) -> Result<(), ModelError> {
    let feedback = feedback(tx)?;
    match score {
        Some(s) if s > 10 => Err(ModelError::Rule("The score goes from 0 to 10.".into())),
        Some(s) => Ok(tx.put(&feedback, "score", i64::from(s))?),
        None => Ok(tx.delete(&feedback, "score")?),
    }
}

pub fn set_exit_reason(
    tx: &mut impl Transactable,
    reason: LeaveReason,
    chosen: bool,
) -> Result<(), ModelError> {
    let feedback = feedback(tx)?;
    let reasons = field::ensure_map(tx, &feedback, "reasons")?;
    if chosen {
        tx.put(&reasons, reason.as_str(), true)?;
    } else {
        tx.delete(&reasons, reason.as_str())?;
    }
    Ok(())
}

pub fn set_other_reason(tx: &mut impl Transactable, text: &str) -> Result<(), ModelError> {
    let feedback = feedback(tx)?;
    tx.put(&feedback, "otherReason", text.trim())?;
    Ok(())
}

/// Whether we may quote the client, and the words we may quote.
pub fn set_testimonial(
    tx: &mut impl Transactable,
    permission: bool,
    testimonial: &str,
) -> Result<(), ModelError> {
    let feedback = feedback(tx)?;
    tx.put(&feedback, "quotePermission", permission)?;
    let text = field::ensure_text(tx, &feedback, "testimonial")?;
    tx.update_text(&text, testimonial)?;
    Ok(())
}

/// The client sends their feedback. A score is the one thing it needs; "Other" needs its words.
pub fn submit_exit_feedback(
    tx: &mut impl Transactable,
    by: &str,
    at: DateTime<Utc>,
) -> Result<(), ModelError> {
    let current = read_exit_feedback(tx)?;
    if current.score.is_none() {
        return Err(ModelError::Rule(
            "Choose how likely you are to recommend us, from 0 to 10.".into(),
        ));
    }
    if current.reasons.contains(&LeaveReason::Other) && current.other_reason.trim().is_empty() {
        return Err(ModelError::Rule("Say what the other reason is.".into()));
    }
    let feedback = feedback(tx)?;
    field::put_timestamp(tx, &feedback, "submittedAt", at)?;
    tx.put(&feedback, "submittedBy", by)?;
    Ok(())
}

pub fn read_exit_feedback(doc: &impl ReadDoc) -> Result<ExitFeedback, ModelError> {
    let Some(obj) = field::map(doc, &ROOT, "feedback")? else {
        return Ok(ExitFeedback::default());
    };
    let r = Record::read(doc, &obj);
    let answers = r.map("answers").map(|a| Record::read(doc, a));
    let mut questions = Vec::new();
    if let Some(q) = r.map("questions") {
        for (id, q) in Record::read(doc, q).maps() {
            let q = Record::read(doc, q);
            let answer = match &answers {
                Some(a) => a.string(doc, id)?.unwrap_or_default(),
                None => String::new(),
            };
            questions.push((
                q.number("order").unwrap_or(0.0) as i64,
                ExitQuestion {
                    id: QuestionId::from_string(id),
                    prompt: q.string(doc, "prompt")?.unwrap_or_default(),
                    answer,
                },
            ));
        }
    }
    questions.sort_by(|(a, qa), (b, qb)| (a, &qa.id).cmp(&(b, &qb.id)));
    let reasons = match r.map("reasons") {
        Some(m) => doc.keys(m).filter_map(|k| LeaveReason::parse(&k)).collect(),
        None => Vec::new(),
    };
    let mut reasons: Vec<LeaveReason> = reasons;
    reasons.sort();
    Ok(ExitFeedback {
        questions: questions.into_iter().map(|(_, q)| q).collect(),
        score: r
            .number("score")
            .filter(|s| (0.0..=10.0).contains(s))
            .map(|s| s as u8),
        reasons,
        other_reason: r.string(doc, "otherReason")?.unwrap_or_default(),
        quote_permission: r.boolean("quotePermission").unwrap_or(false),
        testimonial: r.string(doc, "testimonial")?.unwrap_or_default(),
        submitted: r.timestamp("submittedAt").map(|at| {
            (
                at,
                r.string(doc, "submittedBy")
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            )
        }),
    })
}

/// [`read_exit_feedback`] as a [`Part`].
pub const EXIT_FEEDBACK: Part<ExitFeedback> = Part {
    keys: &["feedback"],
    read: |doc| read_exit_feedback(doc),
};

//! What a portal would tell each side right now, as keyed notices: what waits on the client (a
//! task assigned to them, a document requested from them or sent to sign or pay, a deliverable
//! to acknowledge, the exit feedback, a reply on their task), and, for the provider, what the
//! client did (answered the intake, uploaded a file, signed, commented, wrote a check-in,
//! acknowledged a deliverable, sent their feedback).
//!
//! The relay keeps the notices it knew on its last pass and announces only new keys in a
//! digest ([`super::digest`]); so a key must be stable for as long as the thing it names is
//! the same (`task:<id>`, `comment:<id>`…), and a thing that stops waiting simply drops out.
//!
//! Only the portal document is read: nothing from the internal or workspace documents ever
//! becomes a notice, so a client's digest cannot carry it.
//!
//! ```
//! use threshold_model::notify::notice::{notices, NoticeFacts};
//! let facts = NoticeFacts::default();
//! assert!(notices(&facts).is_empty());
//! ```

use std::collections::BTreeMap;

use automerge::{Automerge, ObjId, ReadDoc, ROOT};

use crate::doc::ModelError;
use crate::offboarding::{read_deliverables, read_exit_feedback, Deliverable, ExitFeedback};
use crate::onboarding::{
    read_exchange, read_intake, read_signatures, Direction, ExchangeItem, ExchangeStatus, Intake,
    Signature,
};
use crate::portal::{
    read_checkins, read_files, read_stage, read_tasks, Assignee, Attachment, Checkin, FileRef,
    Stage, Task,
};

/// One thing to tell one side of a portal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// Stable while the thing is the same: `task:<id>`, `document:<id>`, `comment:<id>`, …
    pub key: String,
    /// The side it is for.
    pub side: Assignee,
    /// What the email says: for what waits on the client, a whole line; for what the client
    /// did ([`Notice::act`]), the words after the person's name ("uploaded “logo.png”").
    pub text: String,
    /// The portal view that shows it (`plan`, `documents`, …), for a link straight to it.
    pub view: &'static str,
    /// The Automerge actor (lowercase hex) that made it, when the document records one: the
    /// relay names the person from its authors table, never from what a device wrote.
    pub by: Option<String>,
    /// Something a person did, told to the provider only when a client did it.
    pub act: bool,
}

impl Notice {
    /// Unique within a portal: the same comment may be news to both sides.
    pub fn id(&self) -> String {
        format!("{}/{}", self.side.as_str(), self.key)
    }

    /// The line in the email. `who` is the verified name of the person who acted, if known.
    pub fn line(&self, who: Option<&str>) -> String {
        if !self.act {
            return self.text.clone();
        }
        let who = who.map(str::trim).filter(|w| !w.is_empty());
        format!("{} {}", who.unwrap_or("Your client"), self.text)
    }

    /// Whether to tell `person` (a side's person id) given who made it (`made_by`: the side
    /// and person id of the author's token, when the relay knows the actor). Nobody hears of
    /// their own action; the provider hears only of what a client did.
    pub fn tells(&self, made_by: Option<(Assignee, &str)>, person: &str) -> bool {
        if made_by.is_some_and(|(_, p)| p == person) {
            return false;
        }
        if self.act && self.side == Assignee::Provider {
            return matches!(made_by, Some((Assignee::Client, _)));
        }
        true
    }
}

/// What the notices are computed from: plain values read from a portal document, and the
/// actor that made each item (by notice key).
#[derive(Clone, Debug)]
pub struct NoticeFacts {
    pub stage: Stage,
    pub tasks: Vec<Task>,
    pub exchange: Vec<ExchangeItem>,
    pub intake: Intake,
    pub files: Vec<FileRef>,
    pub signatures: Vec<Signature>,
    pub checkins: Vec<Checkin>,
    pub deliverables: Vec<Deliverable>,
    pub feedback: ExitFeedback,
    /// Notice key → the actor (lowercase hex) that created the item.
    pub made_by: BTreeMap<String, String>,
}

impl Default for NoticeFacts {
    /// An empty portal being onboarded, as a new portal starts.
    fn default() -> Self {
        Self {
            stage: Stage::Onboarding,
            tasks: Vec::new(),
            exchange: Vec::new(),
            intake: Intake::default(),
            files: Vec::new(),
            signatures: Vec::new(),
            checkins: Vec::new(),
            deliverables: Vec::new(),
            feedback: ExitFeedback::default(),
            made_by: BTreeMap::new(),
        }
    }
}

/// A quoted excerpt on one line: a digest names a comment, it does not carry essays.
fn excerpt(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    const MAX: usize = 80;
    if flat.chars().count() <= MAX {
        format!("\u{201c}{flat}\u{201d}")
    } else {
        let cut: String = flat.chars().take(MAX).collect();
        format!("\u{201c}{}\u{2026}\u{201d}", cut.trim_end())
    }
}

fn quoted(title: &str) -> String {
    format!("\u{201c}{}\u{201d}", title.trim())
}

/// The view that shows a file, by what it is attached to.
fn file_view(attached: &Attachment) -> &'static str {
    match attached {
        Attachment::Portal => "files",
        Attachment::Field(_) => "intake",
        Attachment::Exchange(_) => "documents",
        Attachment::Deliverable(_) => "offboarding",
        Attachment::Task(_) => "plan",
    }
}

/// Every notice the portal holds now, for both sides. A closed portal (alumni, cancelled)
/// holds none: nothing waits on anyone any more.
pub fn notices(facts: &NoticeFacts) -> Vec<Notice> {
    if facts.stage.is_closed() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let by = |key: &str| facts.made_by.get(key).cloned();
    let mut push = |key: String, side, text: String, view, act| {
        let made = by(&key);
        out.push(Notice {
            key,
            side,
            text,
            view,
            by: made,
            act,
        });
    };

    // What waits on the client.
    for t in facts
        .tasks
        .iter()
        .filter(|t| !t.done && t.assignee == Assignee::Client)
    {
        let due = t
            .due
            .map(|d| format!(" (due {})", crate::formats::full_date(d)))
            .unwrap_or_default();
        push(
            format!("task:{}", t.id.as_str()),
            Assignee::Client,
            format!("A task for you: {}{due}", quoted(&t.title)),
            "plan",
            false,
        );
    }
    for d in facts.exchange.iter().filter(|d| d.waits_on_client()) {
        let text = match (d.direction, d.status) {
            (Direction::WeSend, ExchangeStatus::Sent) if d.invoice => "To pay",
            (Direction::WeSend, _) => "To sign",
            (Direction::WeNeed, _) => "Requested from you",
        };
        push(
            format!("document:{}", d.id.as_str()),
            Assignee::Client,
            format!("{text}: {}", quoted(&d.name)),
            "documents",
            false,
        );
    }
    if facts.stage == Stage::Offboarding {
        for d in facts
            .deliverables
            .iter()
            .filter(|d| d.acknowledged.is_none())
        {
            push(
                format!("deliverable:{}", d.id.as_str()),
                Assignee::Client,
                format!("To look over and acknowledge: {}", quoted(&d.spec.title)),
                "offboarding",
                false,
            );
        }
        if facts.feedback.submitted.is_none() {
            push(
                "feedback".to_owned(),
                Assignee::Client,
                "A few questions on how the engagement went".to_owned(),
                "offboarding",
                false,
            );
        }
    }
    for t in &facts.tasks {
        for c in &t.comments {
            let key = format!("comment:{}", c.id.as_str());
            if t.assignee == Assignee::Client {
                push(
                    key.clone(),
                    Assignee::Client,
                    format!("A reply on {}: {}", quoted(&t.title), excerpt(&c.body)),
                    "plan",
                    false,
                );
            }
            push(
                key,
                Assignee::Provider,
                format!("commented on {}: {}", quoted(&t.title), excerpt(&c.body)),
                "plan",
                true,
            );
        }
    }

    // What the client did, for the provider.
    for field in &facts.intake.fields {
        if facts
            .intake
            .answers
            .get(&field.id)
            .is_some_and(|a| a.value.is_filled())
        {
            push(
                format!("answer:{}", field.id.as_str()),
                Assignee::Provider,
                format!("answered {} in the intake form", quoted(&field.spec.label)),
                "intake",
                true,
            );
        }
    }
    for f in &facts.files {
        push(
            format!("file:{}", f.id.as_str()),
            Assignee::Provider,
            format!("uploaded {}", quoted(&f.spec.name)),
            file_view(&f.attached_to),
            true,
        );
    }
    for s in &facts.signatures {
        let name = facts
            .exchange
            .iter()
            .find(|d| d.id == s.document)
            .map(|d| quoted(&d.name))
            .unwrap_or_else(|| "a document".to_owned());
        push(
            format!("signature:{}", s.id.as_str()),
            Assignee::Provider,
            format!("signed {name}"),
            "documents",
            true,
        );
    }
    for c in &facts.checkins {
        push(
            format!("checkin:{}", c.id.as_str()),
            Assignee::Provider,
            format!("wrote a check-in: {}", excerpt(&c.body)),
            "activity",
            true,
        );
    }
    for d in facts
        .deliverables
        .iter()
        .filter(|d| d.acknowledged.is_some())
    {
        push(
            format!("acknowledged:{}", d.id.as_str()),
            Assignee::Provider,
            format!("acknowledged {}", quoted(&d.spec.title)),
            "offboarding",
            true,
        );
    }
    if facts.feedback.submitted.is_some() {
        push(
            "feedback-sent".to_owned(),
            Assignee::Provider,
            "sent their feedback on the engagement".to_owned(),
            "offboarding",
            true,
        );
    }
    out
}

/// The actor behind the op that wrote `key` of `obj` (for an object, the op that made it).
fn actor_of(doc: &Automerge, obj: &ObjId, key: &str) -> Option<String> {
    match doc.get(obj, key).ok()??.1 {
        ObjId::Id(_, actor, _) => Some(actor.to_hex_string()),
        ObjId::Root => None,
    }
}

fn map_at(doc: &Automerge, obj: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(obj, key).ok()?? {
        (automerge::Value::Object(automerge::ObjType::Map), id) => Some(id),
        _ => None,
    }
}

/// Read a portal document for [`notices`]: the model's readers for the values, and the actor
/// that made each item from the document's own operations.
pub fn read_notice_facts(doc: &Automerge) -> Result<NoticeFacts, ModelError> {
    let tasks = read_tasks(doc)?;
    let intake = read_intake(doc)?;
    let files = read_files(doc)?;
    let signatures = read_signatures(doc)?;
    let checkins = read_checkins(doc)?;
    let deliverables = read_deliverables(doc)?;
    let feedback = read_exit_feedback(doc)?;
    let mut made_by = BTreeMap::new();
    let mut note = |key: String, actor: Option<String>| {
        if let Some(a) = actor {
            made_by.insert(key, a);
        }
    };
    if let Some(tasks_obj) = map_at(doc, &ROOT, "tasks") {
        for t in &tasks {
            let Some(comments) =
                map_at(doc, &tasks_obj, t.id.as_str()).and_then(|o| map_at(doc, &o, "comments"))
            else {
                continue;
            };
            for c in &t.comments {
                note(
                    format!("comment:{}", c.id.as_str()),
                    actor_of(doc, &comments, c.id.as_str()),
                );
            }
        }
    }
    if let Some(answers) = map_at(doc, &ROOT, "intake").and_then(|o| map_at(doc, &o, "answers")) {
        for id in intake.answers.keys() {
            note(
                format!("answer:{}", id.as_str()),
                actor_of(doc, &answers, id.as_str()),
            );
        }
    }
    if let Some(obj) = map_at(doc, &ROOT, "files") {
        for f in &files {
            note(
                format!("file:{}", f.id.as_str()),
                actor_of(doc, &obj, f.id.as_str()),
            );
        }
    }
    for s in &signatures {
        note(
            format!("signature:{}", s.id.as_str()),
            s.signer.as_ref().map(|a| a.to_hex_string()),
        );
    }
    if let Some(obj) = map_at(doc, &ROOT, "checkins") {
        for c in &checkins {
            note(
                format!("checkin:{}", c.id.as_str()),
                actor_of(doc, &obj, c.id.as_str()),
            );
        }
    }
    if let Some(obj) = map_at(doc, &ROOT, "deliverables") {
        for d in deliverables.iter().filter(|d| d.acknowledged.is_some()) {
            let actor =
                map_at(doc, &obj, d.id.as_str()).and_then(|o| actor_of(doc, &o, "acknowledgedAt"));
            note(format!("acknowledged:{}", d.id.as_str()), actor);
        }
    }
    if let Some(obj) = map_at(doc, &ROOT, "feedback") {
        note(
            "feedback-sent".to_owned(),
            actor_of(doc, &obj, "submittedAt"),
        );
    }
    Ok(NoticeFacts {
        stage: read_stage(doc)?,
        tasks,
        exchange: read_exchange(doc)?,
        intake,
        files,
        signatures,
        checkins,
        deliverables,
        feedback,
        made_by,
    })
}

//! What one Automerge change does to a portal, as acts of the permission table, and whether its
//! writer may do them all.
//!
//! Every operation of the change is placed in the document it was applied to: its object's path
//! from the root (objects never move in Automerge, so the path is where the object was made),
//! plus the operation's own key. The path, the operation (put, make, delete, list insert, text
//! splice) and what it overwrote give the [`Act`]; the table in `permission.rs` gives the
//! answer. The first refusal refuses the whole change.
//!
//! "Own" is decided by the actor in an object's id, that is by the device that created it,
//! never by a name written in the document: the relay passes the actors it has bound to the
//! token's person, the app its own actor.

use std::collections::HashMap;

use automerge::legacy::{Key, ObjectId, Op, OpId, OpType};
use automerge::{ActorId, Automerge, Change, ObjId, Prop, ReadDoc, ScalarValue, Value, ROOT};

use super::permission::{allowed, is_archive, Act, FileTarget, Rule, Side};
use crate::doc::field;
use crate::doc::limits::Text;
use crate::onboarding::SIGNATURES_KEY as SIGNATURES;
use crate::portal::{read_stage, Attachment, Stage, PORTAL_COLLECTIONS};

/// Who wrote a change: their side, and the actors that are theirs.
#[derive(Clone, Copy, Debug)]
pub struct Writer<'a> {
    pub side: Side,
    /// The actors bound to this person (at the relay), or this device's actor (in the app).
    pub own_actors: &'a [ActorId],
}

impl Writer<'_> {
    fn is_own(&self, actor: &ActorId) -> bool {
        self.own_actors.contains(actor)
    }
}

/// Whether `writer` may make `change`, judged on `doc`, a portal with the change (and the rest
/// of its batch) applied. Every operation is checked; the first refusal refuses the change.
pub fn check_change(doc: &Automerge, change: &Change, writer: &Writer<'_>) -> Result<(), Rule> {
    let expanded = change.decode();
    let start = expanded.start_op.get();
    let this = This {
        doc,
        change,
        actor: &expanded.actor_id,
        ops: start..start + expanded.operations.len() as u64,
        writer,
    };
    if writer.side == Side::Provider {
        // The provider is held to the shape rules, which need no paths below the root, and to
        // the signature rules, which need the path of what is written inside `signatures`.
        let signatures = field::map(doc, &ROOT, SIGNATURES).ok().flatten();
        let mut placed: Vec<(&ObjectId, Option<Placement>)> = Vec::new();
        for op in &expanded.operations {
            if let Some(act) = this.shape(op) {
                allowed(writer.side, &act)?;
                continue;
            }
            if signatures.is_none() || op.obj == ObjectId::Root {
                continue;
            }
            let place = match placed.iter().find(|(obj, _)| *obj == &op.obj) {
                Some((_, place)) => place.clone(),
                None => {
                    let place = Placement::of(doc, &op.obj)
                        .filter(|p| p.path.first() == Some(&Some(SIGNATURES.to_owned())));
                    placed.push((&op.obj, place.clone()));
                    place
                }
            };
            if let Some(place) = place {
                if let Some(act) = this.signature_act(&Touch::new(op, place)) {
                    allowed(writer.side, &act)?;
                }
            }
        }
        return Ok(());
    }
    // A change usually writes several fields of one object: each object is placed once.
    let mut placed: Vec<(&ObjectId, Placement)> = Vec::new();
    let mut touches = Vec::with_capacity(expanded.operations.len());
    for op in &expanded.operations {
        let place = match placed.iter().find(|(obj, _)| *obj == &op.obj) {
            Some((_, place)) => place.clone(),
            None => {
                let place = Placement::of(doc, &op.obj).ok_or(Rule::Unplaceable)?;
                placed.push((&op.obj, place.clone()));
                place
            }
        };
        touches.push(Touch::new(op, place));
    }
    // The cancellation flow is one change: it records the cancellation and moves the stage.
    let records = touches.iter().any(|t| {
        matches!(t.keys()[..], [Some("offboarding"), Some("cancellation")])
            && matches!(t.op.action, OpType::Make(_))
    });
    let stage_writes: Vec<_> = touches
        .iter()
        .filter(|t| matches!(t.keys()[..], [Some("stage")]))
        .collect();
    let cancellation = records
        && stage_writes
            .iter()
            .any(|t| t.put_str() == Some("cancelled"));
    // An ended engagement is a read-only archive for the client. A change that writes the stage
    // is judged by its stage row instead (from where, to where), since the portal after it shows
    // its own stage, not the one it was made on.
    if stage_writes.is_empty() && is_archive(writer.side, read_stage(doc).ok(), false) {
        return Err(Rule::EngagementEnded);
    }
    // The objects met so far and, for a text, its length: a splice of n characters is n
    // operations on one object, measured once.
    let mut texts = HashMap::new();
    for touch in &touches {
        let act = match this.shape(touch.op) {
            Some(act) => act,
            None => this.act(touch, cancellation),
        };
        allowed(writer.side, &act)?;
        this.within_limits(touch, &mut texts)?;
    }
    Ok(())
}

/// The longest map key a client may write: every id the app makes is far shorter.
pub const MAX_KEY_CHARS: usize = 128;

/// The model's limit on the text at `keys` (map keys from the root, list and text positions
/// left out) where a client may write one; `None` where the model names none, and then any
/// string is held to [`Text::LONGEST`].
fn text_limit(keys: &[&str]) -> Option<Text> {
    match keys {
        ["tasks", _, "title"] => Some(Text::TaskTitle),
        ["tasks", _, "comments", _, "body"] => Some(Text::CommentBody),
        ["checkins", _, "body"] => Some(Text::CheckinBody),
        [SIGNATURES, _, "typedName"] => Some(Text::TypedSignature),
        ["people", _, "name"] => Some(Text::PersonName),
        _ => None,
    }
}

/// The change being checked, and what judging it needs.
struct This<'a> {
    doc: &'a Automerge,
    change: &'a Change,
    actor: &'a ActorId,
    /// The counters of the change's own operations.
    ops: std::ops::Range<u64>,
    writer: &'a Writer<'a>,
}

impl This<'_> {
    /// Whether the text a client's operation writes is within the model's limit for where it
    /// goes: the app refuses an overlong title before it is kept, and so does the relay, since
    /// a device can send anything (a megabyte title would become a megabyte email). A string
    /// put is measured itself; a character in a text object by the text it is now part of.
    fn within_limits(
        &self,
        t: &Touch<'_>,
        texts: &mut HashMap<ObjId, Option<usize>>,
    ) -> Result<(), Rule> {
        // Keys are strings too: an id the app makes is a few dozen characters.
        if let Key::Map(key) = &t.op.key {
            let len = key.chars().count();
            if len > MAX_KEY_CHARS {
                return Err(Rule::KeyTooLong { len });
            }
        }
        // Bytes have no place in a portal a client writes; held to the same bound as text.
        if let OpType::Put(ScalarValue::Bytes(bytes)) = &t.op.action {
            if bytes.len() > Text::LONGEST {
                return Err(Rule::TooLong {
                    text: None,
                    len: bytes.len(),
                });
            }
        }
        let Some(put) = t.put_str() else {
            return Ok(());
        };
        let obj = t.objs.last().expect("a placed operation has its object");
        let text_len = match texts.get(obj) {
            // A text already measured passed; no need to look again.
            Some(Some(_)) => return Ok(()),
            Some(None) => None,
            None => {
                let len = match self.doc.object_type(obj) {
                    Ok(automerge::ObjType::Text) => Some(self.doc.length(obj)),
                    _ => None,
                };
                texts.insert(obj.clone(), len);
                len
            }
        };
        let len = text_len.unwrap_or_else(|| put.chars().count());
        let keys: Vec<&str> = t.keys().into_iter().flatten().collect();
        let text = text_limit(&keys);
        let max = text.map_or(Text::LONGEST, Text::max);
        if len > max {
            return Err(Rule::TooLong { text, len });
        }
        Ok(())
    }

    /// The shape rules' act for an operation, if it is one they judge: anything at the root's
    /// `kind`, `schema` or on a root key holding an object, and a scalar put over an object.
    fn shape(&self, op: &Op) -> Option<Act> {
        let replaces_object = op.pred.iter().any(|p| self.is_object(p));
        match (&op.obj, &op.key) {
            (ObjectId::Root, Key::Map(key)) if replaces_object => Some(Act::ReplaceCollection {
                key: key.to_string(),
            }),
            (ObjectId::Root, Key::Map(key)) if key == "kind" => {
                let before = self.string_before("kind");
                let after = match &op.action {
                    OpType::Put(ScalarValue::Str(s)) => Some(s.to_string()),
                    _ => None,
                };
                Some(Act::SetKind {
                    changed: before.is_some() && before != after,
                })
            }
            (ObjectId::Root, Key::Map(key)) if key == "schema" => {
                let from = match self.doc.get_at(ROOT, "schema", self.change.deps()) {
                    Ok(Some((Value::Scalar(s), _))) => field::uint_of(&s).unwrap_or(0),
                    _ => 0,
                };
                let to = match &op.action {
                    OpType::Put(s) => field::uint_of(s),
                    _ => None,
                };
                Some(Act::SetSchema { from, to })
            }
            (_, _) if replaces_object && matches!(op.action, OpType::Put(_)) => {
                Some(Act::ObjectToScalar)
            }
            _ => None,
        }
    }

    /// Whether the operation `id` made an object.
    fn is_object(&self, id: &OpId) -> bool {
        self.doc
            .import(&id.to_string())
            .is_ok_and(|(obj, _)| obj != ROOT)
    }

    /// A root string as it was before this change.
    fn string_before(&self, key: &str) -> Option<String> {
        match self.doc.get_at(ROOT, key, self.change.deps()) {
            Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
                ScalarValue::Str(s) => Some(s.to_string()),
                other => Some(other.to_string()),
            },
            Ok(Some((Value::Object(_), id))) => Some(
                self.doc
                    .text_at(&id, self.change.deps())
                    .unwrap_or_default(),
            ),
            _ => None,
        }
    }

    /// Whether the writer created what is stored at `depth` of the touch's path: the object
    /// there, or, when the operation itself writes that slot, the value it makes or replaces.
    fn own(&self, touch: &Touch<'_>, depth: usize) -> bool {
        match touch.objs.get(depth + 1) {
            Some(ObjId::Id(_, actor, _)) => self.writer.is_own(actor),
            Some(ObjId::Root) => false,
            None if touch.op.pred.is_empty() => self.writer.is_own(self.actor),
            None => touch.op.pred.iter().all(|p| self.writer.is_own(p.actor())),
        }
    }

    /// Whether the object at `depth` of the touch's path was made by this very change.
    fn made_here(&self, touch: &Touch<'_>, depth: usize) -> bool {
        match touch.objs.get(depth + 1) {
            Some(ObjId::Id(counter, actor, _)) => actor == self.actor && self.ops.contains(counter),
            _ => false,
        }
    }

    /// The side the task at `tasks/<task>` is assigned to in the portal after the batch (a put
    /// of the assignee in the same change is itself judged). Read from the task object when the
    /// operation is inside it: looking the task up in a plan of a thousand is the slow part.
    fn task_assignee(&self, t: &Touch<'_>, task: &str) -> Side {
        let obj = match t.objs.get(2) {
            Some(obj) => Some(obj.clone()),
            None => field::item(self.doc, &ROOT, "tasks", task).ok().flatten(),
        };
        let side = obj.and_then(|obj| field::string(self.doc, &obj, "assignee").ok().flatten());
        Side::parse(&side.unwrap_or_default())
    }

    /// The act of an operation inside `signatures`, if it is there: a new signature written
    /// whole by the change that makes it, or an alteration of one already given.
    fn signature_act(&self, t: &Touch<'_>) -> Option<Act> {
        let fresh = t.op.pred.is_empty();
        let keys = t.keys();
        let (sig, whole) = match keys[..] {
            [Some(SIGNATURES), Some(sig)] => (sig, true),
            [Some(SIGNATURES), Some(sig), ..] => (sig, false),
            _ => return None,
        };
        let new = if whole {
            fresh && matches!(t.op.action, OpType::Make(_))
        } else {
            self.made_here(t, 1)
        };
        if !new {
            return Some(Act::AlterSignature);
        }
        let obj = match t.objs.get(2) {
            Some(obj) => Some(obj.clone()),
            None => field::item(self.doc, &ROOT, SIGNATURES, sig).ok().flatten(),
        };
        let document = obj.and_then(|obj| crate::onboarding::signature_document(self.doc, &obj));
        Some(Act::Sign {
            on: match document {
                Some(id) => self.exchange_target(&id),
                None => FileTarget::Missing,
            },
        })
    }

    /// What the rules know of exchange item `id`: its direction and whether it is an invoice.
    fn exchange_target(&self, id: &str) -> FileTarget {
        match crate::onboarding::read_exchange_item(self.doc, id) {
            Ok(Some(item)) => FileTarget::Exchange {
                direction: item.direction,
                invoice: item.is_invoice(),
            },
            _ => FileTarget::Missing,
        }
    }

    fn file_target(&self, attached_to: &str) -> FileTarget {
        match Attachment::parse(attached_to) {
            Attachment::Exchange(id) => self.exchange_target(id.as_str()),
            _ => FileTarget::Open,
        }
    }

    /// What a client's operation does, by where it lands. Read it as the portal's shape, part
    /// by part; anything not named here is `Unknown`, which only the provider may change.
    fn act(&self, t: &Touch<'_>, cancellation: bool) -> Act {
        use crate::onboarding::ExchangeStatus;
        let fresh = t.op.pred.is_empty();
        let make = matches!(t.op.action, OpType::Make(_));
        match t.keys()[..] {
            [Some(key)] if fresh && make && is_collection(key) => Act::CreateMissingCollection,
            [Some("clientName"), ..] => Act::EditFrame,
            [Some("welcome"), ..] => Act::EditWelcome,
            [Some("brand"), ..] => Act::EditBrand,
            [Some("stage")] => Act::SetStage {
                from: Stage::parse(&self.string_before("stage").unwrap_or_default()),
                to: Stage::parse(t.put_str().unwrap_or_default()),
                cancellation,
            },
            [Some("stageChangedAt"), Some("cancelled")] if cancellation => {
                Act::Cancel { complete: true }
            }
            [Some("stageChangedAt"), ..] => Act::RecordStageDate,
            [Some("lastActivity"), Some(side)] => Act::RecordActivity {
                side: Side::parse(side),
            },
            [Some("people"), Some(actor), ..] => Act::EditPerson {
                own: self
                    .writer
                    .own_actors
                    .iter()
                    .any(|a| a.to_hex_string() == actor),
            },

            // The plan.
            [Some("tasks"), Some(task)] if fresh && make => Act::AddTask {
                assignee: self.task_assignee(t, task),
            },
            [Some("tasks"), Some(_)] => Act::DeleteTask,
            [Some("tasks"), Some(task), Some("status" | "done")] => Act::SetTaskStatus {
                assignee: self.task_assignee(t, task),
            },
            [Some("tasks"), Some(_), Some("assignee")] => Act::SetTaskAssignee {
                own: self.own(t, 1),
                to: Side::parse(t.put_str().unwrap_or_default()),
            },
            [Some("tasks"), Some(_), Some("comments"), Some(_)] if fresh => Act::Comment,
            [Some("tasks"), Some(_), Some("comments"), Some(_)]
                if matches!(t.op.action, OpType::Delete) =>
            {
                Act::DeleteComment {
                    own: self.own(t, 3),
                }
            }
            [Some("tasks"), Some(_), Some("comments"), Some(_), ..] => Act::EditComment {
                own: self.own(t, 3),
            },
            [Some("tasks"), Some(task), ..] => Act::EditTask {
                own: self.own(t, 1),
                assignee: self.task_assignee(t, task),
            },
            [Some("checkins"), Some(_)] if fresh => Act::AddCheckin,
            [Some("checkins"), Some(_)] => Act::RemoveCheckin,
            [Some("checkins"), Some(_), ..] => Act::EditCheckin {
                own: self.own(t, 1),
            },
            [Some("files"), Some(_)] if fresh => Act::AddFile,
            [Some("files"), Some(_)] => Act::RemoveFile {
                own: self.own(t, 1),
            },
            [Some("files"), Some(_), Some("attachedTo")] => Act::AttachFile {
                own: self.own(t, 1),
                to: self.file_target(t.put_str().unwrap_or_default()),
            },
            [Some("files"), Some(_), ..] => Act::EditFile {
                own: self.own(t, 1),
            },

            // Onboarding.
            [Some("intake"), Some("answers")] if fresh => Act::AnswerIntake,
            [Some("intake"), Some("answers"), Some(_), ..] => Act::AnswerIntake,
            [Some("intake"), ..] => Act::EditIntakeQuestions,
            [Some("exchange"), Some(item), Some("status")] => {
                let item = crate::onboarding::read_exchange_item(self.doc, item)
                    .ok()
                    .flatten();
                Act::SetExchangeStatus {
                    direction: item
                        .as_ref()
                        .map_or(crate::onboarding::Direction::WeSend, |i| i.direction),
                    invoice: item.as_ref().is_some_and(|i| i.is_invoice()),
                    to: t.put_str().map(ExchangeStatus::parse),
                }
            }
            [Some("exchange"), ..] => Act::EditExchange,
            [Some(SIGNATURES), ..] => self.signature_act(t).unwrap_or(Act::Unknown),
            [Some("milestones"), ..] => Act::EditMilestones,
            [Some("meetings"), ..] => Act::EditMeetings,
            [Some("contacts"), ..] => Act::EditContacts,
            [Some("links"), ..] => Act::EditLinks,

            // Offboarding.
            [Some("metrics"), ..] => Act::EditMetrics,
            [Some("deliverables"), Some(_), Some("acknowledgedAt" | "acknowledgedBy")] => {
                Act::AcknowledgeDeliverable
            }
            [Some("deliverables"), ..] => Act::EditDeliverables,
            [Some("accessWrapUp"), Some(_), Some("confirmed"), Some(side)] => Act::ConfirmAccess {
                side: Side::parse(side),
            },
            // The confirmations' map, created by the first confirmation on an item that lacks it.
            [Some("accessWrapUp"), Some(_), Some("confirmed")] if fresh => {
                Act::ConfirmAccess { side: Side::Client }
            }
            [Some("accessWrapUp"), ..] => Act::EditAccessList,
            [Some("feedback"), Some("answers" | "reasons")] if fresh => Act::GiveFeedback,
            [Some("feedback"), Some("answers" | "reasons"), Some(_), ..] => Act::GiveFeedback,
            [Some("feedback"), Some(
                "score" | "otherReason" | "quotePermission" | "testimonial" | "submittedAt"
                | "submittedBy",
            ), ..] => Act::GiveFeedback,
            [Some("feedback"), ..] => Act::EditExitQuestions,
            [Some("offboarding"), Some("cancellation"), ..] => Act::Cancel {
                complete: cancellation,
            },
            [Some("offboarding"), Some("offerAcceptedAt")] => Act::AcceptSaveOffer,
            [Some("offboarding"), Some("supportOffer"), Some("acceptedAt")] => {
                Act::AcceptSupportOffer
            }
            [Some("offboarding"), Some("supportOffer")] if fresh => Act::AcceptSupportOffer,
            [Some("offboarding"), Some("goodbyeSentAt")] => Act::EditGoodbye,
            [Some("offboarding"), ..] => Act::EditOffboarding,
            [Some("nextSteps"), Some(_), Some("done")] => Act::TickNextStep,
            [Some("nextSteps"), ..] => Act::EditNextSteps,
            [Some("referrals"), ..] => Act::EditReferrals,
            // Cancelling schedules the follow-ups that are not scheduled yet.
            [Some("followUps"), Some(_)] if cancellation && fresh => Act::Cancel { complete: true },
            [Some("followUps"), Some(_), ..] if cancellation && self.made_here(t, 1) => {
                Act::Cancel { complete: true }
            }
            [Some("followUps"), ..] => Act::EditFollowUps,
            _ => Act::Unknown,
        }
    }
}

/// A top-level collection of a portal, created with it (or by the first edit of an old one).
fn is_collection(key: &str) -> bool {
    PORTAL_COLLECTIONS.contains(&key) || key == "intake" || key == "feedback"
}

/// Where an object is: the keys from the root down to it (`None` for a list or text position),
/// and the objects on the way (`objs[i]` holds `path[i]`; the last is the object itself).
#[derive(Clone)]
struct Placement {
    path: Vec<Option<String>>,
    objs: Vec<ObjId>,
}

impl Placement {
    fn of(doc: &Automerge, obj: &ObjectId) -> Option<Self> {
        let ObjectId::Id(id) = obj else {
            return Some(Placement {
                path: Vec::new(),
                objs: vec![ROOT],
            });
        };
        let obj = doc.import_obj(&id.to_string()).ok()?;
        let mut parents: Vec<_> = doc.parents(&obj).ok()?.collect();
        parents.reverse();
        let mut place = Placement {
            path: Vec::with_capacity(parents.len() + 1),
            objs: Vec::with_capacity(parents.len() + 1),
        };
        for parent in parents {
            place.objs.push(parent.obj);
            place.path.push(match parent.prop {
                Prop::Map(key) => Some(key),
                Prop::Seq(_) => None,
            });
        }
        place.objs.push(obj);
        Some(place)
    }
}

/// One operation, placed in the document.
struct Touch<'o> {
    op: &'o Op,
    /// Keys from the root down to the operation's own key; `None` for a list or text position.
    path: Vec<Option<String>>,
    /// `objs[i]` is the object holding `path[i]`: the root, each object on the way down, and
    /// last the operation's own object.
    objs: Vec<ObjId>,
}

impl<'o> Touch<'o> {
    fn new(op: &'o Op, place: Placement) -> Self {
        let Placement { mut path, objs } = place;
        path.push(match &op.key {
            Key::Map(key) => Some(key.to_string()),
            Key::Seq(_) => None,
        });
        Touch { op, path, objs }
    }

    fn keys(&self) -> Vec<Option<&str>> {
        self.path.iter().map(|k| k.as_deref()).collect()
    }

    /// The string this operation puts, if it puts one.
    fn put_str(&self) -> Option<&str> {
        match &self.op.action {
            OpType::Put(ScalarValue::Str(s)) => Some(s.as_str()),
            _ => None,
        }
    }
}

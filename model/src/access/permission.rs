//! Who may change what in a portal: the permission table, read top to bottom like the one in
//! product docs, and the rules a refusal names.
//!
//! The table speaks of domain acts ([`Act`]: "answer an intake question", "set an invoice's
//! status"), not of document paths; `change_scope.rs` turns a received Automerge change into
//! acts. The relay and the app both ask [`allowed`], so the rule is written once.
//!
//! The provider may do everything but break the document's shape; the client may do what the
//! rows below list, and nothing else. Authorship ("own" comment, check-in, file, task, person
//! entry) is always decided by the actor that created the object, never by a name written in
//! the document.

use std::fmt;

use crate::doc::limits::Text;
use crate::doc::CURRENT_SCHEMA;
use crate::onboarding::{Direction, ExchangeStatus};
use crate::portal::{Assignee, Stage};

/// The two sides of a portal. A token's role gives it ([`crate::access::Role::side`]): owner
/// and team are the provider.
pub type Side = Assignee;

/// What a file is attached to, as far as the rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileTarget {
    /// The portal's general files, a file question, a task's thread, a deliverable.
    Open,
    /// An item of the document exchange.
    Exchange { direction: Direction, invoice: bool },
    /// An exchange item that does not exist.
    Missing,
}

/// One thing a change does to a portal, in the words of the product.
#[derive(Clone, Debug, PartialEq)]
pub enum Act {
    // The document's shape: the same for every writer.
    /// Write `kind`; `changed` when it held another value before.
    SetKind {
        changed: bool,
    },
    /// Write `schema`, from the version before (0 when none) to `to` (`None`: not a whole
    /// number, or removed).
    SetSchema {
        from: u64,
        to: Option<u64>,
    },
    /// Put, make or delete at a root key that holds an object (`tasks`, `welcome`, …).
    ReplaceCollection {
        key: String,
    },
    /// Put a scalar where an object (an item, a thread, a text) was.
    ObjectToScalar,
    /// Create a top-level collection the portal lacks (portals older than the collection).
    CreateMissingCollection,

    // The frame.
    /// `clientName`.
    EditFrame,
    EditWelcome,
    /// `brand`: the provider's name, accent colour and logo, copied from the workspace.
    EditBrand,
    /// Move the stage; `cancellation`: the same change records the cancellation flow.
    SetStage {
        from: Stage,
        to: Stage,
        cancellation: bool,
    },
    /// When a stage was entered (`stageChangedAt`), outside the cancellation flow.
    RecordStageDate,
    /// `lastActivity.<side>`.
    RecordActivity {
        side: Side,
    },
    /// A `people` entry; `own`: keyed by one of the writer's own actors.
    EditPerson {
        own: bool,
    },

    // The plan.
    AddTask {
        assignee: Side,
    },
    /// Title, due date, person, the thread's map: `own` when the writer created the task.
    EditTask {
        own: bool,
        assignee: Side,
    },
    SetTaskAssignee {
        own: bool,
        to: Side,
    },
    /// Status and `done`, of a task assigned to `assignee`.
    SetTaskStatus {
        assignee: Side,
    },
    DeleteTask,
    Comment,
    EditComment {
        own: bool,
    },
    DeleteComment {
        own: bool,
    },
    AddCheckin,
    EditCheckin {
        own: bool,
    },
    RemoveCheckin,
    AddFile,
    /// A file reference's hash, name, size, type, uploader, time.
    EditFile {
        own: bool,
    },
    AttachFile {
        own: bool,
        to: FileTarget,
    },
    RemoveFile {
        own: bool,
    },

    // Onboarding.
    AnswerIntake,
    EditIntakeQuestions,
    /// `to` is `None` when the status is removed.
    SetExchangeStatus {
        direction: Direction,
        invoice: bool,
        to: Option<ExchangeStatus>,
    },
    /// The documents themselves: adding, removing, name, direction, invoice flag, due, link.
    EditExchange,
    /// A new typed-name signature, written whole in the change that makes it, on `on`.
    Sign {
        on: FileTarget,
    },
    /// Anything else done to a signature: changing or removing one after it was given.
    AlterSignature,
    EditMilestones,
    EditMeetings,
    EditContacts,
    EditLinks,

    // Offboarding.
    EditMetrics,
    EditDeliverables,
    AcknowledgeDeliverable,
    /// The access wrap-up's list: tools, who removes, by when.
    EditAccessList,
    ConfirmAccess {
        side: Side,
    },
    GiveFeedback,
    EditExitQuestions,
    /// The cancellation record, its stage date and its follow-ups; `complete` when the same
    /// change records the cancellation and moves the stage to cancelled.
    Cancel {
        complete: bool,
    },
    AcceptSaveOffer,
    AcceptSupportOffer,
    TickNextStep,
    EditNextSteps,
    EditReferrals,
    /// Start, review link, save and support offers.
    EditOffboarding,
    EditGoodbye,
    EditFollowUps,

    /// Anything the rules do not name.
    Unknown,
}

/// Why a change is refused, in words a person understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    // Shape, for every writer.
    KindIsFixed,
    UnknownSchema,
    SchemaIsTheProviders,
    CollectionReplaced(String),
    ObjectToScalar,
    /// The change names an object the document cannot place.
    Unplaceable,
    // The client's limits.
    EngagementEnded,
    /// A part of the portal that is the provider's alone.
    ProviderOnly(&'static str),
    TaskForProvider,
    OthersTask,
    ProviderTaskStatus,
    OthersComment,
    OthersCheckin,
    OthersFile,
    AttachToProviderDocument,
    InvoiceStatus,
    ProviderDocumentStatus,
    DocumentStatusChoice,
    ProviderConfirmation,
    StageOutsideCancellation,
    OthersPerson,
    ProviderActivity,
    SignatureIsFinal,
    SignInvoice,
    /// A client wrote a text longer than the model allows there: `text` names the limit, or
    /// `None` for the bound on any string ([`Text::LONGEST`]).
    TooLong {
        text: Option<Text>,
        len: usize,
    },
    /// A client wrote a map key longer than any id the app makes.
    KeyTooLong {
        len: usize,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::KindIsFixed => f.write_str("no one can change what kind of document this is"),
            Rule::UnknownSchema => write!(
                f,
                "the document's version can only move up, to a version this relay knows ({CURRENT_SCHEMA} at most)"
            ),
            Rule::SchemaIsTheProviders => f.write_str("clients cannot change the document's version"),
            Rule::CollectionReplaced(key) => {
                write!(f, "no one can replace or remove the portal's “{key}” as a whole")
            }
            Rule::ObjectToScalar => f.write_str("no one can turn a part of the portal into a plain value"),
            Rule::Unplaceable => f.write_str("the change refers to something that is not in the portal"),
            Rule::EngagementEnded => f.write_str(
                "the engagement has ended: clients keep the portal as a read-only archive",
            ),
            Rule::ProviderOnly(what) => write!(f, "clients cannot change {what}"),
            Rule::TaskForProvider => f.write_str("clients cannot give tasks to the provider's side"),
            Rule::OthersTask => f.write_str("clients can only edit the tasks they added"),
            Rule::ProviderTaskStatus => {
                f.write_str("clients cannot change the status of the provider's tasks")
            }
            Rule::OthersComment => f.write_str("clients can only edit or delete their own comments"),
            Rule::OthersCheckin => f.write_str("clients can only edit their own check-ins"),
            Rule::OthersFile => f.write_str("clients can only change or remove the files they added"),
            Rule::AttachToProviderDocument => f.write_str(
                "clients can only attach files to documents requested from them or sent to them to sign",
            ),
            Rule::InvoiceStatus => f.write_str("clients cannot change an invoice's status"),
            Rule::ProviderDocumentStatus => f.write_str(
                "clients can only mark a document the provider sends as signed",
            ),
            Rule::DocumentStatusChoice => {
                f.write_str("clients can only mark a document requested from them sent or signed")
            }
            Rule::ProviderConfirmation => {
                f.write_str("clients cannot confirm the provider's side of the access wrap-up")
            }
            Rule::StageOutsideCancellation => f.write_str(
                "clients can only move the stage by cancelling an engagement that has not ended",
            ),
            Rule::OthersPerson => f.write_str("clients can only edit their own person entry"),
            Rule::ProviderActivity => {
                f.write_str("clients cannot record the provider's last activity")
            }
            Rule::SignatureIsFinal => f.write_str(
                "a signature is kept as it was given: no one can change or remove it",
            ),
            Rule::SignInvoice => {
                f.write_str("only documents can be signed: an invoice is paid, not signed")
            }
            Rule::TooLong { text: Some(text), len } => write!(
                f,
                "{} can be at most {} characters; this one has {len}",
                text.to_string().to_lowercase(),
                text.max()
            ),
            Rule::KeyTooLong { len } => write!(
                f,
                "a key can be at most {} characters; this one has {len}",
                super::change_scope::MAX_KEY_CHARS
            ),
            Rule::TooLong { text: None, len } => write!(
                f,
                "a text can be at most {} characters; this one has {len}",
                Text::LONGEST
            ),
        }
    }
}

impl std::error::Error for Rule {}

/// Whether `side` reads the portal as an archive it may no longer change: a read-only token
/// whatever the stage, and the client once the engagement has ended (alumni or cancelled), as
/// [`check_change`](super::check_change) holds at the relay. An archive offers no act at all, so
/// the app shows its values as text.
pub fn is_archive(side: Side, stage: Option<Stage>, read_only_token: bool) -> bool {
    read_only_token || (side == Side::Client && stage.is_some_and(|s| s.is_closed()))
}

/// Whether `side` may do `act`: the permission table.
pub fn allowed(side: Side, act: &Act) -> Result<(), Rule> {
    use Act::*;
    use Assignee::{Client, Provider};
    match (side, act) {
        // The shape the app relies on holds for every writer, the provider's devices included:
        // a portal whose kind changed or whose tasks map was replaced does not open, or opens
        // empty, everywhere at once.
        (_, SetKind { changed: true }) => Err(Rule::KindIsFixed),
        (_, SetSchema { to: None, .. }) => Err(Rule::UnknownSchema),
        (_, SetSchema { from, to: Some(to) }) if to < from || *to > CURRENT_SCHEMA => {
            Err(Rule::UnknownSchema)
        }
        (_, ReplaceCollection { key }) => Err(Rule::CollectionReplaced(key.clone())),
        (_, ObjectToScalar) => Err(Rule::ObjectToScalar),
        // A signature is the signer's record of what they agreed to, written once by their own
        // device: no one, the provider included, changes or removes it afterwards (removing the
        // document leaves its signatures in the portal). Either side signs any document but an
        // invoice: the client what we send them to sign or what they send back signed, the
        // provider to countersign.
        (_, AlterSignature) => Err(Rule::SignatureIsFinal),
        (
            _,
            Sign {
                on: FileTarget::Exchange { invoice: true, .. },
            },
        ) => Err(Rule::SignInvoice),
        (
            _,
            Sign {
                on: FileTarget::Open | FileTarget::Missing,
            },
        ) => Err(Rule::Unplaceable),
        (_, Sign { .. }) => Ok(()),

        // Within that shape the portal is the provider's: it is their service and their record.
        (Provider, _) => Ok(()),

        // The client, row by row. Anything not allowed here is refused below.
        // Writing the kind it already has changes nothing; the version is the provider's app's.
        (Client, SetKind { changed: false }) => Ok(()),
        (Client, SetSchema { .. }) => Err(Rule::SchemaIsTheProviders),
        // A portal from before a collection existed gets it on the first edit that needs it.
        (Client, CreateMissingCollection) => Ok(()),

        // Intake: the answers are theirs, the questions the provider's.
        (Client, AnswerIntake) => Ok(()),
        (Client, EditIntakeQuestions) => Err(Rule::ProviderOnly("the intake questions")),

        // The plan: tasks for their own side; the tasks they added are theirs to edit (title,
        // due date, person), but not to hand to the provider or to delete: the plan is the
        // shared record, and removing a line from it is the provider's call.
        (Client, AddTask { assignee: Client }) => Ok(()),
        (Client, AddTask { assignee: Provider }) => Err(Rule::TaskForProvider),
        (
            Client,
            EditTask {
                own: true,
                assignee: Client,
            },
        ) => Ok(()),
        (Client, EditTask { .. }) => Err(Rule::OthersTask),
        (Client, SetTaskAssignee { to: Provider, .. }) => Err(Rule::TaskForProvider),
        (
            Client,
            SetTaskAssignee {
                own: true,
                to: Client,
            },
        ) => Ok(()),
        (Client, SetTaskAssignee { own: false, .. }) => Err(Rule::OthersTask),
        // Ticking off what waits on them is the point of the plan.
        (Client, SetTaskStatus { assignee: Client }) => Ok(()),
        (Client, SetTaskStatus { assignee: Provider }) => Err(Rule::ProviderTaskStatus),
        (Client, DeleteTask) => Err(Rule::ProviderOnly("which tasks are in the plan")),

        // Comments on any task; their own ones to edit or delete.
        (Client, Comment) => Ok(()),
        (Client, EditComment { own: true } | DeleteComment { own: true }) => Ok(()),
        (Client, EditComment { own: false } | DeleteComment { own: false }) => {
            Err(Rule::OthersComment)
        }

        // Check-ins: theirs to add and edit; removing one is the provider's call.
        (Client, AddCheckin | EditCheckin { own: true }) => Ok(()),
        (Client, EditCheckin { own: false }) => Err(Rule::OthersCheckin),
        (Client, RemoveCheckin) => Err(Rule::ProviderOnly("which check-ins are kept")),

        // Files: theirs to add and remove, attached anywhere but to the provider's documents.
        (Client, AddFile | EditFile { own: true } | RemoveFile { own: true }) => Ok(()),
        (Client, EditFile { own: false } | RemoveFile { own: false }) => Err(Rule::OthersFile),
        (Client, AttachFile { own: false, .. }) => Err(Rule::OthersFile),
        (
            Client,
            AttachFile {
                to: FileTarget::Open,
                ..
            },
        ) => Ok(()),
        (
            Client,
            AttachFile {
                to:
                    FileTarget::Exchange {
                        direction: Direction::WeNeed,
                        ..
                    },
                ..
            },
        ) => Ok(()),
        // A contract or NDA we send is theirs to sign: the signed copy may come back on it.
        (
            Client,
            AttachFile {
                to:
                    FileTarget::Exchange {
                        direction: Direction::WeSend,
                        invoice: false,
                    },
                ..
            },
        ) => Ok(()),
        (Client, AttachFile { .. }) => Err(Rule::AttachToProviderDocument),

        // Documents: they send or sign what is requested from them; an invoice's status (and
        // with it the goodbye gate) and anything the provider sends stay the provider's.
        (Client, SetExchangeStatus { invoice: true, .. }) => Err(Rule::InvoiceStatus),
        // Signing is the one thing a client does to a document we send (an NDA, a contract).
        (
            Client,
            SetExchangeStatus {
                direction: Direction::WeSend,
                to: Some(ExchangeStatus::Signed),
                ..
            },
        ) => Ok(()),
        (
            Client,
            SetExchangeStatus {
                direction: Direction::WeSend,
                ..
            },
        ) => Err(Rule::ProviderDocumentStatus),
        (
            Client,
            SetExchangeStatus {
                to: Some(ExchangeStatus::Sent | ExchangeStatus::Signed),
                ..
            },
        ) => Ok(()),
        (Client, SetExchangeStatus { .. }) => Err(Rule::DocumentStatusChoice),
        (Client, EditExchange) => Err(Rule::ProviderOnly("the documents to exchange")),

        (Client, EditMilestones) => Err(Rule::ProviderOnly("the timeline")),
        (Client, EditMeetings) => Err(Rule::ProviderOnly("the meetings")),
        (Client, EditContacts) => Err(Rule::ProviderOnly("the contacts")),
        (Client, EditLinks) => Err(Rule::ProviderOnly("the links")),
        (Client, EditFrame) => Err(Rule::ProviderOnly("the client name")),
        (Client, EditWelcome) => Err(Rule::ProviderOnly("the welcome message")),
        (Client, EditBrand) => Err(Rule::ProviderOnly("the provider's brand")),

        // Offboarding: they acknowledge, confirm their side, give feedback, take offers and
        // tick suggestions; what was delivered and measured is the provider's record.
        (Client, EditMetrics) => Err(Rule::ProviderOnly("the success measures")),
        (Client, EditDeliverables) => Err(Rule::ProviderOnly("the deliverables")),
        (Client, AcknowledgeDeliverable) => Ok(()),
        (Client, EditAccessList) => Err(Rule::ProviderOnly("the access wrap-up list")),
        (Client, ConfirmAccess { side: Client }) => Ok(()),
        (Client, ConfirmAccess { side: Provider }) => Err(Rule::ProviderConfirmation),
        (Client, GiveFeedback) => Ok(()),
        (Client, EditExitQuestions) => Err(Rule::ProviderOnly("the exit questions")),
        (Client, AcceptSaveOffer | AcceptSupportOffer | TickNextStep) => Ok(()),
        (Client, EditNextSteps) => Err(Rule::ProviderOnly("the next steps")),
        (Client, EditReferrals) => Err(Rule::ProviderOnly("the referrals")),
        (Client, EditOffboarding) => Err(Rule::ProviderOnly("the offboarding plan")),
        (Client, EditGoodbye) => Err(Rule::ProviderOnly("the goodbye")),
        (Client, EditFollowUps) => Err(Rule::ProviderOnly("the follow-ups")),

        // The stage moves for a client only through the cancellation flow, and never out of an
        // engagement that has already ended (alumni stay alumni).
        (
            Client,
            SetStage {
                from,
                to: Stage::Cancelled,
                cancellation: true,
            },
        ) if !from.is_closed() => Ok(()),
        (Client, SetStage { .. }) => Err(Rule::StageOutsideCancellation),
        (Client, Cancel { complete: true }) => Ok(()),
        (Client, Cancel { complete: false }) => Err(Rule::StageOutsideCancellation),
        (Client, RecordStageDate) => Err(Rule::ProviderOnly("the stage")),

        // Bookkeeping the app writes on every edit: their own entry, their own side's time.
        (Client, EditPerson { own: true }) => Ok(()),
        (Client, EditPerson { own: false }) => Err(Rule::OthersPerson),
        (Client, RecordActivity { side: Client }) => Ok(()),
        (Client, RecordActivity { side: Provider }) => Err(Rule::ProviderActivity),

        (Client, Unknown) => Err(Rule::ProviderOnly("this part of the portal")),
    }
}

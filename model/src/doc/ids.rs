//! Stable ids of items inside documents. Items edited concurrently live in maps keyed by these
//! ids, never at list positions, so two devices never edit or delete the wrong item.

/// What [`crate::doc::collection`] needs of an id: a fresh one, one read back from a key, and
/// the key it is stored under.
pub(crate) trait ItemId: Sized {
    fn new() -> Self;
    fn from_string(id: String) -> Self;
    fn as_str(&self) -> &str;
}

macro_rules! item_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn new() -> Self {
                Self(uuid::Uuid::new_v4().simple().to_string())
            }

            pub fn from_string(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ItemId for $name {
            fn new() -> Self {
                Self::new()
            }

            fn from_string(id: String) -> Self {
                Self(id)
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

item_id!(
    /// A task in the shared plan.
    TaskId
);
item_id!(
    /// A field of the intake form.
    FieldId
);
item_id!(
    /// An item of the document exchange (NDA, contract, invoice, W-9, ...).
    ExchangeId
);
item_id!(
    /// A milestone on the timeline.
    MilestoneId
);
item_id!(
    /// A meeting.
    MeetingId
);
item_id!(
    /// A person on the team or a point of contact.
    ContactId
);
item_id!(
    /// An entry of the links / knowledge base section.
    LinkId
);
item_id!(
    /// An item of the internal provisioning checklist.
    ProvisioningId
);
item_id!(
    /// A portal template in the workspace.
    TemplateId
);
item_id!(
    /// A dated check-in note.
    CheckinId
);
item_id!(
    /// A comment on a task.
    CommentId
);
item_id!(
    /// A deliverable of the engagement, in the offboarding review.
    DeliverableId
);
item_id!(
    /// A success metric, measured at intake and again at exit.
    MetricId
);
item_id!(
    /// A piece of shared software access to remove at the end.
    AccessId
);
item_id!(
    /// An open question of the exit feedback.
    QuestionId
);
item_id!(
    /// A suggested next step for the client.
    NextStepId
);
item_id!(
    /// A partner in the workspace's directory.
    PartnerId
);
item_id!(
    /// A file shared in a portal (its bytes live in the relay's blob store, never in a document).
    FileId
);
item_id!(
    /// A typed-name signature on a document of the exchange.
    SignatureId
);

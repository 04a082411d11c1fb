//! What a scheduler pass reads of one portal, through `Hub::inspect`. Only the portal document
//! is read: nothing from the internal or workspace documents ever reaches a letter.

use automerge::Automerge;
use threshold_model::notify::{
    notices, owed_exchange, owed_tasks, read_notice_facts, Notice, Owed,
};
use threshold_model::offboarding::{read_follow_ups, FollowUp};
use threshold_model::onboarding::read_exchange;
use threshold_model::portal::{read_brand, read_client_name, read_stage, read_tasks, Stage};

#[derive(Clone, Debug)]
pub struct PortalFacts {
    pub client_name: String,
    /// The provider's name as the portal shows it (its brand); empty when none is set.
    pub provider: String,
    pub stage: Stage,
    /// Open tasks and documents with a due date.
    pub owed: Vec<Owed>,
    pub follow_ups: Vec<FollowUp>,
    /// What the portal would tell each side now, for digests.
    pub notices: Vec<Notice>,
}

impl PortalFacts {
    /// `None` for a document that is not a portal (or unreadable).
    pub fn read(doc: &Automerge) -> Option<Self> {
        let stage = read_stage(doc).ok()?;
        let mut owed = owed_tasks(&read_tasks(doc).ok()?);
        owed.extend(owed_exchange(&read_exchange(doc).ok()?));
        Some(Self {
            client_name: read_client_name(doc).ok()?,
            provider: read_brand(doc)
                .ok()
                .flatten()
                .map(|b| b.name)
                .unwrap_or_default(),
            stage,
            owed,
            follow_ups: read_follow_ups(doc).ok()?,
            notices: read_notice_facts(doc)
                .map(|f| notices(&f))
                .unwrap_or_default(),
        })
    }

    /// Whether work is still going on: an alumni or cancelled portal's tasks are not chased.
    pub fn in_progress(&self) -> bool {
        !matches!(self.stage, Stage::Alumni | Stage::Cancelled)
    }
}

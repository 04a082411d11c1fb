//! The `internal` document: one per client, provider only. It is a separate document because
//! whoever can sync a document can read all of it; the client's portal never links to it.
//!
//! Shape (schema 1):
//! ```text
//! { schema: 1, kind: "internal", portal: <portal documentId>, notes: Text,
//!   provisioning: { <id>: { area, item, owner, doneAt: ts } } }
//! ```

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc, ROOT};
use chrono::{DateTime, Utc};
use threshold_protocol::DocumentId;

use crate::doc::collection::{self, Item};
use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::words::stored_words;
use crate::doc::Part;
use crate::doc::{field, ModelError, ProvisioningId};

stored_words! {
    /// The areas a new client is set up in.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum ProvisioningArea {
        AccountingBilling = "accounting-billing" / "Accounting and billing",
        Communication = "communication" / "Communication tools",
        TimeTracking = "time-tracking" / "Time tracking",
        ProjectManagement = "project-management" / "Project management",
        Calendars = "calendars" / "Calendars",
        Licensing = "licensing" / "Licensing",
        Legal = "legal" / "Legal",
    }
    unknown => ProjectManagement
}

impl ProvisioningArea {
    /// The checklist every new client starts with.
    fn default_items(&self) -> &'static [&'static str] {
        match self {
            ProvisioningArea::AccountingBilling => &[
                "Create the client in accounting",
                "Set up the billing schedule",
            ],
            ProvisioningArea::Communication => &[
                "Open a shared channel",
                "Add client contacts to the mailing list",
            ],
            ProvisioningArea::TimeTracking => &["Create the project in the time tracker"],
            ProvisioningArea::ProjectManagement => {
                &["Create the project board", "Import the task plan"]
            }
            ProvisioningArea::Calendars => &["Book the recurring check-in"],
            ProvisioningArea::Licensing => &["Assign the licences the engagement needs"],
            ProvisioningArea::Legal => &["File the signed contract and NDA"],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProvisioningItem {
    pub id: ProvisioningId,
    pub area: ProvisioningArea,
    pub item: String,
    pub owner: String,
    pub done_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Internal {
    pub portal: Option<DocumentId>,
    pub notes: String,
    pub offboarding_lead: String,
    /// By area, then item.
    pub provisioning: Vec<ProvisioningItem>,
}

impl Internal {
    /// (done, total) for the provisioning checklist.
    pub fn provisioning_progress(&self) -> (usize, usize) {
        let done = self
            .provisioning
            .iter()
            .filter(|p| p.done_at.is_some())
            .count();
        (done, self.provisioning.len())
    }
}

impl Item for ProvisioningItem {
    const KEY: &'static str = "provisioning";
    type Id = ProvisioningId;

    fn read(
        doc: &impl ReadDoc,
        id: ProvisioningId,
        r: &Record,
    ) -> Result<Option<Self>, ModelError> {
        Ok(Some(ProvisioningItem {
            id,
            area: ProvisioningArea::parse(&r.string(doc, "area")?.unwrap_or_default()),
            item: r.string(doc, "item")?.unwrap_or_default(),
            owner: r.string(doc, "owner")?.unwrap_or_default(),
            done_at: r.timestamp("doneAt"),
        }))
    }

    /// By area, then item.
    fn order(a: &Self, b: &Self) -> Ordering {
        (a.area, &a.item, &a.id).cmp(&(b.area, &b.item, &b.id))
    }
}

/// A new internal document for a portal, with the default provisioning checklist.
pub fn new_internal_doc(portal: DocumentId) -> Result<Automerge, ModelError> {
    let mut doc = Automerge::new();
    crate::doc::edit(&mut doc, |tx| {
        schema::stamp(tx, DocKind::Internal)?;
        tx.put(ROOT, "portal", portal.to_string())?;
        field::ensure_text(tx, &ROOT, "notes")?;
        for area in ProvisioningArea::ALL {
            for item in area.default_items() {
                add_provisioning_item(tx, area, item, "")?;
            }
        }
        Ok(())
    })?;
    Ok(doc)
}

pub fn add_provisioning_item(
    tx: &mut impl Transactable,
    area: ProvisioningArea,
    item: &str,
    owner: &str,
) -> Result<ProvisioningId, ModelError> {
    // Not `collection::add_empty`: that upgrades a portal, and this is the internal document.
    let id = ProvisioningId::new();
    let obj = field::new_item(tx, &ROOT, ProvisioningItem::KEY, id.as_str())?;
    tx.put(&obj, "area", area.as_str())?;
    tx.put(&obj, "item", item.trim())?;
    tx.put(&obj, "owner", owner.trim())?;
    Ok(id)
}

pub fn set_provisioning_owner(
    tx: &mut impl Transactable,
    id: &ProvisioningId,
    owner: &str,
) -> Result<(), ModelError> {
    let obj = collection::get::<ProvisioningItem>(tx, id)?;
    tx.put(&obj, "owner", owner.trim())?;
    Ok(())
}

pub fn set_provisioning_done(
    tx: &mut impl Transactable,
    id: &ProvisioningId,
    done_at: Option<DateTime<Utc>>,
) -> Result<(), ModelError> {
    let obj = collection::get::<ProvisioningItem>(tx, id)?;
    match done_at {
        Some(at) => field::put_timestamp(tx, &obj, "doneAt", at)?,
        None => tx.delete(&obj, "doneAt")?,
    }
    Ok(())
}

/// The team member who leads this client's offboarding. Kept here, not in the portal: who runs
/// the goodbye internally is the provider's business.
pub fn set_offboarding_lead(tx: &mut impl Transactable, lead: &str) -> Result<(), ModelError> {
    schema::upgrade(tx, DocKind::Internal)?;
    tx.put(ROOT, "offboardingLead", lead.trim())?;
    Ok(())
}

pub fn update_internal_notes(tx: &mut impl Transactable, notes: &str) -> Result<(), ModelError> {
    schema::upgrade(tx, DocKind::Internal)?;
    let text = field::ensure_text(tx, &ROOT, "notes")?;
    tx.update_text(&text, notes)?;
    Ok(())
}

pub fn read_internal(doc: &impl ReadDoc) -> Result<Internal, ModelError> {
    schema::expect_kind(doc, DocKind::Internal)?;
    let provisioning = collection::read_all(doc)?;
    Ok(Internal {
        portal: field::string(doc, &ROOT, "portal")?.and_then(|s| s.parse().ok()),
        notes: field::string(doc, &ROOT, "notes")?.unwrap_or_default(),
        offboarding_lead: field::string(doc, &ROOT, "offboardingLead")?.unwrap_or_default(),
        provisioning,
    })
}

/// [`read_internal`] as a [`Part`].
pub const INTERNAL: Part<Internal> = Part {
    keys: &[
        "kind",
        "schema",
        "portal",
        "notes",
        "offboardingLead",
        "provisioning",
    ],
    read: |doc| read_internal(doc),
};

//! The document exchange: what each side must send or sign or pay, and where it stands.
//!
//! Shape, inside the portal document:
//! ```text
//! exchange: { <exchangeId>: { name, direction: "we-send"|"we-need", status, due: "YYYY-MM-DD",
//!                             link, note } }
//! ```

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};
use chrono::NaiveDate;

use crate::doc::collection::{self, Item};
use crate::doc::record::Record;
use crate::doc::words::stored_words;
use crate::doc::Part;
use crate::doc::{field, ExchangeId, ModelError};

stored_words! {
    /// Who acts next: we send it to the client, or we need it from the client.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Direction {
        WeSend = "we-send",
        WeNeed = "we-need",
    }
    unknown => WeSend
}

stored_words! {
    /// requested → sent → signed, or requested → sent → paid (invoices).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum ExchangeStatus {
        Requested = "requested",
        Sent = "sent",
        Signed = "signed",
        Paid = "paid",
    }
    unknown => Requested
}

impl ExchangeStatus {
    /// Signed and paid are the ends of the road.
    pub fn is_settled(&self) -> bool {
        matches!(self, ExchangeStatus::Signed | ExchangeStatus::Paid)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExchangeItem {
    pub id: ExchangeId,
    pub name: String,
    pub direction: Direction,
    pub status: ExchangeStatus,
    pub due: Option<NaiveDate>,
    pub link: String,
    pub note: String,
    /// An invoice or payment: it is settled when paid, and the goodbye waits for it.
    pub invoice: bool,
}

impl ExchangeItem {
    pub fn is_invoice(&self) -> bool {
        self.invoice
    }

    /// An invoice still waiting to be paid.
    pub fn is_unpaid_invoice(&self) -> bool {
        self.invoice && self.status != ExchangeStatus::Paid
    }

    /// Past its due date and not settled.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        !self.status.is_settled() && self.due.is_some_and(|d| d < today)
    }

    /// Whether the next move is the client's. Something we need from them waits on them until
    /// it is settled; something we send waits on them once sent (to sign or to pay).
    pub fn waits_on_client(&self) -> bool {
        match (self.direction, self.status) {
            (_, s) if s.is_settled() => false,
            (Direction::WeNeed, _) => true,
            (Direction::WeSend, ExchangeStatus::Sent) => true,
            (Direction::WeSend, _) => false,
        }
    }

    pub fn waits_on_us(&self) -> bool {
        !self.status.is_settled() && !self.waits_on_client()
    }
}

impl Item for ExchangeItem {
    const KEY: &'static str = "exchange";
    type Id = ExchangeId;

    fn read(doc: &impl ReadDoc, id: ExchangeId, r: &Record) -> Result<Option<Self>, ModelError> {
        let text = |key| r.string(doc, key).map(Option::unwrap_or_default);
        let name = text("name")?;
        let invoice = match r.string(doc, "kind")?.as_deref() {
            Some("invoice") => true,
            Some(_) => false,
            None => looks_like_invoice(&name),
        };
        Ok(Some(ExchangeItem {
            id,
            invoice,
            name,
            direction: Direction::parse(&text("direction")?),
            status: ExchangeStatus::parse(&text("status")?),
            due: r.date(doc, "due")?,
            link: text("link")?,
            note: text("note")?,
        }))
    }

    /// Due date first (undated last), then name.
    fn order(a: &Self, b: &Self) -> Ordering {
        (a.due.is_none(), a.due, &a.name, &a.id).cmp(&(b.due.is_none(), b.due, &b.name, &b.id))
    }
}

pub fn add_exchange_item(
    tx: &mut impl Transactable,
    name: &str,
    direction: Direction,
    due: Option<NaiveDate>,
) -> Result<ExchangeId, ModelError> {
    let name = crate::doc::limits::checked(crate::doc::limits::Text::DocumentName, name)?;
    let (id, obj) = collection::add_empty::<ExchangeItem>(tx)?;
    tx.put(&obj, "name", name)?;
    tx.put(&obj, "direction", direction.as_str())?;
    tx.put(&obj, "status", ExchangeStatus::Requested.as_str())?;
    field::put_date(tx, &obj, "due", due)?;
    Ok(id)
}

pub fn set_exchange_status(
    tx: &mut impl Transactable,
    id: &ExchangeId,
    status: ExchangeStatus,
) -> Result<(), ModelError> {
    let obj = collection::get::<ExchangeItem>(tx, id)?;
    tx.put(&obj, "status", status.as_str())?;
    Ok(())
}

pub fn set_exchange_details(
    tx: &mut impl Transactable,
    id: &ExchangeId,
    due: Option<NaiveDate>,
    link: &str,
    note: &str,
) -> Result<(), ModelError> {
    let link = match link.trim() {
        "" => "",
        link => crate::doc::limits::link_address(link)?,
    };
    let obj = collection::get::<ExchangeItem>(tx, id)?;
    field::put_date(tx, &obj, "due", due)?;
    tx.put(&obj, "link", link)?;
    tx.put(&obj, "note", note.trim())?;
    Ok(())
}

/// Mark an item as an invoice or payment (or not). Items from before this flag existed count as
/// invoices when their name says so.
pub fn set_exchange_invoice(
    tx: &mut impl Transactable,
    id: &ExchangeId,
    invoice: bool,
) -> Result<(), ModelError> {
    let obj = collection::get::<ExchangeItem>(tx, id)?;
    tx.put(&obj, "kind", if invoice { "invoice" } else { "document" })?;
    Ok(())
}

fn looks_like_invoice(name: &str) -> bool {
    let name = name.to_lowercase();
    ["invoice", "payment", "deposit", "retainer"]
        .iter()
        .any(|w| name.contains(w))
}

pub fn remove_exchange_item(tx: &mut impl Transactable, id: &ExchangeId) -> Result<(), ModelError> {
    collection::remove::<ExchangeItem>(tx, id)
}

/// One item, by the key it is stored under: the permission rules read its direction and
/// whether it is an invoice.
pub(crate) fn read_exchange_item(
    doc: &impl ReadDoc,
    id: &str,
) -> Result<Option<ExchangeItem>, ModelError> {
    let Some(obj) = field::item(doc, &ROOT, ExchangeItem::KEY, id)? else {
        return Ok(None);
    };
    ExchangeItem::read(doc, ExchangeId::from_string(id), &Record::read(doc, &obj))
}

/// Due date first (undated last), then name.
pub fn read_exchange(doc: &impl ReadDoc) -> Result<Vec<ExchangeItem>, ModelError> {
    collection::read_all(doc)
}

/// [`read_exchange`] as a [`Part`].
pub const EXCHANGE: Part<Vec<ExchangeItem>> = Part {
    keys: &["exchange"],
    read: |doc| read_exchange(doc),
};

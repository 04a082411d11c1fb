//! A map of items keyed by stable id at a key of a document's root, the shape of most of a
//! portal (contacts, links, meetings, milestones, deliverables, metrics…):
//! `<KEY>: { <id>: { …fields… } }`.
//!
//! An item type says where its map lives, how to read one entry and in which order to list
//! them ([`Item`]); what it writes as a whole on adding and updating, if anything, is its
//! [`Spec`]. The functions here then add, find, update, remove and read them all, the same way
//! for every collection: items are added under a fresh id in a map that already exists or is
//! created, never at a list position, and read one [`Record`] at a time.

use std::cmp::Ordering;

use automerge::transaction::Transactable;
use automerge::{ObjId, ReadDoc, ROOT};

use crate::doc::ids::ItemId;
use crate::doc::record::Record;
use crate::doc::schema::{self, DocKind};
use crate::doc::{field, ModelError};

/// One entry of a collection, as readers return it.
pub(crate) trait Item: Sized {
    /// The root key of the map holding the items.
    const KEY: &'static str;
    type Id: ItemId;
    /// The entry stored under `id`, or `None` to skip one that lacks what it cannot do without.
    fn read(doc: &impl ReadDoc, id: Self::Id, r: &Record) -> Result<Option<Self>, ModelError>;
    /// The order [`read_all`] lists the items in; ties must be broken (by id, usually), so every
    /// device shows the same order.
    fn order(a: &Self, b: &Self) -> Ordering;
}

/// What is written of an item as a whole, both when it is added and when it is updated.
pub(crate) trait Spec {
    type Item: Item;
    fn write(&self, tx: &mut impl Transactable, obj: &ObjId) -> Result<(), ModelError>;
}

/// A new, empty item of a portal's collection under a fresh id, for the caller to fill in. The
/// document is upgraded first, as every portal edit that adds something does.
pub(crate) fn add_empty<I: Item>(
    tx: &mut impl Transactable,
) -> Result<(<I as Item>::Id, ObjId), ModelError> {
    schema::upgrade(tx, DocKind::Portal)?;
    let id = I::Id::new();
    let obj = field::new_item(tx, &ROOT, I::KEY, id.as_str())?;
    Ok((id, obj))
}

/// A new item of a portal's collection, written from its spec.
pub(crate) fn add<S: Spec>(
    tx: &mut impl Transactable,
    spec: &S,
) -> Result<(<S::Item as Item>::Id, ObjId), ModelError> {
    let (id, obj) = add_empty::<S::Item>(tx)?;
    spec.write(tx, &obj)?;
    Ok((id, obj))
}

/// The item `id`, which an edit needs to exist.
pub(crate) fn get<I: Item>(doc: &impl ReadDoc, id: &I::Id) -> Result<ObjId, ModelError> {
    field::existing_item(doc, &ROOT, I::KEY, id.as_str())
}

/// Write the spec over the existing item `id`.
pub(crate) fn update<S: Spec>(
    tx: &mut impl Transactable,
    id: &<S::Item as Item>::Id,
    spec: &S,
) -> Result<(), ModelError> {
    let obj = get::<S::Item>(tx, id)?;
    spec.write(tx, &obj)
}

/// Remove the item `id`; removing one already gone is not an error.
pub(crate) fn remove<I: Item>(tx: &mut impl Transactable, id: &I::Id) -> Result<(), ModelError> {
    field::delete_item(tx, &ROOT, I::KEY, id.as_str())
}

/// Every item, in the item type's order.
pub(crate) fn read_all<I: Item>(doc: &impl ReadDoc) -> Result<Vec<I>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, I::KEY)? {
        let record = Record::read(doc, &obj);
        out.extend(I::read(doc, I::Id::from_string(id), &record)?);
    }
    out.sort_by(I::order);
    Ok(out)
}

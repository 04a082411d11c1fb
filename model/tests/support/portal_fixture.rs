//! What a provider puts in the portal that the permission tests aim at, shared by the model's
//! table tests (`model/tests/permissions.rs`) and the relay's socket tests
//! (`sync-server/tests/permissions.rs`), so both judge the same portal. Included with `#[path]`:
//! each test crate compiles its own copy.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use threshold_model::doc::{
    CommentId, ContactId, ExchangeId, LinkId, MilestoneId, ModelError, TaskId, Transaction,
};
use threshold_model::onboarding::{
    add_contact, add_exchange_item, add_link, add_milestone, set_exchange_invoice,
    set_exchange_status, ContactSpec, Direction, ExchangeStatus, LinkSpec,
};
use threshold_model::portal::{add_task, add_task_comment, register_actor, Assignee};
use threshold_protocol::automerge::ActorId;

/// A fixed day in March 2026, at nine.
pub fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0)
        .single()
        .expect("valid time")
}

pub fn today() -> NaiveDate {
    at(1).date_naive()
}

/// The provider's contact, with `email`.
pub fn contact(email: &str) -> ContactSpec {
    ContactSpec {
        name: "Pat Provider".into(),
        role: "Lead".into(),
        email: email.into(),
        phone: "+1 555 0100".into(),
        about: String::new(),
        side: Assignee::Provider,
    }
}

/// A login link, pointing at `url`, flagged sensitive or not.
pub fn login_link(url: &str, sensitive: bool) -> LinkSpec {
    LinkSpec {
        title: "Admin login".into(),
        url: url.into(),
        note: "ask for the password".into(),
        sensitive,
    }
}

/// What every permission test's portal starts with, written by the provider's device
/// (`provider` is its actor): the provider named in `people`, a task for each side, and the
/// provider's comment on the client's task, as (provider's task, client's task, comment).
pub fn start(
    tx: &mut Transaction<'_>,
    provider: &ActorId,
) -> Result<(TaskId, TaskId, CommentId), ModelError> {
    register_actor(tx, provider, "Pat Provider", Assignee::Provider)?;
    let provider_task = add_task(tx, "Configure SSO", Assignee::Provider, at(1))?;
    let client_task = add_task(tx, "Invite admins", Assignee::Client, at(1))?;
    let provider_comment = add_task_comment(
        tx,
        &client_task,
        "Pat Provider",
        "Here is the guide.",
        at(1),
    )?;
    Ok((provider_task, client_task, provider_comment))
}

/// The provider's own things the rewrites aim at: a sent, unpaid invoice, the provider's
/// contact, a sensitive login link and a milestone.
pub fn provider_items(
    tx: &mut Transaction<'_>,
) -> Result<(ExchangeId, ContactId, LinkId, MilestoneId), ModelError> {
    let invoice = add_exchange_item(tx, "Final invoice", Direction::WeSend, None)?;
    set_exchange_invoice(tx, &invoice, true)?;
    set_exchange_status(tx, &invoice, ExchangeStatus::Sent)?;
    let contact = add_contact(tx, &contact("pat@provider.example"))?;
    let link = add_link(tx, &login_link("https://admin.example", true))?;
    let milestone = add_milestone(tx, "Kick-off", Some(today()))?;
    Ok((invoice, contact, link, milestone))
}

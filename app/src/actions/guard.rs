//! The check every portal edit passes before it is kept: the change the edit made, judged by the
//! model's permission table as this device's side would be judged by the relay. A refused change
//! is taken back out of the document before the engine persists or sends anything, so a client
//! never holds (or uploads) a change the relay would refuse.

use threshold_model::access::{check_change, Rule, Side, Writer};
use threshold_model::doc::ModelError;
use threshold_protocol::automerge::{ActorId, Automerge};

/// Run `edit` on `doc` as `side`, and keep what it did only if the permission table allows it.
/// `own_actors` are the person's actors (this device's among them), by which "their own"
/// objects are known, as the relay knows them. On refusal (the outer `Err`, the rule) the
/// document is put back as it was, with the same actor; the edit's own result, a model error
/// included, is the inner one. The provider is judged too: the shape rules hold for every
/// writer.
pub fn checked_edit<R>(
    doc: &mut Automerge,
    side: Side,
    own_actors: &[ActorId],
    edit: impl FnOnce(&mut Automerge) -> Result<R, ModelError>,
) -> Result<Result<R, ModelError>, Rule> {
    let before = doc.get_heads();
    let result = edit(doc);
    if result.is_err() || doc.get_heads() == before {
        return Ok(result);
    }
    let Some(change) = doc.get_last_local_change() else {
        return Ok(result);
    };
    let actor = doc.get_actor().clone();
    let writer = Writer { side, own_actors };
    if let Err(rule) = check_change(doc, &change, &writer) {
        // Forking at heads the document itself had a moment ago cannot fail.
        if let Ok(back) = doc.fork_at(&before) {
            *doc = back.with_actor(actor);
        }
        return Err(rule);
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use threshold_model::doc::edit;
    use threshold_model::onboarding::{
        add_exchange_item, set_exchange_status, Direction, ExchangeStatus,
    };
    use threshold_model::portal::{add_task, new_portal_doc, Assignee};
    use threshold_protocol::automerge::ActorId;

    use super::*;

    /// A portal the provider made, with one document they send, opened on a client's device (an
    /// item named like an invoice is one).
    fn on_client_device(document: &str) -> (Automerge, threshold_model::doc::ExchangeId) {
        let mut provider = new_portal_doc("Northwind", "Hello").expect("a portal");
        let item = edit(&mut provider, |tx| {
            add_exchange_item(tx, document, Direction::WeSend, None)
        })
        .expect("added");
        let client = provider.fork().with_actor(ActorId::random());
        (client, item)
    }

    /// [`checked_edit`] with only this device's actor as the person's.
    fn checked_here<R>(
        doc: &mut Automerge,
        side: Side,
        edit: impl FnOnce(&mut Automerge) -> Result<R, ModelError>,
    ) -> Result<Result<R, ModelError>, Rule> {
        let own = [doc.get_actor().clone()];
        checked_edit(doc, side, &own, edit)
    }

    #[test]
    fn a_refused_edit_leaves_the_document_as_it_was_with_the_same_actor() {
        let (mut doc, item) = on_client_device("Invoice 1");
        let (heads, actor) = (doc.get_heads(), doc.get_actor().clone());
        let refused = checked_here(&mut doc, Side::Client, |doc| {
            edit(doc, |tx| {
                set_exchange_status(tx, &item, ExchangeStatus::Paid)
            })
        });
        assert_eq!(refused.expect_err("refused"), Rule::InvoiceStatus);
        assert_eq!(doc.get_heads(), heads, "nothing of the change is kept");
        assert_eq!(doc.get_actor(), &actor);
        // The device goes on editing after the refusal, as itself.
        checked_here(&mut doc, Side::Client, |doc| {
            edit(doc, |tx| {
                add_task(tx, "Send the logo", Assignee::Client, chrono::Utc::now())
            })
        })
        .expect("allowed")
        .expect("a client adds a task for their side");
        assert_ne!(doc.get_heads(), heads);
        let last = doc.get_last_local_change().expect("a change");
        assert_eq!(last.actor_id(), &actor);
    }

    #[test]
    fn an_allowed_edit_is_kept_and_the_provider_may_do_what_the_client_may_not() {
        let (mut doc, item) = on_client_device("NDA");
        checked_here(&mut doc, Side::Client, |doc| {
            edit(doc, |tx| {
                set_exchange_status(tx, &item, ExchangeStatus::Signed)
            })
        })
        .expect("allowed")
        .expect("a client signs what the provider sends");
        let heads = doc.get_heads();
        checked_here(&mut doc, Side::Provider, |doc| {
            edit(doc, |tx| {
                set_exchange_status(tx, &item, ExchangeStatus::Paid)
            })
        })
        .expect("allowed")
        .expect("the provider sets any status");
        assert_ne!(doc.get_heads(), heads);
    }

    #[test]
    fn a_task_the_person_added_on_another_device_is_theirs_to_rename_only_if_that_actor_is_theirs()
    {
        let (laptop, _) = on_client_device("NDA");
        let mut laptop = laptop;
        let laptop_actor = laptop.get_actor().clone();
        let task = edit(&mut laptop, |tx| {
            add_task(tx, "Send the logo", Assignee::Client, chrono::Utc::now())
        })
        .expect("added");
        // The same person's phone: another actor, which the relay bound to the same token.
        let mut phone = laptop.fork().with_actor(ActorId::random());
        let phone_actor = phone.get_actor().clone();
        let rename = |doc: &mut Automerge| {
            edit(doc, |tx| {
                threshold_model::portal::rename_task(tx, &task, "Send the logo (SVG)")
            })
        };
        let as_this_device_only = checked_edit(
            &mut phone,
            Side::Client,
            std::slice::from_ref(&phone_actor),
            rename,
        );
        assert_eq!(
            as_this_device_only.expect_err("not known as theirs"),
            Rule::OthersTask
        );
        checked_edit(
            &mut phone,
            Side::Client,
            &[phone_actor, laptop_actor],
            rename,
        )
        .expect("allowed: the laptop's actor is theirs too")
        .expect("renamed");
    }

    #[test]
    fn an_edit_that_fails_in_the_model_is_its_own_error() {
        let (mut doc, _) = on_client_device("NDA");
        let heads = doc.get_heads();
        let missing = "missing".to_owned();
        let failed = checked_here(&mut doc, Side::Client, |doc| {
            edit(doc, |_| Err::<(), _>(ModelError::NoSuchItem(missing)))
        });
        assert!(matches!(failed, Ok(Err(ModelError::NoSuchItem(_)))));
        assert_eq!(doc.get_heads(), heads);
    }
}

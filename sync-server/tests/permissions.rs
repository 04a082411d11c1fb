//! Issue 15 over real sockets: a client token's changes are held to the portal's permission
//! table, every writer to the shape rules, and no one may write as another person's actor. The
//! provider builds the portal with the model's own functions; each client device is a protocol
//! client that edits it as the app does.

mod common;

use common::*;
use threshold_model::access::{Author, Role};
use threshold_model::doc::*;
use threshold_model::offboarding::*;
use threshold_model::onboarding::*;
use threshold_model::portal::*;
use threshold_model::workspace::record_activity;
use threshold_protocol::automerge::transaction::Transactable;
use threshold_protocol::automerge::{ActorId, Automerge, ChangeHash, ObjType, ReadDoc, ROOT};
use threshold_protocol::{CloseCode, DocumentId};

#[path = "../../model/tests/support/portal_fixture.rs"]
mod portal_fixture;
use portal_fixture::{at, contact, login_link, provider_items, start, today};

/// What the provider set up, for the edits to aim at.
#[derive(Clone)]
struct Ids {
    provider_task: TaskId,
    client_task: TaskId,
    provider_comment: CommentId,
    provider_file: FileId,
    invoice: ExchangeId,
    contact: ContactId,
    link: LinkId,
    milestone: MilestoneId,
    /// The actor of the device making the edit, set just before it.
    device: ActorId,
}

/// A portal in offboarding with something of everything, made on the provider's device.
fn portal() -> (Automerge, Ids) {
    let mut doc = new_portal_doc("Acme", "Welcome to the portal.").expect("creates");
    let provider = doc.get_actor().clone();
    let ids = edit_at(&mut doc, at(1), |tx| {
        let (provider_task, client_task, provider_comment) = start(tx, &provider)?;
        let plan = FileSpec {
            hash: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
            name: "plan.pdf".into(),
            size: 10,
            mime: "application/pdf".into(),
        };
        let provider_file = add_file(tx, &plan, &Attachment::Portal, "Pat", at(1))?;
        let (invoice, contact, link, milestone) = provider_items(tx)?;
        set_stage(tx, Stage::Active, at(1))?;
        start_offboarding(tx, &OffboardingPlaybook::standard(), today(), at(2))?;
        Ok(Ids {
            provider_task,
            client_task,
            provider_comment,
            provider_file,
            invoice,
            contact,
            link,
            milestone,
            device: provider.clone(),
        })
    })
    .expect("the provider sets the portal up");
    (doc, ids)
}

type Edit = Box<dyn Fn(&mut Transaction<'_>, &Ids) -> Result<(), ModelError>>;

/// An edit as the client's app makes it: the edit, the device naming its actor as the client,
/// and the client's activity noted, all in one change.
fn as_app(edit: Edit) -> Edit {
    Box::new(move |tx, ids| {
        edit(tx, ids)?;
        register_actor(tx, &ids.device, "Dana Client", Assignee::Client)?;
        record_activity(tx, Assignee::Client, at(5))
    })
}

/// The fifteen rewrites of issue 15 (some in several forms), each with a word of the rule the
/// relay must name.
fn rewrites() -> Vec<(&'static str, Edit, &'static str)> {
    let raw = |f: Edit| f;
    vec![
        (
            "stage to alumni",
            as_app(Box::new(|tx, _| Ok(tx.put(ROOT, "stage", "alumni")?))),
            "stage",
        ),
        (
            "invoice paid",
            as_app(Box::new(|tx, ids| {
                set_exchange_status(tx, &ids.invoice, ExchangeStatus::Paid)
            })),
            "invoice",
        ),
        (
            "invoice signed as if it were a contract",
            as_app(Box::new(|tx, ids| {
                let spec = SignatureSpec {
                    typed_name: "Dana Client".into(),
                    consent: true,
                    file_hash: None,
                };
                sign_document(tx, &ids.invoice, &spec, at(5)).map(|_| ())
            })),
            "invoice is paid, not signed",
        ),
        (
            "invoice deleted",
            as_app(Box::new(|tx, ids| remove_exchange_item(tx, &ids.invoice))),
            "documents to exchange",
        ),
        (
            "goodbye sent",
            as_app(Box::new(|tx, _| {
                let offboarding = tx.get(ROOT, "offboarding")?.expect("offboarding").1;
                Ok(tx.put(&offboarding, "goodbyeSentAt", at(5).timestamp_millis())?)
            })),
            "goodbye",
        ),
        (
            "provider task renamed",
            as_app(Box::new(|tx, ids| {
                rename_task(tx, &ids.provider_task, "Nothing")
            })),
            "tasks",
        ),
        (
            "provider task deleted",
            as_app(Box::new(|tx, ids| delete_task(tx, &ids.provider_task))),
            "tasks",
        ),
        (
            "provider task done",
            as_app(Box::new(|tx, ids| {
                set_task_done(tx, &ids.provider_task, true)
            })),
            "tasks",
        ),
        (
            "task map replaced",
            raw(Box::new(|tx, _| {
                tx.put_object(ROOT, "tasks", ObjType::Map)?;
                Ok(())
            })),
            "tasks",
        ),
        (
            "welcome rewritten",
            as_app(Box::new(|tx, _| {
                update_welcome(tx, "Pay to IBAN XX00 0000")
            })),
            "welcome",
        ),
        (
            "milestone reached",
            as_app(Box::new(|tx, ids| {
                set_milestone_reached(tx, &ids.milestone, Some(at(5)))
            })),
            "timeline",
        ),
        (
            "milestone removed",
            as_app(Box::new(|tx, ids| remove_milestone(tx, &ids.milestone))),
            "timeline",
        ),
        (
            "provider contact changed",
            as_app(Box::new(|tx, ids| {
                update_contact(tx, &ids.contact, &contact("pat@evil.example"))
            })),
            "contacts",
        ),
        (
            "sensitive link repointed and unflagged",
            as_app(Box::new(|tx, ids| {
                update_link(tx, &ids.link, &login_link("https://evil.example", false))
            })),
            "links",
        ),
        (
            "provider file removed",
            as_app(Box::new(|tx, ids| {
                remove_file(tx, &ids.provider_file, "Dana", at(5))
            })),
            "files",
        ),
        (
            "people entry forged",
            raw(Box::new(|tx, _| {
                let stranger = ActorId::from(b"someone-else".as_slice());
                register_actor(tx, &stranger, "Pat Provider", Assignee::Provider)
            })),
            "",
        ),
        (
            "provider comment rewritten",
            as_app(Box::new(|tx, ids| {
                let tasks = tx.get(ROOT, "tasks")?.expect("tasks").1;
                let task = tx.get(&tasks, ids.client_task.as_str())?.expect("task").1;
                let comments = tx.get(&task, "comments")?.expect("comments").1;
                let comment = tx
                    .get(&comments, ids.provider_comment.as_str())?
                    .expect("comment")
                    .1;
                Ok(tx.put(&comment, "body", "Pay me instead")?)
            })),
            "comments",
        ),
        (
            "provider activity",
            as_app(Box::new(|tx, _| {
                record_activity(tx, Assignee::Provider, at(5))
            })),
            "",
        ),
        (
            "stageChangedAt",
            as_app(Box::new(|tx, _| {
                let dates = tx.get(ROOT, "stageChangedAt")?.expect("map").1;
                Ok(tx.put(&dates, "active", 0)?)
            })),
            "stage",
        ),
        (
            "clientName",
            as_app(Box::new(|tx, _| set_client_name(tx, "Evil Corp"))),
            "client name",
        ),
        (
            "kind",
            raw(Box::new(|tx, _| Ok(tx.put(ROOT, "kind", "workspace")?))),
            "kind",
        ),
        (
            "schema",
            raw(Box::new(|tx, _| Ok(tx.put(ROOT, "schema", 7_u64)?))),
            "version",
        ),
    ]
}

/// A relay without the rate limit in the way of many quick connections by one token.
fn relay() -> Relay {
    Relay::fresh_with(&["--rate-per-second", "10000", "--rate-burst", "10000"])
}

/// The provider's device creates the portal on the relay; its id and the provider's actor.
async fn provider_creates(relay: &Relay) -> (DocumentId, Ids, ActorId) {
    let (doc, ids) = portal();
    let actor = doc.get_actor().clone();
    let mut provider = Client::connect(relay, "provider").await;
    let id = DocumentId::random();
    provider.engine.create(id, doc);
    assert!(provider.pump_until(|e| e.is_doc_synced(&id)).await);
    (id, ids, actor)
}

/// The portal's heads as a fresh provider device reads it from the relay.
async fn provider_reads(relay: &Relay, id: DocumentId) -> Vec<ChangeHash> {
    let mut reader = Client::connect(relay, "reader").await;
    assert!(reader.fetch(id).await);
    // Let the rest of the document arrive after its first content.
    reader.pump_until(|e| e.is_doc_synced(&id)).await;
    let mut heads = reader.engine.doc(&id).expect("loaded").get_heads();
    heads.sort();
    heads
}

/// A client device fetches the portal, makes `edit` (on `actor` if given), and syncs: the close
/// frame, if the relay closed, and the `error` messages it sent.
async fn client_edits(
    relay: &Relay,
    token: &str,
    id: DocumentId,
    ids: &Ids,
    actor: Option<&ActorId>,
    edit: &Edit,
) -> (Option<(u16, String)>, Vec<String>) {
    let mut device = Client::connect_as(relay, "client", token).await;
    assert!(device.fetch(id).await);
    device.pump_until(|e| e.is_doc_synced(&id)).await;
    device.engine.change(id, |doc| {
        if let Some(actor) = actor {
            doc.set_actor(actor.clone());
        }
        let ids = Ids {
            device: doc.get_actor().clone(),
            ..ids.clone()
        };
        edit_at(doc, at(5), |tx| edit(tx, &ids)).expect("the model makes the edit");
    });
    device.pump_until(|e| e.is_doc_synced(&id)).await;
    (device.closed, device.errors)
}

fn assert_refused(verdict: &(Option<(u16, String)>, Vec<String>), what: &str, word: &str) {
    let (closed, errors) = verdict;
    let code = closed.as_ref().map(|c| c.0);
    assert_eq!(code, Some(CloseCode::Refused.code()), "{what}: {verdict:?}");
    assert_eq!(
        errors.len(),
        1,
        "{what}: one error naming the rule: {errors:?}"
    );
    assert!(
        errors[0].contains(word),
        "{what}: {errors:?} should name {word:?}"
    );
}

#[tokio::test]
async fn every_rewrite_of_issue_15_is_refused_and_absent_for_the_provider_even_after_a_restart() {
    let mut relay = relay();
    let (id, ids, _) = provider_creates(&relay).await;
    let before = provider_reads(&relay, id).await;
    for (what, edit, word) in rewrites() {
        // A token of its own for each: a token refused three times cools down (socket_caps).
        let (_, client) = relay.mint_client(id, false);
        let verdict = client_edits(&relay, &client, id, &ids, None, &edit).await;
        assert_refused(&verdict, what, word);
    }
    assert_eq!(
        provider_reads(&relay, id).await,
        before,
        "nothing refused was kept"
    );
    relay.kill();
    relay.restart();
    assert_eq!(provider_reads(&relay, id).await, before, "nor stored");
}

#[tokio::test]
async fn a_client_cannot_move_an_ended_engagement_back_from_alumni() {
    let relay = relay();
    let (doc, ids) = portal();
    let mut provider = Client::connect(&relay, "provider").await;
    let id = DocumentId::random();
    provider.engine.create(id, doc);
    provider.engine.change(id, |doc| {
        edit_at(doc, at(6), |tx| {
            set_exchange_status(tx, &ids.invoice, ExchangeStatus::Paid)?;
            complete_offboarding(tx, at(6))
        })
        .expect("the provider completes offboarding");
    });
    assert!(provider.pump_until(|e| e.is_doc_synced(&id)).await);
    let (_, client) = relay.mint_client(id, false);
    let back: Edit = Box::new(|tx, _| set_stage(tx, Stage::Active, at(7)));
    let verdict = client_edits(&relay, &client, id, &ids, None, &back).await;
    assert_refused(&verdict, "back from alumni", "stage");
}

#[tokio::test]
async fn allowed_client_actions_go_through_and_authors_name_the_verified_person() {
    let relay = relay();
    let (id, ids, provider_actor) = provider_creates(&relay).await;
    let (client_id, client) = relay.mint_client(id, false);
    let allowed: Vec<(&str, Edit)> = vec![
        (
            "a task for their side",
            as_app(Box::new(|tx, _| {
                add_task(tx, "Send the logo", Assignee::Client, at(5)).map(drop)
            })),
        ),
        (
            "the status of their side's task",
            as_app(Box::new(|tx, ids| {
                set_task_done(tx, &ids.client_task, true)
            })),
        ),
        (
            "a comment on the provider's task",
            as_app(Box::new(|tx, ids| {
                add_task_comment(tx, &ids.provider_task, "Dana", "Thanks!", at(5)).map(drop)
            })),
        ),
    ];
    for (what, edit) in &allowed {
        let before = provider_reads(&relay, id).await;
        let (closed, errors) = client_edits(&relay, &client, id, &ids, None, edit).await;
        assert!(
            closed.is_none() && errors.is_empty(),
            "{what}: {closed:?} {errors:?}"
        );
        assert_ne!(
            provider_reads(&relay, id).await,
            before,
            "{what} reached the provider"
        );
    }
    // The authors: the provider's actor is the owner token's, and the client's devices are
    // the client token's, named as the token names its holder.
    let path = format!("/api/portals/{id}/authors");
    let (status, _, body) = http(relay.port, "GET", &path, Some(&relay.owner), None);
    assert_eq!(status, 200, "{body}");
    let authors: Vec<Author> = serde_json::from_str(&body).expect("authors json");
    let provider_hex = provider_actor.to_hex_string();
    let provider = authors
        .iter()
        .find(|a| a.actor == provider_hex)
        .expect("provider bound");
    assert_eq!(provider.role, Role::Owner);
    let clients: Vec<&Author> = authors.iter().filter(|a| a.role == Role::Client).collect();
    assert_eq!(
        clients.len(),
        allowed.len(),
        "one actor per client device: {authors:?}"
    );
    assert!(clients
        .iter()
        .all(|a| a.token_id == client_id && a.name == "Client"));
    // The portal's own client reads it too; a client of another portal is told nothing.
    let (status, _, _) = http(relay.port, "GET", &path, Some(&client), None);
    assert_eq!(status, 200);
    let (_, stranger) = relay.mint_client(DocumentId::random(), true);
    let (status, _, _) = http(relay.port, "GET", &path, Some(&stranger), None);
    assert_eq!(status, 404);
    let (status, _, _) = http(relay.port, "GET", &path, None, None);
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_change_mixing_allowed_and_forbidden_parts_is_refused_whole() {
    let relay = relay();
    let (id, ids, _) = provider_creates(&relay).await;
    let (_, client) = relay.mint_client(id, false);
    let before = provider_reads(&relay, id).await;
    let mixed = as_app(Box::new(|tx, _| {
        add_task(tx, "Send the logo", Assignee::Client, at(5))?;
        update_welcome(tx, "Pay to IBAN XX00 0000")
    }));
    let verdict = client_edits(&relay, &client, id, &ids, None, &mixed).await;
    assert_refused(&verdict, "mixed", "welcome");
    assert_eq!(provider_reads(&relay, id).await, before);
}

#[tokio::test]
async fn a_change_under_the_providers_actor_is_refused_as_forged() {
    let relay = relay();
    let (id, ids, provider_actor) = provider_creates(&relay).await;
    let (_, client) = relay.mint_client(id, false);
    let before = provider_reads(&relay, id).await;
    // Even an edit the client may make is refused when it claims the provider's actor.
    let edit: Edit =
        Box::new(|tx, _| add_task(tx, "Send the logo", Assignee::Client, at(5)).map(drop));
    let verdict = client_edits(&relay, &client, id, &ids, Some(&provider_actor), &edit).await;
    assert_refused(&verdict, "forged actor", "claims to be by someone else");
    assert_eq!(provider_reads(&relay, id).await, before);
}

#[tokio::test]
async fn a_provider_device_is_held_to_the_shape_rules() {
    let relay = relay();
    let (id, ids, _) = provider_creates(&relay).await;
    let wipe: Edit = Box::new(|tx, _| {
        tx.put_object(ROOT, "tasks", ObjType::Map)?;
        Ok(())
    });
    let verdict = client_edits(&relay, &relay.owner, id, &ids, None, &wipe).await;
    assert_refused(&verdict, "provider replaces the tasks", "tasks");
    // Within the shape, the portal is the provider's.
    let welcome: Edit = Box::new(|tx, _| update_welcome(tx, "Welcome back."));
    let (closed, errors) = client_edits(&relay, &relay.owner, id, &ids, None, &welcome).await;
    assert!(
        closed.is_none() && errors.is_empty(),
        "{closed:?} {errors:?}"
    );
}

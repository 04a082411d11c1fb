//! The permission table, through real changes: the provider builds a portal with the model's
//! own functions; the client's device is a fork with its own actor that edits it as the app
//! does; each change is judged with `check_change` on the provider's copy once it is applied.

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, Change, ObjType, ReadDoc, ROOT};
use chrono::Duration;
use threshold_model::access::{check_change, Rule, Side, Writer};
use threshold_model::doc::limits::Text;
use threshold_model::doc::*;
use threshold_model::offboarding::*;
use threshold_model::onboarding::*;
use threshold_model::portal::*;
use threshold_model::workspace::record_activity;

#[path = "support/portal_fixture.rs"]
mod portal_fixture;
use portal_fixture::{at, contact, login_link, provider_items, start, today};

type Tx<'a> = Transaction<'a>;

/// Ids of what the provider set up.
struct Ids {
    provider_task: TaskId,
    client_task: TaskId,
    provider_comment: CommentId,
    provider_checkin: CheckinId,
    provider_file: FileId,
    text_question: FieldId,
    file_question: FieldId,
    we_need: ExchangeId,
    contract: ExchangeId,
    invoice: ExchangeId,
    contact: ContactId,
    link: LinkId,
    milestone: MilestoneId,
    metric: MetricId,
    deliverable: DeliverableId,
    access: AccessId,
    question: QuestionId,
    next_step: NextStepId,
}

struct Portal {
    /// The provider's copy, where every judged change is applied.
    doc: Automerge,
    client: ActorId,
    ids: Ids,
}

const HASH: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn file(name: &str) -> FileSpec {
    FileSpec {
        hash: HASH.into(),
        name: name.into(),
        size: 10,
        mime: "application/pdf".into(),
    }
}

/// A portal in offboarding with something of everything, made by the provider.
fn portal() -> Portal {
    let mut doc = new_portal_doc("Acme", "Welcome to the portal.").expect("creates");
    let provider = doc.get_actor().clone();
    let ids = edit_at(&mut doc, at(1), |tx| {
        let (provider_task, client_task, provider_comment) = start(tx, &provider)?;
        let provider_checkin = add_checkin(tx, "Pat", Assignee::Provider, "Week one", at(1))?;
        let provider_file = add_file(tx, &file("plan.pdf"), &Attachment::Portal, "Pat", at(1))?;
        let text = FieldSpec {
            label: "Company size".into(),
            help: String::new(),
            kind: FieldKind::ShortText,
            required: true,
            options: Vec::new(),
        };
        let text_question = add_field(tx, &text)?;
        let file_question = add_field(
            tx,
            &FieldSpec {
                label: "Logo".into(),
                kind: FieldKind::File,
                ..text
            },
        )?;
        let we_need = add_exchange_item(tx, "W-9", Direction::WeNeed, None)?;
        let contract = add_exchange_item(tx, "Contract", Direction::WeSend, None)?;
        let (invoice, contact, link, milestone) = provider_items(tx)?;
        let metric = add_metric(
            tx,
            &MetricSpec {
                name: "Leads".into(),
                unit: "a month".into(),
                baseline: 10.0,
                baseline_date: Some(today()),
                higher_is_better: true,
            },
            at(1),
        )?;
        set_stage(tx, Stage::Active, at(1))?;
        start_offboarding(tx, &OffboardingPlaybook::standard(), today(), at(2))?;
        set_save_offer(
            tx,
            Some(&SaveOffer {
                kind: SaveOfferKind::Discount,
                text: "20% off".into(),
            }),
        )?;
        set_support_offer(tx, "A monthly check-up")?;
        Ok(Ids {
            provider_task,
            client_task,
            provider_comment,
            provider_checkin,
            provider_file,
            text_question,
            file_question,
            we_need,
            contract,
            invoice,
            contact,
            link,
            milestone,
            metric,
            deliverable: read_deliverables(tx)?[0].id.clone(),
            access: read_access_wrapup(tx)?[0].id.clone(),
            question: read_exit_feedback(tx)?.questions[0].id.clone(),
            next_step: read_next_steps(tx)?[0].id.clone(),
        })
    })
    .expect("the provider sets the portal up");
    Portal {
        doc,
        client: ActorId::from(b"client-device-one".as_slice()),
        ids,
    }
}

impl Portal {
    /// Make one change on a device with `actor` that holds the portal as it is now, and return
    /// it with the portal after it (the provider's copy is left as it was).
    fn change(
        &self,
        actor: &ActorId,
        edit: impl FnOnce(&mut Tx<'_>) -> Result<(), ModelError>,
    ) -> (Change, Automerge) {
        let mut device = self.doc.fork().with_actor(actor.clone());
        edit_at(&mut device, at(5), edit).expect("the model makes the edit");
        let change = device
            .get_last_local_change()
            .expect("the edit made a change")
            .clone();
        let mut after = self.doc.clone();
        after
            .apply_changes([change.clone()])
            .expect("the change applies");
        (change, after)
    }

    /// The client's device makes `edit` as the app does (naming its actor and noting the
    /// client's activity in the same change); the verdict on it.
    fn client(&self, edit: impl FnOnce(&mut Tx<'_>) -> Result<(), ModelError>) -> Result<(), Rule> {
        let actor = self.client.clone();
        self.client_raw(|tx| {
            edit(tx)?;
            register_actor(tx, &actor, "Dana Client", Assignee::Client)?;
            record_activity(tx, Assignee::Client, at(5))
        })
    }

    /// The client's device makes exactly `edit`; the verdict on it.
    fn client_raw(
        &self,
        edit: impl FnOnce(&mut Tx<'_>) -> Result<(), ModelError>,
    ) -> Result<(), Rule> {
        let (change, after) = self.change(&self.client, edit);
        let own = [self.client.clone()];
        check_change(
            &after,
            &change,
            &Writer {
                side: Side::Client,
                own_actors: &own,
            },
        )
    }

    /// The provider's device makes `edit`; the verdict on it.
    fn provider(
        &self,
        edit: impl FnOnce(&mut Tx<'_>) -> Result<(), ModelError>,
    ) -> Result<(), Rule> {
        let actor = self.doc.get_actor().clone();
        let (change, after) = self.change(&actor, edit);
        check_change(
            &after,
            &change,
            &Writer {
                side: Side::Provider,
                own_actors: &[actor],
            },
        )
    }

    /// Keep an edit the client made (allowed), as the relay would.
    fn keep_client(&mut self, edit: impl FnOnce(&mut Tx<'_>) -> Result<(), ModelError>) {
        let (change, after) = self.change(&self.client.clone(), edit);
        let own = [self.client.clone()];
        let writer = Writer {
            side: Side::Client,
            own_actors: &own,
        };
        check_change(&after, &change, &writer).expect("allowed");
        self.doc = after;
    }

    /// The client adds a task of their own (allowed, and kept); its id.
    fn client_adds_a_task(&mut self, title: &str) -> TaskId {
        let mut id = None;
        self.keep_client(|tx| {
            id = Some(add_task(tx, title, Assignee::Client, at(5))?);
            Ok(())
        });
        id.expect("added")
    }

    /// Keep an edit the provider made.
    fn keep_provider(&mut self, edit: impl FnOnce(&mut Tx<'_>) -> Result<(), ModelError>) {
        edit_at(&mut self.doc, at(6), edit).expect("the provider's edit");
    }
}

fn refused(result: Result<(), Rule>, rule: Rule) {
    assert_eq!(result, Err(rule));
}

fn only_provider(result: Result<(), Rule>, what: &'static str) {
    refused(result, Rule::ProviderOnly(what));
}

// The fifteen rewrites of issue 15, each refused for a client.

#[test]
fn a_client_cannot_move_the_stage_to_alumni_or_back() {
    let mut p = portal();
    refused(
        p.client(|tx| Ok(tx.put(ROOT, "stage", "alumni")?)),
        Rule::StageOutsideCancellation,
    );
    let invoice = p.ids.invoice.clone();
    p.keep_provider(|tx| {
        set_exchange_status(tx, &invoice, ExchangeStatus::Paid)?;
        complete_offboarding(tx, at(6))
    });
    assert_eq!(read_stage(&p.doc).expect("stage"), Stage::Alumni);
    // Back from alumni: refused as a stage move (the archive is read-only besides).
    refused(
        p.client_raw(|tx| set_stage(tx, Stage::Active, at(7))),
        Rule::StageOutsideCancellation,
    );
}

#[test]
fn a_client_cannot_mark_an_invoice_paid_or_delete_it() {
    let p = portal();
    let id = p.ids.invoice.clone();
    refused(
        p.client(|tx| set_exchange_status(tx, &id, ExchangeStatus::Paid)),
        Rule::InvoiceStatus,
    );
    refused(
        p.client(|tx| set_exchange_status(tx, &id, ExchangeStatus::Signed)),
        Rule::InvoiceStatus,
    );
    only_provider(
        p.client(|tx| remove_exchange_item(tx, &id)),
        "the documents to exchange",
    );
    // Nor make it look like something else.
    only_provider(
        p.client(|tx| set_exchange_invoice(tx, &id, false)),
        "the documents to exchange",
    );
}

#[test]
fn a_client_cannot_mark_the_goodbye_sent() {
    let p = portal();
    only_provider(
        p.client(|tx| {
            let offboarding = tx.get(ROOT, "offboarding")?.expect("offboarding").1;
            Ok(tx.put(&offboarding, "goodbyeSentAt", at(5).timestamp_millis())?)
        }),
        "the goodbye",
    );
}

#[test]
fn a_client_cannot_rename_delete_finish_or_wipe_the_providers_tasks() {
    let p = portal();
    let id = p.ids.provider_task.clone();
    refused(
        p.client(|tx| rename_task(tx, &id, "Nothing")),
        Rule::OthersTask,
    );
    only_provider(
        p.client(|tx| delete_task(tx, &id)),
        "which tasks are in the plan",
    );
    refused(
        p.client(|tx| set_task_done(tx, &id, true)),
        Rule::ProviderTaskStatus,
    );
    refused(
        p.client(|tx| set_task_due(tx, &id, Some(today()))),
        Rule::OthersTask,
    );
    refused(
        p.client_raw(|tx| {
            tx.put_object(ROOT, "tasks", ObjType::Map)?;
            Ok(())
        }),
        Rule::CollectionReplaced("tasks".into()),
    );
}

#[test]
fn a_client_cannot_rewrite_the_welcome() {
    let p = portal();
    only_provider(
        p.client(|tx| update_welcome(tx, "Pay to IBAN XX00 0000")),
        "the welcome message",
    );
}

#[test]
fn a_client_cannot_change_the_providers_brand_but_the_provider_can() {
    let p = portal();
    let brand = Brand {
        name: "Northwind Studio".into(),
        accent: Some("#7a1f5c".parse().expect("a colour")),
        logo: None,
    };
    assert_eq!(p.provider(|tx| set_brand(tx, &brand)), Ok(()));
    only_provider(
        p.client(|tx| {
            set_brand(
                tx,
                &Brand {
                    name: "Pay us at evil.example".into(),
                    ..brand.clone()
                },
            )
        }),
        "the provider's brand",
    );
}

#[test]
fn a_client_cannot_reach_or_remove_a_milestone() {
    let p = portal();
    let id = p.ids.milestone.clone();
    only_provider(
        p.client(|tx| set_milestone_reached(tx, &id, Some(at(5)))),
        "the timeline",
    );
    only_provider(p.client(|tx| remove_milestone(tx, &id)), "the timeline");
}

#[test]
fn a_client_cannot_change_the_providers_contact() {
    let p = portal();
    let id = p.ids.contact.clone();
    only_provider(
        p.client(|tx| update_contact(tx, &id, &contact("pat@evil.example"))),
        "the contacts",
    );
}

#[test]
fn a_client_cannot_repoint_or_unflag_a_sensitive_link() {
    let p = portal();
    let id = p.ids.link.clone();
    only_provider(
        p.client(|tx| update_link(tx, &id, &login_link("https://evil.example", false))),
        "the links",
    );
}

#[test]
fn a_client_cannot_remove_the_providers_file() {
    let p = portal();
    let id = p.ids.provider_file.clone();
    refused(
        p.client(|tx| remove_file(tx, &id, "Dana", at(5))),
        Rule::OthersFile,
    );
}

#[test]
fn a_client_cannot_forge_a_person_entry_for_another_actor() {
    let p = portal();
    let provider = p.doc.get_actor().clone();
    let stranger = ActorId::from(b"someone-else".as_slice());
    refused(
        p.client_raw(|tx| register_actor(tx, &stranger, "Pat Provider", Assignee::Provider)),
        Rule::OthersPerson,
    );
    // Nor rewrite the provider's own entry.
    refused(
        p.client_raw(|tx| {
            let people = tx.get(ROOT, "people")?.expect("people").1;
            let pat = tx.get(&people, provider.to_hex_string())?.expect("entry").1;
            Ok(tx.put(&pat, "name", "Dana")?)
        }),
        Rule::OthersPerson,
    );
}

#[test]
fn a_client_cannot_edit_or_delete_a_comment_the_provider_wrote() {
    let p = portal();
    let (task, comment) = (p.ids.client_task.clone(), p.ids.provider_comment.clone());
    let comment_obj = move |tx: &mut Tx<'_>| -> Result<automerge::ObjId, ModelError> {
        let tasks = tx.get(ROOT, "tasks")?.expect("tasks").1;
        let task = tx.get(&tasks, task.as_str())?.expect("task").1;
        let comments = tx.get(&task, "comments")?.expect("comments").1;
        Ok(comments)
    };
    let (edit_obj, delete_obj) = (comment_obj.clone(), comment_obj);
    let c = comment.clone();
    refused(
        p.client(move |tx| {
            let comments = edit_obj(tx)?;
            let obj = tx.get(&comments, c.as_str())?.expect("comment").1;
            Ok(tx.put(&obj, "body", "Pay me instead")?)
        }),
        Rule::OthersComment,
    );
    refused(
        p.client(move |tx| {
            let comments = delete_obj(tx)?;
            Ok(tx.delete(&comments, comment.as_str())?)
        }),
        Rule::OthersComment,
    );
}

#[test]
fn a_client_cannot_rewrite_the_frame_kind_or_schema() {
    let p = portal();
    refused(
        p.client(|tx| {
            let dates = tx.get(ROOT, "lastActivity")?.expect("map").1;
            Ok(tx.put(&dates, "provider", at(5).timestamp_millis())?)
        }),
        Rule::ProviderActivity,
    );
    refused(
        p.client(|tx| record_activity(tx, Assignee::Provider, at(5))),
        Rule::ProviderActivity,
    );
    only_provider(
        p.client(|tx| {
            let dates = tx.get(ROOT, "stageChangedAt")?.expect("map").1;
            Ok(tx.put(&dates, "active", 0)?)
        }),
        "the stage",
    );
    only_provider(
        p.client(|tx| set_client_name(tx, "Evil Corp")),
        "the client name",
    );
    refused(
        p.client_raw(|tx| Ok(tx.put(ROOT, "kind", "workspace")?)),
        Rule::KindIsFixed,
    );
    refused(
        // The same version, written as another number type: still a write of `schema`.
        p.client_raw(|tx| Ok(tx.put(ROOT, "schema", 1_i64)?)),
        Rule::SchemaIsTheProviders,
    );
    refused(
        p.client_raw(|tx| Ok(tx.put(ROOT, "schema", 7_u64)?)),
        Rule::UnknownSchema,
    );
}

// Every allowed client act the app performs today, and its forbidden neighbour.

#[test]
fn the_client_answers_intake_questions_but_does_not_change_them() {
    let p = portal();
    let (text, file_q) = (p.ids.text_question.clone(), p.ids.file_question.clone());
    let q = text.clone();
    assert_eq!(
        p.client(|tx| set_answer(tx, &q, &AnswerValue::Text("12".into()), "Dana", at(5))),
        Ok(())
    );
    let q = text.clone();
    assert_eq!(
        p.client(|tx| set_answer(
            tx,
            &q,
            &AnswerValue::Choices(vec!["a".into(), "b".into()]),
            "Dana",
            at(5)
        )),
        Ok(())
    );
    // A file question is answered by attaching a file, which writes the answer too.
    assert_eq!(
        p.client(|tx| add_file(
            tx,
            &file("logo.png"),
            &Attachment::Field(file_q),
            "Dana",
            at(5)
        )
        .map(|_| ())),
        Ok(())
    );
    only_provider(
        p.client(|tx| {
            update_field(
                tx,
                &text,
                &FieldSpec {
                    label: "Renamed".into(),
                    help: String::new(),
                    kind: FieldKind::ShortText,
                    required: false,
                    options: Vec::new(),
                },
            )
        }),
        "the intake questions",
    );
}

#[test]
fn the_client_adds_tasks_for_their_side_only() {
    let p = portal();
    assert_eq!(
        p.client(|tx| add_task(tx, "Send logo", Assignee::Client, at(5)).map(|_| ())),
        Ok(())
    );
    refused(
        p.client(|tx| add_task(tx, "Do my work", Assignee::Provider, at(5)).map(|_| ())),
        Rule::TaskForProvider,
    );
}

#[test]
fn the_client_edits_tasks_they_added_but_cannot_hand_them_to_the_provider() {
    let mut p = portal();
    let id = p.client_adds_a_task("Send logo");
    let i = id.clone();
    assert_eq!(p.client(|tx| rename_task(tx, &i, "Send logos")), Ok(()));
    let i = id.clone();
    assert_eq!(p.client(|tx| set_task_due(tx, &i, Some(today()))), Ok(()));
    let i = id.clone();
    assert_eq!(
        p.client(|tx| set_task_person(tx, &i, Assignee::Client, None)),
        Ok(())
    );
    let i = id.clone();
    refused(
        p.client(|tx| set_task_assignee(tx, &i, Assignee::Provider)),
        Rule::TaskForProvider,
    );
    // A task the provider assigned to the client is not theirs to edit, only to tick off.
    let theirs = p.ids.client_task.clone();
    refused(
        p.client(|tx| rename_task(tx, &theirs, "Renamed")),
        Rule::OthersTask,
    );
    refused(
        p.client(|tx| set_task_person(tx, &theirs, Assignee::Client, None)),
        Rule::OthersTask,
    );
}

#[test]
fn the_client_sets_the_status_of_tasks_assigned_to_their_side() {
    let p = portal();
    let id = p.ids.client_task.clone();
    assert_eq!(
        p.client(|tx| set_task_status(tx, &id, TaskStatus::InProgress)),
        Ok(())
    );
    assert_eq!(p.client(|tx| set_task_done(tx, &id, true)), Ok(()));
    let id = p.ids.provider_task.clone();
    refused(
        p.client(|tx| set_task_status(tx, &id, TaskStatus::InProgress)),
        Rule::ProviderTaskStatus,
    );
}

#[test]
fn the_client_comments_on_any_task_and_edits_or_deletes_only_their_own() {
    let mut p = portal();
    let task = p.ids.provider_task.clone();
    assert_eq!(
        p.client(|tx| add_task_comment(tx, &task, "Dana", "When?", at(5)).map(|_| ())),
        Ok(())
    );
    let mut mine = None;
    p.keep_client(|tx| {
        mine = Some(add_task_comment(tx, &task, "Dana", "Soon?", at(5))?);
        Ok(())
    });
    let mine = mine.expect("posted");
    let comments = |tx: &mut Tx<'_>, task: &TaskId| -> Result<automerge::ObjId, ModelError> {
        let tasks = tx.get(ROOT, "tasks")?.expect("tasks").1;
        let task = tx.get(&tasks, task.as_str())?.expect("task").1;
        Ok(tx.get(&task, "comments")?.expect("comments").1)
    };
    let (t, c) = (task.clone(), mine.clone());
    assert_eq!(
        p.client(move |tx| {
            let list = comments(tx, &t)?;
            let obj = tx.get(&list, c.as_str())?.expect("comment").1;
            Ok(tx.put(&obj, "body", "Soon, please")?)
        }),
        Ok(())
    );
    assert_eq!(
        p.client(move |tx| {
            let list = comments(tx, &task)?;
            Ok(tx.delete(&list, mine.as_str())?)
        }),
        Ok(())
    );
    // The provider's comment: see a_client_cannot_edit_or_delete_a_comment_the_provider_wrote.
}

#[test]
fn a_task_and_its_comment_made_in_one_change_are_the_clients() {
    let p = portal();
    assert_eq!(
        p.client(|tx| {
            let id = add_task(tx, "Book the call", Assignee::Client, at(5))?;
            add_task_comment(tx, &id, "Dana", "Tuesday works", at(5))?;
            set_task_status(tx, &id, TaskStatus::InProgress)
        }),
        Ok(())
    );
}

#[test]
fn the_client_adds_check_ins_and_edits_only_their_own() {
    let mut p = portal();
    assert_eq!(
        p.client(|tx| add_checkin(tx, "Dana", Assignee::Client, "Going well", at(5)).map(|_| ())),
        Ok(())
    );
    let mut mine = None;
    p.keep_client(|tx| {
        mine = Some(add_checkin(
            tx,
            "Dana",
            Assignee::Client,
            "Week two",
            at(5),
        )?);
        Ok(())
    });
    let body = |id: CheckinId, text: &'static str| {
        move |tx: &mut Tx<'_>| -> Result<(), ModelError> {
            let checkins = tx.get(ROOT, "checkins")?.expect("checkins").1;
            let obj = tx.get(&checkins, id.as_str())?.expect("checkin").1;
            Ok(tx.put(&obj, "body", text)?)
        }
    };
    assert_eq!(
        p.client(body(mine.expect("added"), "Week two, done")),
        Ok(())
    );
    refused(
        p.client(body(p.ids.provider_checkin.clone(), "Rewritten")),
        Rule::OthersCheckin,
    );
}

#[test]
fn the_client_adds_files_anywhere_but_on_the_providers_documents_and_removes_their_own() {
    let mut p = portal();
    let add = |to: Attachment| {
        move |tx: &mut Tx<'_>| add_file(tx, &file("scan.pdf"), &to, "Dana", at(5)).map(|_| ())
    };
    assert_eq!(p.client(add(Attachment::Portal)), Ok(()));
    assert_eq!(
        p.client(add(Attachment::Task(p.ids.provider_task.clone()))),
        Ok(())
    );
    assert_eq!(
        p.client(add(Attachment::Exchange(p.ids.we_need.clone()))),
        Ok(())
    );
    assert_eq!(
        p.client(add(Attachment::Deliverable(p.ids.deliverable.clone()))),
        Ok(())
    );
    // The signed copy of a contract we sent comes back on it; an invoice takes no attachment.
    assert_eq!(
        p.client(add(Attachment::Exchange(p.ids.contract.clone()))),
        Ok(())
    );
    refused(
        p.client(add(Attachment::Exchange(p.ids.invoice.clone()))),
        Rule::AttachToProviderDocument,
    );
    let mut mine = None;
    p.keep_client(|tx| {
        mine = Some(add_file(
            tx,
            &file("mine.pdf"),
            &Attachment::Portal,
            "Dana",
            at(5),
        )?);
        Ok(())
    });
    let mine = mine.expect("added");
    assert_eq!(p.client(|tx| remove_file(tx, &mine, "Dana", at(5))), Ok(()));
}

#[test]
fn the_client_sends_and_signs_documents_requested_from_them_only() {
    let p = portal();
    let id = p.ids.we_need.clone();
    for status in [ExchangeStatus::Sent, ExchangeStatus::Signed] {
        let i = id.clone();
        assert_eq!(p.client(|tx| set_exchange_status(tx, &i, status)), Ok(()));
    }
    let i = id.clone();
    refused(
        p.client(|tx| set_exchange_status(tx, &i, ExchangeStatus::Paid)),
        Rule::DocumentStatusChoice,
    );
    // A contract we send is theirs to sign, and only to sign.
    let contract = p.ids.contract.clone();
    assert_eq!(
        p.client(|tx| set_exchange_status(tx, &contract, ExchangeStatus::Signed)),
        Ok(())
    );
    refused(
        p.client(|tx| set_exchange_status(tx, &contract, ExchangeStatus::Paid)),
        Rule::ProviderDocumentStatus,
    );
    only_provider(
        p.client(|tx| set_exchange_details(tx, &id, None, "https://x.example", "")),
        "the documents to exchange",
    );
}

fn signing(name: &str) -> SignatureSpec {
    SignatureSpec {
        typed_name: name.into(),
        consent: true,
        file_hash: Some(HASH.into()),
    }
}

#[test]
fn the_client_signs_a_document_we_send_or_one_they_send_but_not_an_invoice() {
    let p = portal();
    for id in [p.ids.contract.clone(), p.ids.we_need.clone()] {
        assert_eq!(
            p.client(|tx| sign_document(tx, &id, &signing("Dana Reyes"), at(5)).map(|_| ())),
            Ok(())
        );
    }
    let invoice = p.ids.invoice.clone();
    refused(
        p.client(|tx| sign_document(tx, &invoice, &signing("Dana Reyes"), at(5)).map(|_| ())),
        Rule::SignInvoice,
    );
}

#[test]
fn no_one_changes_or_removes_a_signature_once_given_not_even_the_provider() {
    let mut p = portal();
    let contract = p.ids.contract.clone();
    let mut sig = None;
    p.keep_client(|tx| {
        sig = Some(sign_document(tx, &contract, &signing("Dana Reyes"), at(5))?);
        Ok(())
    });
    let sig = sig.expect("signed").to_string();
    let put_name = |name: &'static str| {
        let sig = sig.clone();
        move |tx: &mut Tx<'_>| {
            let sigs = tx.get(ROOT, "signatures")?.expect("signatures").1;
            let obj = tx.get(&sigs, sig.as_str())?.expect("the signature").1;
            Ok(tx.put(&obj, "typedName", name)?)
        }
    };
    let delete = {
        let sig = sig.clone();
        move |tx: &mut Tx<'_>| {
            let sigs = tx.get(ROOT, "signatures")?.expect("signatures").1;
            Ok(tx.delete(&sigs, sig.as_str())?)
        }
    };
    refused(p.provider(put_name("Someone Else")), Rule::SignatureIsFinal);
    refused(p.provider(delete.clone()), Rule::SignatureIsFinal);
    refused(p.client(put_name("Not Me")), Rule::SignatureIsFinal);
    refused(p.client(delete), Rule::SignatureIsFinal);
    // Removing the document leaves its signature on the record.
    let c = p.ids.contract.clone();
    assert_eq!(p.provider(|tx| remove_exchange_item(tx, &c)), Ok(()));
}

#[test]
fn the_provider_countersigns_documents_but_not_invoices() {
    let p = portal();
    let (contract, w9, invoice) = (
        p.ids.contract.clone(),
        p.ids.we_need.clone(),
        p.ids.invoice.clone(),
    );
    assert_eq!(
        p.provider(|tx| sign_document(tx, &contract, &signing("Pat Provider"), at(5)).map(|_| ())),
        Ok(())
    );
    assert_eq!(
        p.provider(|tx| sign_document(tx, &w9, &signing("Pat Provider"), at(5)).map(|_| ())),
        Ok(())
    );
    refused(
        p.provider(|tx| sign_document(tx, &invoice, &signing("Pat Provider"), at(5)).map(|_| ())),
        Rule::SignInvoice,
    );
}

#[test]
fn a_signature_written_by_hand_on_no_document_is_refused() {
    let p = portal();
    refused(
        p.client(|tx| {
            let sigs = tx.get(ROOT, "signatures")?.expect("signatures").1;
            let obj = tx.put_object(&sigs, "forged", ObjType::Map)?;
            tx.put(&obj, "document", "no-such-document")?;
            Ok(tx.put(&obj, "typedName", "Dana Reyes")?)
        }),
        Rule::Unplaceable,
    );
}

#[test]
fn the_client_acknowledges_deliverables_but_does_not_edit_them() {
    let p = portal();
    let id = p.ids.deliverable.clone();
    assert_eq!(
        p.client(|tx| acknowledge_deliverable(tx, &id, Some("Dana"), at(5))),
        Ok(())
    );
    assert_eq!(
        p.client(|tx| acknowledge_deliverable(tx, &id, None, at(5))),
        Ok(())
    );
    only_provider(
        p.client(|tx| {
            set_handover(
                tx,
                &id,
                &Handover {
                    how_to_use: "Ignore it".into(),
                    ..Handover::default()
                },
            )
        }),
        "the deliverables",
    );
}

#[test]
fn the_client_confirms_their_side_of_the_access_wrap_up_only() {
    let p = portal();
    let id = p.ids.access.clone();
    assert_eq!(
        p.client(|tx| confirm_access_removed(tx, &id, Assignee::Client, Some(at(5)))),
        Ok(())
    );
    refused(
        p.client(|tx| confirm_access_removed(tx, &id, Assignee::Provider, Some(at(5)))),
        Rule::ProviderConfirmation,
    );
    only_provider(
        p.client(|tx| update_access_item(tx, &id, Assignee::Provider, None)),
        "the access wrap-up list",
    );
}

#[test]
fn the_client_gives_exit_feedback_but_does_not_write_the_questions() {
    let p = portal();
    let q = p.ids.question.clone();
    assert_eq!(
        p.client(|tx| {
            set_exit_answer(tx, &q, "The reports")?;
            set_exit_score(tx, Some(9))?;
            set_exit_reason(tx, LeaveReason::Other, true)?;
            set_other_reason(tx, "We grew")?;
            set_testimonial(tx, true, "Great work")?;
            submit_exit_feedback(tx, "Dana", at(5))
        }),
        Ok(())
    );
    assert_eq!(
        p.client(|tx| set_exit_reason(tx, LeaveReason::Budget, false)),
        Ok(())
    );
    only_provider(
        p.client(|tx| add_exit_question(tx, "Leading?").map(|_| ())),
        "the exit questions",
    );
    only_provider(
        p.client(|tx| remove_exit_question(tx, &q)),
        "the exit questions",
    );
}

#[test]
fn the_client_cancels_only_through_the_cancellation_flow() {
    let p = portal();
    assert_eq!(
        p.client(|tx| {
            set_exit_score(tx, Some(3))?;
            cancel_engagement(tx, Some(LeaveReason::Budget), "", "Dana", at(5))
        }),
        Ok(())
    );
    refused(
        p.client(|tx| Ok(tx.put(ROOT, "stage", "cancelled")?)),
        Rule::StageOutsideCancellation,
    );
    refused(
        p.client(|tx| set_stage(tx, Stage::Cancelled, at(5))),
        Rule::StageOutsideCancellation,
    );
}

#[test]
fn an_ended_engagement_cannot_be_cancelled_or_edited_by_the_client() {
    let mut p = portal();
    let invoice = p.ids.invoice.clone();
    p.keep_provider(|tx| {
        set_exchange_status(tx, &invoice, ExchangeStatus::Paid)?;
        complete_offboarding(tx, at(6))
    });
    // The flow written by hand, since the model refuses it on an ended engagement.
    refused(
        p.client_raw(|tx| {
            tx.put(ROOT, "stage", "cancelled")?;
            let offboarding = tx.get(ROOT, "offboarding")?.expect("offboarding").1;
            let c = tx.put_object(&offboarding, "cancellation", ObjType::Map)?;
            Ok(tx.put(&c, "reason", "budget")?)
        }),
        Rule::StageOutsideCancellation,
    );
    let q = p.ids.text_question.clone();
    refused(
        p.client(|tx| set_answer(tx, &q, &AnswerValue::Text("1".into()), "Dana", at(7))),
        Rule::EngagementEnded,
    );
}

#[test]
fn the_client_takes_offers_and_ticks_next_steps_but_does_not_write_them() {
    let p = portal();
    assert_eq!(p.client(|tx| accept_save_offer(tx, at(5))), Ok(()));
    assert_eq!(p.client(|tx| accept_support_offer(tx, Some(at(5)))), Ok(()));
    assert_eq!(p.client(|tx| accept_support_offer(tx, None)), Ok(()));
    let id = p.ids.next_step.clone();
    assert_eq!(p.client(|tx| set_next_step_done(tx, &id, true)), Ok(()));
    only_provider(
        p.client(|tx| set_save_offer(tx, None)),
        "the offboarding plan",
    );
    only_provider(
        p.client(|tx| set_support_offer(tx, "Free forever")),
        "the offboarding plan",
    );
    only_provider(p.client(|tx| remove_next_step(tx, &id)), "the next steps");
}

#[test]
fn the_client_names_their_own_actor_and_records_their_own_activity() {
    let p = portal();
    // Every client edit above already does both; here they are alone.
    let me = p.client.clone();
    assert_eq!(
        p.client_raw(|tx| register_actor(tx, &me, "Dana", Assignee::Client)),
        Ok(())
    );
    assert_eq!(
        p.client_raw(|tx| record_activity(tx, Assignee::Client, at(5))),
        Ok(())
    );
}

#[test]
fn the_rest_of_the_portal_is_the_providers() {
    let p = portal();
    let metric = p.ids.metric.clone();
    only_provider(
        p.client(|tx| set_metric_exit(tx, &metric, Some((20.0, today())))),
        "the success measures",
    );
    only_provider(
        p.client(|tx| {
            let spec = MeetingSpec {
                title: "Kick-off".into(),
                kind: MeetingKind::First,
                starts_at: at(9),
                duration_minutes: 30,
                time_zone: "UTC".into(),
                agenda: String::new(),
                location: String::new(),
                notes: String::new(),
            };
            add_meeting(tx, &spec).map(|_| ())
        }),
        "the meetings",
    );
    only_provider(
        p.client(|tx| Ok(tx.put(ROOT, "somethingNew", "x")?)),
        "this part of the portal",
    );
    only_provider(
        p.client(|tx| {
            let end = today() + Duration::days(90);
            schedule_follow_ups(tx, end)?;
            set_follow_up_due(tx, "m3", end)
        }),
        "the follow-ups",
    );
}

#[test]
fn a_change_mixing_allowed_and_forbidden_parts_is_refused_whole() {
    let p = portal();
    let q = p.ids.text_question.clone();
    only_provider(
        p.client(|tx| {
            set_answer(tx, &q, &AnswerValue::Text("12".into()), "Dana", at(5))?;
            update_welcome(tx, "Pay to IBAN XX00")
        }),
        "the welcome message",
    );
}

#[test]
fn text_splices_are_placed_in_their_text() {
    let p = portal();
    // A splice in the welcome text is an edit of the welcome; one in an exit answer, feedback.
    only_provider(
        p.client_raw(|tx| {
            let welcome = tx.get(ROOT, "welcome")?.expect("welcome").1;
            tx.splice_text(&welcome, 0, 3, "Hi")?;
            Ok(())
        }),
        "the welcome message",
    );
    let q = p.ids.question.clone();
    assert_eq!(
        p.client_raw(|tx| {
            set_exit_answer(tx, &q, "First words")?;
            set_exit_answer(tx, &q, "First words, then more")
        }),
        Ok(())
    );
}

// The provider: everything within the shape.

#[test]
fn the_provider_may_do_everything_but_break_the_shape() {
    let p = portal();
    let ids = &p.ids;
    let (invoice, task, milestone) = (
        ids.invoice.clone(),
        ids.provider_task.clone(),
        ids.milestone.clone(),
    );
    assert_eq!(
        p.provider(|tx| {
            set_exchange_status(tx, &invoice, ExchangeStatus::Paid)?;
            update_welcome(tx, "New welcome")?;
            delete_task(tx, &task)?;
            remove_milestone(tx, &milestone)?;
            set_client_name(tx, "Acme Inc")?;
            complete_offboarding(tx, at(6))
        }),
        Ok(())
    );
    refused(
        p.provider(|tx| {
            tx.put_object(ROOT, "tasks", ObjType::Map)?;
            Ok(())
        }),
        Rule::CollectionReplaced("tasks".into()),
    );
    refused(
        p.provider(|tx| Ok(tx.delete(ROOT, "intake")?)),
        Rule::CollectionReplaced("intake".into()),
    );
    refused(
        p.provider(|tx| Ok(tx.put(ROOT, "kind", "workspace")?)),
        Rule::KindIsFixed,
    );
    assert_eq!(p.provider(|tx| Ok(tx.put(ROOT, "kind", "portal")?)), Ok(()));
    refused(
        p.provider(|tx| Ok(tx.put(ROOT, "schema", 0_u64)?)),
        Rule::UnknownSchema,
    );
    refused(
        p.provider(|tx| Ok(tx.put(ROOT, "schema", CURRENT_SCHEMA + 1)?)),
        Rule::UnknownSchema,
    );
    assert_eq!(
        p.provider(|tx| Ok(tx.put(ROOT, "schema", CURRENT_SCHEMA)?)),
        Ok(())
    );
    let id = ids.provider_task.clone();
    refused(
        p.provider(|tx| {
            let tasks = tx.get(ROOT, "tasks")?.expect("tasks").1;
            Ok(tx.put(&tasks, id.as_str(), "gone")?)
        }),
        Rule::ObjectToScalar,
    );
}

#[test]
fn a_new_portal_passes_the_shape_rules() {
    let doc = new_portal_doc("Acme", "Hello").expect("creates");
    let change = doc.get_last_local_change().expect("a change").clone();
    let actor = doc.get_actor().clone();
    assert_eq!(
        check_change(
            &doc,
            &change,
            &Writer {
                side: Side::Provider,
                own_actors: &[actor]
            }
        ),
        Ok(())
    );
}

#[test]
fn an_ended_engagement_is_the_clients_archive_and_a_read_only_token_is_one_at_any_stage() {
    use threshold_model::access::is_archive;
    for stage in [Stage::Alumni, Stage::Cancelled] {
        assert!(is_archive(Side::Client, Some(stage), false), "{stage:?}");
        assert!(!is_archive(Side::Provider, Some(stage), false), "{stage:?}");
    }
    for stage in [
        Stage::Invited,
        Stage::Onboarding,
        Stage::Active,
        Stage::Offboarding,
    ] {
        assert!(!is_archive(Side::Client, Some(stage), false), "{stage:?}");
        assert!(is_archive(Side::Client, Some(stage), true), "{stage:?}");
        assert!(is_archive(Side::Provider, Some(stage), true), "{stage:?}");
    }
    assert!(
        !is_archive(Side::Client, None, false),
        "a portal still loading"
    );
}

#[test]
fn a_client_device_writing_past_the_models_limits_is_refused_whatever_it_sends() {
    let mut p = portal();
    let id = p.client_adds_a_task("Send logo");
    // The model's own functions refuse an overlong title; a device that skips them writes it
    // straight into the document, as a hostile client could.
    let task = |tx: &Tx<'_>| {
        let tasks = tx.get(&ROOT, "tasks").unwrap().unwrap().1;
        tx.get(&tasks, id.as_str()).unwrap().unwrap().1
    };
    let megabyte = "x".repeat(1 << 20);
    refused(
        p.client(|tx| {
            let t = task(tx);
            tx.put(&t, "title", megabyte.as_str())?;
            Ok(())
        }),
        Rule::TooLong {
            text: Some(Text::TaskTitle),
            len: 1 << 20,
        },
    );
    // At the limit is kept.
    let longest = "y".repeat(Text::TaskTitle.max());
    assert_eq!(
        p.client(|tx| {
            let t = task(tx);
            tx.put(&t, "title", longest.as_str())?;
            Ok(())
        }),
        Ok(())
    );
    // A title made a text object and spliced long is measured whole, not per character.
    refused(
        p.client(|tx| {
            let t = task(tx);
            let text = tx.put_object(&t, "title", ObjType::Text)?;
            tx.splice_text(&text, 0, 0, &"z".repeat(250))?;
            Ok(())
        }),
        Rule::TooLong {
            text: Some(Text::TaskTitle),
            len: 250,
        },
    );
    // A comment past its limit, and an intake answer past the longest text anywhere.
    let own = id.clone();
    refused(
        p.client(|tx| {
            let comment = add_task_comment(tx, &own, "Dana", "ok", at(5))?;
            let t = task(tx);
            let comments = tx.get(&t, "comments").unwrap().unwrap().1;
            let c = tx.get(&comments, comment.as_str()).unwrap().unwrap().1;
            tx.put(&c, "body", "c".repeat(Text::CommentBody.max() + 1))?;
            Ok(())
        }),
        Rule::TooLong {
            text: Some(Text::CommentBody),
            len: Text::CommentBody.max() + 1,
        },
    );
    // A map key is a string too: one longer than any id the app makes is refused.
    refused(
        p.client(|tx| {
            let t = task(tx);
            tx.put(&t, "k".repeat(200), "x")?;
            Ok(())
        }),
        Rule::KeyTooLong { len: 200 },
    );
    let question = p.ids.text_question.clone();
    let essay = AnswerValue::Text("a".repeat(Text::LONGEST + 1));
    refused(
        p.client(|tx| set_answer(tx, &question, &essay, "Dana", at(5))),
        Rule::TooLong {
            text: None,
            len: Text::LONGEST + 1,
        },
    );
}

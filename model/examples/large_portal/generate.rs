//! The large portal itself, shared by the `large_portal` example and the `history_growth` bench.

use anyhow::Context;
use chrono::{DateTime, Duration, TimeZone, Utc};
use threshold_model::{
    self as model, onboarding::AnswerValue, onboarding::FieldKind, onboarding::FieldSpec,
    portal::Assignee,
};
use threshold_protocol::automerge::{ActorId, Automerge};
use threshold_protocol::DocumentId;

/// A workspace listing one portal, and the portal's internal document.
pub struct Generated {
    pub workspace: (DocumentId, Automerge),
    pub portal: (DocumentId, Automerge),
    pub internal: (DocumentId, Automerge),
}

/// A portal with `tasks` tasks, `fields` intake fields and `changes` changes of history: the
/// tasks and fields, then answers typed and retyped, tasks ticked and unticked, renamed and
/// commented on, and the welcome text edited, by three people in turn over three months.
pub fn generate(tasks: usize, fields: usize, changes: usize) -> anyhow::Result<Generated> {
    let mut history = History {
        actors: [ActorId::random(), ActorId::random(), ActorId::random()],
        at: Utc
            .with_ymd_and_hms(2026, 8, 1, 9, 0, 0)
            .single()
            .context("a date")?,
        step: Duration::seconds(90 * 24 * 3600 / changes.max(1) as i64),
    };
    let mut portal = model::portal::new_portal_doc("Northwind Logistics", "Welcome aboard. Everything we need from you, and everything you can expect from us, lives here.")?;
    let mut count = portal.get_changes(&[]).len();

    let mut task_ids = Vec::with_capacity(tasks);
    for i in 0..tasks {
        let assignee = if i % 3 == 0 {
            Assignee::Client
        } else {
            Assignee::Provider
        };
        let id = history.edit(&mut portal, i, |tx, at| {
            model::portal::add_task(
                tx,
                &format!("Task {i}: prepare item {i} of the rollout"),
                assignee,
                at,
            )
        })?;
        task_ids.push(id);
    }
    count += tasks;
    let kinds = [
        FieldKind::ShortText,
        FieldKind::LongText,
        FieldKind::Email,
        FieldKind::Number,
    ];
    let mut field_ids = Vec::with_capacity(fields);
    for i in 0..fields {
        let spec = FieldSpec {
            label: format!("Question {i}"),
            help: format!("Help for question {i}"),
            kind: kinds[i % kinds.len()],
            required: i % 2 == 0,
            options: Vec::new(),
        };
        let id = history.edit(&mut portal, i, |tx, _| {
            model::onboarding::add_field(tx, &spec)
        })?;
        field_ids.push((id, spec.kind));
    }
    count += fields;

    // The rest of the history: answers typed and retyped, tasks ticked and unticked, renamed and
    // commented on, and the welcome text edited, in that mix.
    let mut n = 0;
    while count < changes {
        let task = &task_ids[(n * 7) % task_ids.len().max(1)];
        let (field, kind) = &field_ids[(n * 13) % field_ids.len().max(1)];
        let answer = match kind {
            FieldKind::Number => AnswerValue::Number(n as f64),
            FieldKind::Email => AnswerValue::Text(format!("person{n}@northwind.example")),
            _ => AnswerValue::Text(format!("Answer, revision {n}")),
        };
        let before = portal.get_heads();
        history.edit(&mut portal, n, |tx, at| match n % 20 {
            0..=7 => model::onboarding::set_answer(tx, field, &answer, "Dana Client", at),
            8..=13 => model::portal::set_task_done(tx, task, n % 2 == 0),
            14..=16 => model::portal::rename_task(tx, task, &format!("Task renamed at step {n}")),
            17..=18 => model::portal::add_task_comment(
                tx,
                task,
                "Sam Provider",
                &format!("Comment {n}"),
                at,
            )
            .map(|_| ()),
            _ => model::portal::update_welcome(
                tx,
                &format!("Welcome aboard (edit {n}). Everything we need from you lives here."),
            ),
        })?;
        // An edit that changes nothing (ticking a task already done) commits no change.
        if portal.get_heads() != before {
            count += 1;
        }
        n += 1;
    }

    let portal_id = DocumentId::random();
    let internal_id = DocumentId::random();
    let workspace_id = DocumentId::random();
    let internal = model::workspace::new_internal_doc(portal_id)?;
    let mut workspace = model::workspace::new_workspace_doc("Benchmark Agency")?;
    model::doc::edit(&mut workspace, |tx| {
        model::workspace::add_portal(tx, portal_id, "Northwind Logistics", history.at)?;
        model::workspace::set_portal_internal(tx, portal_id, internal_id)
    })?;

    Ok(Generated {
        workspace: (workspace_id, workspace),
        portal: (portal_id, portal),
        internal: (internal_id, internal),
    })
}

/// Who makes the next change, and when: three people take turns, over three months.
struct History {
    actors: [ActorId; 3],
    at: DateTime<Utc>,
    step: Duration,
}

impl History {
    fn edit<R>(
        &mut self,
        doc: &mut Automerge,
        n: usize,
        change: impl FnOnce(
            &mut model::doc::Transaction<'_>,
            DateTime<Utc>,
        ) -> Result<R, model::doc::ModelError>,
    ) -> anyhow::Result<R> {
        doc.set_actor(self.actors[n % self.actors.len()].clone());
        self.at += self.step;
        let at = self.at;
        Ok(model::doc::edit_at(doc, at, |tx| change(tx, at))?)
    }
}

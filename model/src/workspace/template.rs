//! Templates (playbooks) from which portals are created. They live in the workspace document,
//! each as one JSON value: a template is edited as a whole, never co-edited letter by letter.
//!
//! Dates in a template are offsets in days from the engagement's start, so one playbook serves
//! every client.

use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc, ROOT};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::doc::Part;
use crate::doc::{field, ModelError, TemplateId};
use crate::offboarding::OffboardingPlaybook;
use crate::onboarding::{add_exchange_item, read_exchange, Direction};
use crate::onboarding::{add_field, read_intake, FieldKind, FieldSpec};
use crate::onboarding::{add_milestone, read_milestones};
use crate::portal::{add_task, new_portal_doc, read_portal, set_task_due, Assignee};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub welcome: String,
    #[serde(default)]
    pub tasks: Vec<TemplateTask>,
    #[serde(default)]
    pub intake: Vec<TemplateField>,
    #[serde(default)]
    pub exchange: Vec<TemplateExchange>,
    #[serde(default)]
    pub milestones: Vec<TemplateMilestone>,
    /// How an engagement from this playbook ends. Templates saved before offboarding existed
    /// get the standard playbook.
    #[serde(default = "OffboardingPlaybook::standard")]
    pub offboarding: OffboardingPlaybook,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateTask {
    pub title: String,
    /// "provider" or "client".
    pub assignee: String,
    pub due_in_days: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateField {
    pub label: String,
    #[serde(default)]
    pub help: String,
    pub kind: String,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub options: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateExchange {
    pub name: String,
    /// "we-send" or "we-need".
    pub direction: String,
    pub due_in_days: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateMilestone {
    pub title: String,
    pub in_days: Option<i64>,
}

fn offset(start: NaiveDate, days: Option<i64>) -> Option<NaiveDate> {
    days.map(|d| start + Duration::days(d))
}

/// A new portal for `client_name` from a template, with dates counted from `start`.
pub fn instantiate(
    template: &Template,
    client_name: &str,
    start: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Automerge, ModelError> {
    let mut doc = new_portal_doc(client_name, &template.welcome)?;
    crate::doc::edit(&mut doc, |tx| {
        for (i, task) in template.tasks.iter().enumerate() {
            // Later tasks are created a millisecond later, so the plan keeps the template's order.
            let created = now + Duration::milliseconds(i as i64);
            let id = add_task(tx, &task.title, Assignee::parse(&task.assignee), created)?;
            set_task_due(tx, &id, offset(start, task.due_in_days))?;
        }
        for f in &template.intake {
            let spec = FieldSpec {
                label: f.label.clone(),
                help: f.help.clone(),
                kind: FieldKind::parse(&f.kind),
                required: f.required,
                options: f.options.clone(),
            };
            add_field(tx, &spec)?;
        }
        for item in &template.exchange {
            add_exchange_item(
                tx,
                &item.name,
                Direction::parse(&item.direction),
                offset(start, item.due_in_days),
            )?;
        }
        for m in &template.milestones {
            add_milestone(tx, &m.title, offset(start, m.in_days))?;
        }
        Ok(())
    })?;
    Ok(doc)
}

/// The playbook of an existing portal: its structure, dates relative to `start`, no answers or
/// progress.
pub fn template_from_portal(
    doc: &impl ReadDoc,
    name: &str,
    description: &str,
    start: NaiveDate,
) -> Result<Template, ModelError> {
    let portal = read_portal(doc)?;
    let days = |d: Option<NaiveDate>| d.map(|d| (d - start).num_days());
    Ok(Template {
        name: name.trim().to_owned(),
        description: description.trim().to_owned(),
        welcome: portal.welcome,
        tasks: portal
            .tasks
            .iter()
            .map(|t| TemplateTask {
                title: t.title.clone(),
                assignee: t.assignee.as_str().to_owned(),
                due_in_days: days(t.due),
            })
            .collect(),
        intake: read_intake(doc)?
            .fields
            .into_iter()
            .map(|f| TemplateField {
                label: f.spec.label,
                help: f.spec.help,
                kind: f.spec.kind.as_str().to_owned(),
                required: f.spec.required,
                options: f.spec.options,
            })
            .collect(),
        exchange: read_exchange(doc)?
            .into_iter()
            .map(|e| TemplateExchange {
                name: e.name,
                direction: e.direction.as_str().to_owned(),
                due_in_days: days(e.due),
            })
            .collect(),
        milestones: read_milestones(doc)?
            .into_iter()
            .map(|m| TemplateMilestone {
                title: m.title,
                in_days: days(m.target),
            })
            .collect(),
        offboarding: OffboardingPlaybook::standard(),
    })
}

/// Store a template in the workspace document.
pub fn save_template(
    tx: &mut impl Transactable,
    template: &Template,
) -> Result<TemplateId, ModelError> {
    let id = TemplateId::new();
    let obj = field::new_item(tx, &ROOT, "templates", id.as_str())?;
    tx.put(&obj, "name", template.name.as_str())?;
    let body = serde_json::to_string(template).map_err(|e| ModelError::Template(e.to_string()))?;
    tx.put(&obj, "body", body)?;
    Ok(id)
}

pub fn remove_template(tx: &mut impl Transactable, id: &TemplateId) -> Result<(), ModelError> {
    field::delete_item(tx, &ROOT, "templates", id.as_str())
}

/// The workspace's templates by name. One whose body this version cannot read is skipped, not
/// fatal: it may come from a newer version.
pub fn read_templates(doc: &impl ReadDoc) -> Result<Vec<(TemplateId, Template)>, ModelError> {
    let mut out = Vec::new();
    for (id, obj) in field::items(doc, &ROOT, "templates")? {
        let Some(body) = field::string(doc, &obj, "body")? else {
            continue;
        };
        if let Ok(template) = serde_json::from_str::<Template>(&body) {
            out.push((TemplateId::from_string(id), template));
        }
    }
    out.sort_by(|a, b| (&a.1.name, &a.0).cmp(&(&b.1.name, &b.0)));
    Ok(out)
}

/// [`read_templates`] as a [`Part`].
pub const TEMPLATES: Part<Vec<(TemplateId, Template)>> = Part {
    keys: &["templates"],
    read: |doc| read_templates(doc),
};

/// The playbooks every new workspace starts with. They are data, not code: written as the JSON
/// a saved template is stored as, so adding one means editing `playbooks.json`, not Rust. The
/// offboarding playbook is left out of the file and comes from its serde default, the standard.
pub fn default_templates() -> Vec<Template> {
    serde_json::from_str(include_str!("playbooks.json"))
        .expect("playbooks.json is built in, and a test parses it")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file once equalled the Rust literals it replaced (checked in the commit that added
    /// it); now it must parse, and every kind, side and direction in it must be one the readers
    /// know, since a typo there would quietly read as a default.
    #[test]
    fn the_playbooks_file_parses_and_names_only_known_values() {
        let templates = default_templates();
        let shape = |t: &Template| {
            let n = (
                t.tasks.len(),
                t.intake.len(),
                t.exchange.len(),
                t.milestones.len(),
            );
            (
                t.name.clone(),
                n,
                t.offboarding == OffboardingPlaybook::standard(),
            )
        };
        assert_eq!(
            templates.iter().map(shape).collect::<Vec<_>>(),
            [
                ("Service engagement".to_owned(), (8, 9, 4, 4), true),
                (
                    "Software customer onboarding".to_owned(),
                    (8, 7, 4, 5),
                    true
                ),
            ]
        );
        for t in &templates {
            for task in &t.tasks {
                assert_eq!(Assignee::parse(&task.assignee).as_str(), task.assignee);
            }
            for f in &t.intake {
                assert_eq!(FieldKind::parse(&f.kind).as_str(), f.kind);
                assert_eq!(
                    f.options.is_empty(),
                    !FieldKind::parse(&f.kind).has_options()
                );
            }
            for e in &t.exchange {
                assert_eq!(Direction::parse(&e.direction).as_str(), e.direction);
            }
        }
    }
}

//! Templates (playbooks) from which portals are created. They live in the workspace document,
//! each as one JSON value: a template is edited as a whole, never co-edited letter by letter.
//!
//! Dates in a template are offsets in days from the engagement's start, so one playbook serves
//! every client.

use automerge::transaction::Transactable;
use automerge::{Automerge, ReadDoc, ROOT};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

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

fn task(title: &str, assignee: &str, due_in_days: i64) -> TemplateTask {
    TemplateTask {
        title: title.into(),
        assignee: assignee.into(),
        due_in_days: Some(due_in_days),
    }
}

fn intake_field(
    label: &str,
    kind: FieldKind,
    required: bool,
    help: &str,
    options: &[&str],
) -> TemplateField {
    TemplateField {
        label: label.into(),
        help: help.into(),
        kind: kind.as_str().into(),
        required,
        options: options.iter().map(|o| o.to_string()).collect(),
    }
}

fn exchange(name: &str, direction: &str, due_in_days: i64) -> TemplateExchange {
    TemplateExchange {
        name: name.into(),
        direction: direction.into(),
        due_in_days: Some(due_in_days),
    }
}

fn milestone(title: &str, in_days: i64) -> TemplateMilestone {
    TemplateMilestone {
        title: title.into(),
        in_days: Some(in_days),
    }
}

/// The playbooks every new workspace starts with.
pub fn default_templates() -> Vec<Template> {
    vec![
        Template {
            name: "Service engagement".into(),
            description: "An agency or consultancy project: paperwork first, then a kick-off, then delivery in phases.".into(),
            welcome: "Welcome aboard! We are glad to be working with you. This portal holds everything for our engagement: what we need from you, what happens when, and who to talk to. Start with the intake form below — it takes about ten minutes — and sign the NDA and contract when they arrive.".into(),
            tasks: vec![
                task("Fill in the intake form", "client", 3),
                task("Sign the NDA", "client", 3),
                task("Sign the contract", "client", 5),
                task("Share brand assets and style guide", "client", 7),
                task("Send the welcome pack", "provider", 1),
                task("Schedule the kick-off meeting", "provider", 2),
                task("Set up the shared project board", "provider", 5),
                task("Send the first progress report", "provider", 14),
            ],
            intake: vec![
                intake_field("Company legal name", FieldKind::ShortText, true, "As it should appear on contracts and invoices.", &[]),
                intake_field("Billing email", FieldKind::Email, true, "Where invoices should go.", &[]),
                intake_field("Website", FieldKind::Url, false, "", &[]),
                intake_field("What does success look like in three months?", FieldKind::LongText, true, "A few sentences: what will be different when this engagement has worked?", &[]),
                intake_field("Primary goal", FieldKind::SingleChoice, true, "", &["Grow revenue", "Reduce costs", "Launch something new", "Improve an existing product"]),
                intake_field("Channels you use today", FieldKind::MultipleChoice, false, "", &["Website", "Email", "Social media", "Paid ads", "Events"]),
                intake_field("Monthly budget (USD)", FieldKind::Number, false, "A range is fine; we use it to plan, not to bill.", &[]),
                intake_field("Preferred kick-off date", FieldKind::Date, true, "", &[]),
                intake_field("We may mention you as a client", FieldKind::Checkbox, false, "You can change this at any time.", &[]),
            ],
            exchange: vec![
                exchange("NDA", "we-send", 3),
                exchange("Contract", "we-send", 5),
                exchange("W-9", "we-need", 10),
                exchange("Deposit invoice", "we-send", 7),
            ],
            milestones: vec![
                milestone("Paperwork signed", 5),
                milestone("Kick-off meeting", 7),
                milestone("Strategy approved", 21),
                milestone("First deliverables", 45),
            ],
            offboarding: OffboardingPlaybook::standard(),
        },
        Template {
            name: "Software customer onboarding".into(),
            description: "A SaaS customer going live: accounts, integrations, data import, training, and go-live.".into(),
            welcome: "Welcome to your onboarding! Over the next few weeks we will get your team set up, connect your tools, bring your data across and train your admins. Each step is below, with who owns it. Your customer success manager is listed under contacts — reach out any time.".into(),
            tasks: vec![
                task("Invite your admins", "client", 2),
                task("Connect single sign-on", "client", 7),
                task("Export data from the old system", "client", 10),
                task("Create the customer workspace", "provider", 1),
                task("Configure the integrations", "provider", 10),
                task("Import and verify data", "provider", 14),
                task("Run admin training", "provider", 18),
                task("Go-live readiness review", "provider", 25),
            ],
            intake: vec![
                intake_field("Company name", FieldKind::ShortText, true, "", &[]),
                intake_field("Technical contact email", FieldKind::Email, true, "Who we coordinate integrations with.", &[]),
                intake_field("Number of users", FieldKind::Number, true, "", &[]),
                intake_field("Identity provider", FieldKind::SingleChoice, true, "", &["Okta", "Microsoft Entra ID", "Google Workspace", "None"]),
                intake_field("Tools to integrate", FieldKind::MultipleChoice, false, "", &["Salesforce", "HubSpot", "Slack", "Jira", "Zendesk"]),
                intake_field("Target go-live date", FieldKind::Date, true, "", &[]),
                intake_field("Anything we should know about your current setup?", FieldKind::LongText, false, "", &[]),
            ],
            exchange: vec![
                exchange("Order form", "we-send", 2),
                exchange("Data processing agreement", "we-send", 5),
                exchange("Security questionnaire", "we-need", 7),
                exchange("First invoice", "we-send", 30),
            ],
            milestones: vec![
                milestone("Workspace ready", 2),
                milestone("Integrations connected", 10),
                milestone("Data imported", 14),
                milestone("Admins trained", 18),
                milestone("Go-live", 30),
            ],
            offboarding: OffboardingPlaybook::standard(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The playbooks file says exactly what the Rust literals built.
    #[test]
    fn the_playbooks_file_parses_into_the_built_in_templates() {
        let parsed: Vec<Template> =
            serde_json::from_str(include_str!("playbooks.json")).expect("playbooks.json parses");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed, default_templates());
    }
}

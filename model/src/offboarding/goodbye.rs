//! The end of offboarding: what must be settled first, the goodbye email composed from the
//! portal, and the move to alumni.

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use chrono::{DateTime, Utc};

use crate::doc::{field, ModelError, Part};
use crate::formats::Email;
use crate::offboarding::format_number;
use crate::offboarding::offboarding_map;
use crate::offboarding::{
    read_access_wrapup, read_deliverables, read_exit_feedback, read_follow_ups, read_metrics,
    read_next_steps, read_offboarding, read_referrals,
};
use crate::onboarding::{read_contacts, read_exchange, Contact, ExchangeItem};
use crate::portal::{read_portal, read_stage, set_stage, Assignee, Stage};

/// Why the goodbye cannot be sent yet, if an invoice or payment is still open.
pub fn unpaid_reason(exchange: &[ExchangeItem]) -> Option<String> {
    let unpaid: Vec<String> = exchange
        .iter()
        .filter(|e| e.is_unpaid_invoice())
        .map(|e| format!("“{}” ({})", e.name, e.status.as_str()))
        .collect();
    match unpaid.len() {
        0 => None,
        1 => Some(format!(
            "The goodbye waits until every invoice is paid: {} is not paid yet.",
            unpaid[0]
        )),
        n => Some(format!(
            "The goodbye waits until every invoice is paid: {n} are not paid yet, {}.",
            unpaid.join(", ")
        )),
    }
}

/// One line of the offboarding checklist.
#[derive(Clone, Debug, PartialEq)]
pub struct ChecklistItem {
    pub label: &'static str,
    pub done: usize,
    pub total: usize,
    /// Whether the goodbye must wait for it.
    pub blocks_goodbye: bool,
}

impl ChecklistItem {
    /// Done only when there was something to do and all of it is done: "Success measured at
    /// exit" with no measures is not done, it is empty ([`Self::is_empty`]).
    pub fn is_complete(&self) -> bool {
        self.total > 0 && self.done >= self.total
    }

    /// Nothing to do here (no deliverables, no measures, no invoices).
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// Where offboarding stands, step by step. Only unpaid invoices stop the goodbye; the rest are
/// for the provider to judge (a client may never send feedback).
pub fn offboarding_checklist(doc: &impl ReadDoc) -> Result<Vec<ChecklistItem>, ModelError> {
    let deliverables = read_deliverables(doc)?;
    let metrics = read_metrics(doc)?;
    let access = read_access_wrapup(doc)?;
    let invoices: Vec<_> = read_exchange(doc)?
        .into_iter()
        .filter(|e| e.is_invoice())
        .collect();
    let feedback = read_exit_feedback(doc)?;
    let item = |label, done, total, blocks_goodbye| ChecklistItem {
        label,
        done,
        total,
        blocks_goodbye,
    };
    Ok(vec![
        item(
            "Deliverables acknowledged by the client",
            deliverables
                .iter()
                .filter(|d| d.acknowledged.is_some())
                .count(),
            deliverables.len(),
            false,
        ),
        item(
            "Handover notes written",
            deliverables
                .iter()
                .filter(|d| !d.handover.is_empty())
                .count(),
            deliverables.len(),
            false,
        ),
        item(
            "Success measured at exit",
            metrics.iter().filter(|m| m.exit.is_some()).count(),
            metrics.len(),
            false,
        ),
        item(
            "Access removed, confirmed by both sides",
            access.iter().filter(|a| a.is_wrapped_up()).count(),
            access.len(),
            false,
        ),
        item(
            "Exit feedback received",
            usize::from(feedback.submitted.is_some()),
            1,
            false,
        ),
        item(
            "Invoices paid",
            invoices.iter().filter(|e| !e.is_unpaid_invoice()).count(),
            invoices.len(),
            true,
        ),
    ])
}

/// [`offboarding_checklist`] as a [`Part`].
pub const CHECKLIST: Part<Vec<ChecklistItem>> = Part {
    keys: &[
        "deliverables",
        "metrics",
        "accessWrapUp",
        "exchange",
        "feedback",
    ],
    read: |doc| offboarding_checklist(doc),
};

/// The top-level keys [`compose_goodbye`] reads: the goodbye needs composing again only when a
/// change touched one of them. (Not a [`Part`]: the composition also takes who signs it.)
pub const GOODBYE_KEYS: &[&str] = &[
    "kind",
    "schema",
    "clientName",
    "welcome",
    "tasks",
    "contacts",
    "deliverables",
    "metrics",
    "nextSteps",
    "referrals",
    "offboarding",
    "followUps",
];

/// Someone the goodbye is addressed to: a client contact invited to the portal (the relay's
/// list of the portal's people) or listed among its contacts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    pub name: String,
    pub email: String,
}

/// Who the goodbye goes to: the client people invited to the portal who are still active, then
/// the client contacts the portal lists, once per address (the invited person's name wins). Only
/// real addresses; names without one are still greeted.
pub fn goodbye_recipients(invited: &[Recipient], contacts: &[Contact]) -> Vec<Recipient> {
    let listed = contacts
        .iter()
        .filter(|c| c.spec.side == Assignee::Client)
        .map(|c| Recipient {
            name: c.spec.name.trim().to_owned(),
            email: c.spec.email.trim().to_owned(),
        });
    let mut out: Vec<Recipient> = Vec::new();
    for r in invited.iter().cloned().chain(listed) {
        let email = r.email.trim().to_owned();
        let has_address = email.contains('@');
        let same = |o: &Recipient| {
            if has_address {
                o.email.eq_ignore_ascii_case(&email)
            } else {
                o.name.eq_ignore_ascii_case(r.name.trim())
            }
        };
        if (has_address || !r.name.trim().is_empty()) && !out.iter().any(same) {
            out.push(Recipient {
                name: r.name.trim().to_owned(),
                email: if has_address { email } else { String::new() },
            });
        }
    }
    out
}

/// The name the goodbye is signed with: the person sending it, as their session names them.
/// A token still called by its role ("Owner", "Team member") says nothing to a client, so the
/// provider's first contact in the portal signs instead, when there is one, else the business
/// by its brand name.
pub fn goodbye_signer(session_name: &str, provider_contacts: &[String], business: &str) -> String {
    let name = session_name.trim();
    let generic = [
        "",
        "owner",
        "team",
        "team member",
        "provider",
        "provider team",
    ]
    .contains(&name.to_lowercase().as_str());
    if !generic {
        return name.to_owned();
    }
    match provider_contacts.iter().find(|c| !c.trim().is_empty()) {
        Some(contact) => contact.trim().to_owned(),
        None if !business.trim().is_empty() => business.trim().to_owned(),
        None => name.to_owned(),
    }
}

/// The goodbye email, composed from the portal: the work, the deliverables with their handover
/// notes, the results, the contacts, what comes next, and thanks with a referral ask. Addressed
/// to [`goodbye_recipients`] of `invited` and the portal's client contacts, signed `signed`.
pub fn compose_goodbye(
    doc: &impl ReadDoc,
    signed: &str,
    invited: &[Recipient],
) -> Result<Email, ModelError> {
    let portal = read_portal(doc)?;
    let contacts = read_contacts(doc)?;
    let recipients = goodbye_recipients(invited, &contacts);
    let names: Vec<&str> = recipients
        .iter()
        .map(|r| first_name(&r.name))
        .filter(|n| !n.is_empty())
        .collect();
    let greeting = match names.as_slice() {
        [] => "Hello".to_owned(),
        names => format!(
            "Hi {}",
            join_and(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        ),
    };
    let client = if portal.client_name.is_empty() {
        "your team"
    } else {
        &portal.client_name
    };
    let mut b = String::new();
    b.push_str(&format!("{greeting},\n\n"));
    b.push_str(&format!(
        "Thank you for working with us. As our engagement with {client} comes to a close, this \
         email gathers everything you need in one place.\n"
    ));

    // What was done, not what was not: a goodbye is no place to count the tasks left open.
    let done_tasks = portal.tasks.iter().filter(|t| t.done).count();
    if done_tasks > 0 {
        let tasks = if done_tasks == 1 { "task" } else { "tasks" };
        b.push_str(&format!(
            "\nThe work\nTogether we completed {done_tasks} {tasks} in the plan.\n"
        ));
    }

    let deliverables = read_deliverables(doc)?;
    if !deliverables.is_empty() {
        b.push_str("\nWhat we delivered\n");
        for d in &deliverables {
            b.push_str(&format!("- {}\n", d.spec.title));
            for (label, text) in [
                ("How to use it", &d.handover.how_to_use),
                ("Looking after it", &d.handover.maintenance),
                ("Time it takes", &d.handover.time_needed),
            ] {
                if !text.trim().is_empty() {
                    b.push_str(&format!(
                        "  {label}: {}\n",
                        text.trim().replace('\n', "\n  ")
                    ));
                }
            }
        }
    }

    let metrics: Vec<_> = read_metrics(doc)?
        .into_iter()
        .filter(|m| m.exit.is_some())
        .collect();
    if !metrics.is_empty() {
        b.push_str("\nWhere you started, where you are now\n");
        for m in &metrics {
            let exit = m.exit.map(|(e, _)| e).unwrap_or_default();
            let percent = m
                .percent_change()
                .map(|p| format!(" ({:+}%)", p.round() as i64))
                .unwrap_or_default();
            b.push_str(&format!(
                "- {}: {} → {} {}{percent}\n",
                m.spec.name,
                format_number(m.spec.baseline),
                format_number(exit),
                m.spec.unit
            ));
        }
    }

    let ours: Vec<_> = contacts
        .iter()
        .filter(|c| c.spec.side == Assignee::Provider)
        .collect();
    if !ours.is_empty() {
        b.push_str("\nYour contacts\n");
        for c in ours {
            let mut line = format!("- {}", c.spec.name);
            for part in [&c.spec.role, &c.spec.email, &c.spec.phone] {
                if !part.is_empty() {
                    line.push_str(&format!(", {part}"));
                }
            }
            if !c.spec.about.is_empty() {
                line.push_str(&format!(" ({})", c.spec.about));
            }
            b.push_str(&line);
            b.push('\n');
        }
    }

    let steps = read_next_steps(doc)?;
    let referrals = read_referrals(doc)?;
    let offboarding = read_offboarding(doc)?;
    if !steps.is_empty() || !referrals.is_empty() || !offboarding.support_offer.is_empty() {
        b.push_str("\nNext steps\n");
        for s in &steps {
            b.push_str(&format!("- {}\n", s.text));
        }
        for r in &referrals {
            let mut line = format!(
                "- For {}, we recommend {}",
                r.partner.service.to_lowercase(),
                r.partner.name
            );
            for part in [&r.partner.url, &r.partner.email] {
                if !part.is_empty() {
                    line.push_str(&format!(", {part}"));
                }
            }
            b.push_str(&line);
            b.push('\n');
        }
        if !offboarding.support_offer.is_empty() {
            b.push_str(&format!("- {}\n", offboarding.support_offer));
        }
    }

    let follow_ups = read_follow_ups(doc)?;
    if !follow_ups.is_empty() {
        let dates: Vec<String> = follow_ups
            .iter()
            .map(|f| crate::formats::full_date(f.due))
            .collect();
        b.push_str(&format!(
            "\nWe will check in with you on {}.\n",
            join_and(&dates)
        ));
    }

    b.push_str(
        "\nIf you were happy with our work, the best thanks is to pass our name on to anyone who \
         could use our help.",
    );
    if !offboarding.review_link.is_empty() {
        b.push_str(&format!(
            " A short review helps too: {}",
            offboarding.review_link
        ));
    }
    b.push_str("\n\nThank you again,\n");
    b.push_str(signed.trim());
    b.push('\n');

    Ok(Email {
        to: recipients
            .iter()
            .filter(|r| !r.email.is_empty())
            .map(|r| r.email.clone())
            .collect(),
        subject: format!("Thank you, {client}: wrapping up our work together"),
        body: b,
    })
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The goodbye email is sent: offboarding is complete and the client becomes alumni, which
/// waits until every invoice is paid.
pub fn complete_offboarding(
    tx: &mut impl Transactable,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    if read_stage(tx)? != Stage::Offboarding {
        return Err(ModelError::Rule(
            "The goodbye is the last step of offboarding; start offboarding first.".into(),
        ));
    }
    set_stage(tx, Stage::Alumni, now)?;
    let obj = offboarding_map(tx)?;
    field::put_timestamp(tx, &obj, "goodbyeSentAt", now)
}

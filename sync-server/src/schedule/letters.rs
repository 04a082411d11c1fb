//! The letters the scheduler sends (reminders, follow-ups, digests), one constructor per kind,
//! each naming the portal, the item and its date in words, and linking straight to the item's
//! view.

use chrono::NaiveDate;
use lettre::message::Mailbox;
use threshold_model::notify::{DueWhen, LetterKind, Reminder};
use threshold_model::offboarding::FollowUp;
use threshold_model::portal::Assignee;
use threshold_protocol::DocumentId;

use crate::mail::message::escape;
use crate::mail::Letter;

/// Text from a portal, at most `max` characters: the model's limits hold in the app, but a
/// client's device can write anything, and a megabyte title must not become a megabyte email.
fn short(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}\u{2026}", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Longest title a letter quotes (the model's limit for task titles).
const TITLE: usize = 200;

/// "Tuesday 10 March 2026": a date nobody has to decode.
pub fn in_words(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

fn greeting(to: &Mailbox) -> String {
    match to.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => format!("Hello {name},"),
        _ => "Hello,".to_owned(),
    }
}

/// The address of a portal's view.
pub fn view_link(base: &str, portal: &DocumentId, view: &str) -> String {
    format!("{}/#/portal/{portal}/{view}", base.trim_end_matches('/'))
}

/// What the portal is called to this side: the client's own portal is "your portal with
/// <provider>"; the provider's is the client's name.
fn portal_words(side: Assignee, client_name: &str, provider: &str) -> String {
    let (client_name, provider) = (short(client_name, 120), short(provider, 120));
    match (side, client_name.as_str(), provider.as_str()) {
        (Assignee::Client, _, "") => "your client portal".to_owned(),
        (Assignee::Client, _, provider) => format!("your portal with {provider}"),
        (Assignee::Provider, "", _) => "a client's portal".to_owned(),
        (Assignee::Provider, client, _) => format!("the {client} portal"),
    }
}

/// A task or document due tomorrow, today, or overdue, to one person on the side that owes it.
pub fn reminder(
    to: Mailbox,
    reminder: &Reminder,
    client_name: &str,
    provider: &str,
    link: &str,
) -> Letter {
    let item = &reminder.item;
    let date = in_words(item.due);
    let (subject_lead, status) = match reminder.when {
        DueWhen::Tomorrow => ("Due tomorrow", format!("is due tomorrow, {date}")),
        DueWhen::Today => ("Due today", format!("is due today, {date}")),
        DueWhen::Overdue => ("Overdue", format!("was due on {date} and is still open")),
    };
    let kind = if item.key.starts_with("document:") {
        "The document"
    } else {
        "The task"
    };
    let place = portal_words(item.side, client_name, provider);
    let text = format!(
        "{}\n\n{kind} \u{201c}{}\u{201d} in {place} {status}.\n\nOpen it: {link}\n",
        greeting(&to),
        short(&item.title, TITLE),
    );
    Letter {
        to,
        subject: format!("{subject_lead}: {}", short(&item.title, TITLE)),
        text,
        html: None,
        kind: LetterKind::Reminder,
    }
}

/// Most items one reminder letter lists; the rest are counted ("and 12 more").
pub const MAX_LISTED: usize = 20;

/// Everything due for one person in one portal at one pass, in one letter: a single item reads
/// as [`reminder`] does; several are listed, each with its date and link, so that a side that
/// owes many things (or a client who adds hundreds of tasks due today) makes one email, not
/// hundreds.
pub fn reminders(
    to: Mailbox,
    due: &[(Reminder, String)],
    client_name: &str,
    provider: &str,
) -> Option<Letter> {
    match due {
        [] => None,
        [(one, link)] => Some(reminder(to, one, client_name, provider, link)),
        many => {
            let place = portal_words(many[0].0.item.side, client_name, provider);
            let lines: Vec<String> = many
                .iter()
                .take(MAX_LISTED)
                .map(|(r, link)| {
                    let when = match r.when {
                        DueWhen::Tomorrow => format!("due tomorrow, {}", in_words(r.item.due)),
                        DueWhen::Today => format!("due today, {}", in_words(r.item.due)),
                        DueWhen::Overdue => format!("was due on {}", in_words(r.item.due)),
                    };
                    format!(
                        "- \u{201c}{}\u{201d}: {when}. {link}",
                        short(&r.item.title, TITLE)
                    )
                })
                .collect();
            let more = match many.len().saturating_sub(MAX_LISTED) {
                0 => String::new(),
                n => format!("\n\n…and {n} more in the portal."),
            };
            let text = format!(
                "{}\n\n{} things in {place} need attention:\n\n{}{more}\n",
                greeting(&to),
                many.len(),
                lines.join("\n"),
            );
            Some(Letter {
                to,
                subject: format!("{} things due in {place}", many.len()),
                text,
                html: None,
                kind: LetterKind::Reminder,
            })
        }
    }
}

/// The check-in email to the client, with the text the provider chose.
pub fn follow_up_to_client(
    to: Mailbox,
    follow_up: &FollowUp,
    client_name: &str,
    provider: &str,
) -> Letter {
    let subject = match provider.trim() {
        "" => "Checking in".to_owned(),
        provider => format!("Checking in from {provider}"),
    };
    Letter {
        to,
        subject,
        text: follow_up.message_or_default(client_name, provider),
        html: None,
        // Chosen per follow-up by the provider, so not stopped by turning reminders off.
        kind: LetterKind::FollowUp,
    }
}

/// The reminder to the provider to reach out to a past client.
pub fn follow_up_to_provider(
    to: Mailbox,
    follow_up: &FollowUp,
    client_name: &str,
    link: &str,
) -> Letter {
    let client = match client_name.trim() {
        "" => "your past client".to_owned(),
        name => name.to_owned(),
    };
    let text = format!(
        "{}\n\nIt is time for the {} with {client} (planned for {}). A short note asking how things are going keeps the relationship warm.\n\nOnce you have reached out, mark it done in the portal: {link}\n",
        greeting(&to),
        follow_up.title().to_lowercase(),
        in_words(follow_up.due),
    );
    Letter {
        to,
        subject: format!(
            "Reach out to {client}: {}",
            follow_up.title().to_lowercase()
        ),
        text,
        html: None,
        // Chosen per follow-up by the provider, so not stopped by turning reminders off.
        kind: LetterKind::FollowUp,
    }
}

/// One digest to one person: what became waiting on them (the client's side) or what the
/// client did (the provider's), each item with a link straight to its view.
pub fn digest(
    to: Mailbox,
    side: Assignee,
    items: &[(String, String)],
    client_name: &str,
    provider: &str,
) -> Letter {
    let place = portal_words(side, client_name, provider);
    let count = match items.len() {
        1 => "1 thing".to_owned(),
        n => format!("{n} things"),
    };
    let (subject, lead) = match side {
        Assignee::Client => (
            format!("{count} waiting for you in {place}"),
            format!("Here is what is waiting for you in {place}:"),
        ),
        Assignee::Provider => (
            format!("{}: {count} new from your client", capitalised(&place)),
            format!("Here is what your client did in {place}:"),
        ),
    };
    let footer = "You get one summary like this instead of an email for every change. To stop summaries, turn off \u{201c}A summary of what is waiting on you\u{201d} under Emails to you in the app.";
    // At most MAX_LISTED items, each line at most a title's length plus its words.
    let more = items.len().saturating_sub(MAX_LISTED);
    let items: Vec<(String, &String)> = items
        .iter()
        .take(MAX_LISTED)
        .map(|(line, link)| (short(line, TITLE + 100), link))
        .collect();
    let mut list: String = items
        .iter()
        .map(|(line, link)| format!("\u{2022} {line}\n  Open it: {link}\n"))
        .collect();
    if more > 0 {
        list.push_str(&format!("\u{2026}and {more} more in the portal.\n"));
    }
    let text = format!("{}\n\n{lead}\n\n{list}\n{footer}\n", greeting(&to));
    let html_items: String = items
        .iter()
        .map(|(line, link)| {
            let link = escape(link);
            format!(
                "<li style=\"margin:0 0 12px\">{}<br><a href=\"{link}\" style=\"color:#2c5cc5\">Open it in the portal</a></li>",
                escape(line)
            )
        })
        .collect();
    let html = format!(
        "<h1 style=\"font-size:20px;margin:0 0 16px\">{}</h1><p style=\"margin:0 0 16px\">{}</p>\
<p style=\"margin:0 0 16px\">{}</p><ul style=\"margin:0 0 16px;padding-left:20px\">{html_items}</ul>\
<p style=\"margin:0;font-size:14px;color:#5b6372\">{}</p>",
        escape(&subject),
        escape(&greeting(&to)),
        escape(&lead),
        escape(footer),
    );
    Letter {
        to,
        subject,
        text,
        html: Some(html),
        kind: LetterKind::Digest,
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use threshold_model::notify::Owed;

    use super::*;

    #[test]
    fn a_megabyte_title_written_by_a_device_is_quoted_short() {
        let huge = "x".repeat(1_000_000);
        let r = Reminder {
            item: Owed {
                key: "task:a".into(),
                title: huge.clone(),
                side: Assignee::Client,
                due: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
            },
            when: DueWhen::Today,
        };
        let to: Mailbox = "dana@acme.example".parse().unwrap();
        let one = reminder(to.clone(), &r, &huge, &huge, "https://p.example");
        assert!(one.subject.chars().count() < 250, "{}", one.subject.len());
        assert!(one.text.len() < 2_000);
        let lines: Vec<(String, String)> = (0..500)
            .map(|_| (huge.clone(), "https://p.example".to_owned()))
            .collect();
        let d = digest(to, Assignee::Client, &lines, &huge, &huge);
        assert!(d.text.len() < 20_000, "{}", d.text.len());
        assert!(d.text.contains("and 480 more"));
    }
}

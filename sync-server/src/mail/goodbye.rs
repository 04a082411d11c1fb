//! The goodbye, sent for real: exactly the subject and text the provider saw, one message per
//! recipient, once per portal. Each message's outbox id is `goodbye-<portal>-<n>`, so a second
//! request (another device ending the engagement at the same moment, or a retry after a lost
//! answer) finds it already queued or sent and queues nothing.

use lettre::message::Mailbox;
use threshold_model::notify::LetterKind;
use threshold_protocol::DocumentId;

use super::{Letter, Mail, MailError, Sent};

/// Queue the goodbye; the Message-IDs, and whether every message was already there.
pub fn send_once(
    mail: &Mail,
    portal: &DocumentId,
    to: Vec<Mailbox>,
    subject: &str,
    text: &str,
) -> Result<(Vec<String>, bool), MailError> {
    let mut ids = Vec::new();
    let mut already = true;
    for (n, to) in to.into_iter().enumerate() {
        let key = format!("goodbye-{portal}-{n}");
        let letter = Letter {
            to,
            subject: subject.to_owned(),
            text: text.to_owned(),
            html: None,
            kind: LetterKind::Goodbye,
        };
        match mail.send_keyed(&letter, Some(&key))? {
            Sent::Queued { message_id } => {
                already = false;
                ids.push(message_id);
            }
            Sent::Already { message_id } => ids.push(message_id),
            Sent::Unsubscribed | Sent::TurnedOff => already = false,
        }
    }
    Ok((ids, already))
}

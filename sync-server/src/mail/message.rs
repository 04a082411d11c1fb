//! One email as the relay composes it: a [`Letter`] (who, subject, text, HTML) made into an RFC
//! 5322 message by lettre's builder, multipart text + HTML, with UTF-8 names and subjects
//! encoded by lettre, a Message-ID chosen here (so it is fixed before the message is queued),
//! and RFC 8058 one-click unsubscribe headers.

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;

use threshold_model::notify::{LetterKind, Sender};

use super::MailConfig;

/// What to send to whom. The body is plain text; the HTML part is made from it unless given.
#[derive(Clone, Debug)]
pub struct Letter {
    pub to: Mailbox,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    /// What it is, for the person's choices: an unsubscribe stops all but a sign-in link they
    /// asked for, and each person may turn digests and reminders off (see the model's
    /// `notify::preference`).
    pub kind: LetterKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("the message could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("the reply-to address is not valid: {0}")]
    ReplyTo(#[from] lettre::address::AddressError),
}

/// A fresh Message-ID in the sender's domain: `<uuid@domain>`.
pub fn new_message_id(from: &Mailbox) -> String {
    format!(
        "<{}@{}>",
        uuid::Uuid::new_v4().simple(),
        from.email.domain()
    )
}

/// Who a message is from: the workspace's sender name, if set, at the relay's address. The
/// address stays the relay's: it is the one the mail server may send from (SPF, DKIM).
pub fn from_mailbox(config: &MailConfig, sender: &Sender) -> Mailbox {
    match sender.name.trim() {
        "" => config.from.clone(),
        name => Mailbox::new(Some(name.to_owned()), config.from.email.clone()),
    }
}

/// The finished message. `unsubscribe` is the one-click URL for `List-Unsubscribe`; `sender`
/// is the workspace's choice of name and reply-to, over the relay's flags.
pub fn compose(
    config: &MailConfig,
    sender: &Sender,
    letter: &Letter,
    message_id: &str,
    unsubscribe: &str,
) -> Result<Message, ComposeError> {
    let html = letter
        .html
        .clone()
        .unwrap_or_else(|| html_from_text(&letter.subject, &letter.text));
    let from = from_mailbox(config, sender);
    let reply_to = match sender.reply_to.trim() {
        "" => config.reply_to.clone(),
        address => Some(address.parse::<Mailbox>()?),
    };
    let mut builder = Message::builder()
        .from(from)
        .to(letter.to.clone())
        .subject(letter.subject.clone())
        .message_id(Some(message_id.to_owned()))
        .date_now()
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{unsubscribe}>"),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ));
    if let Some(reply_to) = reply_to {
        builder = builder.reply_to(reply_to);
    }
    let text = format!(
        "{}\n\n--\nTo stop these emails: {unsubscribe}\n",
        letter.text.trim_end()
    );
    Ok(builder.multipart(
        MultiPart::alternative()
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_PLAIN)
                    .body(text),
            )
            .singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(wrap_html(&html, unsubscribe)),
            ),
    )?)
}

/// Text made safe for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Paragraphs of text as HTML, with `http(s)://` words as links.
fn html_from_text(subject: &str, text: &str) -> String {
    let paragraphs: String = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let words: Vec<String> = p
                .split(' ')
                .map(|w| {
                    if w.starts_with("https://") || w.starts_with("http://") {
                        let url = escape(w.trim());
                        format!("<a href=\"{url}\" style=\"color:#2c5cc5\">{url}</a>")
                    } else {
                        escape(w).replace('\n', "<br>")
                    }
                })
                .collect();
            format!("<p style=\"margin:0 0 16px\">{}</p>", words.join(" "))
        })
        .collect();
    format!(
        "<h1 style=\"font-size:20px;margin:0 0 16px\">{}</h1>{paragraphs}",
        escape(subject)
    )
}

/// A calm, single-column layout that renders the same in every mail client (inline styles,
/// no images, no scripts).
fn wrap_html(body: &str, unsubscribe: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"></head>\
<body style=\"margin:0;padding:24px;background:#f6f7f9;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1d2330;line-height:1.5\">\
<div style=\"max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:24px\">{body}</div>\
<p style=\"max-width:560px;margin:16px auto 0;font-size:12px;color:#5b6372\">\
<a href=\"{}\" style=\"color:#5b6372\">Unsubscribe</a> from these emails.</p></body></html>",
        escape(unsubscribe)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::config::{mailbox, SmtpUrl};

    fn config() -> MailConfig {
        MailConfig {
            smtp: SmtpUrl::parse("smtp://127.0.0.1:2525").unwrap(),
            from: mailbox("Zoë's Studio <portal@studio.example>").unwrap(),
            reply_to: Some(mailbox("zoe@studio.example").unwrap()),
            max_backoff: std::time::Duration::from_secs(1),
        }
    }

    #[test]
    fn a_message_is_multipart_with_encoded_utf8_and_one_click_unsubscribe() {
        let letter = Letter {
            to: mailbox("Dana Reyes <dana@acme.example>").unwrap(),
            subject: "Zoë invited you — your portal".into(),
            text: "Open it: https://portal.example/#/join/x\n\nSee you there.".into(),
            html: None,
            kind: LetterKind::Invite,
        };
        let id = new_message_id(&config().from);
        let raw = compose(
            &config(),
            &Sender::default(),
            &letter,
            &id,
            "https://r.example/api/mail/unsubscribe/t",
        )
        .unwrap()
        .formatted();
        let raw = String::from_utf8(raw).unwrap();
        assert!(
            raw.is_ascii(),
            "headers and bodies are encoded for 7-bit transport"
        );
        assert!(raw.contains(&format!("Message-ID: {id}")), "{raw}");
        assert!(raw.contains("List-Unsubscribe: <https://r.example/api/mail/unsubscribe/t>"));
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("Subject: =?utf-8?"), "{raw}");
        assert!(raw.contains("Reply-To: zoe@studio.example"));
    }

    #[test]
    fn the_workspaces_sender_name_and_reply_to_replace_the_relays_but_not_its_address() {
        let letter = Letter {
            to: mailbox("dana@acme.example").unwrap(),
            subject: "Hello".into(),
            text: "Hi".into(),
            html: None,
            kind: LetterKind::Reminder,
        };
        let sender = Sender {
            name: "Northwind Design".into(),
            reply_to: "robin@northwind.example".into(),
        };
        let raw = compose(
            &config(),
            &sender,
            &letter,
            "<a@studio.example>",
            "https://u",
        )
        .unwrap()
        .formatted();
        let raw = String::from_utf8(raw).unwrap();
        assert!(
            raw.contains("From: \"Northwind Design\" <portal@studio.example>")
                || raw.contains("From: Northwind Design <portal@studio.example>"),
            "{raw}"
        );
        assert!(raw.contains("Reply-To: robin@northwind.example"), "{raw}");
    }

    #[test]
    fn html_escapes_what_people_typed() {
        let html = html_from_text("<b>", "a <script> & https://x.example/?a=1&b=2");
        assert!(!html.contains("<script>"));
        assert!(html.contains("href=\"https://x.example/?a=1&amp;b=2\""));
    }
}

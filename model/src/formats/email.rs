//! An email the app composes for the user's own mail client: a `mailto:` link, or an RFC 5322
//! message (`.eml`) that mail programs open as a draft, built with lettre's message builder.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, SinglePart};
use lettre::Message;

#[derive(Clone, Debug, PartialEq)]
pub struct Email {
    pub to: Vec<String>,
    pub subject: String,
    /// Plain text, lines separated by `\n`.
    pub body: String,
}

/// Who sends it: a display name and an address.
#[derive(Clone, Debug, PartialEq)]
pub struct Sender {
    pub name: String,
    pub address: String,
}

impl Email {
    /// A `mailto:` URL (RFC 6068): recipients, subject and body percent-encoded as UTF-8.
    pub fn mailto(&self) -> String {
        let to: Vec<String> = self.to.iter().map(|a| percent_encode(a)).collect();
        let body = self.body.replace('\n', "\r\n");
        format!(
            "mailto:{}?subject={}&body={}",
            to.join(","),
            percent_encode(&self.subject),
            percent_encode(&body)
        )
    }

    /// The message as an `.eml` file, built by lettre's message builder (the one the relay
    /// sends with): headers encoded and folded for 7-bit transport, the body as UTF-8 text, and
    /// `X-Unsent: 1` so that mail programs open it ready to send rather than as a received
    /// message. `message_id` is given without angle brackets.
    pub fn to_eml(
        &self,
        from: &Sender,
        date: DateTime<Utc>,
        message_id: &str,
    ) -> Result<String, EmlError> {
        let address = |text: &str| {
            text.trim()
                .parse::<Mailbox>()
                .map_err(|_| EmlError::NotAnAddress(text.trim().to_owned()))
        };
        let name = from.name.trim();
        let from = Mailbox::new(
            (!name.is_empty()).then(|| name.to_owned()),
            address(&from.address)?.email,
        );
        // Given, never read from a clock: in the browser `SystemTime::now` is not available.
        let seconds = u64::try_from(date.timestamp()).unwrap_or(0);
        let mut builder = Message::builder()
            .from(from)
            .subject(self.subject.clone())
            .date(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
            .message_id(Some(format!("<{message_id}>")))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("X-Unsent"),
                "1".to_owned(),
            ));
        for to in &self.to {
            builder = builder.to(address(to)?);
        }
        let message = builder
            .singlepart(SinglePart::plain(self.body.clone()))
            .map_err(|e| EmlError::Build(e.to_string()))?;
        String::from_utf8(message.formatted()).map_err(|e| EmlError::Build(e.to_string()))
    }
}

/// Why an `.eml` could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmlError {
    #[error("“{0}” is not an email address")]
    NotAnAddress(String),
    #[error("the message could not be built: {0}")]
    Build(String),
}

/// Percent-encoding of everything but RFC 3986's unreserved characters, as UTF-8: right for
/// `mailto:` (RFC 6068) and for a header's `filename*` (RFC 5987) alike.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

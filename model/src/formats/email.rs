//! An email the app composes for the user's own mail client: a `mailto:` link, or an RFC 5322
//! message (`.eml`) that mail programs open as a draft.

use chrono::{DateTime, Utc};

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

    /// The message as an `.eml` file: CRLF line endings, headers in ASCII (RFC 2047 encoded words
    /// for anything else), the body as quoted-printable UTF-8, and `X-Unsent: 1` so that mail
    /// programs open it ready to send rather than as a received message.
    pub fn to_eml(&self, from: &Sender, date: DateTime<Utc>, message_id: &str) -> String {
        let mut out = String::new();
        let mut header = |name: &str, value: &str| {
            out.push_str(&fold_header(&format!("{name}: {value}")));
            out.push_str("\r\n");
        };
        header("From", &mailbox(from));
        header("To", &self.to.join(",\r\n "));
        header("Subject", &encode_words(&self.subject));
        header("Date", &date.to_rfc2822());
        header("Message-ID", &format!("<{message_id}>"));
        header("MIME-Version", "1.0");
        header("Content-Type", "text/plain; charset=utf-8");
        header("Content-Transfer-Encoding", "quoted-printable");
        header("X-Unsent", "1");
        out.push_str("\r\n");
        out.push_str(&quoted_printable(&self.body));
        out
    }
}

/// A header line of at most 78 characters where it has spaces to break at (RFC 5322 §2.2.3):
/// the break goes before a space, which starts the continuation line. Lines already folded
/// (encoded words, recipient lists) keep their folds.
fn fold_header(line: &str) -> String {
    let mut out = Vec::new();
    for physical in line.split("\r\n") {
        let mut rest = physical;
        while rest.len() > 78 {
            let Some(cut) = rest[..78].rfind(' ').filter(|&i| i > 0) else {
                break;
            };
            out.push(&rest[..cut]);
            rest = &rest[cut..];
        }
        out.push(rest);
    }
    out.join("\r\n")
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

fn mailbox(sender: &Sender) -> String {
    let name = sender.name.trim();
    if name.is_empty() {
        return sender.address.clone();
    }
    let display = if name.is_ascii() {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        encode_words(name)
    };
    format!("{display} <{}>", sender.address)
}

/// Header text as-is when it is plain ASCII; otherwise RFC 2047 "Q" encoded words of at most 75
/// characters each, folded onto continuation lines.
fn encode_words(text: &str) -> String {
    if text.is_ascii() && !text.contains("=?") && !text.contains(['\r', '\n']) {
        return text.to_owned();
    }
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        let mut buf = [0u8; 4];
        let encoded: String = c
            .encode_utf8(&mut buf)
            .bytes()
            .map(|b| match b {
                b' ' => "_".to_owned(),
                b if b.is_ascii_alphanumeric() || b"!*+-/".contains(&b) => (b as char).to_string(),
                b => format!("={b:02X}"),
            })
            .collect();
        // "=?utf-8?Q?" and "?=" take 12 of the 75 characters.
        if current.len() + encoded.len() > 75 - 12 {
            words.push(std::mem::take(&mut current));
        }
        current.push_str(&encoded);
    }
    words.push(current);
    words
        .iter()
        .map(|w| format!("=?utf-8?Q?{w}?="))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// Quoted-printable (RFC 2045 §6.7): lines of at most 76 characters, soft breaks marked `=`,
/// hard breaks as CRLF.
fn quoted_printable(text: &str) -> String {
    let mut lines = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut out = String::new();
        let mut width = 0;
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let last = i + 1 == bytes.len();
            let token = match b {
                // Trailing whitespace would be stripped in transit: encode it.
                b' ' | b'\t' if last => format!("={b:02X}"),
                b'=' => "=3D".to_owned(),
                b' ' | b'\t' | 33..=126 => (b as char).to_string(),
                b => format!("={b:02X}"),
            };
            if width + token.len() > 75 {
                out.push_str("=\r\n");
                width = 0;
            }
            out.push_str(&token);
            width += token.len();
        }
        lines.push(out);
    }
    lines.join("\r\n")
}

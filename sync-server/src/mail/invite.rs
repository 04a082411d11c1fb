//! The invite email: the provider's name, their note, and the link that signs the client in.

use lettre::message::Mailbox;
use threshold_model::notify::LetterKind;

use super::message::escape;
use super::Letter;

/// `provider` empty: the sender's name (`--mail-from`), or "Your provider".
pub fn letter(to: Mailbox, from: &Mailbox, provider: &str, note: &str, link: &str) -> Letter {
    let provider = match provider.trim() {
        "" => from.name.as_deref().map(str::trim).unwrap_or_default(),
        name => name,
    };
    let provider = if provider.is_empty() {
        "Your provider"
    } else {
        provider
    };
    let name = to.name.clone().unwrap_or_default();
    let greeting = if name.trim().is_empty() {
        "Hello,".to_owned()
    } else {
        format!("Hello {},", name.trim())
    };
    let note = note.trim();
    let mut text = format!(
        "{greeting}\n\n{provider} has set up a client portal for you: one place for your tasks, files and messages.\n\n"
    );
    if !note.is_empty() {
        text.push_str(&format!("A note from {provider}:\n{note}\n\n"));
    }
    text.push_str(&format!(
        "Open your portal: {link}\n\nThis link signs you in on the device you open it on. Keep it private: anyone with it can open your portal.\n"
    ));
    let note_html = if note.is_empty() {
        String::new()
    } else {
        format!(
            "<blockquote style=\"margin:0 0 16px;padding:8px 16px;border-left:3px solid #c9d1de;color:#3a4252\">{}</blockquote>",
            escape(note).replace('\n', "<br>")
        )
    };
    let html = format!(
        "<p style=\"margin:0 0 16px\">{}</p>\
<p style=\"margin:0 0 16px\"><strong>{}</strong> has set up a client portal for you: one place for your tasks, files and messages.</p>\
{note_html}\
<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#2c5cc5;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block\">Open your portal</a></p>\
<p style=\"margin:0 0 16px;font-size:13px;color:#5b6372\">This link signs you in on the device you open it on. Keep it private: anyone with it can open your portal.</p>",
        escape(&greeting),
        escape(provider),
        escape(link),
    );
    Letter {
        to,
        subject: format!("{provider} invited you to your client portal"),
        text,
        html: Some(html),
        kind: LetterKind::Invite,
    }
}

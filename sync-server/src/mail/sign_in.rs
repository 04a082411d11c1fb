//! The sign-in email: one link that signs a device in, once, within the hour.

use lettre::message::Mailbox;
use threshold_model::notify::LetterKind;

use super::message::escape;
use super::Letter;

pub fn letter(to: Mailbox, from: &Mailbox, link: &str) -> Letter {
    let portal = from
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("Threshold");
    let text = format!(
        "Here is your link to sign in to {portal}:\n\n{link}\n\nIt works once, within the next hour, and signs in the device you open it on. If you did not ask for it, ignore this email: nothing happens unless the link is opened.\n"
    );
    let html = format!(
        "<p style=\"margin:0 0 16px\">Here is your link to sign in to <strong>{}</strong>.</p>\
<p style=\"margin:24px 0\"><a href=\"{}\" style=\"background:#2c5cc5;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block\">Sign in</a></p>\
<p style=\"margin:0 0 16px;font-size:13px;color:#5b6372\">It works once, within the next hour, and signs in the device you open it on. If you did not ask for it, ignore this email: nothing happens unless the link is opened.</p>",
        escape(portal),
        escape(link),
    );
    Letter {
        to,
        subject: format!("Your sign-in link for {portal}"),
        text,
        html: Some(html),
        // The person asked for it just now.
        kind: LetterKind::SignIn,
    }
}

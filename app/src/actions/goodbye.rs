//! Sending the goodbye through the relay's mail, then completing offboarding. The relay sends
//! it once per portal, so a second device or a second click sends nothing more.

use threshold_model::access::SendGoodbye;
use threshold_model::formats::Email;
use threshold_model::offboarding::complete_offboarding;
use threshold_protocol::DocumentId;

use super::try_edit_portal;
use crate::relay::api;
use crate::state::session;

/// `"Name" <address>` (the name quoted, so a comma in it stays part of the name), or the bare
/// address without a name.
pub fn mailbox(name: &str, address: &str) -> String {
    let name: String = name
        .chars()
        .filter(|c| !matches!(c, '"' | '\\') && !c.is_control())
        .collect();
    match name.trim() {
        "" => address.trim().to_owned(),
        name => format!("\"{name}\" <{}>", address.trim()),
    }
}

/// Queue `email` (exactly as the provider sees it) and mark the goodbye sent. The words for
/// the person: how many it went to, or why it did not go.
pub async fn send_goodbye(id: DocumentId, email: Email) -> Result<String, String> {
    let token = session::token().ok_or_else(|| api::ApiError::Unauthorized.to_string())?;
    let request = SendGoodbye {
        to: email.to,
        subject: email.subject,
        text: email.body,
    };
    let queued = api::send_goodbye(&token, id, &request)
        .await
        .map_err(|e| format!("The goodbye was not sent: {e}."))?;
    let done = complete(id).await?;
    Ok(match queued.message_ids.len() {
        0 => format!("Nobody gets it: every recipient unsubscribed. {done}"),
        1 => format!("The goodbye is on its way. {done}"),
        n => format!("The goodbye is on its way to {n} people. {done}"),
    })
}

/// Complete offboarding: the portal becomes alumni, and the relay turns the client's access
/// read-only at once (the stage alone would leave their tokens writable until someone opened
/// People). The words for the person.
pub async fn complete(id: DocumentId) -> Result<String, String> {
    try_edit_portal(id, |tx| complete_offboarding(tx, chrono::Utc::now()))
        .map_err(|e| e.to_string())?;
    Ok(
        match super::set_client_access(id, super::ClientAccess::ReadOnly).await {
            Ok(_) => "Offboarding is complete: the client keeps the portal as a read-only archive."
                .to_owned(),
            Err(e) => format!(
                "Offboarding is complete, but the client's access could not be made read-only yet: {e}. It will be when someone opens People with the relay reachable."
            ),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::mailbox;

    #[test]
    fn a_name_is_quoted_and_cleaned_and_an_empty_one_left_out() {
        assert_eq!(
            mailbox("Park, Robin", "r@x.example"),
            "\"Park, Robin\" <r@x.example>"
        );
        assert_eq!(
            mailbox("Ro\"bin\\", "r@x.example"),
            "\"Robin\" <r@x.example>"
        );
        assert_eq!(mailbox("  ", " r@x.example "), "r@x.example");
    }
}

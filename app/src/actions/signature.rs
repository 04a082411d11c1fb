//! Signing a document of the exchange: the typed-name signature on the newest file attached to
//! it, and, when the person's side may, the document's status moved to signed in the same
//! change, so the record and the status never disagree.

use leptos::prelude::WriteSignal;
use threshold_model::access::Act;
use threshold_model::onboarding::{
    set_exchange_status, sign_document, ExchangeItem, ExchangeStatus, SignatureSpec,
};
use threshold_model::portal::{read_files, Attachment};
use threshold_protocol::DocumentId;

use crate::state::permission::may;
use crate::sync::client;

/// The SHA-256 of the newest file attached to `item`, the version a signature covers.
pub fn signed_file_hash(portal: DocumentId, item: &ExchangeItem) -> Option<String> {
    let attachment = Attachment::Exchange(item.id.clone());
    client()
        .read(&portal, |doc| read_files(doc).ok())
        .flatten()?
        .into_iter()
        .filter(|f| f.attached_to == attachment)
        .max_by_key(|f| f.uploaded_at)
        .map(|f| f.spec.hash)
}

/// Sign `item` as `typed_name` (with `consent` ticked); whether it was kept. Refusals (no
/// name, no consent, a rule) go to `error`.
pub fn sign(
    portal: DocumentId,
    item: &ExchangeItem,
    typed_name: &str,
    consent: bool,
    error: WriteSignal<Option<String>>,
) -> bool {
    let view = crate::state::view_mode::load();
    let settle = !item.status.is_settled()
        && may(
            view,
            &Act::SetExchangeStatus {
                direction: item.direction,
                invoice: item.invoice,
                to: Some(ExchangeStatus::Signed),
            },
        )
        && view == crate::state::view_mode::ViewMode::Client;
    let spec = SignatureSpec {
        typed_name: typed_name.to_owned(),
        consent,
        file_hash: signed_file_hash(portal, item),
    };
    let id = item.id.clone();
    super::save_portal(portal, error, |tx| {
        sign_document(tx, &id, &spec, chrono::Utc::now())?;
        if settle {
            set_exchange_status(tx, &id, ExchangeStatus::Signed)?;
        }
        Ok(())
    })
}

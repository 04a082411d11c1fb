//! Leaving early: a client cancels from any stage before the end, with a reason.

use automerge::transaction::Transactable;
use chrono::{DateTime, Utc};

use crate::doc::{field, ModelError};
use crate::offboarding::offboarding_map;
use crate::offboarding::{set_exit_reason, set_other_reason, LeaveReason};
use crate::portal::{read_stage, set_stage, Stage};

/// Cancel the engagement. A reason is required, and "Other" needs words. The reason also counts
/// as an exit reason, so the workspace's analytics see cancellations and goodbyes alike.
pub fn cancel_engagement(
    tx: &mut impl Transactable,
    reason: Option<LeaveReason>,
    detail: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), ModelError> {
    let Some(reason) = reason else {
        return Err(ModelError::Rule("Choose a reason for cancelling.".into()));
    };
    if reason == LeaveReason::Other && detail.trim().is_empty() {
        return Err(ModelError::Rule(
            "Tell us the reason for cancelling in a few words.".into(),
        ));
    }
    if read_stage(tx)?.is_closed() {
        return Err(ModelError::Rule(
            "This engagement has already ended.".into(),
        ));
    }
    set_stage(tx, Stage::Cancelled, now)?;
    let obj = offboarding_map(tx)?;
    let c = tx.put_object(&obj, "cancellation", automerge::ObjType::Map)?;
    field::put_timestamp(tx, &c, "at", now)?;
    tx.put(&c, "by", by)?;
    tx.put(&c, "reason", reason.as_str())?;
    tx.put(&c, "detail", detail.trim())?;
    set_exit_reason(tx, reason, true)?;
    if reason == LeaveReason::Other {
        set_other_reason(tx, detail)?;
    }
    Ok(())
}

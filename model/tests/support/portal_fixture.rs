//! What a provider puts in the portal that the permission tests aim at, shared by the model's
//! table tests (`model/tests/permissions.rs`) and the relay's socket tests
//! (`sync-server/tests/permissions.rs`), so both judge the same portal. Included with `#[path]`:
//! each test crate compiles its own copy.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use threshold_model::onboarding::{ContactSpec, LinkSpec};
use threshold_model::portal::Assignee;

/// A fixed day in March 2026, at nine.
pub fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, 9, 0, 0)
        .single()
        .expect("valid time")
}

pub fn today() -> NaiveDate {
    at(1).date_naive()
}

/// The provider's contact, with `email`.
pub fn contact(email: &str) -> ContactSpec {
    ContactSpec {
        name: "Pat Provider".into(),
        role: "Lead".into(),
        email: email.into(),
        phone: "+1 555 0100".into(),
        about: String::new(),
        side: Assignee::Provider,
    }
}

/// A login link, pointing at `url`, flagged sensitive or not.
pub fn login_link(url: &str, sensitive: bool) -> LinkSpec {
    LinkSpec {
        title: "Admin login".into(),
        url: url.into(),
        note: "ask for the password".into(),
        sensitive,
    }
}

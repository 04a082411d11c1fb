//! What the relay should tell people by email, as pure rules over plain values and a given
//! time: due reminders ([`reminder`]) and digests batched after a quiet period ([`digest`]).
//! Nothing here reads a clock or sends anything; the relay's scheduler passes `now`, keeps what
//! was sent, and sends what these rules return, so tests drive days of simulated time.

pub mod digest;
pub mod reminder;

pub use digest::{due_digests, Digest, DigestRules, Waiting};
pub use reminder::{
    due_reminders, owed_exchange, owed_tasks, DueWhen, Owed, Reminder, ReminderKey, SEND_AT_HOUR,
};

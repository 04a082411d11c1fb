//! What the relay should tell people by email, as pure rules over plain values and a given
//! time: due reminders ([`reminder`]), follow-ups on their date ([`follow_up`]), digests
//! batched after a quiet period ([`digest`]) from the keyed
//! notices a portal holds ([`notice`]), the outbox keys that make each letter go once
//! ([`mail_key`]), what each person chose to receive ([`preference`]) and who the provider's
//! mail is from ([`sender`]). Nothing here reads a clock or sends anything; the relay's
//! scheduler passes `now`, keeps what was sent, and sends what these rules return, so tests
//! drive days of simulated time.

pub mod digest;
pub mod follow_up;
pub mod mail_key;
pub mod notice;
pub mod preference;
pub mod reminder;
pub mod sender;

pub use digest::{due_digests, Digest, DigestRules, Waiting};
pub use follow_up::due_follow_ups;
pub use mail_key::{digest_key, follow_up_key, follow_up_prefix, reminder_key};
pub use notice::{notices, read_notice_facts, Notice, NoticeFacts};
pub use preference::{EmailPreferences, LetterKind};
pub use reminder::{
    due_reminders, owed_exchange, owed_tasks, DueWhen, Owed, Reminder, ReminderKey, SEND_AT_HOUR,
};
pub use sender::Sender;

//! What each person wants by email, and which letters each choice stops. A person turns
//! digests and reminders on or off in the app; an unsubscribe link stops everything they did
//! not ask for. Sign-in links are never stopped: the person has just asked for one.

use serde::{Deserialize, Serialize};

/// The kinds of letter the relay sends, for the choices that govern them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LetterKind {
    /// A one-time sign-in link the person asked for.
    SignIn,
    /// An invite link the provider sent.
    Invite,
    /// The provider's goodbye at the end of an engagement.
    Goodbye,
    /// What became waiting on the person, batched.
    Digest,
    /// Something due tomorrow, today or overdue.
    Reminder,
    /// The 3-, 6- or 12-month follow-up after an engagement.
    FollowUp,
}

impl LetterKind {
    /// Sent even to an address that unsubscribed: the person asked for it a moment ago.
    pub fn essential(self) -> bool {
        matches!(self, LetterKind::SignIn)
    }
}

/// A person's choices. Both are on until they turn one off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailPreferences {
    pub digests: bool,
    pub reminders: bool,
}

impl Default for EmailPreferences {
    fn default() -> Self {
        Self {
            digests: true,
            reminders: true,
        }
    }
}

impl EmailPreferences {
    /// Whether a letter of `kind` goes to a person with these choices, who has or has not
    /// unsubscribed.
    pub fn wants(self, kind: LetterKind, unsubscribed: bool) -> bool {
        if kind.essential() {
            return true;
        }
        if unsubscribed {
            return false;
        }
        match kind {
            LetterKind::Digest => self.digests,
            LetterKind::Reminder => self.reminders,
            LetterKind::SignIn
            | LetterKind::Invite
            | LetterKind::Goodbye
            | LetterKind::FollowUp => true,
        }
    }
}

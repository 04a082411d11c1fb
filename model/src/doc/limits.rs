//! How long a name, a title or a note may be, which values may not be empty, and which numbers
//! are in range: one place for every limit the model enforces, so the app, the tests and a
//! tool writing through the model all meet the same rules.
//!
//! The limits are generous for a person and tight for a runaway paste: a 500-character client
//! name wraps a dashboard row to sixteen lines, and no one's company is called that.
//!
//! ```
//! use threshold_model::doc::limits::{checked, Text};
//! assert_eq!(checked(Text::TaskTitle, "  Send the logo ").unwrap(), "Send the logo");
//! assert!(checked(Text::ClientName, "   ").is_err());
//! ```

use std::fmt;
use std::ops::RangeInclusive;

use super::ModelError;

/// What a limited text is, in the words its messages use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    ClientName,
    BusinessName,
    PersonName,
    TaskTitle,
    DocumentName,
    MilestoneTitle,
    MeetingTitle,
    LinkTitle,
    LinkAddress,
    CheckinBody,
    CommentBody,
    TypedSignature,
    EmailSubject,
    EmailBody,
}

impl Text {
    /// The most characters (not bytes) the text may hold.
    pub const fn max(self) -> usize {
        match self {
            Text::ClientName | Text::BusinessName | Text::PersonName | Text::TypedSignature => 120,
            Text::TaskTitle
            | Text::DocumentName
            | Text::MilestoneTitle
            | Text::MeetingTitle
            | Text::LinkTitle
            | Text::EmailSubject => 200,
            Text::LinkAddress => 2_000,
            Text::CheckinBody | Text::CommentBody => 5_000,
            Text::EmailBody => 20_000,
        }
    }

    /// The longest any limited text may be: the bound on a string written where the model
    /// names no limit of its own (an intake answer, a file's name), so that no one writes a
    /// megabyte where a sentence goes.
    pub const LONGEST: usize = Text::EmailBody.max();

    /// What to write, for the message an empty value gets.
    fn noun(self) -> &'static str {
        match self {
            Text::ClientName => "the client's name",
            Text::BusinessName => "your business's name, as clients should see it",
            Text::PersonName => "a name",
            Text::TaskTitle => "what the task is",
            Text::DocumentName => "the document's name, for example NDA or W-9",
            Text::MilestoneTitle => "what the milestone is",
            Text::MeetingTitle => "what the meeting is",
            Text::LinkTitle => "what the link is",
            Text::LinkAddress => "the link's address",
            Text::CheckinBody => "the check-in",
            Text::CommentBody => "the comment",
            Text::TypedSignature => "your full name",
            Text::EmailSubject => "the email's subject",
            Text::EmailBody => "the email's text",
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Text::ClientName => "A client name",
            Text::BusinessName => "A business name",
            Text::PersonName => "A name",
            Text::TaskTitle => "A task title",
            Text::DocumentName => "A document name",
            Text::MilestoneTitle => "A milestone title",
            Text::MeetingTitle => "A meeting title",
            Text::LinkTitle => "A link title",
            Text::LinkAddress => "A link address",
            Text::CheckinBody => "A check-in",
            Text::CommentBody => "A comment",
            Text::TypedSignature => "A typed signature",
            Text::EmailSubject => "A subject",
            Text::EmailBody => "An email",
        })
    }
}

/// Why a value was refused; each says what to do instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("Write {}.", .0.noun())]
    Empty(Text),
    #[error("{text} can be at most {} characters; this one has {len}.", .text.max())]
    TooLong { text: Text, len: usize },
    #[error("Use a web address starting with https:// (or http://), or a mailto: address.")]
    NotALink,
    #[error("“{0}” is not an email address; it should look like name@example.com.")]
    NotAnEmail(String),
    #[error("“{0}” is not a colour; write it as a hex code like #1f3a5f.")]
    NotAColour(String),
    #[error("A logo must be a PNG, JPEG, WebP, GIF or SVG image.")]
    NotAnImage,
    #[error("This logo takes {} KB; logos can take up to {} KB. Use a smaller image (a few hundred pixels wide is plenty).", .bytes / 1024, .max / 1024)]
    LogoTooLarge { bytes: usize, max: usize },
    #[error("{what} must be between {} and {}.", .range.start(), .range.end())]
    OutOfRange {
        what: &'static str,
        range: RangeInclusive<i64>,
    },
}

/// `value` trimmed, refused when empty or longer than its limit.
pub fn checked(text: Text, value: &str) -> Result<&str, ModelError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Invalid::Empty(text).into());
    }
    optional(text, value)
}

/// `value` trimmed, refused only when longer than its limit (it may be empty).
pub fn optional(text: Text, value: &str) -> Result<&str, ModelError> {
    let value = value.trim();
    let len = value.chars().count();
    if len > text.max() {
        return Err(Invalid::TooLong { text, len }.into());
    }
    Ok(value)
}

/// A link's address: required, within its length, and one the app will make a link of
/// (http, https or mailto; see `formats::safe_href`), so nothing is saved that shows as a
/// broken or dangerous link.
pub fn link_address(value: &str) -> Result<&str, ModelError> {
    let value = checked(Text::LinkAddress, value)?;
    match crate::formats::safe_href(value) {
        Some(_) => Ok(value),
        None => Err(Invalid::NotALink.into()),
    }
}

/// How long a meeting may last, in minutes: five minutes to a working day.
pub const MEETING_MINUTES: RangeInclusive<i64> = 5..=480;

/// A number refused unless it lies in `range`.
pub fn in_range(
    what: &'static str,
    value: i64,
    range: RangeInclusive<i64>,
) -> Result<i64, ModelError> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(Invalid::OutOfRange { what, range }.into())
    }
}

/// A meeting's length as typed ("45", "-30", "an hour"), refused unless it is a whole number of
/// minutes in [`MEETING_MINUTES`]: a typo is never saved as some other length.
pub fn meeting_minutes(raw: &str) -> Result<u32, ModelError> {
    const WHAT: &str = "A meeting's length in minutes";
    let minutes = raw.trim().parse::<i64>().map_err(|_| Invalid::OutOfRange {
        what: WHAT,
        range: MEETING_MINUTES,
    })?;
    Ok(in_range(WHAT, minutes, MEETING_MINUTES)? as u32)
}

/// An email address as the relay accepts one for an invite: `name@domain.tld`, no spaces, at
/// most 254 characters. Checked here first, so a typo gets a sentence, not the relay's refusal.
pub fn email_address(value: &str) -> Result<&str, ModelError> {
    let value = value.trim();
    let ok = value.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    }) && value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(value)
    } else {
        Err(Invalid::NotAnEmail(value.to_owned()).into())
    }
}

/// An invite: a person's name, and their email address when one is given.
pub fn invite(name: &str, email: &str) -> Result<(), ModelError> {
    checked(Text::PersonName, name)?;
    if !email.trim().is_empty() {
        email_address(email)?;
    }
    Ok(())
}

//! Who the provider's email comes from, as their clients see it: the workspace's sender name
//! (shown beside the relay's sending address, which stays the one the mail server may send
//! from) and a reply-to address, so that a client's answer reaches a person.

use serde::{Deserialize, Serialize};

use crate::doc::limits::{email_address, optional, Text};
use crate::doc::ModelError;

/// The workspace's sender settings; an empty field means "the relay's default".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sender {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub reply_to: String,
}

impl Sender {
    /// The settings as typed, trimmed, or why not: a name within a business name's length and
    /// without line breaks (it goes into a header), a reply-to that is an email address.
    pub fn checked(name: &str, reply_to: &str) -> Result<Self, ModelError> {
        let name = optional(Text::BusinessName, name)?;
        let name: String = name.chars().filter(|c| !c.is_control()).collect();
        let reply_to = match reply_to.trim() {
            "" => "",
            address => email_address(address)?,
        };
        Ok(Self {
            name,
            reply_to: reply_to.to_owned(),
        })
    }
}

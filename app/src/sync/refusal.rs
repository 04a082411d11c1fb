//! A change the portal's rules refused, as the person is told of it: refused on this device
//! before anything was kept, or refused by the relay (close code 4403) for a change this device
//! already holds, which only discarding this device's copy of the document can undo.

use threshold_protocol::DocumentId;

/// What the banner says, and what it offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// This device did not make the edit; the rule's words.
    Here(String),
    /// The relay refused a change this device made, and syncing stopped. `doc` is the document
    /// to load again from the relay (the portal in view), when known.
    Relay {
        rule: String,
        doc: Option<DocumentId>,
    },
}

impl Refusal {
    /// The sentence shown, in the product's voice.
    pub fn sentence(&self) -> String {
        match self {
            Refusal::Here(rule) => format!("That change was not made: {}.", trimmed(rule)),
            Refusal::Relay { rule, .. } => format!(
                "The relay refused a change made on this device: {}.",
                trimmed(rule)
            ),
        }
    }
}

/// The rule without the engine's prefix or a final full stop, to fit in a sentence.
fn trimmed(rule: &str) -> &str {
    rule.trim()
        .trim_start_matches("peer reported an error: ")
        .trim_end_matches('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_names_the_rule_in_one_sentence() {
        let relay = Refusal::Relay {
            rule: "clients cannot change an invoice's status".into(),
            doc: None,
        };
        assert_eq!(
            relay.sentence(),
            "The relay refused a change made on this device: clients cannot change an invoice's status."
        );
        assert_eq!(
            Refusal::Here("clients cannot change the timeline.".into()).sentence(),
            "That change was not made: clients cannot change the timeline."
        );
    }
}

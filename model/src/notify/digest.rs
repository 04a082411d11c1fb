//! Digests instead of a flood: what became waiting on a person is batched into one email once
//! nothing new has come for a quiet period (10 minutes), or after at most an hour of a steady
//! stream, and what they already saw in the app is left out.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

/// One thing that became waiting on a person (a task assigned, a document requested, a reply
/// on their task…), as the relay noticed it from a change it stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiting {
    /// Who it waits on (a token id, or an address).
    pub person: String,
    /// The item in the portal, for the link and for "already seen": `task:<id>`, …
    pub item: String,
    /// What the email says about it.
    pub line: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DigestRules {
    /// A digest goes once nothing new has come for this long…
    pub quiet: Duration,
    /// …or once its oldest item has waited this long, whatever keeps coming.
    pub max_wait: Duration,
}

impl Default for DigestRules {
    fn default() -> Self {
        Self {
            quiet: Duration::minutes(10),
            max_wait: Duration::hours(1),
        }
    }
}

/// One email to one person.
#[derive(Clone, Debug, PartialEq)]
pub struct Digest {
    pub person: String,
    /// Oldest first; one line per item (the newest news about it).
    pub items: Vec<Waiting>,
}

/// The digests due at `now` from what is pending, given when each person last saw each item
/// in the app (`seen[(person, item)]`). A person whose pending items were all seen gets
/// nothing. The caller drops what it sent (and what was seen) from `pending`.
pub fn due_digests(
    pending: &[Waiting],
    seen: &BTreeMap<(String, String), DateTime<Utc>>,
    now: DateTime<Utc>,
    rules: DigestRules,
) -> Vec<Digest> {
    let mut by_person: BTreeMap<&str, Vec<&Waiting>> = BTreeMap::new();
    for w in pending {
        by_person.entry(&w.person).or_default().push(w);
    }
    by_person
        .into_iter()
        .filter_map(|(person, items)| {
            let newest = items.iter().map(|w| w.at).max()?;
            let oldest = items.iter().map(|w| w.at).min()?;
            let quiet = now - newest >= rules.quiet;
            let waited = now - oldest >= rules.max_wait;
            if !(quiet || waited) {
                return None;
            }
            // The newest news per item, unless the person saw the item after it.
            let mut latest: BTreeMap<&str, &Waiting> = BTreeMap::new();
            for w in items {
                let keep = latest.get(w.item.as_str()).is_none_or(|l| w.at >= l.at);
                if keep {
                    latest.insert(&w.item, w);
                }
            }
            let mut unseen: Vec<Waiting> = latest
                .into_values()
                .filter(|w| {
                    seen.get(&(person.to_owned(), w.item.clone()))
                        .is_none_or(|s| *s < w.at)
                })
                .cloned()
                .collect();
            unseen.sort_by_key(|w| w.at);
            (!unseen.is_empty()).then(|| Digest {
                person: person.to_owned(),
                items: unseen,
            })
        })
        .collect()
}

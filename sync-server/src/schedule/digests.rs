//! Digests instead of a flood: on each pass the relay compares a portal's notices
//! (`threshold_model::notify::notice`) with the ones it knew on its last pass, and each new
//! one becomes a waiting item for every person on its side who should hear of it (never its
//! own author; for the provider, only what a client did). The model's `due_digests` decides
//! when one email per person goes: after ten quiet minutes, or an hour at most.
//!
//! What the relay knew, and what is waiting, is kept per portal in
//! `<data dir>/notify/<portal>.json`, rewritten whole and atomically, so a restart announces
//! nothing twice; a portal without that file is seen for the first time, and its current
//! notices are the baseline (nothing old is announced). Each digest is queued under a key
//! named by its person and its oldest item (`digest_key`) before the file drops what it
//! carried, so a crash between the two sends nothing twice either.
//!
//! "Already saw it in the app" is a proxy: a person one of whose tokens had a live `/sync`
//! connection at or after an item appeared ([`crate::presence`]) is not told of it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use threshold_model::access::Author;
use threshold_model::notify::{digest_key, due_digests, DigestRules, Notice, Waiting};
use threshold_model::portal::Assignee;
use threshold_protocol::DocumentId;

use super::letters;
use super::people::Person;
use crate::mail::{Mail, Sent};
use crate::storage::write_atomically;

const DIR: &str = "notify";

/// What the relay knows of one portal's notices between passes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PortalNews {
    /// The notice ids (`client/task:<id>`) the portal held on the last pass.
    pub known: BTreeSet<String>,
    /// New items not yet in a digest, per person.
    pub pending: Vec<Pending>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub person: String,
    pub item: String,
    pub line: String,
    pub view: String,
    /// When the relay first noticed it.
    pub at: DateTime<Utc>,
}

fn file(data_dir: &Path, portal: &DocumentId) -> PathBuf {
    // A document id is base58: a safe file name as it is.
    data_dir.join(DIR).join(format!("{portal}.json"))
}

/// `None` for a portal never seen before.
pub fn load(data_dir: &Path, portal: &DocumentId) -> io::Result<Option<PortalNews>> {
    match std::fs::read(file(data_dir, portal)) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(io::Error::other),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn save(data_dir: &Path, portal: &DocumentId, news: &PortalNews) -> io::Result<()> {
    std::fs::create_dir_all(data_dir.join(DIR))?;
    let json = serde_json::to_vec_pretty(news).map_err(io::Error::other)?;
    write_atomically(&file(data_dir, portal), &json)
}

/// Who is on each side of one portal, who wrote what, and when each person last had the app
/// open: what a digest pass needs besides the portal's notices.
pub struct Audience {
    pub client: Vec<Person>,
    pub provider: Vec<Person>,
    /// The portal's authors table (actor → token), from the relay's own bindings.
    pub authors: Vec<Author>,
    /// The latest moment any of a person's tokens was connected, by person id.
    pub seen: HashMap<String, DateTime<Utc>>,
}

impl Audience {
    fn side(&self, side: Assignee) -> &[Person] {
        match side {
            Assignee::Client => &self.client,
            Assignee::Provider => &self.provider,
        }
    }

    /// The side, person id and verified name of whoever made `actor`'s changes. A token no
    /// longer among the people (revoked, or without an email) is still a person: its own id.
    fn author(&self, actor: &str) -> Option<(Assignee, String, String)> {
        let a = self.authors.iter().find(|a| a.actor == actor)?;
        let side = if a.role.is_provider() {
            Assignee::Provider
        } else {
            Assignee::Client
        };
        let person = self
            .client
            .iter()
            .chain(&self.provider)
            .find(|p| p.tokens.contains(&a.token_id))
            .map(|p| p.id.clone())
            .unwrap_or_else(|| a.token_id.clone());
        Some((side, person, a.name.clone()))
    }
}

/// The names the digest letters use for the portal.
pub struct Names<'a> {
    pub client: &'a str,
    pub provider: &'a str,
}

/// One digest pass over one portal at `now`: note what is new, drop what was seen or no longer
/// waits, queue what is due. How many digests were queued.
pub fn digest_pass(
    mail: &Mail,
    data_dir: &Path,
    portal: DocumentId,
    notices: &[Notice],
    audience: &Audience,
    names: &Names<'_>,
    now: DateTime<Utc>,
) -> io::Result<usize> {
    let before = load(data_dir, &portal)?;
    let first = before.is_none();
    let before = before.unwrap_or_default();
    let mut news = before.clone();
    let current: BTreeSet<String> = notices.iter().map(Notice::id).collect();

    if !first {
        for n in notices.iter().filter(|n| !before.known.contains(&n.id())) {
            let author = n.by.as_deref().and_then(|a| audience.author(a));
            let made_by = author.as_ref().map(|(side, p, _)| (*side, p.as_str()));
            let who = author.as_ref().map(|(_, _, name)| name.as_str());
            for person in audience.side(n.side) {
                if n.tells(made_by, &person.id) {
                    news.pending.push(Pending {
                        person: person.id.clone(),
                        item: n.id(),
                        line: n.line(who),
                        view: n.view.to_owned(),
                        at: now,
                    });
                }
            }
        }
    }
    news.known = current.clone();
    // What no longer waits (done, withdrawn), what its person saw in the app, and what is
    // for someone no longer on the portal, goes no further.
    news.pending.retain(|p| {
        current.contains(&p.item)
            && audience.seen.get(&p.person).is_none_or(|s| *s < p.at)
            && audience
                .client
                .iter()
                .chain(&audience.provider)
                .any(|x| x.id == p.person)
    });

    let waiting: Vec<Waiting> = news
        .pending
        .iter()
        .map(|p| Waiting {
            person: p.person.clone(),
            item: p.item.clone(),
            line: p.line.clone(),
            at: p.at,
        })
        .collect();
    let mut queued = 0;
    let portal_id = portal.to_string();
    for digest in due_digests(&waiting, &BTreeMap::new(), now, DigestRules::default()) {
        let Some((side, person)) =
            [Assignee::Client, Assignee::Provider]
                .into_iter()
                .find_map(|s| {
                    audience
                        .side(s)
                        .iter()
                        .find(|p| p.id == digest.person)
                        .map(|p| (s, p))
                })
        else {
            continue;
        };
        let items: Vec<(String, String)> = digest
            .items
            .iter()
            .map(|w| {
                let view = news
                    .pending
                    .iter()
                    .find(|p| p.person == w.person && p.item == w.item)
                    .map_or("", |p| p.view.as_str());
                (
                    w.line.clone(),
                    letters::view_link(&mail.base_url, &portal, view),
                )
            })
            .collect();
        let first_at = digest.items.iter().map(|w| w.at).min().unwrap_or(now);
        let key = digest_key(&portal_id, &person.id, first_at);
        let letter = letters::digest(
            person.to.clone(),
            side,
            &items,
            names.client,
            names.provider,
        );
        let done = match mail.send_keyed(&letter, Some(&key)) {
            Ok(Sent::Queued { .. }) => {
                queued += 1;
                true
            }
            // Sent before (a pass that crashed before this file was written), or not wanted:
            // either way these items are done with.
            Ok(Sent::Already { .. } | Sent::TurnedOff | Sent::Unsubscribed) => true,
            Err(e) => {
                tracing::error!(%key, error = %e, "a digest could not be queued");
                false
            }
        };
        if done {
            let sent: BTreeSet<&str> = digest.items.iter().map(|w| w.item.as_str()).collect();
            news.pending
                .retain(|p| p.person != digest.person || !sent.contains(p.item.as_str()));
        }
    }
    if first || news != before {
        save(data_dir, &portal, &news)?;
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::config::{mailbox, SmtpUrl};
    use crate::mail::MailConfig;
    use chrono::{Duration, TimeZone};
    use threshold_model::access::Role;

    fn mail(dir: &Path) -> Mail {
        let config = MailConfig {
            smtp: SmtpUrl::parse("smtp://127.0.0.1:2525").unwrap(),
            from: mailbox("Harbor Studio <portal@harbor.example>").unwrap(),
            reply_to: None,
            max_backoff: std::time::Duration::from_secs(1),
        };
        Mail::open(config, dir, "https://portal.example").unwrap()
    }

    fn person(id: &str, address: &str, token: &str) -> Person {
        Person {
            id: id.into(),
            to: address.parse().unwrap(),
            offset: None,
            tokens: vec![token.into()],
        }
    }

    fn audience() -> Audience {
        Audience {
            client: vec![person("dana", "Dana Reyes <dana@acme.example>", "t-dana")],
            provider: vec![person("zoe", "Zoë <zoe@harbor.example>", "t-zoe")],
            authors: vec![
                Author {
                    actor: "cc".into(),
                    token_id: "t-dana".into(),
                    name: "Dana Reyes".into(),
                    role: Role::Client,
                },
                Author {
                    actor: "aa".into(),
                    token_id: "t-zoe".into(),
                    name: "Zoë".into(),
                    role: Role::Owner,
                },
            ],
            seen: HashMap::new(),
        }
    }

    fn waiting(key: &str, view: &'static str) -> Notice {
        Notice {
            key: key.into(),
            side: Assignee::Client,
            text: format!("A task for you: {key}"),
            view,
            by: Some("aa".into()),
            act: false,
        }
    }

    fn act(key: &str, actor: &str) -> Notice {
        Notice {
            key: key.into(),
            side: Assignee::Provider,
            text: format!("commented on {key}"),
            view: "plan",
            by: Some(actor.into()),
            act: true,
        }
    }

    const NAMES: Names<'static> = Names {
        client: "Acme",
        provider: "Harbor Studio",
    };

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
    }

    /// Passes every minute from `from` for `minutes`, with the notices `at(minute)` names;
    /// the digest keys queued, each with the minute of the pass that queued it.
    fn simulate(
        mail: &Mail,
        dir: &Path,
        portal: DocumentId,
        audience: &Audience,
        from: DateTime<Utc>,
        minutes: i64,
        at: impl Fn(i64) -> Vec<Notice>,
    ) -> Vec<(String, i64)> {
        let mut queued = Vec::new();
        for m in 0..minutes {
            let now = from + Duration::minutes(m);
            let before: BTreeSet<String> = mail
                .outbox
                .pending()
                .unwrap()
                .into_iter()
                .map(|q| q.id)
                .collect();
            digest_pass(mail, dir, portal, &at(m), audience, &NAMES, now).unwrap();
            for q in mail.outbox.pending().unwrap() {
                if !before.contains(&q.id) {
                    queued.push((q.id, m));
                }
            }
        }
        queued
    }

    #[test]
    fn new_items_go_in_one_digest_after_ten_quiet_minutes_and_nothing_old_or_twice() {
        let dir = tempfile::tempdir().unwrap();
        let mail = mail(dir.path());
        let portal = DocumentId::random();
        let audience = audience();
        // The portal already had task A when the relay first saw it; B and the W-9 came at
        // minute 3, C at minute 8.
        let notices = |m: i64| {
            let mut n = vec![waiting("task:a", "plan")];
            if m >= 3 {
                n.push(waiting("task:b", "plan"));
                n.push(waiting("document:w9", "documents"));
            }
            if m >= 8 {
                n.push(waiting("task:c", "plan"));
            }
            n
        };
        let queued = simulate(
            &mail,
            dir.path(),
            portal,
            &audience,
            start(),
            24 * 60,
            notices,
        );
        assert_eq!(queued.len(), 1, "{queued:?}");
        let (key, minute) = &queued[0];
        assert_eq!(*minute, 18, "ten quiet minutes after the last new item");
        assert!(key.starts_with(&format!("digest-{portal}-dana-20260302T090300")));
        let raw = mail.outbox.find(key).unwrap().unwrap().raw;
        // Quoted-printable: undo the soft line breaks.
        let body = raw.replace("=\r\n", "").replace("=\n", "");
        assert!(body.contains("task:b") && body.contains("task:c") && body.contains("document:w9"));
        assert!(!body.contains("task:a"), "the baseline is not news");
        assert!(
            body.contains(&format!("portal.example/#/portal/{portal}/documents")),
            "{body}"
        );

        // A restart (the state is on disk) announces nothing again.
        let later = start() + Duration::days(1);
        let queued = simulate(&mail, dir.path(), portal, &audience, later, 60, |_| {
            notices(100)
        });
        assert!(queued.is_empty(), "{queued:?}");
    }

    #[test]
    fn a_person_online_when_it_happened_gets_nothing_and_nobody_hears_of_their_own_action() {
        let dir = tempfile::tempdir().unwrap();
        let mail = mail(dir.path());
        let portal = DocumentId::random();
        let mut audience = audience();
        // Dana had the app open until minute 5; Zoë never.
        audience
            .seen
            .insert("dana".into(), start() + Duration::minutes(5));
        let notices = |m: i64| {
            let mut n = Vec::new();
            if m >= 2 {
                // Zoë assigned a task, and commented on it (her own comment); Dana replied.
                n.push(waiting("task:b", "plan"));
                n.push(act("comment:z", "aa"));
                n.push(act("comment:d", "cc"));
            }
            n
        };
        let queued = simulate(&mail, dir.path(), portal, &audience, start(), 120, notices);
        assert_eq!(queued.len(), 1, "only Zoë's: {queued:?}");
        assert!(queued[0].0.contains("-zoe-"));
        let body = mail.outbox.find(&queued[0].0).unwrap().unwrap().raw;
        assert!(body.contains("comment:d"), "what the client did");
        assert!(!body.contains("comment:z"), "not her own comment");
    }
}

//! The relay's scheduled mail: due reminders, follow-ups and digests ([`digests`]), run by
//! one task over the workspace's portals.
//!
//! A pass reads the provider's workspace for its list of portals (nothing else of it), then each
//! portal, one at a time, with `Hub::inspect` (in memory on the engine thread for as long as the
//! model's readers take, or from storage on a blocking thread), runs the model's rules
//! (`threshold_model::notify`) at the clock's `now`, and queues what they name through
//! `Mail::send_keyed` under a stable key (`threshold_model::notify::mail_key`). The outbox
//! queues at most once per key, across restarts and SIGKILL, so a pass is idempotent: running
//! it every minute, after a restart, or twice at once sends nothing twice.
//!
//! Passes run every minute of real time, at the next morning the rules name (when sooner), and
//! at once whenever the test clock moves ([`crate::clock`]).

pub mod digests;
pub mod letters;
pub mod people;
pub mod portal_facts;
mod reminded;

pub use reminded::Records;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use threshold_model::notify::{
    due_follow_ups, due_reminders, follow_up_key, reminder::next_run, reminder_key, Reminder,
};
use threshold_model::offboarding::FollowUpMode;
use threshold_model::portal::Assignee;
use threshold_model::workspace::read_workspace;
use threshold_protocol::DocumentId;

use crate::clock::Clock;
use crate::hub::Hub;
use crate::mail::{Letter, Mail, Sent};
use crate::presence::Presence;
use crate::storage::Storage;
use crate::token_store::{AccessState, TokenStore};
use people::{client_side, provider_side, Person};
use portal_facts::PortalFacts;

/// The longest a pass waits for the next one in real time.
pub const PASS_EVERY: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Scheduler {
    pub clock: Clock,
    pub hub: Hub,
    /// The relay's documents, for portals not in memory (read off the engine thread).
    pub docs: Arc<dyn Storage + Send + Sync>,
    pub tokens: TokenStore,
    pub mail: Mail,
    /// The relay's data directory: digests keep what they knew of each portal under it.
    pub data_dir: PathBuf,
    /// Where the reminders sent are recorded (the data dir, or the relays' database).
    pub records: Records,
    /// With several relays on one database, only the relay holding this lock runs passes, so
    /// each letter goes once; `None` with one relay.
    pub leader: Option<Arc<crate::postgres::leader::Leadership>>,
    /// Who has the app open, for what a digest counts as seen.
    pub presence: Presence,
}

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassReport {
    pub portals: usize,
    pub queued: usize,
}

impl Scheduler {
    /// Run passes for the relay's life.
    pub async fn run(self) {
        let mut moves = self.clock.moves();
        loop {
            let now = self.clock.now();
            let (report, next) = if self.leads().await {
                self.pass(now).await
            } else {
                (PassReport::default(), None)
            };
            if report.queued > 0 {
                tracing::info!(
                    portals = report.portals,
                    queued = report.queued,
                    "scheduled mail queued"
                );
            }
            self.clock.passed(now);
            let wait = match next {
                Some(at) if !self.clock.is_manual() => (at - self.clock.now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(PASS_EVERY),
                _ => PASS_EVERY,
            };
            tokio::select! {
                _ = moves.next() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Whether this relay runs the passes: always alone; among several relays on one database,
    /// while it holds the scheduler's lock (taking it if it is free).
    async fn leads(&self) -> bool {
        let Some(leader) = self.leader.clone() else {
            return true;
        };
        tokio::task::spawn_blocking(move || leader.hold())
            .await
            .unwrap_or(false)
    }

    /// One pass at `now`: what it queued, and the next moment the rules name.
    pub async fn pass(&self, now: DateTime<Utc>) -> (PassReport, Option<DateTime<Utc>>) {
        let mut report = PassReport::default();
        let access = self.tokens.snapshot();
        let Some(workspace) = access.workspace else {
            return (report, None);
        };
        let portals: Vec<DocumentId> = self
            .hub
            .inspect(workspace, self.docs.clone(), |doc| {
                doc.and_then(|d| read_workspace(d).ok())
                    .map(|w| w.portals.into_iter().map(|p| p.id).collect())
            })
            .await
            .flatten()
            .unwrap_or_default();
        let access = Arc::new(access);
        let mut next: Option<DateTime<Utc>> = None;
        for portal in portals {
            let Some(facts) = self
                .hub
                .inspect(portal, self.docs.clone(), |doc| {
                    doc.and_then(PortalFacts::read)
                })
                .await
                .flatten()
            else {
                continue;
            };
            report.portals += 1;
            let mail = self.mail.clone();
            let access = access.clone();
            let data_dir = self.data_dir.clone();
            let records = self.records.clone();
            let presence = self.presence.clone();
            let docs = self.docs.clone();
            // Outbox look-ups and writes are blocking file I/O.
            let done = tokio::task::spawn_blocking(move || {
                let (queued, at) = portal_pass(&mail, &access, &records, portal, &facts, now);
                let places = DigestPlaces {
                    data_dir: &data_dir,
                    records: docs.as_ref(),
                };
                let digests = digest_portal(&mail, &access, &presence, places, portal, &facts, now);
                (queued + digests, at)
            })
            .await;
            match done {
                Ok((queued, at)) => {
                    report.queued += queued;
                    next = match (next, at) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
                Err(e) => tracing::error!(%portal, error = %e, "a scheduler pass failed"),
            }
        }
        (report, next)
    }
}

/// The outbox key of one reminder letter: its portal, person and a hash of the item keys it
/// covers, so the same letter is the same key after a crash, and a new item makes a new one.
fn reminder_letter_key(portal: &str, person: &str, items: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for item in items {
        hash.update(item.as_bytes());
        hash.update([0]);
    }
    let hash = hex::encode(&hash.finalize()[..8]);
    format!("reminder-{portal}-{person}-{hash}")
}

/// Queue one letter under `key`; whether it was new. Errors are logged, and the next pass
/// tries again (nothing was queued under the key).
fn queue(mail: &Mail, letter: &Letter, key: &str) -> bool {
    match mail.send_keyed(letter, Some(key)) {
        Ok(Sent::Queued { .. }) => true,
        // Not wanted now: nothing is kept under the key, so a person who turns their mail back
        // on gets what still applies then.
        Ok(Sent::Already { .. } | Sent::Unsubscribed | Sent::TurnedOff) => false,
        Err(e) => {
            tracing::error!(%key, error = %e, "scheduled mail could not be queued");
            false
        }
    }
}

/// Where a digest pass reads: its own state under the data dir (per relay), and the portal's
/// verified authors in the relay's storage (the data dir's files, or the relays' database).
struct DigestPlaces<'a> {
    data_dir: &'a Path,
    records: &'a (dyn Storage + Send + Sync),
}

/// The digest pass of one portal: its people, authors and presence gathered for
/// [`digests::digest_pass`]. Errors are logged; the next pass tries again.
fn digest_portal(
    mail: &Mail,
    access: &AccessState,
    presence: &Presence,
    places: DigestPlaces<'_>,
    portal: DocumentId,
    facts: &PortalFacts,
    now: DateTime<Utc>,
) -> usize {
    let DigestPlaces { data_dir, records } = places;
    let (client, provider) = sides(mail, access, portal);
    let authors = match crate::authors::read(records, &portal) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(%portal, error = %e, "the portal's authors could not be read");
            return 0;
        }
    };
    let seen = client
        .iter()
        .chain(&provider)
        .filter_map(|p| {
            let last = p
                .tokens
                .iter()
                .filter_map(|t| presence.last_seen(t))
                .max()?;
            Some((p.id.clone(), last))
        })
        .collect();
    let audience = digests::Audience {
        client,
        provider,
        authors,
        seen,
    };
    let names = digests::Names {
        client: &facts.client_name,
        provider: &provider_name(mail, facts),
    };
    match digests::digest_pass(
        mail,
        data_dir,
        portal,
        &facts.notices,
        &audience,
        &names,
        now,
    ) {
        Ok(n) => n,
        Err(e) => {
            tracing::error!(%portal, error = %e, "a digest pass failed");
            0
        }
    }
}

/// The provider's name for letters: the portal's brand, else the sender's name.
fn provider_name(mail: &Mail, facts: &PortalFacts) -> String {
    match facts.provider.trim() {
        "" => mail.from().name.clone().unwrap_or_default(),
        name => name.to_owned(),
    }
}

/// Who stands for the provider when no provider token has an email: the provider's reply-to
/// (the workspace's, else the relay's), else the sending address.
fn provider_fallback(mail: &Mail) -> Mailbox {
    mail.sender
        .get()
        .reply_to
        .parse::<Mailbox>()
        .ok()
        .or_else(|| mail.config.reply_to.clone())
        .unwrap_or_else(|| mail.from())
}

/// The client's people (who may act: not read-only) and the provider's.
fn sides(mail: &Mail, access: &AccessState, portal: DocumentId) -> (Vec<Person>, Vec<Person>) {
    (
        client_side(access, portal, false),
        provider_side(access, Some(&provider_fallback(mail))),
    )
}

/// Reminders and follow-ups for one portal at `now`: how many letters were queued, and the
/// next morning of anyone it concerns.
fn portal_pass(
    mail: &Mail,
    access: &AccessState,
    records: &Records,
    portal: DocumentId,
    facts: &PortalFacts,
    now: DateTime<Utc>,
) -> (usize, Option<DateTime<Utc>>) {
    let fallback = provider_fallback(mail);
    let fallback = Some(&fallback);
    let provider_name = provider_name(mail, facts);
    let base = &mail.base_url;
    let portal_id = portal.to_string();
    let mut queued = 0;
    // The reminders already sent (each item, date, moment and person), so that one letter per
    // person lists only what is new; what is no longer due is forgotten at the end.
    let mut reminded = reminded::load(records, &portal);
    let mut still_due = std::collections::BTreeSet::new();
    let mut everyone: Vec<Person> = Vec::new();

    if facts.in_progress() {
        for side in [Assignee::Client, Assignee::Provider] {
            let owed: Vec<_> = facts
                .owed
                .iter()
                .filter(|o| o.side == side)
                .cloned()
                .collect();
            if owed.is_empty() {
                continue;
            }
            let people = match side {
                Assignee::Client => client_side(access, portal, false),
                Assignee::Provider => provider_side(access, fallback),
            };
            for person in people {
                // What is due for this person and not yet reminded, in one letter.
                let due: Vec<(Reminder, String, String)> =
                    due_reminders(&owed, now, person.offset, &Default::default())
                        .into_iter()
                        .map(|r| {
                            let key = reminder_key(
                                &portal_id,
                                &r.item.key,
                                r.item.due,
                                r.when,
                                &person.id,
                            );
                            let view = if r.item.key.starts_with("document:") {
                                "documents"
                            } else {
                                "plan"
                            };
                            (r, key, letters::view_link(base, &portal, view))
                        })
                        .inspect(|(_, key, _)| {
                            still_due.insert(key.clone());
                        })
                        .filter(|(_, key, _)| !reminded.contains(key))
                        .collect();
                let listed: Vec<(Reminder, String)> = due
                    .iter()
                    .map(|(r, _, link)| (r.clone(), link.clone()))
                    .collect();
                if let Some(letter) = letters::reminders(
                    person.to.clone(),
                    &listed,
                    &facts.client_name,
                    &provider_name,
                ) {
                    let keys: Vec<String> = due.into_iter().map(|(_, key, _)| key).collect();
                    // One key for the letter, from the items it covers: a pass that queued it
                    // but died before `reminded` was saved finds it again and sends nothing.
                    let key = reminder_letter_key(&portal_id, &person.id, &keys);
                    match mail.send_keyed(&letter, Some(&key)) {
                        Ok(Sent::Queued { .. }) => {
                            queued += 1;
                            reminded.extend(keys);
                        }
                        Ok(Sent::Already { .. }) => reminded.extend(keys),
                        // Not wanted now: not marked, so a person who turns reminders back on
                        // gets what still applies then.
                        Ok(Sent::Unsubscribed | Sent::TurnedOff) => {}
                        Err(e) => {
                            tracing::error!(%key, error = %e, "a reminder could not be queued")
                        }
                    }
                }
                everyone.push(person);
            }
        }
    }

    reminded.retain(|key| still_due.contains(key));
    if let Err(e) = reminded::save(records, &portal, &reminded) {
        tracing::error!(%portal, error = %e, "the reminders sent could not be recorded");
    }

    for f in facts.follow_ups.iter().filter(|f| f.done_at.is_none()) {
        let people = match f.mode {
            FollowUpMode::EmailClient => client_side(access, portal, true),
            FollowUpMode::RemindMe => provider_side(access, fallback),
        };
        for person in people {
            if due_follow_ups(std::slice::from_ref(f), now, person.offset).is_empty() {
                everyone.push(person);
                continue;
            }
            let key = follow_up_key(&portal_id, &f.key, &person.id);
            let letter = match f.mode {
                FollowUpMode::EmailClient => letters::follow_up_to_client(
                    person.to.clone(),
                    f,
                    &facts.client_name,
                    &provider_name,
                ),
                FollowUpMode::RemindMe => letters::follow_up_to_provider(
                    person.to.clone(),
                    f,
                    &facts.client_name,
                    &letters::view_link(base, &portal, "offboarding"),
                ),
            };
            queued += usize::from(queue(mail, &letter, &key));
        }
    }
    let next = everyone.iter().map(|p| next_run(now, p.offset)).min();
    (queued, next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::config::{mailbox, SmtpUrl};
    use crate::mail::MailConfig;
    use chrono::{NaiveDate, TimeZone};
    use threshold_model::access::NewToken;
    use threshold_model::notify::Owed;
    use threshold_model::offboarding::FollowUp;
    use threshold_model::portal::Stage;

    fn mail(dir: &std::path::Path) -> Mail {
        let config = MailConfig {
            smtp: SmtpUrl::parse("smtp://127.0.0.1:2525").unwrap(),
            from: mailbox("Harbor Studio <portal@harbor.example>").unwrap(),
            reply_to: Some(mailbox("Zoë <zoe@harbor.example>").unwrap()),
            max_backoff: Duration::from_secs(1),
        };
        Mail::open(config, dir, "https://portal.example").unwrap()
    }

    fn client(portal: DocumentId, email: &str, offset: Option<i32>) -> crate::token::TokenRecord {
        let mut t = crate::token::mint(
            NewToken {
                role: threshold_model::access::Role::Client,
                portal: Some(portal),
                read_only: false,
                name: "Dana Reyes".into(),
                email: Some(email.into()),
            },
            Utc::now(),
        )
        .unwrap()
        .record;
        t.utc_offset_minutes = offset;
        t
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    /// Run passes every half hour over `days` from 1 March, as the relay would: each key
    /// queued, with the time of the pass that queued it.
    fn simulate(
        mail: &Mail,
        access: &AccessState,
        dir: &Path,
        portal: DocumentId,
        facts: &PortalFacts,
        days: i64,
    ) -> std::collections::BTreeMap<String, DateTime<Utc>> {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let mut first = std::collections::BTreeMap::new();
        let mut now = start;
        while now < start + chrono::Duration::days(days) {
            if portal_pass(
                mail,
                access,
                &Records::Dir(dir.to_owned()),
                portal,
                facts,
                now,
            )
            .0 > 0
            {
                for q in mail.outbox.pending().unwrap() {
                    first.entry(q.id).or_insert(now);
                }
            }
            now += chrono::Duration::minutes(30);
        }
        assert_eq!(
            mail.outbox.pending().unwrap().len(),
            first.len(),
            "each key once"
        );
        first
    }

    #[test]
    fn passes_over_a_month_queue_each_reminder_and_follow_up_once_to_the_side_that_owes_it() {
        let dir = tempfile::tempdir().unwrap();
        let mail = mail(dir.path());
        let portal = DocumentId::random();
        let access = AccessState {
            workspace: None,
            tokens: vec![
                client(portal, "dana@acme.example", Some(60)),
                // The same person on another device: one letter, not two.
                client(portal, "Dana@acme.example", None),
                client(DocumentId::random(), "other@else.example", None),
            ],
        };
        let mut facts = PortalFacts {
            client_name: "Acme".into(),
            provider: "Harbor Studio".into(),
            stage: Stage::Active,
            owed: vec![
                Owed {
                    key: "task:a".into(),
                    title: "Sign".into(),
                    side: Assignee::Client,
                    due: day(10),
                },
                Owed {
                    key: "task:b".into(),
                    title: "Deliver".into(),
                    side: Assignee::Provider,
                    due: day(20),
                },
            ],
            follow_ups: vec![FollowUp {
                key: "m3".into(),
                months: 3,
                due: day(15),
                done_at: None,
                note: String::new(),
                mode: FollowUpMode::EmailClient,
                message: "How are things?".into(),
            }],
            notices: Vec::new(),
        };
        let queued = simulate(&mail, &access, dir.path(), portal, &facts, 31);
        let dana = people::person_id("dana@acme.example");
        let zoe = people::person_id("zoe@harbor.example");
        let p = portal.to_string();
        // Each letter: to whom, its subject, and the pass that queued it.
        let mut letters: Vec<(String, String, DateTime<Utc>)> = queued
            .iter()
            .map(|(key, at)| {
                let q = mail.outbox.find(key).unwrap().unwrap();
                let subject = q
                    .raw
                    .lines()
                    .find_map(|l| l.strip_prefix("Subject: "))
                    .unwrap()
                    .to_owned();
                (q.to.join(","), subject, *at)
            })
            .collect();
        letters.sort_by_key(|l| l.2);
        let at = |d, h| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
        // The client's reminders at 08:00 in their UTC+1 morning; the provider's (no time zone
        // known) at 08:00 UTC; the follow-up on its date.
        assert_eq!(
            letters,
            [
                (
                    "dana@acme.example".into(),
                    "Due tomorrow: Sign".into(),
                    at(9, 7)
                ),
                (
                    "dana@acme.example".into(),
                    "Due today: Sign".into(),
                    at(10, 7)
                ),
                (
                    "dana@acme.example".into(),
                    "Overdue: Sign".into(),
                    at(11, 7)
                ),
                (
                    "dana@acme.example".into(),
                    "Checking in from Harbor Studio".into(),
                    at(15, 7)
                ),
                (
                    "zoe@harbor.example".into(),
                    "Due tomorrow: Deliver".into(),
                    at(19, 8)
                ),
                (
                    "zoe@harbor.example".into(),
                    "Due today: Deliver".into(),
                    at(20, 8)
                ),
                (
                    "zoe@harbor.example".into(),
                    "Overdue: Deliver".into(),
                    at(21, 8)
                ),
            ]
        );
        assert!(queued.contains_key(&format!("follow-up-{p}-m3-{dana}")));
        assert!(queued
            .keys()
            .any(|k| k.starts_with(&format!("reminder-{p}-{zoe}-"))));
        let first = mail
            .outbox
            .find(
                queued
                    .keys()
                    .find(|k| k.contains(&dana) && k.starts_with("reminder"))
                    .unwrap(),
            )
            .unwrap()
            .unwrap();
        assert_eq!(first.to, ["dana@acme.example"]);
        assert!(first.raw.contains("portal.example/#/portal/"));

        // Once the portal is alumni its tasks are not chased; follow-ups still go (keyed: once).
        let dir = tempfile::tempdir().unwrap();
        let mail = self::mail(dir.path());
        facts.stage = Stage::Alumni;
        facts.follow_ups[0].mode = FollowUpMode::RemindMe;
        let queued = simulate(&mail, &access, dir.path(), portal, &facts, 31);
        assert_eq!(
            queued.keys().collect::<Vec<_>>(),
            [&format!("follow-up-{p}-m3-{zoe}")]
        );
    }

    #[test]
    fn many_things_due_at_once_make_one_letter_and_a_later_one_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let mail = mail(dir.path());
        let portal = DocumentId::random();
        let access = AccessState {
            workspace: None,
            tokens: vec![client(portal, "dana@acme.example", Some(0))],
        };
        let task = |n: usize| Owed {
            key: format!("task:{n}"),
            title: format!("Task {n}"),
            side: Assignee::Client,
            due: day(10),
        };
        let mut facts = PortalFacts {
            client_name: "Acme".into(),
            provider: "Harbor Studio".into(),
            stage: Stage::Active,
            owed: (0..300).map(task).collect(),
            follow_ups: Vec::new(),
            notices: Vec::new(),
        };
        let morning = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();
        let records = Records::Dir(dir.path().to_owned());
        let pass_at =
            |facts: &PortalFacts, now| portal_pass(&mail, &access, &records, portal, facts, now).0;
        assert_eq!(pass_at(&facts, morning), 1);
        let pending = mail.outbox.pending().unwrap();
        assert_eq!(pending.len(), 1, "three hundred tasks, one email");
        assert!(pending[0].raw.contains("300 things due"));
        assert!(pending[0].raw.contains("280 more"));
        // The next pass, and a restart (the state is on disk), send nothing more.
        let later = morning + chrono::Duration::minutes(30);
        assert_eq!(pass_at(&facts, later), 0);
        // A task added later gets a letter of its own, naming only it.
        facts.owed.push(Owed {
            title: "New one".into(),
            ..task(300)
        });
        let after = later + chrono::Duration::minutes(30);
        assert_eq!(pass_at(&facts, after), 1);
        let newest = mail
            .outbox
            .pending()
            .unwrap()
            .into_iter()
            .find(|q| q.id != pending[0].id)
            .unwrap();
        assert!(
            newest.raw.contains("Subject: Due today: New one"),
            "{}",
            newest.raw
        );
    }
}

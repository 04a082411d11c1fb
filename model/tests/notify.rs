//! Reminders and digests over days of simulated time: the rules are run every few minutes, as
//! the relay's scheduler would, and what they return is "sent".

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Timelike, Utc};
use threshold_model::doc::ExchangeId;
use threshold_model::notify::reminder::{next_run, when_due};
use threshold_model::notify::{
    due_digests, due_reminders, owed_exchange, owed_tasks, DigestRules, DueWhen, Owed, Reminder,
    Waiting, SEND_AT_HOUR,
};
use threshold_model::onboarding::{Direction, ExchangeItem, ExchangeStatus};
use threshold_model::portal::{Assignee, Task, TaskId, TaskStatus};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn owed(key: &str, due: NaiveDate, side: Assignee) -> Owed {
    Owed {
        key: key.into(),
        title: key.into(),
        side,
        due,
    }
}

/// Run the reminder rules every `step` from `start` for `days`, remembering what was sent.
fn simulate(
    items: &[Owed],
    offset: Option<FixedOffset>,
    start: DateTime<Utc>,
    days: i64,
    step: Duration,
    down: impl Fn(DateTime<Utc>) -> bool,
) -> Vec<(DateTime<Utc>, Reminder)> {
    let mut sent = BTreeSet::new();
    let mut log = Vec::new();
    let mut now = start;
    while now < start + Duration::days(days) {
        if !down(now) {
            for r in due_reminders(items, now, offset, &sent) {
                sent.insert(r.key());
                log.push((now, r));
            }
        }
        now += step;
    }
    log
}

#[test]
fn a_task_gets_one_reminder_the_day_before_one_on_the_day_and_one_when_overdue() {
    let items = [owed("task:a", day(10), Assignee::Client)];
    let start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let log = simulate(&items, None, start, 20, Duration::minutes(15), |_| false);
    let whens: Vec<(NaiveDate, DueWhen)> = log
        .iter()
        .map(|(at, r)| (at.date_naive(), r.when))
        .collect();
    assert_eq!(
        whens,
        [
            (day(9), DueWhen::Tomorrow),
            (day(10), DueWhen::Today),
            (day(11), DueWhen::Overdue)
        ]
    );
    assert!(log
        .iter()
        .all(|(at, _)| at.hour() == SEND_AT_HOUR && at.minute() == 0));
    assert!(log.iter().all(|(_, r)| r.item.side == Assignee::Client));
}

#[test]
fn reminders_follow_the_persons_time_zone() {
    // Eight in the morning in Auckland (UTC+13 in March) is the evening before in UTC.
    let auckland = FixedOffset::east_opt(13 * 3600);
    let items = [owed("task:a", day(10), Assignee::Provider)];
    let start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let log = simulate(&items, auckland, start, 20, Duration::minutes(15), |_| {
        false
    });
    let first = log[0].0;
    assert_eq!(first, Utc.with_ymd_and_hms(2026, 3, 8, 19, 0, 0).unwrap());
    assert_eq!(first.with_timezone(&auckland.unwrap()).date_naive(), day(9));
    assert_eq!(log.len(), 3);
}

#[test]
fn a_reminder_missed_while_the_relay_was_down_is_not_sent_late() {
    let items = [owed("doc:w9", day(10), Assignee::Client)];
    let start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    // Down the whole of the 9th: "due tomorrow" never goes; "due today" does.
    let down = |now: DateTime<Utc>| now.date_naive() == day(9);
    let log = simulate(&items, None, start, 20, Duration::minutes(15), down);
    let whens: Vec<DueWhen> = log.iter().map(|(_, r)| r.when).collect();
    assert_eq!(whens, [DueWhen::Today, DueWhen::Overdue]);
}

#[test]
fn when_due_counts_calendar_days() {
    assert_eq!(when_due(day(10), day(8)), None);
    assert_eq!(when_due(day(10), day(9)), Some(DueWhen::Tomorrow));
    assert_eq!(when_due(day(10), day(10)), Some(DueWhen::Today));
    assert_eq!(when_due(day(10), day(30)), Some(DueWhen::Overdue));
}

fn task(title: &str, assignee: Assignee, done: bool, due: Option<NaiveDate>) -> Task {
    Task {
        id: TaskId::new(),
        title: title.into(),
        done,
        status: if done {
            TaskStatus::Done
        } else {
            TaskStatus::Todo
        },
        assignee,
        person: None,
        created_at: None,
        due,
        comments: Vec::new(),
    }
}

fn document(
    name: &str,
    direction: Direction,
    status: ExchangeStatus,
    invoice: bool,
) -> ExchangeItem {
    ExchangeItem {
        id: ExchangeId::new(),
        name: name.into(),
        direction,
        status,
        due: Some(day(10)),
        link: String::new(),
        note: String::new(),
        invoice,
    }
}

#[test]
fn what_is_owed_and_by_whom_done_and_undated_things_owe_nothing() {
    let tasks = [
        task("Send brand guide", Assignee::Client, false, Some(day(10))),
        task("Kickoff deck", Assignee::Provider, false, Some(day(11))),
        task("Done already", Assignee::Client, true, Some(day(10))),
        task("Someday", Assignee::Client, false, None),
    ];
    let owed = owed_tasks(&tasks);
    let who: Vec<(&str, Assignee)> = owed.iter().map(|o| (o.title.as_str(), o.side)).collect();
    assert_eq!(
        who,
        [
            ("Send brand guide", Assignee::Client),
            ("Kickoff deck", Assignee::Provider)
        ]
    );

    let docs = [
        document("W-9", Direction::WeNeed, ExchangeStatus::Requested, false),
        document(
            "Contract",
            Direction::WeSend,
            ExchangeStatus::Requested,
            false,
        ),
        document(
            "Deposit invoice",
            Direction::WeSend,
            ExchangeStatus::Sent,
            true,
        ),
        document(
            "Signed NDA",
            Direction::WeNeed,
            ExchangeStatus::Signed,
            false,
        ),
        document(
            "Paid invoice",
            Direction::WeSend,
            ExchangeStatus::Paid,
            true,
        ),
    ];
    let owed = owed_exchange(&docs);
    let who: Vec<(&str, Assignee)> = owed.iter().map(|o| (o.title.as_str(), o.side)).collect();
    assert_eq!(
        who,
        [
            ("W-9", Assignee::Client),
            ("Contract", Assignee::Provider),
            ("Deposit invoice", Assignee::Client)
        ]
    );
}

#[test]
fn the_scheduler_next_wakes_at_the_next_local_morning() {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
    assert_eq!(
        next_run(now, None),
        Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap()
    );
    let early = Utc.with_ymd_and_hms(2026, 3, 1, 3, 0, 0).unwrap();
    assert_eq!(
        next_run(early, None),
        Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
    );
}

fn waiting(person: &str, item: &str, at: DateTime<Utc>) -> Waiting {
    Waiting {
        person: person.into(),
        item: item.into(),
        line: format!("{item} for {person}"),
        at,
    }
}

/// Run the digest rules every minute over `minutes`, with events arriving at their times.
fn run_digests(
    events: &[Waiting],
    seen: &BTreeMap<(String, String), DateTime<Utc>>,
    start: DateTime<Utc>,
    minutes: i64,
) -> Vec<(DateTime<Utc>, Vec<String>)> {
    let mut pending: Vec<Waiting> = Vec::new();
    let mut out = Vec::new();
    for m in 0..=minutes {
        let now = start + Duration::minutes(m);
        pending.extend(events.iter().filter(|e| e.at == now).cloned());
        for d in due_digests(&pending, seen, now, DigestRules::default()) {
            pending.retain(|w| w.person != d.person);
            out.push((now, d.items.iter().map(|w| w.item.clone()).collect()));
        }
        // What a person saw entirely is dropped without an email.
        pending.retain(|w| {
            seen.get(&(w.person.clone(), w.item.clone()))
                .is_none_or(|s| *s < w.at)
        });
    }
    out
}

#[test]
fn events_close_together_make_one_digest_after_ten_quiet_minutes() {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    let events = [
        waiting("dana", "task:a", t0),
        waiting("dana", "task:b", t0 + Duration::minutes(4)),
        waiting("dana", "task:a", t0 + Duration::minutes(7)),
        waiting("sam", "doc:w9", t0 + Duration::minutes(1)),
    ];
    let out = run_digests(&events, &BTreeMap::new(), t0, 24 * 60);
    assert_eq!(
        out,
        [
            (t0 + Duration::minutes(11), vec!["doc:w9".to_owned()]),
            (
                t0 + Duration::minutes(17),
                vec!["task:b".to_owned(), "task:a".to_owned()]
            ),
        ],
        "one email per person, one line per item, after the quiet period"
    );
}

#[test]
fn a_steady_stream_still_sends_within_the_hour_and_seen_items_are_skipped() {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
    // A new comment every 5 minutes for three hours.
    let events: Vec<Waiting> = (0..36)
        .map(|n| {
            waiting(
                "dana",
                &format!("comment:{n}"),
                t0 + Duration::minutes(5 * n),
            )
        })
        .collect();
    let out = run_digests(&events, &BTreeMap::new(), t0, 5 * 60);
    assert!(out.len() >= 3, "{out:?}");
    assert_eq!(
        out[0].0,
        t0 + Duration::hours(1),
        "no longer than the longest wait"
    );
    let total: usize = out.iter().map(|(_, items)| items.len()).sum();
    assert_eq!(total, 36, "every item once");

    // Dana saw task:a in the app after it was assigned: the digest leaves it out, and a digest
    // of only seen things is not sent at all.
    let mut seen = BTreeMap::new();
    seen.insert(
        ("dana".to_owned(), "task:a".to_owned()),
        t0 + Duration::minutes(2),
    );
    let events = [
        waiting("dana", "task:a", t0),
        waiting("dana", "task:b", t0 + Duration::minutes(1)),
        waiting("sam", "task:c", t0),
    ];
    let mut seen_all = seen.clone();
    seen_all.insert(
        ("sam".to_owned(), "task:c".to_owned()),
        t0 + Duration::minutes(3),
    );
    let out = run_digests(&events, &seen_all, t0, 60);
    assert_eq!(
        out,
        [(t0 + Duration::minutes(11), vec!["task:b".to_owned()])]
    );
}

fn follow_up(key: &str, months: u32, due: NaiveDate) -> threshold_model::offboarding::FollowUp {
    threshold_model::offboarding::FollowUp {
        key: key.into(),
        months,
        due,
        done_at: None,
        note: String::new(),
        mode: threshold_model::offboarding::FollowUpMode::EmailClient,
        message: String::new(),
    }
}

#[test]
fn a_follow_up_is_due_from_the_recipients_morning_on_its_date_and_stays_due_until_done() {
    use threshold_model::notify::{due_follow_ups, follow_up_key, follow_up_prefix};
    let f = [follow_up("m3", 3, day(10)), follow_up("m6", 6, day(20))];
    // Every quarter hour over a month, in UTC and in UTC−5: the first moment each is due.
    for (offset, first_m3) in [
        (None, Utc.with_ymd_and_hms(2026, 3, 10, 8, 0, 0).unwrap()),
        (
            FixedOffset::west_opt(5 * 3600),
            Utc.with_ymd_and_hms(2026, 3, 10, 13, 0, 0).unwrap(),
        ),
    ] {
        let mut now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let mut first: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
        while now < Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap() {
            for due in due_follow_ups(&f, now, offset) {
                first.entry(due.key.clone()).or_insert(now);
            }
            now += Duration::minutes(15);
        }
        assert_eq!(first["m3"], first_m3);
        assert_eq!(first["m6"], first_m3 + Duration::days(10));
    }
    // A relay that was down on the day still sends it after; a done one never.
    let late = Utc.with_ymd_and_hms(2026, 3, 12, 2, 0, 0).unwrap();
    assert_eq!(due_follow_ups(&f, late, None).len(), 1);
    let mut done = f.clone();
    done[0].done_at = Some(late);
    assert!(due_follow_ups(&done, late, None).is_empty());
    // Keys are file names, and one follow-up's letters share a prefix the app looks for.
    let key = follow_up_key("2xYz", "m3", "ab12");
    assert_eq!(key, "follow-up-2xYz-m3-ab12");
    assert!(key.starts_with(&follow_up_prefix("2xYz", "m3")));
    assert!(!follow_up_key("2xYz", "m12", "ab12").starts_with(&follow_up_prefix("2xYz", "m1")));
}

#[test]
fn a_reminder_key_changes_with_the_due_date_and_is_a_safe_file_name() {
    use threshold_model::notify::reminder_key;
    let a = reminder_key("doc1", "task:a/../b", day(10), DueWhen::Tomorrow, "p1");
    assert_eq!(a, "reminder-doc1-task_a____b-20260310-tomorrow-p1");
    assert!(a
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_ne!(
        a,
        reminder_key("doc1", "task:a/../b", day(11), DueWhen::Tomorrow, "p1"),
        "a moved date is reminded again"
    );
}

mod preferences {
    use threshold_model::notify::{EmailPreferences, LetterKind, Sender};

    const ALL: [LetterKind; 6] = [
        LetterKind::SignIn,
        LetterKind::Invite,
        LetterKind::Goodbye,
        LetterKind::Digest,
        LetterKind::Reminder,
        LetterKind::FollowUp,
    ];

    #[test]
    fn everything_goes_until_a_person_turns_something_off() {
        let on = EmailPreferences::default();
        assert!(ALL.iter().all(|k| on.wants(*k, false)));
    }

    #[test]
    fn digests_off_stops_only_digests_and_reminders_off_only_reminders() {
        let no_digests = EmailPreferences {
            digests: false,
            reminders: true,
        };
        let wanted: Vec<_> = ALL
            .into_iter()
            .filter(|k| !no_digests.wants(*k, false))
            .collect();
        assert_eq!(wanted, [LetterKind::Digest]);
        let no_reminders = EmailPreferences {
            digests: true,
            reminders: false,
        };
        let stopped: Vec<_> = ALL
            .into_iter()
            .filter(|k| !no_reminders.wants(*k, false))
            .collect();
        assert_eq!(stopped, [LetterKind::Reminder]);
    }

    #[test]
    fn an_unsubscribed_person_gets_only_the_sign_in_link_they_asked_for() {
        let on = EmailPreferences::default();
        let still: Vec<_> = ALL.into_iter().filter(|k| on.wants(*k, true)).collect();
        assert_eq!(still, [LetterKind::SignIn]);
    }

    #[test]
    fn sender_settings_are_trimmed_and_checked() {
        assert_eq!(
            Sender::checked("  Zoë's Studio ", " hello@studio.example ").unwrap(),
            Sender {
                name: "Zoë's Studio".into(),
                reply_to: "hello@studio.example".into()
            }
        );
        assert_eq!(Sender::checked("", "").unwrap(), Sender::default());
        assert!(Sender::checked("Studio", "not an address").is_err());
        assert!(Sender::checked(&"x".repeat(121), "").is_err());
        assert_eq!(
            Sender::checked("Line\r\nBcc: evil@x.example", "")
                .unwrap()
                .name,
            "LineBcc: evil@x.example",
            "no line break reaches a header"
        );
    }
}

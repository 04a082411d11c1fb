//! The durable outbox: `<data dir>/outbox/<id>.json` is a message waiting to go (written and
//! fsynced before anyone is told it is queued), `outbox/sent/<id>.json` one the SMTP server
//! accepted, `outbox/failed/<id>.json` one it refused for good, with the reason.
//!
//! One sender task ([`run`]) delivers what is due, oldest first. A message is marked sent only
//! after the server accepted it, so a crash between the server's `250` and the mark sends that
//! one message again after a restart, with the same Message-ID (chosen at queue time) so a
//! receiver can tell. Nothing else is ever sent twice: a queued file with a sent record beside
//! it (a crash between writing the record and removing the file) is dropped at start.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::address::{Address, Envelope};
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::mailer::{Mailer, SendError};
use crate::storage::write_atomically;

/// One message in the outbox, with its delivery history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Queued {
    /// The file name: random, and nothing else.
    pub id: String,
    /// The `Message-ID` header, fixed when the message was queued.
    pub message_id: String,
    /// The envelope (`MAIL FROM` and `RCPT TO`).
    pub from: String,
    pub to: Vec<String>,
    /// The whole RFC 5322 message, as the server will get it.
    pub raw: String,
    pub queued_at: DateTime<Utc>,
    #[serde(default)]
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    /// Why the last try did not deliver it.
    #[serde(default)]
    pub last_error: Option<String>,
    /// When it was accepted (in `sent/`) or refused for good (in `failed/`).
    #[serde(default)]
    pub done_at: Option<DateTime<Utc>>,
}

impl Queued {
    pub fn new(message_id: String, envelope: &Envelope, raw: Vec<u8>, now: DateTime<Utc>) -> Self {
        Self {
            id: uuid::Uuid::new_v4().simple().to_string(),
            message_id,
            from: envelope.from().map(ToString::to_string).unwrap_or_default(),
            to: envelope.to().iter().map(ToString::to_string).collect(),
            // lettre encodes every header and body for 7-bit transport.
            raw: String::from_utf8_lossy(&raw).into_owned(),
            queued_at: now,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            done_at: None,
        }
    }

    fn envelope(&self) -> Result<Envelope, String> {
        let from = match self.from.as_str() {
            "" => None,
            f => Some(f.parse::<Address>().map_err(|e| e.to_string())?),
        };
        let to = self
            .to
            .iter()
            .map(|t| t.parse::<Address>().map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        Envelope::new(from, to).map_err(|e| e.to_string())
    }
}

/// How long to wait after the `attempts`-th failed try: 1 s, 2 s, 4 s, … up to `max`.
pub fn backoff(attempts: u32, max: Duration) -> Duration {
    let exp = attempts.saturating_sub(1).min(20);
    Duration::from_secs(1u64 << exp)
        .min(max)
        .max(Duration::from_millis(100))
}

#[derive(Clone)]
pub struct Outbox {
    dir: PathBuf,
    wake: Arc<Notify>,
}

impl Outbox {
    /// Open (or create) `<data dir>/outbox/`, dropping queued files whose message was already
    /// marked sent or failed.
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        let dir = data_dir.join("outbox");
        fs::create_dir_all(dir.join("sent"))?;
        fs::create_dir_all(dir.join("failed"))?;
        let outbox = Self {
            dir,
            wake: Arc::new(Notify::new()),
        };
        for q in outbox.read_dir(&outbox.dir)? {
            let done = |sub: &str| outbox.dir.join(sub).join(format!("{}.json", q.id)).exists();
            if done("sent") || done("failed") {
                fs::remove_file(outbox.file(&q.id))?;
            }
        }
        Ok(outbox)
    }

    fn file(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    fn read_dir(&self, dir: &Path) -> io::Result<Vec<Queued>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if !path.is_file() || name.starts_with(".tmp-") || !name.ends_with(".json") {
                continue;
            }
            let bytes = fs::read(&path)?;
            match serde_json::from_slice::<Queued>(&bytes) {
                Ok(q) => out.push(q),
                Err(e) => {
                    tracing::error!(file = %path.display(), error = %e, "unreadable outbox entry; left in place")
                }
            }
        }
        out.sort_by(|a, b| (a.queued_at, &a.id).cmp(&(b.queued_at, &b.id)));
        Ok(out)
    }

    fn write(&self, path: &Path, q: &Queued) -> io::Result<()> {
        let json = serde_json::to_vec_pretty(q).map_err(io::Error::other)?;
        write_atomically(path, &json)
    }

    /// Durably queue a message and wake the sender. Once this returns, the message survives a
    /// crash and will be delivered.
    pub fn queue(&self, q: &Queued) -> io::Result<()> {
        self.write(&self.file(&q.id), q)?;
        self.wake.notify_one();
        Ok(())
    }

    /// The message with this id, wherever it is (waiting, sent or failed).
    pub fn find(&self, id: &str) -> io::Result<Option<Queued>> {
        for path in [
            self.file(id),
            self.dir.join("sent").join(format!("{id}.json")),
            self.dir.join("failed").join(format!("{id}.json")),
        ] {
            match fs::read(&path) {
                Ok(bytes) => {
                    return serde_json::from_slice(&bytes)
                        .map(Some)
                        .map_err(io::Error::other)
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Messages still waiting, oldest first.
    pub fn pending(&self) -> io::Result<Vec<Queued>> {
        self.read_dir(&self.dir)
    }

    /// Every message whose id starts with `prefix`, waiting, sent or failed, oldest first, with
    /// which of the three (`None`: waiting). Only the matching files are read.
    pub fn with_prefix(&self, prefix: &str) -> io::Result<Vec<(Queued, Option<&'static str>)>> {
        let mut out = Vec::new();
        for sub in [None, Some("sent"), Some("failed")] {
            let dir = match sub {
                Some(sub) => self.dir.join(sub),
                None => self.dir.clone(),
            };
            for entry in fs::read_dir(&dir)? {
                let entry = entry?;
                let name = entry.file_name();
                let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".json")) else {
                    continue;
                };
                if !id.starts_with(prefix) || !entry.file_type()?.is_file() {
                    continue;
                }
                match fs::read(entry.path()).map(|b| serde_json::from_slice::<Queued>(&b)) {
                    Ok(Ok(q)) => out.push((q, sub)),
                    // Gone between the listing and the read: it moved to `sent/`, read there.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e),
                    Ok(Err(e)) => return Err(io::Error::other(e)),
                }
            }
        }
        // A message moving from waiting to sent during the listing can be seen twice: keep
        // the later state.
        out.sort_by(|a, b| (a.0.queued_at, &a.0.id).cmp(&(b.0.queued_at, &b.0.id)));
        out.dedup_by(|later, earlier| {
            let same = later.0.id == earlier.0.id;
            if same && later.1.is_some() {
                *earlier = later.clone();
            }
            same
        });
        Ok(out)
    }

    pub fn sent(&self) -> io::Result<Vec<Queued>> {
        self.read_dir(&self.dir.join("sent"))
    }

    pub fn failed(&self) -> io::Result<Vec<Queued>> {
        self.read_dir(&self.dir.join("failed"))
    }

    /// Move a message to `sub` (`sent` or `failed`): the record there first, then the queued
    /// file goes, so a crash between the two leaves a record and [`Outbox::open`] tidies up.
    fn finish(&self, mut q: Queued, sub: &str, now: DateTime<Utc>) -> io::Result<()> {
        q.done_at = Some(now);
        self.write(&self.dir.join(sub).join(format!("{}.json", q.id)), &q)?;
        fs::remove_file(self.file(&q.id))?;
        fs::File::open(&self.dir)?.sync_all()
    }

    pub fn mark_sent(&self, q: Queued, now: DateTime<Utc>) -> io::Result<()> {
        self.finish(q, "sent", now)
    }

    pub fn mark_failed(&self, mut q: Queued, reason: String, now: DateTime<Utc>) -> io::Result<()> {
        q.last_error = Some(reason);
        self.finish(q, "failed", now)
    }

    pub fn retry_later(
        &self,
        mut q: Queued,
        reason: String,
        now: DateTime<Utc>,
        max_backoff: Duration,
    ) -> io::Result<Queued> {
        q.attempts += 1;
        q.last_error = Some(reason);
        let wait = chrono::Duration::from_std(backoff(q.attempts, max_backoff))
            .unwrap_or(chrono::Duration::MAX);
        q.next_attempt_at = now + wait;
        self.write(&self.file(&q.id), &q)?;
        Ok(q)
    }
}

/// What became of one try.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent,
    Later,
    Failed,
}

/// Try one message now and record the result.
pub async fn attempt<M: Mailer>(
    outbox: &Outbox,
    mailer: &M,
    q: Queued,
    max_backoff: Duration,
) -> io::Result<Outcome> {
    let envelope = match q.envelope() {
        Ok(envelope) => envelope,
        Err(reason) => {
            tracing::error!(message_id = %q.message_id, %reason, "outbox entry has a bad envelope; marked failed");
            outbox.mark_failed(q, reason, Utc::now())?;
            return Ok(Outcome::Failed);
        }
    };
    match mailer.send(&envelope, q.raw.as_bytes()).await {
        Ok(()) => {
            tracing::info!(message_id = %q.message_id, attempts = q.attempts + 1, "mail sent");
            outbox.mark_sent(q, Utc::now())?;
            Ok(Outcome::Sent)
        }
        Err(SendError::Permanent(reason)) => {
            tracing::error!(message_id = %q.message_id, %reason, "mail refused by the SMTP server; not retried");
            outbox.mark_failed(q, reason, Utc::now())?;
            Ok(Outcome::Failed)
        }
        Err(SendError::Transient(reason)) => {
            let q = outbox.retry_later(q, reason.clone(), Utc::now(), max_backoff)?;
            tracing::warn!(message_id = %q.message_id, attempts = q.attempts, next_try = %q.next_attempt_at, %reason, "mail not delivered yet; will retry");
            Ok(Outcome::Later)
        }
    }
}

/// The sender task: deliver every due message, then sleep until the next is due or a new one
/// is queued. Runs for the relay's life.
pub async fn run<M: Mailer>(outbox: Outbox, mailer: M, max_backoff: Duration) {
    loop {
        let next = match deliver_due(&outbox, &mailer, max_backoff).await {
            Ok(next) => next,
            Err(e) => {
                tracing::error!(error = %e, "the outbox could not be read or written; retrying");
                Some(Utc::now() + chrono::Duration::seconds(5))
            }
        };
        let wait = next
            .map(|at| (at - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            _ = outbox.wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Deliver what is due now; the time the next waiting message is due, if any.
pub async fn deliver_due<M: Mailer>(
    outbox: &Outbox,
    mailer: &M,
    max_backoff: Duration,
) -> io::Result<Option<DateTime<Utc>>> {
    let mut next: Option<DateTime<Utc>> = None;
    let pending = {
        let outbox = outbox.clone();
        tokio::task::spawn_blocking(move || outbox.pending())
            .await
            .map_err(io::Error::other)??
    };
    for q in pending {
        if q.next_attempt_at > Utc::now() {
            next = Some(next.map_or(q.next_attempt_at, |n| n.min(q.next_attempt_at)));
            continue;
        }
        if attempt(outbox, mailer, q.clone(), max_backoff).await? == Outcome::Later {
            let later = outbox
                .pending()?
                .into_iter()
                .find(|p| p.id == q.id)
                .map(|p| p.next_attempt_at);
            if let Some(at) = later {
                next = Some(next.map_or(at, |n| n.min(at)));
            }
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::MemoryMailer;

    fn message(n: u32) -> Queued {
        let envelope = Envelope::new(
            Some("portal@studio.example".parse().unwrap()),
            vec!["dana@acme.example".parse().unwrap()],
        )
        .unwrap();
        Queued::new(
            format!("<m{n}@studio.example>"),
            &envelope,
            format!("Subject: {n}\r\n\r\nhi\r\n").into_bytes(),
            Utc::now(),
        )
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let max = Duration::from_secs(60);
        let waits: Vec<u64> = (1..=8).map(|a| backoff(a, max).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    #[tokio::test]
    async fn a_transient_failure_is_retried_and_the_message_is_sent_once() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path()).unwrap();
        let mailer = MemoryMailer::default();
        mailer.fail_next(SendError::Transient("421 try later".into()));
        outbox.queue(&message(1)).unwrap();
        let max = Duration::from_millis(100);
        assert!(deliver_due(&outbox, &mailer, max).await.unwrap().is_some());
        assert_eq!(outbox.pending().unwrap()[0].attempts, 1);
        assert_eq!(
            outbox.pending().unwrap()[0].last_error.as_deref(),
            Some("421 try later")
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert!(deliver_due(&outbox, &mailer, max).await.unwrap().is_none());
        assert!(deliver_due(&outbox, &mailer, max).await.unwrap().is_none());
        assert_eq!(mailer.accepted().len(), 1);
        assert!(outbox.pending().unwrap().is_empty());
        assert_eq!(outbox.sent().unwrap()[0].message_id, "<m1@studio.example>");
    }

    #[tokio::test]
    async fn a_permanent_refusal_is_recorded_with_its_reason_and_not_retried() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path()).unwrap();
        let mailer = MemoryMailer::default();
        mailer.fail_next(SendError::Permanent("550 no such user".into()));
        outbox.queue(&message(2)).unwrap();
        deliver_due(&outbox, &mailer, Duration::from_secs(1))
            .await
            .unwrap();
        deliver_due(&outbox, &mailer, Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!(mailer.tries(), 1);
        let failed = outbox.failed().unwrap();
        assert_eq!(failed[0].last_error.as_deref(), Some("550 no such user"));
        assert!(outbox.pending().unwrap().is_empty());
    }

    #[tokio::test]
    async fn queued_mail_survives_a_restart_and_a_half_finished_mark_is_not_resent() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path()).unwrap();
        let a = message(3);
        let b = message(4);
        outbox.queue(&a).unwrap();
        outbox.queue(&b).unwrap();
        // A crash after the sent record was written but before the queued file went.
        let mut done = a.clone();
        done.done_at = Some(Utc::now());
        outbox
            .write(
                &dir.path()
                    .join("outbox/sent")
                    .join(format!("{}.json", a.id)),
                &done,
            )
            .unwrap();
        let reopened = Outbox::open(dir.path()).unwrap();
        let mailer = MemoryMailer::default();
        deliver_due(&reopened, &mailer, Duration::from_secs(1))
            .await
            .unwrap();
        let sent: Vec<String> = mailer
            .accepted()
            .iter()
            .map(|(_, raw)| String::from_utf8_lossy(raw).into_owned())
            .collect();
        assert_eq!(sent, std::slice::from_ref(&b.raw));
    }
}

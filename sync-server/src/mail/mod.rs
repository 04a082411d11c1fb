//! Mail that leaves the relay: messages composed with lettre's builder ([`message`]), a durable
//! outbox under `<data dir>/outbox/` ([`outbox`]) drained by one sender task through a narrow
//! [`mailer::Mailer`] (SMTP, or an in-memory twin in tests), and one-click unsubscribe
//! ([`unsubscribe`]). Without `--smtp-url` none of this runs and the session says email is off.

pub mod book;
pub mod choices;
pub mod config;
pub mod goodbye;
pub mod invite;
pub mod mailer;
pub mod message;
pub mod outbox;
pub mod routes;
pub mod sign_in;
pub mod unsubscribe;

pub use config::MailConfig;
pub use mailer::{Mailer, MemoryMailer, SendError, SmtpMailer};
pub use message::Letter;
pub use outbox::{Outbox, Queued};

use std::path::Path;
use std::sync::Arc;

use std::collections::BTreeMap;

use chrono::Utc;
use threshold_model::notify::{EmailPreferences, Sender};

use book::Book;

/// What became of a letter handed to [`Mail::send`].
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// Durably in the outbox, with this Message-ID.
    Queued { message_id: String },
    /// The person unsubscribed, and the letter is not essential: nothing was queued.
    Unsubscribed,
    /// The person turned this kind of letter off in the app: nothing was queued.
    TurnedOff,
    /// A message under the same key was queued before (it may be sent by now): nothing new.
    Already { message_id: String },
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error(transparent)]
    Compose(#[from] message::ComposeError),
    #[error("the outbox could not be written: {0}")]
    Io(#[from] std::io::Error),
}

/// The relay's mail: configuration, outbox and unsubscribe book. Cloned into handlers.
#[derive(Clone)]
pub struct Mail {
    pub config: Arc<MailConfig>,
    pub outbox: Outbox,
    pub unsubscribes: unsubscribe::Unsubscribes,
    /// Each person's choices, by lower-cased address (absent: everything on).
    pub preferences: Book<BTreeMap<String, EmailPreferences>>,
    /// The workspace's sender name and reply-to.
    pub sender: Book<Sender>,
    /// Where people open the app (links in messages start here).
    pub base_url: Arc<str>,
    /// Held while checking and queueing a keyed message.
    once: Arc<std::sync::Mutex<()>>,
}

impl Mail {
    pub fn open(config: MailConfig, data_dir: &Path, base_url: &str) -> std::io::Result<Self> {
        Ok(Self {
            config: Arc::new(config),
            outbox: Outbox::open(data_dir)?,
            unsubscribes: unsubscribe::Unsubscribes::open(data_dir)?,
            preferences: Book::open(data_dir, "preferences.json")?,
            sender: Book::open(data_dir, "sender.json")?,
            base_url: base_url.trim_end_matches('/').into(),
            once: Arc::default(),
        })
    }

    /// The one-click unsubscribe URL for an address.
    pub fn unsubscribe_url(&self, address: &str) -> String {
        format!(
            "{}/api/mail/unsubscribe/{}",
            self.base_url,
            self.unsubscribes.token(address)
        )
    }

    /// Who mail comes from as people see it: the workspace's sender name, if the provider set
    /// one, at the relay's address.
    pub fn from(&self) -> lettre::message::Mailbox {
        message::from_mailbox(&self.config, &self.sender.get())
    }

    /// What the person at `address` chose to receive.
    pub fn wants(&self, address: &str) -> EmailPreferences {
        self.preferences
            .get()
            .get(&address.trim().to_lowercase())
            .copied()
            .unwrap_or_default()
    }

    /// Record a person's choices. They do not undo an unsubscribe: a token naming the address
    /// does not prove its holder reads that address (the provider typed it), so only the signed
    /// link in the mail does (`/api/mail/resubscribe/{token}`).
    pub fn set_wants(&self, address: &str, wants: EmailPreferences) -> std::io::Result<()> {
        let key = address.trim().to_lowercase();
        self.preferences.update(|all| {
            if wants == EmailPreferences::default() {
                all.remove(&key);
            } else {
                all.insert(key.clone(), wants);
            }
        })?;
        Ok(())
    }

    /// Compose a letter and queue it durably (blocking file I/O: call it off the async
    /// threads). Returns once the message would survive a crash.
    pub fn send(&self, letter: &Letter) -> Result<Sent, MailError> {
        self.send_keyed(letter, None)
    }

    /// [`Mail::send`] at most once per `key` (a safe file name): a message already queued,
    /// sent or refused under this key is not queued again, and its Message-ID is returned.
    /// One lock makes two requests at once agree.
    pub fn send_keyed(&self, letter: &Letter, key: Option<&str>) -> Result<Sent, MailError> {
        let _once = self.once.lock().expect("mail lock");
        if let Some(key) = key {
            if let Some(done) = self.outbox.find(key)? {
                return Ok(Sent::Already {
                    message_id: done.message_id,
                });
            }
        }
        let address = letter.to.email.to_string();
        let unsubscribed = self.unsubscribes.is_unsubscribed(&address);
        if !self.wants(&address).wants(letter.kind, unsubscribed) {
            tracing::info!(kind = ?letter.kind, unsubscribed, "not queued: the recipient does not want it");
            return Ok(if unsubscribed {
                Sent::Unsubscribed
            } else {
                Sent::TurnedOff
            });
        }
        let message_id = message::new_message_id(&self.config.from);
        let built = message::compose(
            &self.config,
            &self.sender.get(),
            letter,
            &message_id,
            &self.unsubscribe_url(&address),
        )?;
        let mut queued = Queued::new(
            message_id.clone(),
            built.envelope(),
            built.formatted(),
            Utc::now(),
        );
        if let Some(key) = key {
            queued.id = key.to_owned();
        }
        self.outbox.queue(&queued)?;
        tracing::info!(%message_id, "mail queued");
        Ok(Sent::Queued { message_id })
    }

    /// Start the sender task over SMTP.
    pub fn spawn_sender(&self) -> Result<tokio::task::JoinHandle<()>, config::ConfigError> {
        let mailer = SmtpMailer::new(&self.config.smtp)?;
        tracing::info!(server = %self.config.smtp, "sending mail");
        Ok(tokio::spawn(outbox::run(
            self.outbox.clone(),
            mailer,
            self.config.max_backoff,
        )))
    }
}

#[cfg(test)]
mod tests {
    use threshold_model::notify::LetterKind;

    use super::*;

    fn mail(dir: &Path) -> Mail {
        let config = MailConfig::from_flags(
            Some("smtp://127.0.0.1:2525"),
            Some("Harbor <portal@harbor.example>"),
            None,
            std::time::Duration::from_secs(1),
        )
        .unwrap()
        .unwrap();
        Mail::open(config, dir, "https://portal.example").unwrap()
    }

    fn letter(kind: LetterKind) -> Letter {
        Letter {
            to: config::mailbox("Dana <dana@acme.example>").unwrap(),
            subject: "Hi".into(),
            text: "Hello".into(),
            html: None,
            kind,
        }
    }

    #[test]
    fn a_persons_choices_stop_only_their_kind_of_letter_and_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let mail = mail(dir.path());
        let off = EmailPreferences {
            digests: false,
            reminders: true,
        };
        mail.set_wants("DANA@acme.example", off).unwrap();
        assert_eq!(
            mail.send(&letter(LetterKind::Digest)).unwrap(),
            Sent::TurnedOff
        );
        assert!(matches!(
            mail.send(&letter(LetterKind::Reminder)).unwrap(),
            Sent::Queued { .. }
        ));
        let reopened = self::mail(dir.path());
        assert_eq!(reopened.wants("dana@acme.example"), off);
        assert_eq!(reopened.outbox.pending().unwrap().len(), 1);
    }

    #[test]
    fn the_app_cannot_undo_an_unsubscribe_but_the_signed_link_can() {
        let dir = tempfile::tempdir().unwrap();
        let mail = mail(dir.path());
        mail.unsubscribes.unsubscribe("dana@acme.example").unwrap();
        assert_eq!(
            mail.send(&letter(LetterKind::Invite)).unwrap(),
            Sent::Unsubscribed
        );
        assert!(
            matches!(
                mail.send(&letter(LetterKind::SignIn)).unwrap(),
                Sent::Queued { .. }
            ),
            "a sign-in link they asked for still goes"
        );
        mail.set_wants("dana@acme.example", EmailPreferences::default())
            .unwrap();
        assert!(
            mail.unsubscribes.is_unsubscribed("dana@acme.example"),
            "a token naming the address is no proof"
        );
        mail.unsubscribes.resubscribe("dana@acme.example").unwrap();
        assert!(matches!(
            mail.send(&letter(LetterKind::Invite)).unwrap(),
            Sent::Queued { .. }
        ));
    }
}

//! Mail that leaves the relay: messages composed with lettre's builder ([`message`]), a durable
//! outbox under `<data dir>/outbox/` ([`outbox`]) drained by one sender task through a narrow
//! [`mailer::Mailer`] (SMTP, or an in-memory twin in tests), and one-click unsubscribe
//! ([`unsubscribe`]). Without `--smtp-url` none of this runs and the session says email is off.

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

use chrono::Utc;

/// What became of a letter handed to [`Mail::send`].
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// Durably in the outbox, with this Message-ID.
    Queued { message_id: String },
    /// The person unsubscribed, and the letter is not essential: nothing was queued.
    Unsubscribed,
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
        if !letter.essential && self.unsubscribes.is_unsubscribed(&address) {
            tracing::info!("not queued: the recipient unsubscribed");
            return Ok(Sent::Unsubscribed);
        }
        let message_id = message::new_message_id(&self.config.from);
        let built = message::compose(
            &self.config,
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

//! The one thing the outbox needs from the outside world: hand a finished message to a mail
//! server and learn whether it took it, may take it later, or never will. [`SmtpMailer`] does
//! that over SMTP (lettre); [`MemoryMailer`] is its twin for unit tests.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::config::SmtpUrl;

/// Why a message was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The server is down or unreachable, or answered 4xx: try again later.
    #[error("not delivered yet: {0}")]
    Transient(String),
    /// The server answered 5xx (an unknown recipient, a refused sender): trying again would
    /// get the same answer.
    #[error("refused: {0}")]
    Permanent(String),
}

pub trait Mailer: Send + Sync + 'static {
    /// Deliver `raw` (a whole RFC 5322 message) to the envelope's recipients. `Ok` means the
    /// server accepted responsibility for it.
    fn send(
        &self,
        envelope: &Envelope,
        raw: &[u8],
    ) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// SMTP through lettre, TLS by rustls.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    pub fn new(url: &SmtpUrl) -> Result<Self, super::config::ConfigError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .map_err(|_| super::config::ConfigError::BadUrl(url.redacted()))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Self { transport })
    }
}

impl Mailer for SmtpMailer {
    async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        match self.transport.send_raw(envelope, raw).await {
            Ok(_) => Ok(()),
            // lettre's messages name the server's code and text, never the credentials.
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}

/// Messages kept in memory, and answers scripted ahead: each `send` takes the next scripted
/// answer, and accepts once the script is empty.
#[derive(Clone, Default)]
pub struct MemoryMailer {
    inner: Arc<Mutex<MemoryInner>>,
}

#[derive(Default)]
struct MemoryInner {
    script: std::collections::VecDeque<SendError>,
    accepted: Vec<(Envelope, Vec<u8>)>,
    tries: usize,
}

impl MemoryMailer {
    /// The next `send`s fail like this, in order.
    pub fn fail_next(&self, error: SendError) {
        self.inner
            .lock()
            .expect("mailer lock")
            .script
            .push_back(error);
    }

    pub fn accepted(&self) -> Vec<(Envelope, Vec<u8>)> {
        self.inner.lock().expect("mailer lock").accepted.clone()
    }

    pub fn tries(&self) -> usize {
        self.inner.lock().expect("mailer lock").tries
    }
}

impl Mailer for MemoryMailer {
    async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        let mut inner = self.inner.lock().expect("mailer lock");
        inner.tries += 1;
        match inner.script.pop_front() {
            Some(error) => Err(error),
            None => {
                inner.accepted.push((envelope.clone(), raw.to_vec()));
                Ok(())
            }
        }
    }
}

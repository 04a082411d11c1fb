//! How the relay reaches an SMTP server, and who its mail is from. The URL carries the
//! password, so its `Debug` and `Display` never show it.

use std::fmt;

use lettre::message::Mailbox;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The URL is not shown: it may hold the password.
    #[error(
        "--smtp-url is not a valid SMTP URL (smtp://, smtps:// or smtp://…?tls=required): {0}"
    )]
    BadUrl(String),
    #[error("`{0}` is not a mailbox (`Name <address>` or `address`)")]
    BadMailbox(String),
    #[error("--smtp-url needs --mail-from too")]
    NoSender,
}

/// The SMTP URL: `smtp://user:password@host:port` (plain, or `?tls=required` for STARTTLS) or
/// `smtps://…` (TLS from the start). Parsed by lettre's own URL support.
#[derive(Clone)]
pub struct SmtpUrl(String);

impl SmtpUrl {
    pub fn parse(url: &str) -> Result<Self, ConfigError> {
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
            .map_err(|e| ConfigError::BadUrl(redact_error(&e.to_string(), url)))?;
        Ok(Self(url.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Scheme, host and port only: what a log line may say about the server.
    pub fn redacted(&self) -> String {
        let (scheme, rest) = self.0.split_once("://").unwrap_or(("smtp", &self.0));
        let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
        let host = host.split(['/', '?']).next().unwrap_or_default();
        format!("{scheme}://{host}")
    }
}

/// An error message from parsing the URL, without the URL's credentials in it.
fn redact_error(message: &str, url: &str) -> String {
    match url
        .split_once("://")
        .and_then(|(_, rest)| rest.rsplit_once('@'))
    {
        Some((credentials, _)) if !credentials.is_empty() => {
            message.replace(credentials, "<redacted>")
        }
        _ => message.to_owned(),
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpUrl({})", self.redacted())
    }
}

impl fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// Everything the relay needs to send mail.
#[derive(Clone, Debug)]
pub struct MailConfig {
    pub smtp: SmtpUrl,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    /// The longest wait between two tries of one message.
    pub max_backoff: std::time::Duration,
}

impl MailConfig {
    /// The configuration from the flags, or `None` when no SMTP server is configured.
    pub fn from_flags(
        smtp_url: Option<&str>,
        from: Option<&str>,
        reply_to: Option<&str>,
        max_backoff: std::time::Duration,
    ) -> Result<Option<Self>, ConfigError> {
        let Some(url) = smtp_url.filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        let smtp = SmtpUrl::parse(url.trim())?;
        let from = mailbox(from.ok_or(ConfigError::NoSender)?)?;
        let reply_to = reply_to
            .filter(|r| !r.trim().is_empty())
            .map(mailbox)
            .transpose()?;
        Ok(Some(Self {
            smtp,
            from,
            reply_to,
            max_backoff,
        }))
    }
}

pub fn mailbox(text: &str) -> Result<Mailbox, ConfigError> {
    text.trim()
        .parse()
        .map_err(|_| ConfigError::BadMailbox(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_password_never_shows_in_debug_or_display() {
        let config = MailConfig::from_flags(
            Some("smtp://mailer:s3cret-pass@mail.example.com:587?tls=required"),
            Some("Threshold <portal@example.com>"),
            None,
            Duration::from_secs(60),
        )
        .unwrap()
        .unwrap();
        let shown = format!("{config:?} {}", config.smtp);
        assert!(!shown.contains("s3cret-pass"), "{shown}");
        assert!(!shown.contains("mailer:"), "{shown}");
        assert!(shown.contains("smtp://mail.example.com:587"), "{shown}");
    }

    #[test]
    fn no_url_means_no_mail_and_a_url_needs_a_sender() {
        let off = MailConfig::from_flags(None, None, None, Duration::from_secs(1)).unwrap();
        assert!(off.is_none());
        let err = MailConfig::from_flags(Some("smtp://h:25"), None, None, Duration::from_secs(1))
            .unwrap_err();
        assert!(matches!(err, ConfigError::NoSender));
    }

    #[test]
    fn a_quoted_utf8_name_with_a_comma_is_one_mailbox() {
        let m = mailbox("\"Ångström, Zoë\" <zoe@acme.example>").unwrap();
        assert_eq!(m.name.as_deref(), Some("Ångström, Zoë"));
        assert_eq!(m.email.to_string(), "zoe@acme.example");
    }

    #[test]
    fn a_bad_url_is_refused_without_echoing_its_credentials() {
        let err = SmtpUrl::parse("ftp://user:hunter2@host").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}

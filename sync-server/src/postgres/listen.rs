//! `LISTEN` on a dedicated connection, on its own thread: how one relay hears what the others
//! (and the command line) changed in the database.
//!
//! PostgreSQL delivers a `NOTIFY` only to sessions listening when it commits, so a listener that
//! lost its connection (a database restart) has missed some: after it reconnects it reports
//! [`Heard::Reconnected`], and the caller re-reads what it watches.

use std::time::Duration;

use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::{Client, NoTls};

/// What the listener heard.
#[derive(Debug, Clone)]
pub enum Heard {
    Notification {
        channel: String,
        payload: String,
    },
    /// The connection was (re)established; anything announced before may have been missed.
    Reconnected,
    /// The connection failed (the database stopped, or the network between failed); the
    /// listener is trying to reconnect.
    Lost,
}

/// The longest wait between two tries to reconnect.
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Listen on `channels` until the process ends, calling `heard` for each notification and
/// after each reconnection (not the first connection). Fails only if the URL is invalid.
pub fn spawn(
    url: &str,
    channels: &[&str],
    heard: impl Fn(Heard) + Send + 'static,
) -> std::io::Result<()> {
    let config: ::postgres::Config = url.parse().map_err(std::io::Error::other)?;
    let listen: String = channels
        .iter()
        .map(|c| format!("LISTEN \"{c}\";"))
        .collect();
    std::thread::Builder::new()
        .name("db-listener".into())
        .spawn(move || {
            let mut first = true;
            let mut backoff = Duration::from_millis(100);
            loop {
                match config
                    .connect(NoTls)
                    .and_then(|mut client| client.batch_execute(&listen).map(|_| client))
                {
                    Ok(client) => {
                        if !first {
                            tracing::info!("listening to the database again");
                            heard(Heard::Reconnected);
                        }
                        first = false;
                        backoff = Duration::from_millis(100);
                        let e = relay_notifications(client, &heard);
                        tracing::warn!(error = %super::error_text(&e), "lost the database listener; reconnecting");
                        heard(Heard::Lost);
                    }
                    Err(e) => {
                        tracing::warn!(error = %super::error_text(&e), "cannot listen to the database yet");
                        std::thread::sleep(backoff);
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                    }
                }
            }
        })?;
    Ok(())
}

/// Hand every notification to `heard` until the connection fails.
fn relay_notifications(mut client: Client, heard: &impl Fn(Heard)) -> ::postgres::Error {
    loop {
        // The timeout lets a dead connection be noticed by the check below even when the
        // database is silent (a stopped server closes the socket; the iterator ends).
        {
            let mut notifications = client.notifications();
            let mut iter = notifications.timeout_iter(Duration::from_secs(1));
            loop {
                match iter.next() {
                    Ok(Some(n)) => heard(Heard::Notification {
                        channel: n.channel().to_owned(),
                        payload: n.payload().to_owned(),
                    }),
                    Ok(None) => break,
                    Err(e) => return e,
                }
            }
        }
        if let Err(e) = client.is_valid(Duration::from_secs(2)) {
            return e;
        }
    }
}

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};
use threshold_model::access::{NewToken, Role};
use threshold_sync_server::clock::Clock;
use threshold_sync_server::mail::MailConfig;
use threshold_sync_server::server::{invite_link, RelayLimits, ServeOptions};
use threshold_sync_server::token_store::TokenStore;

/// Threshold's relay: syncs portals between browsers and serves the app.
#[derive(Parser)]
#[command(name = "sync-server", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once at start; the size of `Serve`'s flags costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run the relay.
    Serve {
        #[arg(long, env = "THRESHOLD_PORT", default_value_t = 3030)]
        port: u16,
        #[arg(long, env = "THRESHOLD_BIND", default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        #[arg(long, env = "THRESHOLD_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
        /// Keep documents and tokens in PostgreSQL (`postgres://user@host:5432/db`), shared by
        /// every relay started with the same URL; the schema is migrated at start. Without it
        /// they are kept in --data-dir. Never logged.
        #[arg(long, env = "THRESHOLD_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        /// The built app (trunk's dist/); omit to serve only /sync, /api and /healthz.
        #[arg(long, env = "THRESHOLD_STATIC_DIR")]
        static_dir: Option<PathBuf>,
        /// The address people open (for the owner link printed at first start).
        #[arg(long, env = "THRESHOLD_PUBLIC_URL")]
        public_url: Option<String>,
        /// The largest WebSocket message accepted, in bytes.
        #[arg(long, env = "THRESHOLD_MAX_FRAME_BYTES", default_value_t = RelayLimits::default().max_frame_bytes)]
        max_frame_bytes: usize,
        /// How many documents one connection may ask about.
        #[arg(long, env = "THRESHOLD_MAX_DOCS_PER_CONNECTION", default_value_t = RelayLimits::default().max_docs_per_conn)]
        max_docs_per_connection: usize,
        /// Sustained messages per second per token.
        #[arg(long, env = "THRESHOLD_RATE_PER_SECOND", default_value_t = RelayLimits::default().messages_per_second)]
        rate_per_second: f64,
        /// Messages a token may send at once before the sustained rate applies.
        #[arg(long, env = "THRESHOLD_RATE_BURST", default_value_t = RelayLimits::default().message_burst)]
        rate_burst: f64,
        /// The largest file that may be shared in a portal, in bytes.
        #[arg(long, env = "THRESHOLD_MAX_BLOB_BYTES", default_value_t = threshold_sync_server::server::DEFAULT_MAX_BLOB_BYTES)]
        max_blob_bytes: u64,
        /// Operations one change may carry (after decompression); a bigger change is refused
        /// before it is applied. Pasting a long text is a few 10,000.
        #[arg(long, env = "THRESHOLD_MAX_OPS_PER_CHANGE", default_value_t = RelayLimits::default().max_ops_per_change)]
        max_ops_per_change: usize,
        /// Operations one sync message may carry in all its changes (a whole document, which
        /// devices send when most of it is new to the relay, counts its whole history); a bigger
        /// message is refused before it is applied.
        #[arg(long, env = "THRESHOLD_MAX_OPS_PER_MESSAGE", default_value_t = RelayLimits::default().max_ops_per_message)]
        max_ops_per_message: usize,
        /// Bytes of history a client token's changes may add to its portal per day (UTC).
        #[arg(long, env = "THRESHOLD_CLIENT_HISTORY_BYTES_PER_DAY", default_value_t = RelayLimits::default().client_history_bytes_per_day)]
        client_history_bytes_per_day: u64,
        /// Bytes of history a client token's changes may add to its portal in total.
        #[arg(long, env = "THRESHOLD_CLIENT_HISTORY_BYTES_TOTAL", default_value_t = RelayLimits::default().client_history_bytes_total)]
        client_history_bytes_total: u64,
        /// Sustained HTTP requests per second per token on /api and /blobs.
        #[arg(long, env = "THRESHOLD_HTTP_RATE_PER_SECOND", default_value_t = RelayLimits::default().http_per_second)]
        http_rate_per_second: f64,
        /// HTTP requests a token may make at once on /api and /blobs before the sustained rate
        /// applies.
        #[arg(long, env = "THRESHOLD_HTTP_RATE_BURST", default_value_t = RelayLimits::default().http_burst)]
        http_rate_burst: f64,
        /// Sustained requests per second, all callers together, that carry no valid token
        /// (each costs a token hash to refuse).
        #[arg(long, env = "THRESHOLD_UNAUTHENTICATED_RATE_PER_SECOND", default_value_t = RelayLimits::default().unauthenticated_per_second)]
        unauthenticated_rate_per_second: f64,
        /// Bytes waiting to be sent to one WebSocket before its peer counts as not reading and
        /// is closed (it resyncs when it reconnects).
        #[arg(long, env = "THRESHOLD_MAX_OUTBOUND_BYTES", default_value_t = RelayLimits::default().max_outbound_bytes)]
        max_outbound_bytes: usize,
        /// Seconds an HTTP connection may take to send a complete request head, from when it
        /// opens or from its previous response (so also how long a keep-alive may sit idle).
        #[arg(long, env = "THRESHOLD_HEADER_TIMEOUT_SECS", default_value_t = RelayLimits::default().header_timeout.as_secs())]
        header_timeout_secs: u64,
        /// Seconds between the pings the relay sends each WebSocket.
        #[arg(long, env = "THRESHOLD_PING_INTERVAL_SECS", default_value_t = RelayLimits::default().ping_interval.as_secs())]
        ping_interval_secs: u64,
        /// Seconds of silence (not even a pong) after which a WebSocket is closed.
        #[arg(long, env = "THRESHOLD_SILENCE_TIMEOUT_SECS", default_value_t = RelayLimits::default().silence_timeout.as_secs())]
        silence_timeout_secs: u64,
        /// WebSockets one token may hold open at once; more are refused with 429.
        #[arg(long, env = "THRESHOLD_MAX_SOCKETS_PER_TOKEN", default_value_t = RelayLimits::default().max_sockets_per_token)]
        max_sockets_per_token: usize,
        /// WebSockets open at once in all; more are refused with 503. An eighth is kept for
        /// owner and team tokens.
        #[arg(long, env = "THRESHOLD_MAX_SOCKETS", default_value_t = RelayLimits::default().max_sockets)]
        max_sockets: usize,
        /// TCP connections open at once, WebSockets included. Lowered to fit the open-file
        /// limit (raised to its hard limit at start, less a reserve of 64 for files).
        #[arg(long, env = "THRESHOLD_MAX_CONNECTIONS", default_value_t = RelayLimits::default().max_connections)]
        max_connections: usize,
        /// Connections that are not WebSockets (at most half of --max-connections). When full,
        /// the oldest idle one is closed to admit a newcomer.
        #[arg(long, env = "THRESHOLD_MAX_UNAUTHENTICATED", default_value_t = RelayLimits::default().max_unauthenticated)]
        max_unauthenticated: usize,
        /// Ephemeral (presence) sessions remembered per connection for de-duplication.
        #[arg(long, env = "THRESHOLD_MAX_EPHEMERAL_SESSIONS_PER_CONNECTION", default_value_t = RelayLimits::default().max_ephemeral_sessions_per_conn)]
        max_ephemeral_sessions_per_connection: usize,
        /// Ephemeral (presence) sessions remembered in all.
        #[arg(long, env = "THRESHOLD_MAX_EPHEMERAL_SESSIONS", default_value_t = RelayLimits::default().max_ephemeral_sessions)]
        max_ephemeral_sessions: usize,
        /// The SMTP server mail goes through: `smtp://user:password@host:587?tls=required`
        /// (STARTTLS), `smtps://user:password@host:465` (TLS), or `smtp://host:25` (plain, for
        /// a server on this machine). Without it no email is sent. Never logged.
        #[arg(long, env = "THRESHOLD_SMTP_URL", hide_env_values = true)]
        smtp_url: Option<String>,
        /// Who mail is from: `Studio Name <portal@studio.example>`. Required with --smtp-url.
        #[arg(long, env = "THRESHOLD_MAIL_FROM")]
        mail_from: Option<String>,
        /// Where replies go: `Zoë <zoe@studio.example>`.
        #[arg(long, env = "THRESHOLD_MAIL_REPLY_TO")]
        mail_reply_to: Option<String>,
        /// The longest wait, in seconds, between two tries of a message the SMTP server did not
        /// take (the wait doubles from one second up to this).
        #[arg(long, env = "THRESHOLD_MAIL_MAX_BACKOFF_SECS", default_value_t = 300)]
        mail_max_backoff_secs: u64,
        /// A load balancer or proxy in front of the relay (nginx on this machine: 127.0.0.1),
        /// whose `X-Forwarded-For` names the client for the per-address sign-in limits.
        /// Repeat it, or give a comma-separated list. Without it the header is ignored.
        #[arg(
            long = "trusted-proxy",
            env = "THRESHOLD_TRUSTED_PROXIES",
            value_delimiter = ','
        )]
        trusted_proxies: Vec<std::net::IpAddr>,
        /// For tests only: the scheduler's clock starts at this RFC 3339 time and moves only
        /// when an owner calls `PUT /api/test/clock`. Never set in production.
        #[arg(long, hide = true, value_parser = parse_rfc3339)]
        test_clock: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Manage access tokens in a data dir. Works whether or not the relay is running; a running
    /// relay applies changes within a second.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Write a brotli (`.br`) and a gzip (`.gz`) copy beside every compressible file of a built
    /// app, for `serve --static-dir` to send browsers that accept them. Run after each build.
    Compress {
        /// The built app (trunk's dist/).
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Mint a token and print it once, with its invite link.
    Create {
        #[arg(long, env = "THRESHOLD_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
        /// The relays' database, if they keep tokens in one (as `serve --database-url`).
        #[arg(long, env = "THRESHOLD_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        #[arg(long, value_parser = role_parser())]
        role: Role,
        /// The portal (document id) a client token opens.
        #[arg(long)]
        portal: Option<String>,
        #[arg(long)]
        read_only: bool,
        /// Who holds it.
        #[arg(long, default_value = "Owner")]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// The relay's public address, for the printed link.
        #[arg(
            long,
            env = "THRESHOLD_PUBLIC_URL",
            default_value = "http://127.0.0.1:3030"
        )]
        base_url: String,
        /// Print JSON (`id`, `token`, `link`) instead of text.
        #[arg(long)]
        json: bool,
    },
    /// List tokens (never their secrets).
    List {
        #[arg(long, env = "THRESHOLD_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
        #[arg(long, env = "THRESHOLD_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by id: it can no longer connect, and open connections are closed.
    Revoke {
        #[arg(long, env = "THRESHOLD_DATA_DIR", default_value = "./data")]
        data_dir: PathBuf,
        #[arg(long, env = "THRESHOLD_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        id: String,
    },
}

fn parse_rfc3339(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("{e} (an RFC 3339 time, e.g. 2026-03-09T08:00:00Z)"))
}

/// `--role owner|team|client`, listed in `--help` as clap lists an enum's values.
fn role_parser() -> impl TypedValueParser<Value = Role> {
    PossibleValuesParser::new(Role::ALL.map(Role::as_str))
        .map(|name| name.parse::<Role>().expect("one of the possible values"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match Cli::parse().command {
        Command::Serve {
            port,
            bind,
            data_dir,
            database_url,
            static_dir,
            public_url,
            max_frame_bytes,
            max_docs_per_connection,
            rate_per_second,
            rate_burst,
            max_blob_bytes,
            max_ops_per_change,
            max_ops_per_message,
            client_history_bytes_per_day,
            client_history_bytes_total,
            http_rate_per_second,
            http_rate_burst,
            unauthenticated_rate_per_second,
            max_outbound_bytes,
            header_timeout_secs,
            ping_interval_secs,
            silence_timeout_secs,
            max_sockets_per_token,
            max_sockets,
            max_connections,
            max_unauthenticated,
            max_ephemeral_sessions_per_connection,
            max_ephemeral_sessions,
            smtp_url,
            mail_from,
            mail_reply_to,
            mail_max_backoff_secs,
            trusted_proxies,
            test_clock,
        } => {
            let secs = |s: u64| Duration::from_secs(s.max(1));
            let mail = MailConfig::from_flags(
                smtp_url.as_deref(),
                mail_from.as_deref(),
                mail_reply_to.as_deref(),
                secs(mail_max_backoff_secs),
            )?;
            threshold_sync_server::server::serve(ServeOptions {
                bind,
                port,
                data_dir,
                database_url,
                static_dir,
                public_url,
                limits: RelayLimits {
                    max_frame_bytes,
                    max_docs_per_conn: max_docs_per_connection,
                    messages_per_second: rate_per_second,
                    message_burst: rate_burst,
                    max_ops_per_change,
                    max_ops_per_message,
                    client_history_bytes_per_day,
                    client_history_bytes_total,
                    http_per_second: http_rate_per_second,
                    http_burst: http_rate_burst,
                    unauthenticated_per_second: unauthenticated_rate_per_second,
                    max_outbound_bytes,
                    header_timeout: secs(header_timeout_secs),
                    ping_interval: secs(ping_interval_secs),
                    silence_timeout: secs(silence_timeout_secs),
                    max_sockets_per_token,
                    max_sockets,
                    max_connections,
                    max_unauthenticated,
                    max_ephemeral_sessions_per_conn: max_ephemeral_sessions_per_connection,
                    max_ephemeral_sessions,
                },
                max_blob_bytes,
                trusted_proxies,
                mail,
                clock: match test_clock {
                    Some(start) => {
                        tracing::warn!(%start, "running on a test clock: scheduled mail follows PUT /api/test/clock");
                        Clock::manual(start)
                    }
                    None => Clock::system(),
                },
            })
            .await
        }
        // The database client blocks: off the runtime's workers.
        Command::Token { command } => tokio::task::spawn_blocking(move || token(command)).await?,
        Command::Compress { dir } => compress(&dir),
    }
}

/// The tokens where the relays keep them: the database if given, else the data dir.
fn open_tokens(
    data_dir: &std::path::Path,
    database_url: Option<String>,
) -> anyhow::Result<TokenStore> {
    Ok(match database_url {
        Some(url) => TokenStore::open_database(threshold_sync_server::postgres::open(&url)?)?,
        None => TokenStore::open(data_dir)?,
    })
}

fn token(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            data_dir,
            database_url,
            role,
            portal,
            read_only,
            name,
            email,
            base_url,
            json,
        } => {
            let store = open_tokens(&data_dir, database_url)?;
            let portal = portal
                .map(|p| p.parse())
                .transpose()
                .context("--portal is not a document id")?;
            let minted = store.create(NewToken {
                role,
                portal,
                read_only,
                name,
                email,
            })?;
            let link = invite_link(&base_url, &minted.secret);
            if json {
                let out = serde_json::json!({
                    "id": minted.record.id,
                    "token": minted.secret,
                    "link": link,
                });
                println!("{out}");
            } else {
                let mode = if read_only { "read-only" } else { "read-write" };
                let article = if role == Role::Owner { "an" } else { "a" };
                println!(
                    "Created {article} {} token ({mode}) for {}, id {}.",
                    role.as_str(),
                    minted.record.name,
                    minted.record.id
                );
                println!("Token (shown once): {}", minted.secret);
                println!("Invite link: {link}");
            }
        }
        TokenCommand::List {
            data_dir,
            database_url,
            json,
        } => {
            let state = open_tokens(&data_dir, database_url)?.snapshot();
            if json {
                let list: Vec<_> = state
                    .tokens
                    .iter()
                    .map(|t| {
                        serde_json::json!({
                            "id": t.id, "role": t.role, "name": t.name, "email": t.email,
                            "portal": t.portal.map(|p| p.to_string()), "readOnly": t.read_only,
                            "createdAt": t.created_at, "revokedAt": t.revoked_at,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(list));
            } else {
                println!(
                    "{:<14} {:<7} {:<11} {:<24} portal",
                    "id", "role", "state", "name"
                );
                for t in &state.tokens {
                    let status = match (t.revoked_at, t.read_only) {
                        (Some(_), _) => "revoked",
                        (None, true) => "read-only",
                        (None, false) => "active",
                    };
                    let portal = t.portal.map(|p| p.to_string()).unwrap_or_default();
                    println!(
                        "{:<14} {:<7} {:<11} {:<24} {portal}",
                        t.id,
                        t.role.as_str(),
                        status,
                        t.name
                    );
                }
            }
        }
        TokenCommand::Revoke {
            data_dir,
            database_url,
            id,
        } => {
            let record = open_tokens(&data_dir, database_url)?.revoke(&id)?;
            println!(
                "Revoked {} ({}, {}).",
                record.id,
                record.role.as_str(),
                record.name
            );
        }
    }
    Ok(())
}

fn compress(dir: &std::path::Path) -> anyhow::Result<()> {
    let report = threshold_sync_server::static_files::precompress::compress_dir(dir)
        .with_context(|| format!("compressing {}", dir.display()))?;
    let kb = |bytes: u64| format!("{:.1} KB", bytes as f64 / 1000.0);
    for file in report {
        let name = file.path.strip_prefix(dir).unwrap_or(&file.path);
        println!(
            "compress: {} {} -> br {}, gzip {}",
            name.display(),
            kb(file.plain),
            file.brotli.map_or("not smaller".into(), kb),
            file.gzip.map_or("not smaller".into(), kb),
        );
    }
    Ok(())
}

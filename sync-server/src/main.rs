use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Threshold's relay: syncs portals between browsers and serves the app.
#[derive(Parser)]
#[command(name = "sync-server", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

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
        /// The built app (trunk's dist/); omit to serve only /sync and /healthz.
        #[arg(long, env = "THRESHOLD_STATIC_DIR")]
        static_dir: Option<PathBuf>,
    },
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
            static_dir,
        } => {
            threshold_sync_server::server::serve(threshold_sync_server::server::ServeOptions {
                bind,
                port,
                data_dir,
                static_dir,
            })
            .await
        }
    }
}

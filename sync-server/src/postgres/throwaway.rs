//! A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` into a temporary
//! directory, `pg_ctl` on a free loopback port, stopped and removed when dropped.
//!
//! It runs Debian's PostgreSQL (`scripts/setup.sh --test` installs it). `initdb` refuses to run
//! as root, so as root the cluster belongs to the `postgres` user and its commands run through
//! `runuser`.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    /// Create and start a cluster. Fails with a clear message when PostgreSQL is not installed.
    pub fn start() -> io::Result<Self> {
        let bin = find_bin()?;
        let dir = tempfile::Builder::new().prefix("threshold-pg-").tempdir()?;
        let as_postgres = rustix::process::geteuid().is_root();
        if as_postgres {
            run(Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.path()))?;
        }
        let port = free_port()?;
        let cluster = Self {
            dir,
            bin,
            port,
            as_postgres,
        };
        cluster.pg(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )?;
        cluster.start_server()?;
        Ok(cluster)
    }

    /// `postgres://…` for the cluster's `postgres` database.
    pub fn url(&self) -> String {
        self.url_for("postgres")
    }

    pub fn url_for(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A new empty database in the cluster, and its URL: one per relay group or test.
    pub fn database(&self, name: &str) -> io::Result<String> {
        let mut client = ::postgres::Client::connect(&self.url(), ::postgres::NoTls)
            .map_err(io::Error::other)?;
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .map_err(io::Error::other)?;
        Ok(self.url_for(name))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stop the server, as an operator's restart or an outage would (`fast`: connections are
    /// cut, nothing committed is lost).
    pub fn stop(&self) -> io::Result<()> {
        self.pg("pg_ctl", &["-D", &self.data(), "-m", "fast", "-w", "stop"])
    }

    /// Start it again on the same port.
    pub fn start_server(&self) -> io::Result<()> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.data()
        );
        let log = format!("{}/pg.log", self.data());
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                &log,
                "-w",
                "start",
            ],
        )
    }

    /// The server's process id (the postmaster, parent of every backend), while it runs: for a
    /// benchmark to count the database's CPU time.
    pub fn server_pid(&self) -> Option<u32> {
        let pid_file = self.dir.path().join("data").join("postmaster.pid");
        std::fs::read_to_string(pid_file)
            .ok()?
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn pg(&self, tool: &str, args: &[&str]) -> io::Result<()> {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        command.args(args).current_dir(self.dir.path());
        run(&mut command)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.pg(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }
}

fn run(command: &mut Command) -> io::Result<()> {
    let Output { status, stderr, .. } = command.output()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{command:?} failed ({status}): {}",
            String::from_utf8_lossy(&stderr).trim()
        )))
    }
}

/// PostgreSQL's server binaries: `$PG_BIN`, else the newest Debian install.
fn find_bin() -> io::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(Path::file_name)
            .and_then(|v| v.to_str()?.parse::<u32>().ok())
    });
    versions.pop().ok_or_else(|| {
        io::Error::other(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run \
             `scripts/setup.sh --test`, or set PG_BIN",
        )
    })
}

fn free_port() -> io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

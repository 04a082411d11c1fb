//! Several relays on one PostgreSQL database, against one relay on the filesystem: the same load
//! of protocol clients on each topology, in one run. Prints figures; asserts nothing. Run it with
//! `scripts/bench-relays.sh` (it builds our relay in release), or directly:
//!
//!   cargo bench -p threshold-sync-server --bench relays
//!
//! Environment: `BENCH_TOPOLOGY` (default "fs,pg,pg2,pg3": one relay on the filesystem, one on
//! PostgreSQL, two and three on PostgreSQL), `BENCH_CLIENTS` (default 100), `BENCH_SECONDS`
//! (measured window per topology, default 20), `THRESHOLD_RELAY_BIN`.
//!
//! The load is `relay_load`'s: half the clients alone in their document, half in groups of two
//! to five, every client a closed-loop writer (a change, the relay's acknowledgement, the next).
//! Client `i` connects to relay `i mod k`, so the members of a group sit on different relays and
//! each change a group member makes has to travel between relays through the database
//! (`LISTEN/NOTIFY`, then a load) to reach them. Edit-to-remote latency is split: peers on the
//! same relay, peers on different relays. *CPU per change* adds every relay process and the
//! PostgreSQL server (the postmaster, its live backends, and the backends it reaped) over the
//! window. A throwaway cluster (`postgres::throwaway`) serves every PostgreSQL topology, a new
//! database for each. Clients run in this process on the same cores as the relays and the
//! database: the figures compare topologies on one machine; they are not capacity figures.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use threshold_protocol::DocumentId;
use threshold_sync_server::postgres::throwaway::Cluster;

mod common;
use common::*;

fn main() {
    let topologies: Vec<String> = std::env::var("BENCH_TOPOLOGY")
        .unwrap_or_else(|_| "fs,pg,pg2,pg3".into())
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    let n: usize = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let bin = std::env::var("THRESHOLD_RELAY_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/sync-server").into()
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let cluster = topologies
        .iter()
        .any(|t| t.starts_with("pg"))
        .then(|| Cluster::start().expect("a throwaway PostgreSQL cluster"));
    println!(
        "relays: {n} clients, {seconds} s of closed-loop writers per topology; half solo, half in groups of 2-5, client i on relay i mod k"
    );
    let mut rows = Vec::new();
    for (index, topology) in topologies.iter().enumerate() {
        let (relays, database) = match topology.as_str() {
            "fs" => (1, None),
            pg => {
                let k = pg.strip_prefix("pg").unwrap_or("");
                let k: usize = if k.is_empty() {
                    1
                } else {
                    k.parse().expect("BENCH_TOPOLOGY: fs, pg, pg2, pg3, …")
                };
                let cluster = cluster.as_ref().expect("started above");
                let url = cluster
                    .database(&format!("bench{index}"))
                    .expect("a database");
                (k, Some(url))
            }
        };
        let result = runtime.block_on(run(
            &bin,
            relays,
            database.as_deref(),
            cluster.as_ref(),
            n,
            seconds,
        ));
        println!("{}", result.row(n, topology));
        rows.push((topology.clone(), result));
    }
    println!();
    println!("| clients | topology | edit→remote, same relay p50 / p99 | edit→remote, other relay p50 / p99 | changes/s | CPU per change (relays + postgres) | of which postgres | failed / never found |");
    println!("|---|---|---|---|---|---|---|---|");
    for (topology, result) in &rows {
        println!("{}", result.row(n, topology));
    }
}

struct RunResult {
    same: Samples,
    cross: Samples,
    changes_per_sec: f64,
    cpu_ms_per_change: f64,
    pg_ms_per_change: f64,
    failed: usize,
    not_found: usize,
}

impl RunResult {
    fn row(&self, n: usize, topology: &str) -> String {
        format!(
            "| {n} | {topology} | {} / {} | {} / {} | {:.0} | {:.2} ms | {:.2} ms | {} / {} |",
            ms(self.same.p(0.5)),
            ms(self.same.p(0.99)),
            ms(self.cross.p(0.5)),
            ms(self.cross.p(0.99)),
            self.changes_per_sec,
            self.cpu_ms_per_change,
            self.pg_ms_per_change,
            self.failed,
            self.not_found
        )
    }
}

/// CPU time of the PostgreSQL server so far: the postmaster with the backends it has reaped
/// (`cutime`, `cstime`), plus the backends alive now.
fn postgres_cpu_seconds(cluster: Option<&Cluster>) -> f64 {
    let Some(pid) = cluster.and_then(Cluster::server_pid) else {
        return 0.0;
    };
    let stat = |pid: u32| -> Option<Vec<f64>> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let rest = stat.rsplit_once(')')?.1.to_owned();
        Some(
            rest.split_whitespace()
                .map(|f| f.parse().unwrap_or(0.0))
                .collect(),
        )
    };
    let ticks = 100.0; // USER_HZ
    let own = stat(pid).map_or(0.0, |f| f[11..15].iter().sum::<f64>() / ticks);
    let children: f64 = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(stat)
        // Field 4 of the stat line is the parent's pid: index 1 after the command name.
        .filter(|f| f.get(1).copied() == Some(pid as f64))
        .map(|f| (f[11] + f[12]) / ticks)
        .sum();
    own + children
}

async fn run(
    bin: &str,
    relays: usize,
    database: Option<&str>,
    cluster: Option<&Cluster>,
    n: usize,
    seconds: u64,
) -> RunResult {
    let kind = RelayKind::Ours(bin.to_owned());
    let mut args: Vec<&str> = UNLIMITED.to_vec();
    if let Some(url) = database {
        args.extend(["--database-url", url]);
    }
    // The first relay makes the owner (it prints the link); the others share its database.
    let started: Vec<Relay> = (0..relays).map(|_| start(&kind, &args)).collect();
    let owner = started[0]
        .owner
        .clone()
        .expect("the first relay prints an owner link");
    let shared = Arc::new(Shared::new());
    let mut tasks = Vec::new();
    let mut client_index = 0;
    for size in groups(n) {
        let doc = DocumentId::random();
        for member in 0..size {
            let relay = client_index % relays;
            let port = started[relay].port;
            let token = mint(port, &owner, doc, false).await;
            let url = format!("ws://127.0.0.1:{port}/sync?token={token}");
            let name = format!("bench-{client_index}@{relay}");
            client_index += 1;
            let shared = shared.clone();
            tasks.push(tokio::spawn(async move {
                client(
                    url,
                    name,
                    doc,
                    member == 0,
                    Load::Plain,
                    Duration::ZERO,
                    shared,
                )
                .await
            }));
        }
    }
    let cpu = || {
        let relays: f64 = started.iter().map(|r| cpu_seconds(r.child.id())).sum();
        (relays, postgres_cpu_seconds(cluster))
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let acked_before = shared.acked.load(Ordering::Relaxed);
    let (relay_before, pg_before) = cpu();
    let window_start = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let acked = shared.acked.load(Ordering::Relaxed) - acked_before;
    let (relay_after, pg_after) = cpu();
    let window = window_start.elapsed().as_secs_f64();
    shared.stop.store(true, Ordering::Relaxed);
    let (failed, not_found) = tally(tasks).await;
    drop(started);
    let pg = pg_after - pg_before;
    let total = relay_after - relay_before + pg;
    let per_change = |seconds: f64| seconds * 1000.0 / acked.max(1) as f64;
    let same = std::mem::take(&mut *shared.visible.lock().expect("lock"));
    let cross = std::mem::take(&mut *shared.visible_cross.lock().expect("lock"));
    RunResult {
        same,
        cross,
        changes_per_sec: acked as f64 / window,
        cpu_ms_per_change: per_change(total),
        pg_ms_per_change: per_change(pg),
        failed,
        not_found,
    }
}

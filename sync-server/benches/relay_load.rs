//! Relay load benchmark: our relay and the stock `@automerge/automerge-repo-sync-server`, side
//! by side in one run, under the same load of protocol clients. Prints figures and the ratios
//! ours/stock; asserts nothing. Run it with `scripts/bench-relay.sh` (it builds our relay in
//! release and installs the stock server), or directly:
//!
//!   cargo bench -p threshold-sync-server --bench relay_load
//!
//! Environment: `BENCH_CLIENTS` (default "100,500,1000"), `BENCH_SECONDS` (load phase per run,
//! default 10), `THRESHOLD_RELAY_BIN` (default target/release/sync-server), `STOCK_RELAY_JS`
//! (the stock server's entry script; its run is skipped when absent), `BENCH_LOAD` (`plain`,
//! the default, or `portal`, below).
//!
//! `BENCH_LOAD=portal` measures what the portal's permission table costs the relay. Every
//! group's document is a real portal (`threshold_model::portal::new_portal_doc`), created by a
//! provider (a team token per group); the other members are client contacts (client tokens).
//! Each writer adds one check-in and then keeps editing its body, an act the table must place
//! and allow ("edit their own check-in"). Our relay runs twice, side by side: once as is, where
//! the guard judges every client change with the table, and once with the same documents under
//! another `kind`, where the guard checks authorship and shape only, alternating for
//! `BENCH_ROUNDS` rounds (default 3). The ratio of the medians is the table's cost per change.
//!
//! The load: half the clients each work in their own portal, the other half in groups of two to
//! five sharing one. Every client is a closed-loop writer: it makes a change, waits until the
//! relay acknowledges it, and makes the next. Group members see each other's changes, which is
//! the edit-to-remote-visible latency. Our relay runs with access checks on: every client gets
//! its own client token, scoped to its portal, minted through the API. Clients run in this
//! process, on the same two cores as the relay under test: figures are for comparing the two
//! relays in one run, not absolute capacity.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use threshold_protocol::DocumentId;

mod common;
use common::*;

fn main() {
    let clients: Vec<usize> = std::env::var("BENCH_CLIENTS")
        .unwrap_or_else(|_| "100,500,1000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let ours_bin = std::env::var("THRESHOLD_RELAY_BIN").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/sync-server").into()
    });
    let stock_js = std::env::var("STOCK_RELAY_JS").ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if std::env::var("BENCH_LOAD").is_ok_and(|l| l == "portal") {
        return portal_load(&runtime, &clients, seconds, &ours_bin);
    }
    println!(
        "relay load: {seconds} s of closed-loop writers per run; half solo, half in groups of 2-5"
    );
    let mut rows = Vec::new();
    for &n in &clients {
        let ours = runtime.block_on(run(
            RelayKind::Ours(ours_bin.clone()),
            n,
            seconds,
            Load::Plain,
        ));
        print_result("ours", n, &ours);
        let stock = stock_js
            .as_ref()
            .map(|js| runtime.block_on(run(RelayKind::Stock(js.clone()), n, seconds, Load::Plain)));
        if let Some(stock) = &stock {
            print_result("stock", n, stock);
        }
        rows.push((n, ours, stock));
    }
    println!();
    println!("| clients | relay | find p50 / p99 | edit→remote p50 / p99 | changes/s | relay CPU per change | peak RSS | failed / never found |");
    println!("|---|---|---|---|---|---|---|---|");
    for (n, ours, stock) in &rows {
        println!("{}", ours.row(*n, "ours"));
        if let Some(stock) = stock {
            println!("{}", stock.row(*n, "stock"));
            println!(
                "| {n} | **ours/stock** | {} / {} | {} / {} | **{:.2}×** | **{:.2}×** | **{:.2}×** | |",
                ratio(ours.find.p(0.5), stock.find.p(0.5)),
                ratio(ours.find.p(0.99), stock.find.p(0.99)),
                ratio(ours.visible.p(0.5), stock.visible.p(0.5)),
                ratio(ours.visible.p(0.99), stock.visible.p(0.99)),
                ours.changes_per_sec / stock.changes_per_sec.max(f64::MIN_POSITIVE),
                ours.cpu_ms_per_change / stock.cpu_ms_per_change.max(f64::MIN_POSITIVE),
                ours.peak_rss_kb as f64 / (stock.peak_rss_kb.max(1)) as f64,
            );
        }
    }
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => "–".into(),
    }
}

/// Print a run's row as soon as it is measured, in the table's own format.
fn print_result(name: &str, n: usize, r: &RunResult) {
    println!("{}", r.row(n, name));
}

struct RunResult {
    find: Samples,
    visible: Samples,
    changes_per_sec: f64,
    /// The relay's CPU time (user + system) during the window, per acknowledged change: what a
    /// change costs the relay, whoever else needs the cores.
    cpu_ms_per_change: f64,
    peak_rss_kb: u64,
    /// Clients whose connection broke.
    failed: usize,
    /// Clients that asked for their group's document and never received it.
    not_found: usize,
}

impl RunResult {
    fn row(&self, n: usize, name: &str) -> String {
        format!(
            "| {n} | {name} | {} / {} | {} / {} | {:.0} | {:.2} ms | {} MB | {} / {} |",
            ms(self.find.p(0.5)),
            ms(self.find.p(0.99)),
            ms(self.visible.p(0.5)),
            ms(self.visible.p(0.99)),
            self.changes_per_sec,
            self.cpu_ms_per_change,
            self.peak_rss_kb / 1024,
            self.failed,
            self.not_found
        )
    }
}

async fn run(kind: RelayKind, n: usize, seconds: u64, load: Load) -> RunResult {
    let relay = start(&kind, &UNLIMITED);
    let shared = Arc::new(Shared::new());
    let mut tasks = Vec::new();
    let mut client_index = 0;
    for size in groups(n) {
        let doc = DocumentId::random();
        for member in 0..size {
            // Every client contact has a token of their own, scoped to the group's portal, as
            // the app's invites make them (and each has its own rate limit).
            // In a portal load the group's first member, who creates the portal, is the
            // provider.
            let provider = member == 0 && load != Load::Plain;
            let url = match &relay.owner {
                Some(owner) => {
                    let token = mint(relay.port, owner, doc, provider).await;
                    format!("ws://127.0.0.1:{}/sync?token={token}", relay.port)
                }
                None => format!("ws://127.0.0.1:{}", relay.port),
            };
            let shared = shared.clone();
            let url = url.clone();
            let name = format!("bench-{client_index}");
            client_index += 1;
            tasks.push(tokio::spawn(async move {
                client(url, name, doc, member == 0, load, Duration::ZERO, shared).await
            }));
        }
    }
    // Let every client connect and find its document, then measure a steady window.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let acked_before = shared.acked.load(Ordering::Relaxed);
    let cpu_before = cpu_seconds(relay.child.id());
    let window_start = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let acked = shared.acked.load(Ordering::Relaxed) - acked_before;
    let cpu = cpu_seconds(relay.child.id()) - cpu_before;
    let window = window_start.elapsed().as_secs_f64();
    shared.stop.store(true, Ordering::Relaxed);
    let (failed, not_found) = tally(tasks).await;
    let peak = peak_rss_kb(relay.child.id());
    drop(relay);
    let find = std::mem::take(&mut *shared.find.lock().expect("lock"));
    let visible = std::mem::take(&mut *shared.visible.lock().expect("lock"));
    RunResult {
        find,
        visible,
        changes_per_sec: acked as f64 / window,
        cpu_ms_per_change: cpu * 1000.0 / acked.max(1) as f64,
        peak_rss_kb: peak,
        failed,
        not_found,
    }
}

/// `BENCH_LOAD=portal`: our relay with the permission table judging every client change, and
/// `BENCH_LOAD=portal`: our relay with the permission table judging every client change, and
/// without it (the same portals under another `kind`), in alternating runs (`BENCH_ROUNDS`,
/// default 3, each round in the other order), so that whatever else the machine does falls on
/// both alike. The verdict is the ratio of the medians.
fn portal_load(runtime: &tokio::runtime::Runtime, clients: &[usize], seconds: u64, ours_bin: &str) {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    println!(
        "relay load, portal-shaped: {seconds} s per run, {rounds} rounds of table off and on; half solo, half in groups of 2-5; each group a provider and client contacts editing check-ins"
    );
    let mut tables = Vec::new();
    for &n in clients {
        let ours = |judged| {
            let result = runtime.block_on(run(
                RelayKind::Ours(ours_bin.to_owned()),
                n,
                seconds,
                Load::Portal { judged },
            ));
            print_result(if judged { "table on" } else { "table off" }, n, &result);
            result
        };
        let (mut on, mut off) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            if round % 2 == 0 {
                off.push(ours(false));
                on.push(ours(true));
            } else {
                on.push(ours(true));
                off.push(ours(false));
            }
        }
        tables.push((n, on, off));
    }
    println!();
    println!("| clients | relay | find p50 / p99 | edit→remote p50 / p99 | changes/s | relay CPU per change | peak RSS | failed / never found |");
    println!("|---|---|---|---|---|---|---|---|");
    let median = |runs: &[RunResult], figure: fn(&RunResult) -> f64| {
        let mut values: Vec<f64> = runs.iter().map(figure).collect();
        values.sort_by(f64::total_cmp);
        values.get(values.len() / 2).copied().unwrap_or(0.0)
    };
    for (n, on, off) in &tables {
        for run in off {
            println!("{}", run.row(*n, "table off (other kind)"));
        }
        for run in on {
            println!("{}", run.row(*n, "table on (portal)"));
        }
        let per_sec = |r: &RunResult| r.changes_per_sec;
        let cpu = |r: &RunResult| r.cpu_ms_per_change;
        println!(
            "| {n} | **on/off, medians** | | | **{:.2}×** | **{:.2}×** | | |",
            median(on, per_sec) / median(off, per_sec).max(f64::MIN_POSITIVE),
            median(on, cpu) / median(off, cpu).max(f64::MIN_POSITIVE),
        );
    }
}

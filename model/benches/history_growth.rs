//! How the cost of a portal grows with its history: the same realistic mix of edits as the
//! client benchmark's large portal (`examples/large_portal`), at 100 to 50,000 changes, timing
//! natively what the browser does with it. Prints a table; asserts nothing.
//!
//!     cargo bench -p threshold-model --bench history_growth
//!
//! `BENCH_CHANGES` (default "100,1000,10000,50000") sets the sizes. Tasks and fields grow with
//! the history up to 1,000 and 200 (a fifth and a twenty-fifth of the changes).

use std::time::Instant;

use chrono::NaiveDate;
use threshold_model::{self as model, portal::Assignee};
use threshold_protocol::automerge::sync::{self, SyncDoc};
use threshold_protocol::automerge::Automerge;

// The bench times only the portal; the example also writes the workspace and internal document.
#[allow(dead_code)]
#[path = "../examples/large_portal/generate.rs"]
mod generate;

/// The median of `runs` timings of `work`, in milliseconds.
fn time<R>(runs: usize, mut work: impl FnMut() -> R) -> f64 {
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(work());
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

/// Everything the portal page reads from the document on each change.
fn read_page(doc: &Automerge) -> usize {
    let portal = model::portal::read_portal(doc).expect("portal");
    let intake = model::onboarding::read_intake(doc).expect("intake");
    let exchange = model::onboarding::read_exchange(doc).expect("exchange");
    let meetings = model::onboarding::read_meetings(doc).expect("meetings");
    let today = NaiveDate::from_ymd_opt(2026, 11, 21).expect("a date");
    let outstanding =
        model::portal::outstanding(&intake, &exchange, &portal.tasks, &meetings, today);
    portal.tasks.len() + intake.fields.len() + outstanding.waiting_on_client.len()
}

fn main() -> anyhow::Result<()> {
    let sizes: Vec<usize> = std::env::var("BENCH_CHANGES")
        .unwrap_or_else(|_| "100,1000,10000,50000".into())
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    println!("history growth: native, release, median of several runs per figure");
    println!();
    println!("| changes | tasks / fields | saved size | load (snapshot) | load (changes one by one) | read the whole page | re-read after one edit | one edit + incremental save | full save | sync to a new peer |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &changes in &sizes {
        let tasks = (changes / 5).clamp(1, 1_000);
        let fields = (changes / 25).clamp(1, 200);
        let generated = generate::generate(tasks, fields, changes)?;
        let doc = generated.portal.1;
        let saved = doc.save();
        let runs = if changes > 10_000 { 3 } else { 9 };

        let load = time(runs, || Automerge::load(&saved).expect("loads"));
        // What a device did before this issue with a document it received whole over sync: one
        // chunk of every change, applied one by one on load.
        let all_changes: Vec<u8> = doc.save_after(&[]);
        let replay = time(runs, || {
            let mut fresh = Automerge::new();
            fresh.load_incremental(&all_changes).expect("loads");
            fresh
        });
        let read = time(runs, || read_page(&doc));
        let mut edited = doc.clone();
        let edit = time(runs, || {
            let heads = edited.get_heads();
            model::doc::edit(&mut edited, |tx| {
                model::portal::add_task(tx, "One more", Assignee::Provider, chrono::Utc::now())
            })
            .expect("edit");
            edited.save_after(&heads)
        });
        // What a view does after one edit since this issue: trace what the edit touched and
        // read only that part again (see `touched` and `read_portal_update`).
        let before_edit = model::portal::read_portal(&edited).expect("portal");
        let heads = edited.get_heads();
        let task = before_edit.tasks[before_edit.tasks.len() / 2].id.clone();
        model::doc::edit(&mut edited, |tx| {
            model::portal::rename_task(tx, &task, "Renamed")
        })
        .expect("edit");
        let incremental = time(runs, || {
            let touched = model::doc::touched(&edited, &heads);
            model::portal::read_portal_update(&edited, &before_edit, &touched).expect("update")
        });
        let full_save = time(runs, || doc.save());
        let sync_new_peer = time(runs, || {
            let mut peer = Automerge::new();
            let (mut ours, mut theirs) = (sync::State::new(), sync::State::new());
            for _ in 0..10 {
                let to_peer = doc.generate_sync_message(&mut ours);
                let to_us = peer.generate_sync_message(&mut theirs);
                if to_peer.is_none() && to_us.is_none() {
                    break;
                }
                if let Some(m) = to_peer {
                    peer.receive_sync_message(&mut theirs, m).expect("sync");
                }
                if let Some(m) = to_us {
                    let mut us = doc.clone();
                    us.receive_sync_message(&mut ours, m).expect("sync");
                }
            }
            assert_eq!(peer.get_heads().len(), doc.get_heads().len());
            peer
        });
        println!(
            "| {} | {tasks} / {fields} | {} KB | {load:.1} ms | {replay:.1} ms | {read:.2} ms | {incremental:.3} ms | {edit:.2} ms | {full_save:.1} ms | {sync_new_peer:.1} ms |",
            doc.get_changes(&[]).len(),
            saved.len() / 1024,
        );
    }
    Ok(())
}

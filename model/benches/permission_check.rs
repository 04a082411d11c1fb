//! What judging a change costs: `access::check_change` on the benchmark's large portal
//! (`examples/large_portal`), per change, next to what applying that change costs. The relay
//! judges every change a client sends, so this is the check's share of the relay's work per
//! change. Prints a table; asserts nothing.
//!
//!     cargo bench -p threshold-model --bench permission_check
//!
//! `BENCH_CHANGES` (default 50000) sets the portal's history.

use std::time::Instant;

use chrono::Utc;
use threshold_model::{self as model, access, onboarding::AnswerValue, portal::Assignee};
use threshold_protocol::automerge::{ActorId, Automerge, Change};

// The bench times only the portal; the example also writes the workspace and internal document.
#[allow(dead_code)]
#[path = "../examples/large_portal/generate.rs"]
mod generate;

/// The median of `runs` timings of `work` on a fresh value from `setup`, in microseconds.
fn time<S, R>(runs: usize, mut setup: impl FnMut() -> S, mut work: impl FnMut(S) -> R) -> f64 {
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let input = setup();
            let started = Instant::now();
            std::hint::black_box(work(input));
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

type Edit = Box<dyn Fn(&mut model::doc::Transaction<'_>) -> Result<(), model::doc::ModelError>>;

fn main() -> anyhow::Result<()> {
    let changes: usize = std::env::var("BENCH_CHANGES")
        .ok()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(50_000);
    let tasks = (changes / 5).clamp(1, 1_000);
    let fields = (changes / 25).clamp(1, 200);
    let doc = generate::generate(tasks, fields, changes)?.portal.1;
    let portal = model::portal::read_portal(&doc)?;
    let intake = model::onboarding::read_intake(&doc)?;
    let client_task = portal
        .tasks
        .iter()
        .find(|t| t.assignee == Assignee::Client)
        .expect("a client task")
        .id
        .clone();
    let field = intake.fields[intake.fields.len() / 2].id.clone();
    let client = ActorId::random();
    // The client's device has synced before: its actor is known to the portal, as it is for
    // every change but a device's first (which costs more to apply, for any writer).
    let nothing: Edit = Box::new(|_: &mut model::doc::Transaction<'_>| Ok(()));
    let (_, doc) = one_change(&doc, &client, Access::Client, &nothing);

    let edits: Vec<(&str, Access, Edit)> = vec![
        (
            "client answers a question",
            Access::Client,
            Box::new(move |tx| {
                model::onboarding::set_answer(
                    tx,
                    &field,
                    &AnswerValue::Text("Forty".into()),
                    "Dana",
                    Utc::now(),
                )
            }),
        ),
        ("client ticks their task", Access::Client, {
            let id = client_task.clone();
            Box::new(move |tx| model::portal::set_task_done(tx, &id, true))
        }),
        ("client comments on a task", Access::Client, {
            let id = client_task.clone();
            Box::new(move |tx| {
                model::portal::add_task_comment(tx, &id, "Dana", "Done on our side", Utc::now())
                    .map(|_| ())
            })
        }),
        (
            "client adds a task",
            Access::Client,
            Box::new(|tx| {
                model::portal::add_task(tx, "Send the logo", Assignee::Client, Utc::now())
                    .map(|_| ())
            }),
        ),
        (
            "client rewrites the welcome (refused)",
            Access::Client,
            Box::new(|tx| model::portal::update_welcome(tx, "Pay to IBAN XX00 0000")),
        ),
        ("provider renames a task", Access::Provider, {
            let id = client_task.clone();
            Box::new(move |tx| model::portal::rename_task(tx, &id, "Invite every admin"))
        }),
    ];

    println!(
        "permission check: native, release, a portal of {} changes, median of 15 runs",
        doc.get_changes(&[]).len()
    );
    println!();
    println!("| change | operations | verdict | check_change | apply the change | check / apply |");
    println!("|---|---|---|---|---|---|");
    for (name, access, edit) in &edits {
        let actor = match access {
            Access::Client => client.clone(),
            Access::Provider => doc.get_actor().clone(),
        };
        let (change, after) = one_change(&doc, &actor, *access, edit);
        let own = [actor];
        let writer = access::Writer {
            side: match access {
                Access::Client => access::Side::Client,
                Access::Provider => access::Side::Provider,
            },
            own_actors: &own,
        };
        let verdict = access::check_change(&after, &change, &writer);
        let check = time(
            15,
            || (),
            |()| access::check_change(&after, &change, &writer),
        );
        let apply = time(
            15,
            || doc.clone(),
            |mut d| d.apply_changes([change.clone()]).expect("applies"),
        );
        println!(
            "| {name} | {} | {} | {check:.0} µs | {apply:.0} µs | {:.0}% |",
            change.len(),
            match verdict {
                Ok(()) => "allowed".to_owned(),
                Err(rule) => format!("refused: {rule}"),
            },
            100.0 * check / apply
        );
    }

    // Provider traffic: the shape rules alone, over the portal's own recent history.
    let history: Vec<Change> = doc.get_changes(&[]).into_iter().rev().take(1_000).collect();
    let own = [doc.get_actor().clone()];
    let provider = access::Writer {
        side: access::Side::Provider,
        own_actors: &own,
    };
    let all = time(
        5,
        || (),
        |()| {
            history
                .iter()
                .filter(|c| access::check_change(&doc, c, &provider).is_ok())
                .count()
        },
    );
    println!();
    println!(
        "provider's changes (shape rules only), the last {} of the history: {:.1} µs per change",
        history.len(),
        all / history.len() as f64
    );
    Ok(())
}

#[derive(Clone, Copy)]
enum Access {
    Client,
    Provider,
}

/// One change made on a device with `actor` holding `doc` (as the app makes it: the edit, the
/// actor's name, the side's last activity), and the portal after it.
fn one_change(
    doc: &Automerge,
    actor: &ActorId,
    access: Access,
    edit: &Edit,
) -> (Change, Automerge) {
    let side = match access {
        Access::Client => Assignee::Client,
        Access::Provider => Assignee::Provider,
    };
    let mut device = doc.fork().with_actor(actor.clone());
    model::doc::edit(&mut device, |tx| {
        edit(tx)?;
        model::portal::register_actor(tx, actor, "Someone", side)?;
        model::workspace::record_activity(tx, side, Utc::now())
    })
    .expect("edits");
    let change = device.get_last_local_change().expect("a change").clone();
    let mut after = doc.clone();
    after.apply_changes([change.clone()]).expect("applies");
    (change, after)
}

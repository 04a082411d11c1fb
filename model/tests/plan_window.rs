//! The window of a long plan: bounded rows, counts, search and filter over every task, and the
//! tasks just added kept in view.

use threshold_model::portal::*;

fn task(n: usize, done: bool) -> Task {
    Task {
        id: TaskId::from_string(format!("t{n:04}")),
        title: format!("Task {n:04}"),
        done,
        status: if done {
            TaskStatus::Done
        } else {
            TaskStatus::Todo
        },
        assignee: Assignee::Client,
        person: None,
        created_at: None,
        due: None,
        comments: Vec::new(),
    }
}

fn plan(n: usize) -> Vec<Task> {
    (1..=n).map(|i| task(i, i % 3 == 0)).collect()
}

fn query(search: &str, filter: PlanFilter, limit: usize) -> PlanQuery<'_> {
    PlanQuery {
        search,
        filter,
        limit,
        pinned: &[],
    }
}

#[test]
fn a_long_plan_draws_only_its_first_rows_and_counts_the_rest() {
    let tasks = plan(1000);
    let window = plan_window(&tasks, &query("", PlanFilter::All, PLAN_PAGE));
    assert_eq!(window.rows.len(), PLAN_PAGE);
    assert_eq!(window.rows[0].title, "Task 0001");
    assert_eq!((window.matching, window.total), (1000, 1000));
    assert_eq!(window.hidden(), 1000 - PLAN_PAGE);
}

#[test]
fn a_short_plan_draws_every_row() {
    let tasks = plan(7);
    let window = plan_window(&tasks, &query("", PlanFilter::All, PLAN_PAGE));
    assert_eq!(window.rows, tasks);
    assert_eq!(window.hidden(), 0);
}

#[test]
fn search_finds_a_task_past_the_window_by_words_in_any_case() {
    let tasks = plan(1000);
    let window = plan_window(&tasks, &query("  TASK   0942 ", PlanFilter::All, PLAN_PAGE));
    let titles: Vec<_> = window.rows.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Task 0942"]);
    assert_eq!((window.matching, window.total), (1, 1000));
}

#[test]
fn the_filter_covers_every_task_and_the_window_cuts_what_matches() {
    let tasks = plan(1000);
    let done = plan_window(&tasks, &query("", PlanFilter::Done, 10));
    assert_eq!(done.matching, 333);
    assert_eq!(done.rows.len(), 10);
    assert!(done.rows.iter().all(|t| t.done));
    let open = plan_window(&tasks, &query("", PlanFilter::Open, 2000));
    assert_eq!(open.matching, 667);
    assert!(open.rows.iter().all(|t| !t.done));
}

#[test]
fn a_task_just_added_is_drawn_past_the_window_while_it_matches() {
    let tasks = plan(200);
    let pinned = [TaskId::from_string("t0200".to_owned())];
    let mut q = query("", PlanFilter::All, PLAN_PAGE);
    q.pinned = &pinned;
    let window = plan_window(&tasks, &q);
    assert_eq!(window.rows.len(), PLAN_PAGE + 1);
    assert_eq!(
        window.rows.last().map(|t| t.title.as_str()),
        Some("Task 0200")
    );
    assert_eq!(window.hidden(), 200 - PLAN_PAGE - 1);
    q.search = "Task 0001";
    assert_eq!(
        plan_window(&tasks, &q).rows.len(),
        1,
        "not when the search leaves it out"
    );
}

#[test]
fn an_unknown_filter_word_lists_everything() {
    assert_eq!(PlanFilter::parse("nonsense"), PlanFilter::All);
    for f in PlanFilter::ALL {
        assert_eq!(PlanFilter::parse(f.as_str()), f);
    }
}

#[test]
fn a_preview_is_the_name_and_the_rows_the_plan_draws_first_and_survives_storage() {
    let portal = Portal {
        client_name: "Northwind Traders".into(),
        welcome: "Welcome.".into(),
        tasks: plan(1000),
        schema: 1,
    };
    let p = preview(&portal);
    assert_eq!(p.client_name, "Northwind Traders");
    assert_eq!(p.total, 1000);
    let drawn = plan_window(&portal.tasks, &query("", PlanFilter::All, PLAN_PAGE));
    assert_eq!(
        p.rows,
        drawn
            .rows
            .iter()
            .map(|t| PreviewRow {
                title: t.title.clone(),
                done: t.done
            })
            .collect::<Vec<_>>()
    );
    // Kept as JSON in the browser's small storage, and read back as it was.
    let kept = serde_json::to_string(&p).unwrap();
    assert!(kept.len() < 8 * 1024, "{} bytes", kept.len());
    assert_eq!(serde_json::from_str::<Preview>(&kept).unwrap(), p);
}

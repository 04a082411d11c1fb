//! What a long plan puts on screen: the tasks that match the search and the filter, cut to a
//! window of rows, with the counts the page shows beside it.
//!
//! A browser that draws every row of a thousand-task plan spends seconds on layout, style and
//! accessibility work for rows nobody scrolls to (issue 19), so the page draws a window and
//! grows it on request. The search and the filter run here, over every task, so a task that is
//! not drawn is still found.
//!
//! ```
//! use threshold_model::portal::{plan_window, PlanFilter, PlanQuery};
//! let window = plan_window(&[], &PlanQuery { search: "logo", filter: PlanFilter::Open, limit: 50, pinned: &[] });
//! assert_eq!((window.rows.len(), window.matching, window.total), (0, 0, 0));
//! ```

use super::task::{Task, TaskId};

/// How many rows a plan draws at first, and how many more each "Show more" adds.
pub const PLAN_PAGE: usize = 50;

/// From how many tasks a plan offers its search and filter: a short plan is read at a glance,
/// and a search box above three tasks is only clutter.
pub const PLAN_FIND_FROM: usize = 10;

/// Which tasks the plan lists, by where they stand.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PlanFilter {
    #[default]
    All,
    /// Not done: to do or in progress.
    Open,
    Done,
}

impl PlanFilter {
    pub const ALL: [PlanFilter; 3] = [PlanFilter::All, PlanFilter::Open, PlanFilter::Done];

    pub fn as_str(&self) -> &'static str {
        match self {
            PlanFilter::All => "all",
            PlanFilter::Open => "open",
            PlanFilter::Done => "done",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            PlanFilter::All => "All",
            PlanFilter::Open => "Open",
            PlanFilter::Done => "Done",
        }
    }

    /// Unknown words list everything: a filter never hides tasks by mistake.
    pub fn parse(value: &str) -> Self {
        PlanFilter::ALL
            .into_iter()
            .find(|f| f.as_str() == value)
            .unwrap_or_default()
    }

    fn keeps(&self, task: &Task) -> bool {
        match self {
            PlanFilter::All => true,
            PlanFilter::Open => !task.done,
            PlanFilter::Done => task.done,
        }
    }
}

/// What the person asked the plan for.
#[derive(Clone, Copy, Debug)]
pub struct PlanQuery<'a> {
    /// Words that must all appear in a task's title, in any case and order; blank lists all.
    pub search: &'a str,
    pub filter: PlanFilter,
    /// How many matching rows to draw.
    pub limit: usize,
    /// Tasks drawn even past the limit when they match: the ones the person just added from
    /// this page, which would otherwise vanish the moment they are created.
    pub pinned: &'a [TaskId],
}

#[derive(Clone, Debug, PartialEq)]
pub struct PlanWindow {
    /// The rows to draw, in the order given.
    pub rows: Vec<Task>,
    /// How many tasks match the search and the filter.
    pub matching: usize,
    /// How many tasks the plan has.
    pub total: usize,
}

impl PlanWindow {
    /// How many matching tasks are not drawn.
    pub fn hidden(&self) -> usize {
        self.matching.saturating_sub(self.rows.len())
    }
}

/// Whether every word of `search` appears in `title`, ignoring case.
pub fn title_matches(title: &str, search: &str) -> bool {
    let title = title.to_lowercase();
    search
        .to_lowercase()
        .split_whitespace()
        .all(|word| title.contains(word))
}

/// The window of `tasks` (already in the order the page shows them) that `query` asks for.
pub fn plan_window(tasks: &[Task], query: &PlanQuery<'_>) -> PlanWindow {
    let mut rows = Vec::with_capacity(query.limit.min(tasks.len()));
    let mut matching = 0;
    for task in tasks {
        if !query.filter.keeps(task) || !title_matches(&task.title, query.search) {
            continue;
        }
        matching += 1;
        if matching <= query.limit || query.pinned.contains(&task.id) {
            rows.push(task.clone());
        }
    }
    PlanWindow {
        rows,
        matching,
        total: tasks.len(),
    }
}

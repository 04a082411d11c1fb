//! A ready-to-draw copy of the top of a portal's page: the client's name and the first rows of
//! the plan, as the plan view draws them. A device keeps the newest one beside the document and
//! draws it while the document loads (a long history takes half a second or more to load in a
//! browser), and the page itself then takes its place. Plain data: cheap to keep and to read.

use serde::{Deserialize, Serialize};

use super::plan_window::{plan_window, PlanFilter, PlanQuery, PLAN_PAGE};
use super::Portal;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    pub client_name: String,
    /// The plan's first rows, in the plan view's order.
    pub rows: Vec<PreviewRow>,
    /// How many tasks the plan has.
    pub total: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub title: String,
    pub done: bool,
}

/// The preview of `portal`: what its plan view draws first, unfiltered.
pub fn preview(portal: &Portal) -> Preview {
    let window = plan_window(
        &portal.tasks,
        &PlanQuery {
            search: "",
            filter: PlanFilter::All,
            limit: PLAN_PAGE,
            pinned: &[],
        },
    );
    Preview {
        client_name: portal.client_name.clone(),
        rows: window
            .rows
            .into_iter()
            .map(|t| PreviewRow {
                title: t.title,
                done: t.done,
            })
            .collect(),
        total: window.total,
    }
}

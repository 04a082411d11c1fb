use leptos::prelude::*;
use threshold_model::offboarding::{format_number, Metric};

/// "Where you started, where you are now": two bars per metric, drawn as SVG by the app. The
/// chart is an image with a text alternative that says the same.
#[component]
pub fn MetricChart(metrics: Signal<Vec<Metric>>) -> impl IntoView {
    const ROW: f64 = 58.0;
    const LABEL: f64 = 150.0;
    const BAR: f64 = 300.0;
    let summary = move || {
        metrics
            .get()
            .iter()
            .map(|m| match m.exit {
                Some((exit, _)) => format!(
                    "{}: from {} to {} {}",
                    m.spec.name,
                    format_number(m.spec.baseline),
                    format_number(exit),
                    m.spec.unit
                ),
                None => format!(
                    "{}: {} {} at the start",
                    m.spec.name,
                    format_number(m.spec.baseline),
                    m.spec.unit
                ),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let height = move || (metrics.with(Vec::len) as f64 * ROW).max(ROW);
    view! {
        <figure class="metric-chart">
            <svg role="img" aria-label=summary viewBox=move || format!("0 0 {} {}", LABEL + BAR + 90.0, height())
                preserveAspectRatio="xMinYMin meet" width="100%">
                {move || metrics.get().into_iter().enumerate().map(|(i, m)| {
                    let y = i as f64 * ROW;
                    let (start, now) = m.bar_lengths();
                    let exit = m.exit.map(|(e, _)| e);
                    let improved = m.improved().unwrap_or(true);
                    view! {
                        <g>
                            <text x="0" y=y + 16.0 class="chart-label">{m.spec.name.clone()}</text>
                            <text x="0" y=y + 34.0 class="chart-unit">{m.spec.unit.clone()}</text>
                            <rect x=LABEL y=y + 4.0 height="16" rx="3" width=(start * BAR).max(2.0) class="bar-start"/>
                            <text x=LABEL + (start * BAR).max(2.0) + 6.0 y=y + 17.0 class="chart-value">{format!("Start {}", format_number(m.spec.baseline))}</text>
                            {exit.map(|e| view! {
                                <rect x=LABEL y=y + 24.0 height="16" rx="3" width=(now * BAR).max(2.0) class=if improved { "bar-now" } else { "bar-now worse" }/>
                                <text x=LABEL + (now * BAR).max(2.0) + 6.0 y=y + 37.0 class="chart-value">{format!("Now {}", format_number(e))}</text>
                            })}
                        </g>
                    }
                }).collect_view()}
            </svg>
            <figcaption class="muted small">
                <span class="key key-start"></span>" Where you started "
                <span class="key key-now"></span>" Where you are now"
            </figcaption>
        </figure>
    }
}

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::offboarding::{
    add_metric, format_number, remove_metric, set_metric_exit, Metric, MetricSpec, METRICS,
};
use threshold_model::portal::Stage;
use threshold_protocol::DocumentId;

use super::MetricChart;
use crate::actions;
use crate::components::widgets::{AddRow, RemoveButton, TextField};
use crate::state::dates::{parse_date, today};
use crate::state::permission::{may, Act};
use crate::state::view_mode::use_view;
use crate::sync::part_memo;

/// Success measured: metrics defined at intake with their baseline, and the exit value recorded
/// at the end, side by side.
#[component]
pub fn MetricsSection(id: DocumentId, stage: Memo<Option<Stage>>) -> impl IntoView {
    let view = use_view();
    let metrics = part_memo(id, METRICS);
    let list = Signal::derive(move || metrics.get().unwrap_or_default());
    let at_exit = move || {
        matches!(
            stage.get(),
            Some(Stage::Offboarding | Stage::Alumni | Stage::Cancelled)
        )
    };
    let (name, set_name) = signal(String::new());
    let (unit, set_unit) = signal(String::new());
    let (baseline, set_baseline) = signal(String::new());
    let (measured, set_measured) = signal(String::new());
    let (lower, set_lower) = signal(false);
    let (error, set_error) = signal(None::<String>);
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Ok(value) = baseline.get_untracked().trim().parse::<f64>() else {
            set_error.set(Some(
                "Enter the baseline as a number, like 12 or 4.5.".into(),
            ));
            return;
        };
        let spec = MetricSpec {
            name: name.get_untracked(),
            unit: unit.get_untracked(),
            baseline: value,
            baseline_date: parse_date(&measured.get_untracked()).or(Some(today())),
            higher_is_better: !lower.get_untracked(),
        };
        match actions::try_edit_portal(id, |tx| {
            add_metric(tx, &spec, chrono::Utc::now()).map(|_| ())
        }) {
            Ok(()) => {
                set_name.set(String::new());
                set_unit.set(String::new());
                set_baseline.set(String::new());
                set_error.set(None);
            }
            Err(e) => set_error.set(Some(e.to_string())),
        }
    };
    view! {
        <section class="card" aria-labelledby="metrics-heading" id="success">
            <h2 id="metrics-heading">"Success measures"</h2>
            <p class="muted small">"What we agreed to move, where it started, and where it is now."</p>
            <Show when=move || !list.with(Vec::is_empty) fallback=|| view! { <p class="muted">"No measures yet."</p> }>
                <MetricChart metrics=list/>
                <table class="metrics" aria-label="Success measures">
                    <thead><tr><th scope="col">"Measure"</th><th scope="col">"Baseline"</th><th scope="col">"At exit"</th><th scope="col">"Change"</th></tr></thead>
                    <tbody>
                        <For each=move || list.get() key=|m| format!("{m:?}")
                            children=move |m| view! {
                                <MetricRow portal=id metric=m
                                    editable=Signal::derive(move || at_exit() && may(view.get(), &Act::EditMetrics))
                                    removable=Signal::derive(move || may(view.get(), &Act::EditMetrics))/>
                            }/>
                    </tbody>
                </table>
            </Show>
            <Show when=move || may(view.get(), &Act::EditMetrics)>
                <AddRow label="Add a success measure" button="Add measure" on_add=on_add error=error>
                    <TextField id="metric-name" label="Measure" placeholder="e.g. Weekly orders" grow=true value=name set_value=set_name/>
                    <TextField id="metric-unit" label="Unit" placeholder="orders" value=unit set_value=set_unit/>
                    <div class="field">
                        <label for="metric-baseline">"Baseline"</label>
                        <input id="metric-baseline" type="text" inputmode="decimal" prop:value=baseline on:input=move |ev| set_baseline.set(event_target_value(&ev))/>
                    </div>
                    <TextField id="metric-date" label="Date measured" kind="date" value=measured set_value=set_measured/>
                    <label class="inline"><input type="checkbox" prop:checked=lower on:change=move |ev| set_lower.set(event_target_checked(&ev))/>"Lower is better"</label>
                </AddRow>
            </Show>
        </section>
    }
}

#[component]
fn MetricRow(
    portal: DocumentId,
    metric: Metric,
    editable: Signal<bool>,
    removable: Signal<bool>,
) -> impl IntoView {
    let id = StoredValue::new(metric.id.clone());
    let name = metric.spec.name.clone();
    let (error, set_error) = signal(None::<String>);
    let baseline = format!(
        "{} {}{}",
        format_number(metric.spec.baseline),
        metric.spec.unit,
        metric
            .spec
            .baseline_date
            .map(|d| format!(" ({})", crate::state::dates::show(d)))
            .unwrap_or_default()
    );
    let change = match (metric.change(), metric.percent_change()) {
        (Some(c), Some(p)) => format!(
            "{}{} ({:+}%)",
            if c > 0.0 { "+" } else { "" },
            format_number(c),
            p.round() as i64
        ),
        (Some(c), None) => format!("{}{}", if c > 0.0 { "+" } else { "" }, format_number(c)),
        _ => "—".into(),
    };
    let exit_value = metric
        .exit
        .map(|(e, _)| format_number(e))
        .unwrap_or_default();
    let exit_text = metric
        .exit
        .map(|(e, _)| format!("{} {}", format_number(e), metric.spec.unit))
        .unwrap_or_else(|| "—".into());
    let improved = metric.improved();
    view! {
        <tr>
            <th scope="row">{name.clone()}</th>
            <td>{baseline}</td>
            <td>
                <Show when=move || editable.get() fallback=move || exit_text.clone()>
                    <input type="text" inputmode="decimal" class="narrow" aria-label=format!("Exit value of {name}") prop:value=exit_value.clone()
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            let exit = if text.trim().is_empty() {
                                None
                            } else if let Ok(v) = text.trim().parse::<f64>() {
                                Some((v, today()))
                            } else {
                                set_error.set(Some("Enter a number.".into()));
                                return;
                            };
                            set_error.set(actions::try_edit_portal(portal, |tx| set_metric_exit(tx, &id.get_value(), exit)).err().map(|e| e.to_string()));
                        }/>
                    <span class="field-error small" role="alert">{move || error.get()}</span>
                </Show>
            </td>
            <td class:better=improved == Some(true) class:worse=improved == Some(false)>{change}</td>
            <Show when=move || removable.get()>
                <td><RemoveButton what="measure" name=metric.spec.name.clone()
                    on_remove=move |()| actions::edit_portal(portal, |tx| remove_metric(tx, &id.get_value()))/></td>
            </Show>
        </tr>
    }
}

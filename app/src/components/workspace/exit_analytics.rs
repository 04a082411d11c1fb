use leptos::prelude::*;
use threshold_model::workspace::{exit_analytics, exit_record, ExitAnalytics, PortalEntry};

use crate::sync::client;

/// Exit analytics across the workspace's portals: time to onboard, reasons for leaving, the
/// score distribution and NPS, and alumni due for a follow-up.
#[component]
pub fn ExitAnalyticsSection(portals: Signal<Vec<PortalEntry>>) -> impl IntoView {
    // Counted again when one of the listed portals changes, not on every other document's.
    let analytics = Memo::new(move |_| {
        let records: Vec<_> = portals
            .get()
            .into_iter()
            .filter_map(|p| {
                client().revision_of(p.id).track();
                client()
                    .read(&p.id, |doc| {
                        (!doc.get_heads().is_empty())
                            .then(|| exit_record(doc, p.added_at).ok())
                            .flatten()
                    })
                    .flatten()
            })
            .collect();
        exit_analytics(&records, crate::state::dates::today())
    });
    view! {
        <section class="card analytics" aria-labelledby="analytics-heading" id="analytics">
            <h2 id="analytics-heading">"Exit analytics"</h2>
            {move || {
                let a = analytics.get();
                view! {
                    <dl class="stats">
                        <div><dt>"Median time to onboard"</dt><dd data-testid="median-onboard">{a.median_days_to_onboard.map(|d| format!("{:.1} days", d)).unwrap_or_else(|| "—".into())}</dd>
                            <dd class="muted small">{format!("{} client(s) onboarded", a.onboarded)}</dd></div>
                        <div><dt>"NPS"</dt><dd data-testid="nps">{a.nps.map(|n| format!("{n:+}")).unwrap_or_else(|| "—".into())}</dd>
                            <dd class="muted small">{format!("{} response(s)", a.responses())}</dd></div>
                        <div><dt>"Follow-ups due"</dt><dd data-testid="follow-ups-due-count">{a.follow_ups_due.len()}</dd></div>
                    </dl>
                    <ScoreChart analytics=a.clone()/>
                    <h3>"Reasons for leaving"</h3>
                    {if a.reasons.is_empty() {
                        view! { <p class="muted small">"No reasons given yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="reasons-list" aria-label="Reasons for leaving">
                                {a.reasons.iter().map(|(r, n)| view! { <li><span class="grow">{r.label()}</span><strong>{*n}</strong></li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    <h3>"Alumni due for a follow-up"</h3>
                    {if a.follow_ups_due.is_empty() {
                        view! { <p class="muted small">"Nobody is due."</p> }.into_any()
                    } else {
                        view! {
                            <ul aria-label="Follow-ups due">
                                {a.follow_ups_due.iter().map(|(client, f)| view! {
                                    <li>{format!("{client}: {} (due {})", f.title(), crate::state::dates::show(f.due))}</li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                }
            }}
        </section>
    }
}

/// How many clients gave each score, 0 to 10, as bars coloured by NPS group.
#[component]
fn ScoreChart(analytics: ExitAnalytics) -> impl IntoView {
    let counts = analytics.score_counts;
    let most = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let label = counts
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{n} gave {s}"))
        .collect::<Vec<_>>()
        .join(", ");
    let label = if label.is_empty() {
        "No scores yet".to_owned()
    } else {
        format!("Scores: {label}")
    };
    view! {
        <svg class="score-chart" role="img" aria-label=label viewBox="0 0 330 120" width="100%" preserveAspectRatio="xMinYMin meet">
            {counts.iter().enumerate().map(|(score, n)| {
                let h = *n as f64 / most * 90.0;
                let class = match score { 0..=6 => "bar-detractor", 7 | 8 => "bar-passive", _ => "bar-promoter" };
                view! {
                    <g>
                        <rect x=score as f64 * 30.0 + 2.0 y=100.0 - h width="24" height=h.max(1.0) rx="3" class=class/>
                        <text x=score as f64 * 30.0 + 14.0 y="115" text-anchor="middle" class="chart-unit">{score}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

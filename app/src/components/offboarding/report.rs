use leptos::prelude::*;
use threshold_model::offboarding::{
    format_number, read_access_wrapup, read_deliverables, read_exit_feedback, read_follow_ups,
    read_metrics, read_next_steps, read_offboarding, read_referrals, AccessItem, Deliverable,
    FollowUp, Metric, NextStep, Offboarding, Referral, ACCESS_WRAPUP, DELIVERABLES, EXIT_FEEDBACK,
    FOLLOW_UPS, METRICS, NEXT_STEPS, OFFBOARDING, REFERRALS,
};
use threshold_model::onboarding::{
    read_exchange, read_signatures, Signature, EXCHANGE, SIGNATURES,
};
use threshold_model::portal::{read_client_name, CLIENT_NAME};
use threshold_protocol::DocumentId;

use super::MetricChart;
use crate::state::authors::name_for;
use crate::sync::doc_memo;

/// Everything the report shows, read at once.
#[derive(Clone, PartialEq)]
struct Report {
    client_name: String,
    deliverables: Vec<Deliverable>,
    metrics: Vec<Metric>,
    access: Vec<AccessItem>,
    steps: Vec<NextStep>,
    referrals: Vec<Referral>,
    follow_ups: Vec<FollowUp>,
    offboarding: Offboarding,
    score: Option<u8>,
    /// Each typed signature with the name of the document it is on.
    signatures: Vec<(String, Signature)>,
}

/// The printable offboarding report: hidden on screen, and all that prints while "Print
/// offboarding report" runs (see the print stylesheet), so the browser's "Save as PDF" makes a
/// clean document.
#[component]
pub fn OffboardingReport(id: DocumentId) -> impl IntoView {
    // Everything but the task plan, so that ticking tasks never re-reads the report.
    let parts = &[
        CLIENT_NAME.keys,
        DELIVERABLES.keys,
        METRICS.keys,
        ACCESS_WRAPUP.keys,
        NEXT_STEPS.keys,
        REFERRALS.keys,
        FOLLOW_UPS.keys,
        OFFBOARDING.keys,
        EXIT_FEEDBACK.keys,
        EXCHANGE.keys,
        SIGNATURES.keys,
    ];
    let report = doc_memo(id, parts, |doc| {
        Some(Report {
            client_name: read_client_name(doc).ok()?,
            deliverables: read_deliverables(doc).ok()?,
            metrics: read_metrics(doc).ok()?,
            access: read_access_wrapup(doc).ok()?,
            steps: read_next_steps(doc).ok()?,
            referrals: read_referrals(doc).ok()?,
            follow_ups: read_follow_ups(doc).ok()?,
            offboarding: read_offboarding(doc).ok()?,
            score: read_exit_feedback(doc).ok()?.score,
            signatures: {
                let documents = read_exchange(doc).ok()?;
                read_signatures(doc)
                    .ok()?
                    .into_iter()
                    .map(|s| {
                        let name = documents
                            .iter()
                            .find(|d| d.id == s.document)
                            .map(|d| d.name.clone())
                            .unwrap_or_else(|| "A removed document".into());
                        (name, s)
                    })
                    .collect()
            },
        })
    });
    let metrics = Signal::derive(move || report.get().map(|r| r.metrics).unwrap_or_default());
    view! {
        <article class="print-report" aria-hidden="true">
            {move || report.get().map(|r| {
                let date = |d: Option<chrono::DateTime<chrono::Utc>>| d.map(threshold_model::formats::full_date_of).unwrap_or_else(|| "—".into());
                view! {
                    <h1>{format!("Offboarding report — {}", r.client_name)}</h1>
                    <p>{format!("Offboarding started {} · completed {}", date(r.offboarding.started_at), date(r.offboarding.goodbye_sent_at))}</p>
                    <h2>"Deliverables"</h2>
                    {r.deliverables.into_iter().map(|d| view! {
                        <section class="report-item">
                            <h3>{d.spec.title.clone()}</h3>
                            <p>{d.acknowledged.map(|(at, by)| format!("Acknowledged by {by} on {}", threshold_model::formats::full_date(at.date_naive()))).unwrap_or_else(|| "Not acknowledged".into())}</p>
                            {(!d.handover.how_to_use.is_empty()).then(|| view! { <p><strong>"How to use it: "</strong>{d.handover.how_to_use.clone()}</p> })}
                            {(!d.handover.maintenance.is_empty()).then(|| view! { <p><strong>"Looking after it: "</strong>{d.handover.maintenance.clone()}</p> })}
                            {(!d.handover.time_needed.is_empty()).then(|| view! { <p><strong>"Time it takes: "</strong>{d.handover.time_needed.clone()}</p> })}
                        </section>
                    }).collect_view()}
                    <h2>"Success measures"</h2>
                    <MetricChart metrics=metrics/>
                    <ul>{metrics.get().into_iter().map(|m| view! {
                        <li>{format!("{}: {} → {} {}", m.spec.name, format_number(m.spec.baseline), m.exit.map(|(e, _)| format_number(e)).unwrap_or_else(|| "—".into()), m.spec.unit)}</li>
                    }).collect_view()}</ul>
                    <h2>"Access removed"</h2>
                    <ul>{r.access.into_iter().map(|a| view! {
                        <li>{format!("{} — {}", a.tool, if a.is_wrapped_up() { "removed, confirmed by both sides" } else { "not yet confirmed" })}</li>
                    }).collect_view()}</ul>
                    <h2>"Next steps"</h2>
                    <ul>
                        {r.steps.into_iter().map(|s| view! { <li>{s.text}</li> }).collect_view()}
                        {r.referrals.into_iter().map(|p| view! { <li>{format!("{} ({}) {}", p.partner.name, p.partner.service, p.partner.url)}</li> }).collect_view()}
                    </ul>
                    {(!r.follow_ups.is_empty()).then(|| view! {
                        <h2>"Follow-ups"</h2>
                        <ul>{r.follow_ups.iter().map(|f| view! { <li>{format!("{}: {}", f.title(), threshold_model::formats::full_date(f.due))}</li> }).collect_view()}</ul>
                    })}
                    {r.score.map(|s| view! { <p>{format!("Likelihood to recommend: {s} of 10")}</p> })}
                    {(!r.signatures.is_empty()).then(|| view! {
                        <h2>"Signatures"</h2>
                        <ul>{r.signatures.iter().map(|(document, s)| {
                            let who = name_for(&s.signer.as_ref().map(|a| a.to_hex_string()).unwrap_or_default(), "");
                            let mut line = format!("{document}: signed by {who} (typed “{}”)", s.typed_name);
                            if let Some(at) = s.at {
                                line.push_str(&format!(" on {}", threshold_model::formats::full_date_of(at)));
                            }
                            if let Some(hash) = &s.file_hash {
                                line.push_str(&format!(" · file sha256 {hash}"));
                            }
                            view! { <li>{line}</li> }
                        }).collect_view()}</ul>
                    })}
                }
            })}
        </article>
    }
}

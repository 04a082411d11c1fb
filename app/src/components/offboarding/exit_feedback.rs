use leptos::prelude::*;
use threshold_model::offboarding::{
    add_exit_question, read_offboarding, remove_exit_question, set_exit_answer, set_exit_reason,
    set_exit_score, set_other_reason, set_testimonial, submit_exit_feedback, LeaveReason,
    EXIT_FEEDBACK, OFFBOARDING,
};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::widgets::{Entry, ScoreScale, TextField};
use crate::state::permission::{archive, may, Act};
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::{doc_memo, part_memo};

/// Exit feedback: the client answers open questions, scores how likely they are to recommend us,
/// says why they are leaving, and may let us quote them. The provider edits the questions.
#[component]
pub fn ExitFeedbackSection(id: DocumentId) -> impl IntoView {
    let view = use_view();
    let feedback = part_memo(id, EXIT_FEEDBACK);
    let review_link = doc_memo(id, &[OFFBOARDING.keys], |doc| {
        read_offboarding(doc).ok().map(|o| o.review_link)
    });
    let f = move || feedback.get().unwrap_or_default();
    let client = move || view.get() == ViewMode::Client;
    let (message, set_message) = signal(None::<String>);
    let (question, set_question) = signal(String::new());
    let report = move |r: Result<(), threshold_model::doc::ModelError>| {
        set_message.set(r.err().map(|e| e.to_string()))
    };
    let on_submit = move |_| {
        let by = view.get_untracked().actor_name();
        match actions::try_edit_portal(id, |tx| submit_exit_feedback(tx, &by, chrono::Utc::now())) {
            Ok(()) => set_message.set(Some("Thank you: your feedback has been sent.".into())),
            Err(e) => set_message.set(Some(e.to_string())),
        }
    };
    view! {
        <section class="card" aria-labelledby="feedback-heading" id="exit-feedback">
            <h2 id="feedback-heading">"Exit feedback"</h2>
            <p class="muted small">{move || if client() {
                "A few minutes of honest feedback helps us do better for the next client."
            } else {
                "What the client tells you on the way out. Only they fill it in."
            }}</p>
            {move || f().submitted.map(|(at, by)| view! {
                <p class="badge badge-done" role="status">{format!("Sent by {by} on {}", crate::state::dates::show_at(at))}</p>
            })}
            // In an archive the feedback reads as what was said, not as a form.
            <Show when=move || !archive() fallback=move || view! {
                <dl class="entries" aria-label="Feedback given">
                    {move || f().questions.into_iter().map(|q| view! { <Entry label=q.prompt value=q.answer/> }).collect_view()}
                    <Entry label="How likely are you to recommend us to a friend or colleague?"
                        value=Signal::derive(move || f().score.map(|n| format!("{n} out of 10")).unwrap_or_default())/>
                    <Entry label="Reasons for leaving" value=Signal::derive(move || {
                        let f = f();
                        f.reasons.iter().map(|r| if *r == LeaveReason::Other && !f.other_reason.is_empty() {
                            format!("{}: {}", r.label(), f.other_reason)
                        } else {
                            r.label().to_owned()
                        }).collect::<Vec<_>>().join(", ")
                    })/>
                    <Entry label="Testimonial" value=Signal::derive(move || {
                        let f = f();
                        match (f.testimonial.trim().is_empty(), f.quote_permission) {
                            (true, _) => String::new(),
                            (false, true) => format!("{} (may be quoted)", f.testimonial),
                            (false, false) => f.testimonial,
                        }
                    })/>
                </dl>
            }>
            {move || f().questions.into_iter().map(|q| {
                let qid = StoredValue::new(q.id.clone());
                let prompt = q.prompt.clone();
                view! {
                    <div class="field">
                        <label class="stacked">{q.prompt.clone()}
                            <textarea rows="2" readonly=move || !client() prop:value=q.answer.clone()
                                on:change=move |ev| {
                                    let text = event_target_value(&ev);
                                    report(actions::try_edit_portal(id, |tx| set_exit_answer(tx, &qid.get_value(), &text)));
                                }></textarea>
                        </label>
                        <Show when=move || may(view.get(), &Act::EditExitQuestions)>
                            <button type="button" class="button ghost small" aria-label=format!("Remove question {prompt}")
                                on:click=move |_| actions::edit_portal(id, |tx| remove_exit_question(tx, &qid.get_value()))>"Remove question"</button>
                        </Show>
                    </div>
                }
            }).collect_view()}
            <fieldset class="score" disabled=move || !client()>
                <legend>"How likely are you to recommend us to a friend or colleague?"</legend>
                <ScoreScale name="exit-score" chosen=Signal::derive(move || f().score)
                    on_pick=Callback::new(move |n| report(actions::try_edit_portal(id, |tx| set_exit_score(tx, Some(n)))))/>
                <p class="muted small score-ends"><span>"0 · Not at all likely"</span><span>"10 · Extremely likely"</span></p>
            </fieldset>
            <fieldset class="reasons" disabled=move || !client()>
                <legend>"What are your reasons for leaving?"</legend>
                {LeaveReason::ALL.into_iter().map(|reason| view! {
                    <label class="inline">
                        <input type="checkbox" prop:checked=move || f().reasons.contains(&reason)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                report(actions::try_edit_portal(id, |tx| set_exit_reason(tx, reason, on)));
                            }/>
                        {reason.label()}
                    </label>
                }).collect_view()}
                <Show when=move || f().reasons.contains(&LeaveReason::Other)>
                    <label for="other-reason">"Other reason"</label>
                    <input id="other-reason" type="text" prop:value=move || f().other_reason
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            report(actions::try_edit_portal(id, |tx| set_other_reason(tx, &text)));
                        }/>
                </Show>
            </fieldset>
            <fieldset class="testimonial" disabled=move || !client()>
                <legend>"Testimonial"</legend>
                <label class="inline">
                    <input type="checkbox" prop:checked=move || f().quote_permission
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let words = f().testimonial;
                            report(actions::try_edit_portal(id, |tx| set_testimonial(tx, on, &words)));
                        }/>
                    "You may quote me as a testimonial"
                </label>
                <label for="testimonial-text">"In a sentence or two"</label>
                <textarea id="testimonial-text" rows="2" prop:value=move || f().testimonial
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        let permission = f().quote_permission;
                        report(actions::try_edit_portal(id, |tx| set_testimonial(tx, permission, &text)));
                    }></textarea>
            </fieldset>
            </Show>
            {move || review_link.get().filter(|l| threshold_model::formats::safe_href(l).is_some()).map(|link| view! {
                <p><a class="button" href=link target="_blank" rel="noopener">"Leave us a review"</a></p>
            })}
            <Show when=move || client() && !archive()>
                <button type="button" class="button primary" on:click=on_submit>
                    {move || if f().submitted.is_some() { "Send again" } else { "Send feedback" }}
                </button>
            </Show>
            <Show when=move || may(view.get(), &Act::EditExitQuestions)>
                <form class="add-row" aria-label="Add a question" data-add-form on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    let q = question.get_untracked();
                    report(actions::try_edit_portal(id, |tx| add_exit_question(tx, &q).map(|_| ())));
                    set_question.set(String::new());
                }>
                    <TextField id="new-exit-question" label="New question" grow=true value=question set_value=set_question/>
                    <button type="submit" class="button">"Add question"</button>
                </form>
            </Show>
            <p class="small" role="status">{move || message.get()}</p>
        </section>
    }
}

//! The intake form: the provider builds typed questions; the client answers them, with progress
//! and validation.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::doc::FieldId;
use threshold_model::onboarding::{
    add_field, parse_answer, remove_field, set_answer, validate_field_spec, AnswerInput,
    AnswerValue, FieldKind, FieldSpec, Intake, IntakeField, INTAKE,
};
use threshold_model::portal::Attachment;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::files::Attachments;
use crate::components::widgets::{Entry, RemoveButton, TextField};
use crate::state::authors::verified_name;
use crate::state::permission::{archive, may, Act};
use crate::state::view_mode::use_view;
use crate::sync::part_memo;

fn kind_label(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::ShortText => "Short text",
        FieldKind::LongText => "Long text",
        FieldKind::SingleChoice => "Single choice",
        FieldKind::MultipleChoice => "Multiple choice",
        FieldKind::Date => "Date",
        FieldKind::Number => "Number",
        FieldKind::Checkbox => "Checkbox",
        FieldKind::Email => "Email",
        FieldKind::Url => "Web address",
        FieldKind::File => "File upload",
    }
}

#[component]
pub fn IntakeSection(id: DocumentId) -> impl IntoView {
    let intake = part_memo(id, INTAKE);
    let view = use_view();
    let progress = move || {
        intake.with(|i| {
            let p = i.as_ref().map(Intake::progress);
            p.map(|p| format!("{} of {} answered", p.answered, p.total))
                .unwrap_or_default()
        })
    };
    let fields = move || intake.with(|i| i.as_ref().map(|i| i.fields.clone()).unwrap_or_default());
    view! {
        <section class="card" aria-labelledby="intake-heading" id="intake">
            <div class="section-head">
                <h2 id="intake-heading">"Intake form"</h2>
                <p class="muted small" aria-live="polite" data-testid="intake-progress">{progress}</p>
            </div>
            <Show when=move || may(view.get(), &Act::EditIntakeQuestions)>
                <FieldBuilder id=id/>
            </Show>
            <Show
                when=move || !fields().is_empty()
                fallback=|| view! { <p class="muted">"No questions yet."</p> }
            >
                // An archive shows the answers given, as text.
                <Show when=move || !archive() fallback=move || view! {
                    <dl class="entries" aria-label="Intake answers">
                        <For
                            each=fields
                            key=|f| (f.id.clone(), f.spec.clone())
                            children=move |field| view! { <IntakeAnswer portal=id field=field intake=intake/> }
                        />
                    </dl>
                }>
                <form class="intake-form" aria-label="Intake form" novalidate on:submit=|ev: SubmitEvent| ev.prevent_default()>
                    <For
                        each=fields
                        key=|f| (f.id.clone(), f.spec.clone())
                        children=move |field| view! { <IntakeQuestion portal=id field=field intake=intake/> }
                    />
                </form>
                </Show>
            </Show>
        </section>
    }
}

#[component]
fn FieldBuilder(id: DocumentId) -> impl IntoView {
    let (label, set_label) = signal(String::new());
    let (help, set_help) = signal(String::new());
    let (kind, set_kind) = signal(FieldKind::ShortText);
    let (required, set_required) = signal(false);
    let (options, set_options) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let spec = FieldSpec {
            label: label.get_untracked().trim().to_owned(),
            help: help.get_untracked(),
            kind: kind.get_untracked(),
            required: required.get_untracked(),
            options: options
                .get_untracked()
                .lines()
                .map(str::to_owned)
                .filter(|o| !o.trim().is_empty())
                .collect(),
        };
        if spec.label.is_empty() {
            set_error.set(Some("Give the question a label.".into()));
            return;
        }
        // The model's rule, checked before the edit so the form can say what is missing.
        if let Err(e) = validate_field_spec(&spec) {
            set_error.set(Some(e.to_string()));
            return;
        }
        actions::edit_portal(id, |tx| add_field(tx, &spec).map(|_| ()));
        set_label.set(String::new());
        set_help.set(String::new());
        set_options.set(String::new());
        set_required.set(false);
        set_error.set(None);
    };
    view! {
        <details class="builder">
            <summary>"Add a question"</summary>
            <form class="stack" on:submit=on_add aria-label="Add a question" novalidate data-add-form>
                <div class="grid-2">
                    <TextField id="field-label" label="Question" value=label set_value=set_label/>
                    <div class="field">
                        <label for="field-kind">"Answer type"</label>
                        <select id="field-kind" on:change=move |ev| set_kind.set(FieldKind::parse(&event_target_value(&ev)))>
                            {FieldKind::ALL.into_iter().map(|k| view! {
                                <option value=k.as_str() selected=move || kind.get() == k>{kind_label(k)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <TextField id="field-help" label="Help text" value=help set_value=set_help/>
                <Show when=move || kind.get().has_options()>
                    <div class="field">
                        <label for="field-options">"Options, one per line"</label>
                        <textarea id="field-options" rows="3" prop:value=options on:input=move |ev| set_options.set(event_target_value(&ev))></textarea>
                    </div>
                </Show>
                <label class="inline">
                    <input type="checkbox" prop:checked=required on:change=move |ev| set_required.set(event_target_checked(&ev))/>
                    "Required"
                </label>
                <p class="field-error" aria-live="polite">{move || error.get()}</p>
                <div><button type="submit" class="button primary">"Add question"</button></div>
            </form>
        </details>
    }
}

/// One question and its answer as text: "Not answered" when there is none, the files when
/// the answer is files.
#[component]
fn IntakeAnswer(
    portal: DocumentId,
    field: IntakeField,
    intake: Memo<Option<Intake>>,
) -> impl IntoView {
    let answer_id = field.id.clone();
    let answer = Memo::new(move |_| {
        intake.with(|i| {
            i.as_ref()
                .and_then(|i| i.answers.get(&answer_id))
                .map(|a| answer_text(&a.value))
        })
    });
    let label = field.spec.label.clone();
    match field.spec.kind {
        FieldKind::File => view! {
            <div class="entry">
                <dt>{label.clone()}</dt>
                <dd><Attachments portal=portal attachment=Attachment::Field(field.id.clone()) label=label/></dd>
            </div>
        }
        .into_any(),
        _ => view! { <Entry label=label value=Signal::derive(move || answer.get().flatten().unwrap_or_default())/> }
            .into_any(),
    }
}

/// An answer as a person reads it; `None` when it says nothing (blank, nothing chosen).
fn answer_text(value: &AnswerValue) -> Option<String> {
    if !value.is_filled() {
        return None;
    }
    Some(match value {
        AnswerValue::Text(t) => t.clone(),
        AnswerValue::Number(n) => format!("{n}"),
        AnswerValue::Checked(true) => "Yes".into(),
        AnswerValue::Checked(false) => "No".into(),
        AnswerValue::Date(d) => crate::state::dates::show(*d),
        AnswerValue::Choices(c) => c.join(", "),
    })
}

#[component]
fn IntakeQuestion(
    portal: DocumentId,
    field: IntakeField,
    intake: Memo<Option<Intake>>,
) -> impl IntoView {
    let view = use_view();
    let (error, set_error) = signal(None::<String>);
    let field_id = field.id.clone();
    let answer_id = field.id.clone();
    let answer = Memo::new(move |_| {
        intake.with(|i| i.as_ref().and_then(|i| i.answers.get(&answer_id).cloned()))
    });
    let spec = field.spec.clone();
    let submit = move |input: AnswerInput<'_>| match parse_answer(&spec, input) {
        Ok(value) => {
            set_error.set(None);
            let by = view.get_untracked().actor_name();
            let id = field_id.clone();
            actions::edit_portal(portal, |tx| {
                set_answer(tx, &id, &value, &by, chrono::Utc::now())
            });
        }
        Err(e) => set_error.set(Some(e.to_string())),
    };
    let control_id = format!("intake-{}", field.id);
    let error_id = format!("intake-error-{}", field.id);
    let required = field.spec.required;
    let label_text = field.spec.label.clone();
    let text_value = move || {
        answer.with(|a| match a.as_ref().map(|a| &a.value) {
            Some(AnswerValue::Text(t)) => t.clone(),
            Some(AnswerValue::Number(n)) => format!("{n}"),
            Some(AnswerValue::Date(d)) => d.format("%Y-%m-%d").to_string(),
            Some(AnswerValue::Choices(c)) => c.first().cloned().unwrap_or_default(),
            _ => String::new(),
        })
    };
    let chosen = move || {
        answer.with(|a| match a.as_ref().map(|a| &a.value) {
            Some(AnswerValue::Choices(c)) => c.clone(),
            _ => Vec::new(),
        })
    };
    let checked = move || {
        answer.with(|a| {
            matches!(
                a.as_ref().map(|a| &a.value),
                Some(AnswerValue::Checked(true))
            )
        })
    };
    let described_by = error_id.clone();
    let control = match field.spec.kind {
        // Answered by attaching files; the model records their names as the answer.
        FieldKind::File => view! {
            <div id=control_id.clone() aria-describedby=described_by.clone()>
                <Attachments portal=portal attachment=Attachment::Field(field.id.clone()) label=label_text.clone()/>
            </div>
        }.into_any(),
        FieldKind::LongText => view! {
            <textarea id=control_id.clone() rows="3" aria-describedby=described_by.clone() prop:value=text_value
                on:change=move |ev| submit(AnswerInput::Text(&event_target_value(&ev)))></textarea>
        }.into_any(),
        FieldKind::Checkbox => view! {
            <input id=control_id.clone() type="checkbox" aria-describedby=described_by.clone() prop:checked=checked
                on:change=move |ev| submit(AnswerInput::Checked(event_target_checked(&ev)))/>
        }.into_any(),
        FieldKind::SingleChoice => {
            let options = field.spec.options.clone();
            view! {
                <select id=control_id.clone() aria-describedby=described_by.clone()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        let chosen = if v.is_empty() { vec![] } else { vec![v] };
                        submit(AnswerInput::Choices(chosen))
                    }>
                    <option value="">"Choose…"</option>
                    {options.into_iter().map(|o| {
                        let selected = o.clone();
                        view! { <option value=o.clone() selected=move || chosen().contains(&selected)>{o.clone()}</option> }
                    }).collect_view()}
                </select>
            }.into_any()
        }
        FieldKind::MultipleChoice => {
            let options = field.spec.options.clone();
            let all = options.clone();
            let group = control_id.clone();
            view! {
                <div class="choices" role="group" id=control_id.clone() aria-labelledby=format!("{control_id}-label") aria-describedby=described_by.clone()>
                    {options.into_iter().enumerate().map(|(i, o)| {
                        let all = all.clone();
                        let submit = submit.clone();
                        let this = o.clone();
                        let is_chosen = o.clone();
                        view! {
                            <label class="inline" for=format!("{group}-{i}")>
                                <input id=format!("{group}-{i}") type="checkbox" prop:checked=move || chosen().contains(&is_chosen)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let mut now: Vec<String> = chosen().into_iter().filter(|c| c != &this).collect();
                                        if on { now.push(this.clone()); }
                                        now.sort_by_key(|c| all.iter().position(|o| o == c));
                                        submit(AnswerInput::Choices(now))
                                    }/>
                                {o}
                            </label>
                        }
                    }).collect_view()}
                </div>
            }.into_any()
        }
        kind => {
            let input_type = match kind {
                FieldKind::Date => "date",
                FieldKind::Number => "number",
                FieldKind::Email => "email",
                FieldKind::Url => "url",
                _ => "text",
            };
            view! {
                <input id=control_id.clone() type=input_type aria-describedby=described_by.clone() prop:value=text_value
                    on:change=move |ev| submit(AnswerInput::Text(&event_target_value(&ev)))/>
            }.into_any()
        }
    };
    let remove_id = field.id.clone();
    let note_id = StoredValue::new(field.id.clone());
    let answered_note = move || {
        answer.with(|a| {
            a.as_ref().filter(|a| a.value.is_filled()).map(|a| {
                let when = a
                    .answered_at
                    .map(|t| format!(" on {}", crate::state::dates::show_at(t)))
                    .unwrap_or_default();
                let by = verified_name(
                    &portal,
                    &["intake", "answers", note_id.get_value().as_str()],
                    "answeredBy",
                    &a.answered_by,
                );
                format!("Answered by {by}{when}")
            })
        })
    };
    let is_group = field.spec.kind == FieldKind::MultipleChoice;
    view! {
        <div class="question" class:answered=move || answered_note().is_some()>
            {if is_group {
                view! { <p class="label" id=format!("{control_id}-label")>{label_text.clone()}{required.then_some(" (required)")}</p> }.into_any()
            } else {
                view! { <label for=control_id.clone()>{label_text.clone()}{required.then_some(" (required)")}</label> }.into_any()
            }}
            {(!field.spec.help.is_empty()).then(|| view! { <p class="muted small">{field.spec.help.clone()}</p> })}
            {control}
            <p id=error_id class="field-error" aria-live="polite">{move || error.get()}</p>
            <div class="question-foot">
                <span class="muted small">{answered_note}</span>
                <Show when=move || may(view.get(), &Act::EditIntakeQuestions)>
                    {
                        let remove_id = remove_id.clone();
                        let label = label_text.clone();
                        view! {
                            <RemoveButton what="question" name=label
                                on_remove=move |()| { let id: FieldId = remove_id.clone(); actions::edit_portal(portal, |tx| remove_field(tx, &id)) }/>
                        }
                    }
                </Show>
            </div>
        </div>
    }
}

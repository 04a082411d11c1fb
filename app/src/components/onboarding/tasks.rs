//! The task plan: adding a task, finding tasks in a long plan (a window of rows, a search, a
//! filter, "Show more"), and each task's row (status, who, due date, comments,
//! attachments).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::doc::ContactId;
use threshold_model::onboarding::{Contact, CONTACTS};
use threshold_model::portal::{
    add_task, add_task_comment, client_first, delete_task, plan_window, rename_task, set_task_due,
    set_task_person, set_task_status, Assignee, Attachment, PlanFilter, PlanQuery, Task, TaskId,
    TaskStatus, PLAN_FIND_FROM, PLAN_PAGE,
};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::browser::focus_keeper::{focus_when_drawn, kept_open};
use crate::components::files::Attachments;
use crate::state::authors::verified_name;
use crate::state::dates::{input_value, parse_date};
use crate::state::permission::{archive, made_by_me, may, Act};
use crate::state::view_mode::{use_view, ViewMode};
use crate::state::voice::use_voice;
use crate::sync::part_memo;

/// The assignee select's value: a side, or a side and a person on it.
fn assignee_value(side: Assignee, person: Option<&ContactId>) -> String {
    match person {
        Some(p) => format!("{}:{p}", side.as_str()),
        None => side.as_str().to_owned(),
    }
}

fn parse_assignee(value: &str) -> (Assignee, Option<ContactId>) {
    match value.split_once(':') {
        Some((side, person)) => (Assignee::parse(side), Some(ContactId::from_string(person))),
        None => (Assignee::parse(value), None),
    }
}

#[component]
pub fn TaskList(id: DocumentId, tasks: Signal<Vec<Task>>) -> impl IntoView {
    let view = use_view();
    let voice = use_voice(id);
    let contacts = part_memo(id, CONTACTS);
    let (title, set_title) = signal(String::new());
    let (assignee, set_assignee) = signal(Assignee::Client);
    let (error, set_error) = signal(None::<String>);
    let progress = move || {
        // An empty plan says so below; "0 of 0 done" would only repeat it.
        tasks.with(|t| {
            let done = t.iter().filter(|t| t.done).count();
            (!t.is_empty()).then(|| format!("{done} of {} done", t.len()))
        })
    };
    // A long plan draws a window of rows, not all of them: a thousand rows of inputs cost the
    // browser seconds of style, layout and accessibility work (issue 19). The search and the
    // filter run in the model over every task; "Show more" grows the window.
    let (search, set_search) = signal(String::new());
    let (filter, set_filter) = signal(PlanFilter::All);
    let (limit, set_limit) = signal(PLAN_PAGE);
    // Tasks added from this page stay drawn past the window, so an added task never vanishes.
    let (pinned, set_pinned) = signal(Vec::<TaskId>::new());
    let window = Memo::new(move |_| {
        let client = view.get() == ViewMode::Client;
        search.with(|search| {
            pinned.with(|pinned| {
                let query = PlanQuery {
                    search,
                    filter: filter.get(),
                    limit: limit.get(),
                    pinned,
                };
                // A client sees their own open to-dos first.
                tasks.with(|all| {
                    if client {
                        plan_window(&client_first(all), &query)
                    } else {
                        plan_window(all, &query)
                    }
                })
            })
        })
    });
    let rows = move || window.with(|w| w.rows.clone());
    let searching =
        move || search.with(|s| !s.trim().is_empty()) || filter.get() != PlanFilter::All;
    let count = move || {
        window.with(|w| {
            if searching() {
                match w.matching {
                    0 => "No task matches.".to_owned(),
                    n => format!("{n} of {} tasks match", w.total),
                }
            } else if w.hidden() > 0 {
                format!("Showing {} of {} tasks", w.rows.len(), w.total)
            } else {
                String::new()
            }
        })
    };
    // Once a search or filter is in use the bar stays, even if the plan shrinks below the mark.
    let offer_find = move || searching() || tasks.with(Vec::len) >= PLAN_FIND_FROM;
    let more = move || window.with(|w| w.hidden().min(PLAN_PAGE));
    let show_more = move |_| {
        let before: Vec<TaskId> =
            window.with_untracked(|w| w.rows.iter().map(|t| t.id.clone()).collect());
        set_limit.update(|l| *l += PLAN_PAGE);
        let first_new = window.with_untracked(|w| {
            w.rows
                .iter()
                .find(|t| !before.contains(&t.id))
                .map(|t| t.id.clone())
        });
        if let Some(first_new) = first_new {
            focus_when_drawn(format!("task-row-{first_new}"));
        }
    };
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = title.get_untracked();
        // The provider's option is gone from the client view; a choice made before switching
        // views falls back to the client's side.
        let who = match assignee.get_untracked() {
            Assignee::Provider
                if !may(
                    view.get_untracked(),
                    &Act::AddTask {
                        assignee: Assignee::Provider,
                    },
                ) =>
            {
                Assignee::Client
            }
            who => who,
        };
        let mut added = None;
        if actions::save_portal(id, set_error, |tx| {
            added = Some(add_task(tx, &text, who, chrono::Utc::now())?);
            Ok(())
        }) {
            set_title.set(String::new());
            if let Some(added) = added {
                set_pinned.update(|p| p.push(added));
            }
        }
    };

    view! {
        <section class="card" aria-labelledby="tasks-heading" id="tasks">
            <div class="section-head">
                <h2 id="tasks-heading">"Task plan"</h2>
                <p class="muted small" aria-live="polite" data-testid="task-progress">{progress}</p>
            </div>
            <Show when=move || !archive()>
            <form class="add-task" on:submit=on_add aria-label="Add a task" novalidate data-add-form>
                <div class="field grow">
                    <label for="new-task-title">"New task"</label>
                    <input id="new-task-title" type="text" placeholder="e.g. Sign the NDA"
                        aria-describedby="task-error"
                        prop:value=title
                        on:input=move |ev| set_title.set(event_target_value(&ev))
                    />
                </div>
                // A side that may add tasks only for itself (the client) has nothing to choose:
                // no menu of one option.
                <Show when=move || may(view.get(), &Act::AddTask { assignee: Assignee::Provider })>
                <div class="field">
                    <label for="new-task-assignee">"Assigned to"</label>
                    <select id="new-task-assignee"
                        on:change=move |ev| set_assignee.set(Assignee::parse(&event_target_value(&ev)))
                    >
                        <option value="client" selected=move || assignee.get() == Assignee::Client>{move || voice.side(Assignee::Client)}</option>
                        <option value="provider" selected=move || assignee.get() == Assignee::Provider>{move || voice.side(Assignee::Provider)}</option>
                    </select>
                </div>
                </Show>
                <button type="submit" class="button primary">"Add task"</button>
            </form>
            <p id="task-error" class="field-error" aria-live="polite">{move || error.get()}</p>
            </Show>
            <Show
                when=move || tasks.with(|t| !t.is_empty())
                fallback=|| view! { <p class="muted">{move || if archive() { "No tasks." } else { "No tasks yet." }}</p> }
            >
                <Show when=offer_find>
                <div class="plan-find" role="search" aria-label="Find tasks">
                    <div class="field grow">
                        <label for="task-search">"Search tasks"</label>
                        <input id="task-search" type="search" placeholder="Words in a task's title"
                            prop:value=search
                            on:input=move |ev| {
                                set_search.set(event_target_value(&ev));
                                set_limit.set(PLAN_PAGE);
                            }
                        />
                    </div>
                    <div class="field">
                        <label for="task-filter">"Which tasks"</label>
                        <select id="task-filter" on:change=move |ev| {
                            set_filter.set(PlanFilter::parse(&event_target_value(&ev)));
                            set_limit.set(PLAN_PAGE);
                        }>
                            {PlanFilter::ALL.into_iter().map(|f| view! {
                                <option value=f.as_str() selected=move || filter.get() == f>{f.label()}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                </Show>
                <p class="muted small plan-count" aria-live="polite" data-testid="task-count">{count}</p>
                <ul class="task-list" aria-label="Tasks">
                    <For
                        each=rows
                        key=|t| (t.id.clone(), t.title.clone(), t.status, t.assignee, t.person.clone(), t.due, t.comments.clone())
                        children=move |task| view! { <TaskRow portal=id task=task contacts=contacts/> }
                    />
                </ul>
                <Show when=move || more() != 0>
                    <button type="button" class="button show-more" on:click=show_more>
                        {move || format!("Show {} more", more())}
                        <span class="muted small">{move || window.with(|w| format!(" ({} not shown)", w.hidden()))}</span>
                    </button>
                </Show>
            </Show>
        </section>
    }
}

#[component]
fn TaskRow(portal: DocumentId, task: Task, contacts: Memo<Option<Vec<Contact>>>) -> impl IntoView {
    let view = use_view();
    let voice = use_voice(portal);
    let Task {
        id,
        title,
        done,
        status,
        assignee,
        person,
        due,
        comments,
        ..
    } = task;
    // Every control has an id derived from the task's, so that focus finds its way back when
    // the row is drawn anew after an edit (see `browser::focus_keeper`).
    let row_id = format!("task-row-{id}");
    let checkbox_id = format!("task-done-{id}");
    let (title_id, assignee_id, status_id, due_id, thread_id, comment_id) = (
        format!("task-title-{id}"),
        format!("task-assignee-{id}"),
        format!("task-status-{id}"),
        format!("task-due-{id}"),
        format!("task-thread-{id}"),
        format!("task-comment-{id}"),
    );
    let (id_done, id_title, id_assignee, id_delete, id_status, id_due, id_comment) = (
        id.clone(),
        id.clone(),
        id.clone(),
        id.clone(),
        id.clone(),
        id.clone(),
        id.clone(),
    );
    let current = assignee_value(assignee, person.as_ref());
    // A task's files and comment form are drawn only once its thread is opened: a plan of a
    // thousand tasks would otherwise keep a thousand readers of the portal's files, and forms.
    // A row drawn anew after an edit (a posted comment) starts with its thread as it was, so its
    // comment field is there for focus to return to.
    let (thread_open, set_thread_open) = signal(kept_open(&thread_id));
    let files_for = Attachment::Task(id.clone());
    let files_label = title.clone();
    let (comment, set_comment) = signal(String::new());
    let (comment_error, set_comment_error) = signal(None::<String>);
    let (title_error, set_title_error) = signal(None::<String>);
    let comment_count = comments.len();
    let title_for_comment = title.clone();
    let title_for_delete = title.clone();
    let on_comment = move |ev: SubmitEvent| {
        ev.prevent_default();
        let body = comment.get_untracked();
        let author = view.get_untracked().actor_name();
        let id = id_comment.clone();
        if actions::save_portal(portal, set_comment_error, |tx| {
            add_task_comment(tx, &id, &author, &body, chrono::Utc::now()).map(|_| ())
        }) {
            set_comment.set(String::new());
        }
    };
    // What this view may do to this task, from the permission table: a client edits the tasks
    // they added and ticks off their own side's, and sees the rest as text.
    let own = made_by_me(&portal, &["tasks", id.as_str()]);
    let may_status = move || may(view.get(), &Act::SetTaskStatus { assignee });
    let may_edit = move || may(view.get(), &Act::EditTask { own, assignee });
    let may_hand_over = move || {
        may(
            view.get(),
            &Act::SetTaskAssignee {
                own,
                to: Assignee::Provider,
            },
        )
    };
    let person_name = {
        let person = person.clone();
        move || {
            let named = person.as_ref().and_then(|p| {
                contacts
                    .get()
                    .unwrap_or_default()
                    .into_iter()
                    .find(|c| &c.id == p)
            });
            match named {
                Some(c) => format!("{} ({})", c.spec.name, voice.team(c.spec.side)),
                None => voice.side(assignee),
            }
        }
    };
    let (title_for_assignee, title_for_status, title_for_due) =
        (title.clone(), title.clone(), title.clone());
    let (title_for_box, title_for_text, title_for_input) =
        (title.clone(), title.clone(), title.clone());
    view! {
        // The row takes focus itself when it has no control this side may use ("Show more"
        // moves focus to the first new row).
        <li class="task" class:done=done id=row_id tabindex="-1">
            // In an archive, and on a task this side may not tick (the provider's, for a
            // client), the row is text: a mark for done, the title as written. A checkbox is
            // there only to be used, never shown disabled.
            <Show when=move || !archive() && may_status() fallback=move || view! {
                <span class="task-mark" class:done=done role="img" aria-label=if done { "Done" } else { "Not done" }>
                    {if done { "✓" } else { "" }}
                </span>
            }>
            // The label around the box is the finger's target (44 px); the box keeps its size.
            <label class="task-tick">
            <input
                id=checkbox_id.clone()
                type="checkbox"
                prop:checked=done
                aria-label=format!("Done: {title_for_box}")
                on:change={
                    let id_done = id_done.clone();
                    move |ev| {
                        let status = if event_target_checked(&ev) { TaskStatus::Done } else { TaskStatus::Todo };
                        actions::edit_portal(portal, |tx| set_task_status(tx, &id_done, status));
                    }
                }
            />
            </label>
            </Show>
            // A title this side may not change is text, not a read-only field: it wraps on a
            // phone instead of being cut off, and nothing looks editable that is not.
            <Show when=move || !archive() && may_edit() fallback={
                let title = title_for_text.clone();
                move || view! { <span class="task-title task-title-text">{title.clone()}</span> }
            }>
            <input
                class="task-title"
                id=title_id.clone()
                type="text"
                aria-label="Task title"
                prop:value=title_for_input.clone()
                on:change={
                    let id_title = id_title.clone();
                    move |ev| {
                        let text = event_target_value(&ev);
                        actions::save_portal(portal, set_title_error, |tx| rename_task(tx, &id_title, &text));
                    }
                }
            />
            </Show>
            <span class="field-error" role="alert">{move || title_error.get()}</span>
            <Show when=may_edit fallback=move || view! { <span class="task-assignee muted small">{person_name.clone()}</span> }>
            {
                let (title, current, id_assignee, assignee_id) = (title_for_assignee.clone(), current.clone(), id_assignee.clone(), assignee_id.clone());
                let was_provider = current == "provider";
                view! {
            <select
                aria-label=format!("Assignee for {title}")
                id=assignee_id
                class="task-assignee"
                on:change=move |ev| {
                    let (side, person) = parse_assignee(&event_target_value(&ev));
                    actions::edit_portal(portal, |tx| set_task_person(tx, &id_assignee, side, person.as_ref()));
                }
            >
                <option value="client" selected=current == "client">{move || voice.side(Assignee::Client)}</option>
                <Show when=may_hand_over>
                    <option value="provider" selected=was_provider>{move || voice.side(Assignee::Provider)}</option>
                </Show>
                {
                    let current = current.clone();
                    move || contacts.get().unwrap_or_default().into_iter()
                        .filter(|c| c.spec.side == Assignee::Client || may_hand_over())
                        .map(|c| {
                            let value = assignee_value(c.spec.side, Some(&c.id));
                            let selected = value == current;
                            view! { <option value=value selected=selected>{format!("{} ({})", c.spec.name, voice.team(c.spec.side))}</option> }
                        }).collect_view()
                }
            </select>
                }
            }
            </Show>
            <Show when=move || may(view.get(), &Act::DeleteTask) fallback=|| view! { <span></span> }>
                {
                    let (id_delete, title) = (id_delete.clone(), title_for_delete.clone());
                    view! {
                        <button
                            type="button"
                            class="button ghost"
                            aria-label=format!("Delete task {title}")
                            on:click=move |_| actions::edit_portal(portal, |tx| delete_task(tx, &id_delete))
                        >"Delete"</button>
                    }
                }
            </Show>
            <div class="task-details">
                <Show when=may_status fallback=move || view! { <span class="small">"Status: " {status.label()}</span> }>
                {
                let (title, status_id) = (title_for_status.clone(), status_id.clone());
                view! {
                <label class="inline small">"Status"
                    <select id=status_id aria-label=format!("Status of {title}") on:change={
                        let id_status = id_status.clone();
                        move |ev| {
                            if let Some(status) = TaskStatus::parse(&event_target_value(&ev)) {
                                actions::edit_portal(portal, |tx| set_task_status(tx, &id_status, status));
                            }
                        }
                    }>
                        {TaskStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=s == status>{s.label()}</option> }).collect_view()}
                    </select>
                </label>
                }
                }
                </Show>
                <Show when=may_edit fallback=move || due.map(|d| view! { <span class="small muted">{format!("Due {}", crate::state::dates::show(d))}</span> })>
                {
                let (title, due_id) = (title_for_due.clone(), due_id.clone());
                view! {
                <label class="inline small">"Due"
                    <input type="date" id=due_id aria-label=format!("Due date for {title}") prop:value=input_value(due)
                        on:change={
                            let id_due = id_due.clone();
                            move |ev| {
                                let date = parse_date(&event_target_value(&ev));
                                actions::edit_portal(portal, |tx| set_task_due(tx, &id_due, date));
                            }
                        }/>
                </label>
                }
                }
                </Show>
                <details class="comments" id=thread_id on:toggle=move |ev| {
                    let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
                    set_thread_open.set(open);
                }>
                    <summary>{format!("Comments ({comment_count})")}</summary>
                    <ul class="comment-list" aria-label=format!("Comments on {title}")>
                        {comments.into_iter().map(|c| view! {
                            <li><strong>{let (task, comment) = (id.clone(), c.id.clone()); move || verified_name(&portal, &["tasks", task.as_str(), "comments", comment.as_str()], "author", &c.author)}</strong>
                                <span class="muted small">{c.at.map(|t| format!(" · {}", crate::state::dates::show_moment(t)))}</span>
                                <p>{c.body}</p></li>
                        }).collect_view()}
                    </ul>
                    // The comment form is drawn only while its thread is open: Chromium's
                    // autofill scans every form on the page after each change, and a form per
                    // row was most of the 5–15 s stalls on a large plan (BENCHMARKS.md, issue 19).
                    <Show when=move || !archive() && thread_open.get()>
                    <form class="row" on:submit=on_comment.clone() aria-label=format!("Comment on {title_for_comment}") data-add-form>
                        <input type="text" id=comment_id.clone() aria-label=format!("Comment on {title_for_comment}") placeholder="Write a comment" prop:value=comment
                            on:input=move |ev| set_comment.set(event_target_value(&ev))/>
                        <button type="submit" class="button small">"Post"</button>
                    </form>
                    <p class="field-error" role="alert">{move || comment_error.get()}</p>
                    </Show>
                    <Show when=move || thread_open.get()>
                        <Attachments portal=portal attachment=files_for.clone() label=files_label.clone()/>
                    </Show>
                </details>
            </div>
        </li>
    }
}

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::{
    add_task, delete_task, rename_task, set_task_assignee, set_task_done, Assignee, Task,
};
use threshold_protocol::DocumentId;

use crate::actions;

fn assignee_label(assignee: Assignee) -> &'static str {
    match assignee {
        Assignee::Provider => "Our team",
        Assignee::Client => "Client",
    }
}

#[component]
pub fn TaskList(id: DocumentId, tasks: Signal<Vec<Task>>) -> impl IntoView {
    let (title, set_title) = signal(String::new());
    let (assignee, set_assignee) = signal(Assignee::Client);
    let (error, set_error) = signal(None::<String>);
    let progress = move || {
        tasks.with(|t| {
            let done = t.iter().filter(|t| t.done).count();
            format!("{done} of {} done", t.len())
        })
    };
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = title.get_untracked().trim().to_owned();
        if text.is_empty() {
            set_error.set(Some("Give the task a title.".into()));
            return;
        }
        let who = assignee.get_untracked();
        actions::edit_portal(id, |tx| {
            add_task(tx, &text, who, chrono::Utc::now()).map(|_| ())
        });
        set_title.set(String::new());
        set_error.set(None);
    };

    view! {
        <section class="card" aria-labelledby="tasks-heading">
            <div class="section-head">
                <h2 id="tasks-heading">"Task plan"</h2>
                <p class="muted small" aria-live="polite" data-testid="task-progress">{progress}</p>
            </div>
            <form class="add-task" on:submit=on_add aria-label="Add a task" novalidate>
                <div class="field grow">
                    <label for="new-task-title">"New task"</label>
                    <input id="new-task-title" type="text" placeholder="e.g. Sign the NDA"
                        aria-describedby="task-error"
                        prop:value=title
                        on:input=move |ev| set_title.set(event_target_value(&ev))
                    />
                </div>
                <div class="field">
                    <label for="new-task-assignee">"Assigned to"</label>
                    <select id="new-task-assignee"
                        on:change=move |ev| set_assignee.set(Assignee::parse(&event_target_value(&ev)))
                    >
                        <option value="client" selected=move || assignee.get() == Assignee::Client>{assignee_label(Assignee::Client)}</option>
                        <option value="provider" selected=move || assignee.get() == Assignee::Provider>{assignee_label(Assignee::Provider)}</option>
                    </select>
                </div>
                <button type="submit" class="button primary">"Add task"</button>
            </form>
            <p id="task-error" class="field-error" aria-live="polite">{move || error.get()}</p>
            <Show
                when=move || tasks.with(|t| !t.is_empty())
                fallback=|| view! { <p class="muted">"No tasks yet."</p> }
            >
                <ul class="task-list" aria-label="Tasks">
                    <For
                        each=move || tasks.get()
                        key=|t| (t.id.clone(), t.title.clone(), t.done, t.assignee)
                        children=move |task| view! { <TaskRow portal=id task=task/> }
                    />
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn TaskRow(portal: DocumentId, task: Task) -> impl IntoView {
    let Task {
        id,
        title,
        done,
        assignee,
        ..
    } = task;
    let checkbox_id = format!("task-done-{id}");
    let (id_done, id_title, id_assignee, id_delete) = (id.clone(), id.clone(), id.clone(), id);
    view! {
        <li class="task" class:done=done>
            <input
                id=checkbox_id
                type="checkbox"
                prop:checked=done
                aria-label=format!("Done: {title}")
                on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    actions::edit_portal(portal, |tx| set_task_done(tx, &id_done, checked));
                }
            />
            <input
                class="task-title"
                type="text"
                aria-label="Task title"
                prop:value=title.clone()
                on:change=move |ev| {
                    let text = event_target_value(&ev);
                    actions::edit_portal(portal, |tx| rename_task(tx, &id_title, &text));
                }
            />
            <select
                aria-label=format!("Assignee for {title}")
                class="task-assignee"
                on:change=move |ev| {
                    let who = Assignee::parse(&event_target_value(&ev));
                    actions::edit_portal(portal, |tx| set_task_assignee(tx, &id_assignee, who));
                }
            >
                <option value="client" selected=assignee == Assignee::Client>{assignee_label(Assignee::Client)}</option>
                <option value="provider" selected=assignee == Assignee::Provider>{assignee_label(Assignee::Provider)}</option>
            </select>
            <button
                type="button"
                class="button ghost"
                aria-label=format!("Delete task {title}")
                on:click=move |_| actions::edit_portal(portal, |tx| delete_task(tx, &id_delete))
            >"Delete"</button>
        </li>
    }
}

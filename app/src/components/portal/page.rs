use leptos::prelude::*;
use threshold_model::{
    read_offboarding, read_portal, read_portal_update, read_stage, set_client_name, set_stage,
    OffboardingPlaybook, Portal, Stage, Task,
};
use threshold_protocol::DocumentId;

use super::{ActivitySection, CheckinsSection, OutstandingSection, People, PeopleSection};
use crate::actions;
use crate::components::files::FilesSection;
use crate::components::offboarding::{
    show_cancellation, AccessWrapUpSection, CancellationSection, DeliverablesSection,
    ExitFeedbackSection, ExportsSection, FollowUpsSection, GoodbyeSection, MetricsSection,
    NextStepsSection, OffboardingPlan, OffboardingReport, ThankYou,
};
use crate::components::onboarding::{
    ContactsSection, ExchangeSection, IntakeSection, LinksSection, MeetingsSection, TaskList,
    TimelineSection, WelcomeEditor,
};
use crate::components::workspace::InternalSection;
use crate::state::view_mode::{self, use_view, ViewMode};
use crate::sync::{client, doc_memo, touched_memo};

#[component]
pub fn PortalPage(id: DocumentId) -> impl IntoView {
    client().open(id);
    let unavailable = client().signals.unavailable;
    // `None` until the document has content: loaded from this device or received from the relay.
    // After the first read, only the tasks and fields an edit touched are read again: a
    // keystroke costs the same in a portal with 50,000 changes of history as in a new one.
    let portal = touched_memo(id, move |previous, touched| {
        client()
            .read(&id, |doc| {
                if doc.get_heads().is_empty() {
                    return None;
                }
                match previous {
                    Some(Some(previous)) => read_portal_update(doc, previous, touched).ok(),
                    _ => read_portal(doc).ok(),
                }
            })
            .flatten()
    });
    // A portal opened from a shared link joins this browser's list of portals.
    Effect::new(move |_| {
        if let Some(p) = portal.get() {
            actions::remember_portal(id, &p.client_name);
        }
    });
    let missing = move || portal.with(Option::is_none) && unavailable.with(|u| u.contains(&id));

    view! {
        // A client contact has one portal: no list to go back to.
        <Show when=move || !crate::state::session::is_client()>
            <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">"← All clients"</a></nav>
        </Show>
        <Show
            when=move || portal.with(Option::is_some)
            fallback=move || view! {
                <section class="card empty" role="status">
                    {move || if missing() {
                        view! {
                            <h1>"Portal not found"</h1>
                            <p>"Neither this device nor the relay has this portal. Check the link, or ask whoever shared it to open it once while online."</p>
                        }.into_any()
                    } else {
                        view! {
                            <h1>"Opening portal…"</h1>
                            <p class="muted">"Looking on this device, then on the relay."</p>
                        }.into_any()
                    }}
                </section>
            }
        >
            <PortalView id=id portal=portal/>
        </Show>
    }
}

#[component]
fn PortalView(id: DocumentId, portal: Memo<Option<Portal>>) -> impl IntoView {
    // Each part is its own memo, so that a change to one task does not disturb the name and the
    // welcome text, and no part copies the whole portal to read itself.
    let part = move |read: fn(&Portal) -> String| {
        Memo::new(move |_| portal.with(|p| p.as_ref().map(read).unwrap_or_default()))
    };
    let client_name: Signal<String> = part(|p| p.client_name.clone()).into();
    let welcome: Signal<String> = part(|p| p.welcome.clone()).into();
    let tasks: Signal<Vec<Task>> = Memo::new(move |_| {
        portal.with(|p| p.as_ref().map(|p| p.tasks.clone()).unwrap_or_default())
    })
    .into();
    let stage = doc_memo(id, &["stage"], |doc| read_stage(doc).ok());
    let view = use_view();
    let session = crate::state::session::session().expect("session installed before mount");
    let is_client = move || {
        session
            .info
            .with(|i| i.as_ref().is_some_and(|i| i.role == "client"))
    };
    let read_only_token = move || {
        session
            .info
            .with(|i| i.as_ref().is_some_and(|i| i.read_only))
    };
    let ended = move || stage.get().is_some_and(|s| s.is_closed());
    // What the client may no longer change is disabled as a whole: a disabled fieldset disables
    // every control inside it, and screen readers announce them as unavailable.
    let archived = move || read_only_token() || (is_client() && ended());
    // The offboarding sections appear once offboarding has started (a client who cancels
    // during offboarding keeps them in their archive).
    let started = doc_memo(id, &["offboarding"], |doc| {
        read_offboarding(doc).ok().map(|o| o.started_at.is_some())
    });
    let offboarding = move || {
        matches!(stage.get(), Some(Stage::Offboarding | Stage::Alumni))
            || started.get() == Some(true)
    };
    let provider_view = move || view.get() == ViewMode::Provider;
    view! {
        <Show when=archived>
            <p class="banner banner-info archive" role="status">
                {move || if ended() {
                    "This engagement has ended. The portal stays here as your read-only archive."
                } else {
                    "Your access to this portal is read-only."
                }}
            </p>
        </Show>
        <Show when=move || !is_client()>
        <div class="view-switch" role="group" aria-label="View the portal as">
            <span class="muted small">"Viewing as"</span>
            {[ViewMode::Provider, ViewMode::Client].into_iter().map(|mode| view! {
                <button type="button" class="button small" aria-pressed=move || (view.get() == mode).to_string()
                    on:click=move |_| { view_mode::store(mode); view.set(mode); }>{mode.label()}</button>
            }).collect_view()}
        </div>
        </Show>
        <ThankYou id=id stage=stage/>
        <fieldset class="portal-body" disabled=archived>
        <legend class="visually-hidden">"Welcome"</legend>
        <section class="portal-head card">
            <label for="client-name" class="eyebrow">"Client name"</label>
            <input
                id="client-name"
                class="title-input"
                type="text"
                readonly=move || view.get() == ViewMode::Client
                prop:value=client_name
                on:change=move |ev| {
                    let name = event_target_value(&ev);
                    actions::edit_portal(id, |tx| set_client_name(tx, &name));
                }
            />
            <Show when=move || view.get() == ViewMode::Provider>
                <StageAndTemplate id=id/>
            </Show>
            <Show when=move || view.get() == ViewMode::Client && !ended()>
                <button type="button" class="button ghost small leave-early" on:click=move |_| show_cancellation()>"Leave early"</button>
            </Show>
        </section>
        <WelcomeEditor id=id welcome=welcome/>
        <ContactsSection id=id/>
        <LinksSection id=id/>
        </fieldset>
        // Reading what is outstanding, and "Show all", stay available in the archive.
        <OutstandingSection id=id tasks=tasks/>
        <fieldset class="portal-body" disabled=archived>
        <legend class="visually-hidden">"The work"</legend>
        <IntakeSection id=id/>
        <MetricsSection id=id stage=stage/>
        <ExchangeSection id=id/>
        <TimelineSection id=id/>
        <MeetingsSection id=id/>
        <TaskList id=id tasks=tasks/>
        <OffboardingPlan id=id stage=stage/>
        <Show when=offboarding>
            <DeliverablesSection id=id/>
            <AccessWrapUpSection id=id/>
            <ExitFeedbackSection id=id/>
            <NextStepsSection id=id/>
            <Show when=provider_view>
                <GoodbyeSection id=id/>
            </Show>
        </Show>
        <FollowUpsSection id=id/>
        <CancellationSection id=id stage=stage/>
        <CheckinsSection id=id/>
        <ActivitySection id=id/>
        <Show when=move || view.get() == ViewMode::Provider>
            <PeopleSection people=People::Portal(id) stage=stage/>
            <InternalSection portal=id/>
        </Show>
        </fieldset>
        // Outside the archive's fieldset: an alumni client opens and downloads every file.
        <FilesSection id=id archived=Signal::derive(archived)/>
        <ExportsSection id=id/>
        <OffboardingReport id=id/>
    }
}

#[component]
fn StageAndTemplate(id: DocumentId) -> impl IntoView {
    let stage = doc_memo(id, &["stage"], |doc| read_stage(doc).ok());
    let (message, set_message) = signal(None::<String>);
    let on_stage = move |ev: leptos::ev::Event| {
        let to = Stage::parse(&event_target_value(&ev));
        let from = stage.get_untracked();
        let was_ended = from.is_some_and(|s| s.is_closed());
        // Offboarding from the stage menu starts from the standard playbook.
        let result = if to == Stage::Offboarding && from == Some(Stage::Active) {
            actions::start_offboarding(id, &OffboardingPlaybook::standard())
        } else {
            actions::try_edit_portal(id, |tx| set_stage(tx, to, chrono::Utc::now()))
        };
        match result {
            Err(e) => {
                // The menu goes back to where the client is.
                let select = event_target::<web_sys::HtmlSelectElement>(&ev);
                select.set_value(from.unwrap_or(Stage::Onboarding).as_str());
                let text = e.to_string();
                set_message.set(Some(if text.ends_with('.') {
                    text
                } else {
                    format!("{text}.")
                }));
            }
            Ok(()) if to.is_closed() => {
                set_message.set(None);
                // The client keeps their archive but can no longer change it.
                leptos::task::spawn_local(async move {
                    let note = match actions::set_portal_access(id, true).await {
                        Ok(0) => "No client contact had access to change.".to_owned(),
                        Ok(n) => format!("Client access is now read-only ({n} contact(s))."),
                        Err(e) => format!("Client access could not be made read-only yet: {e}. It will be retried when the relay is reachable."),
                    };
                    set_message.set(Some(note));
                });
            }
            Ok(()) if was_ended => {
                set_message.set(None);
                // Back from the archive: the client's contacts may edit again.
                leptos::task::spawn_local(async move {
                    if let Err(e) = actions::set_portal_access(id, false).await {
                        set_message.set(Some(format!("Client access could not be reopened: {e}.")));
                    }
                });
            }
            Ok(()) => set_message.set(None),
        }
    };
    let on_save = move |_| match actions::save_as_template(id) {
        Ok(name) => set_message.set(Some(format!("Saved as the template “{name}”."))),
        Err(e) => set_message.set(Some(format!("Could not save the template: {e}"))),
    };
    view! {
        <div class="row stage-row">
            <label for="portal-stage" class="inline">"Stage"
                <select id="portal-stage" on:change=on_stage>
                    {move || {
                        let current = stage.get().unwrap_or(Stage::Onboarding);
                        Stage::ALL.into_iter().map(|s| {
                            let allowed = s == current || current.next_stages().contains(&s);
                            view! { <option value=s.as_str() selected=s == current disabled=!allowed>{s.label()}</option> }
                        }).collect_view()
                    }}
                </select>
            </label>
            <button type="button" class="button small" on:click=on_save>"Save as template"</button>
        </div>
        <p class="muted small" role="status">{move || message.get()}</p>
    }
}

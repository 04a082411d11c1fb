//! The portal page: opens the document, says while it is loading or missing, then frames every
//! section in order, inside the fieldsets that make the client's archive read-only.

use leptos::prelude::*;
use threshold_model::access::Role;
use threshold_model::offboarding::{read_offboarding, OFFBOARDING};
use threshold_model::portal::{
    read_portal, read_portal_update, set_client_name, Portal, Stage, Task, STAGE,
};
use threshold_protocol::DocumentId;

use super::{
    ActivitySection, CheckinsSection, OutstandingSection, PeopleSection, StageAndTemplate,
};
use crate::actions::{self, People};
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
use crate::state::permission::{self, Act};
use crate::state::view_mode::{self, use_view, ViewMode};
use crate::sync::{client, doc_memo, part_memo, touched_memo};

#[component]
pub fn PortalPage(id: DocumentId) -> impl IntoView {
    client().open(id);
    // Who wrote what, as the relay verified it, for every section of the page.
    crate::state::authors::provide_authors(id);
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
    let stage = part_memo(id, STAGE);
    let view = use_view();
    let session = crate::state::session::session().expect("session installed before mount");
    let is_client = move || {
        session
            .info
            .with(|i| i.as_ref().is_some_and(|i| i.role == Role::Client))
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
    let started = doc_memo(id, &[OFFBOARDING.keys], |doc| {
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
                readonly=move || !permission::may(view.get(), &Act::EditFrame)
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

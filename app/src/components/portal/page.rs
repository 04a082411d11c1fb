//! The portal page: opens the document, says while it is loading or missing, then shows the
//! client's name as the page's heading, the navigation between views and the view the address
//! names, inside the fieldset that keeps the client's archive read-only.

use leptos::prelude::*;
use threshold_model::access::Role;
use threshold_model::offboarding::{read_offboarding, METRICS, OFFBOARDING};
use threshold_model::onboarding::{CONTACTS, LINKS, MEETINGS, MILESTONES};
use threshold_model::portal::{
    preview, read_portal, read_portal_update, set_client_name, Portal, Preview, Stage, Task, BRAND,
    STAGE,
};
use threshold_protocol::DocumentId;

use super::nav::PortalNav;
use super::overview::NextStepCard;
use super::{
    ActivitySection, CheckinsSection, OutstandingSection, PeopleSection, StageAndTemplate,
};
use crate::actions::{self, People};
use crate::components::files::FilesSection;
use crate::components::offboarding::{
    AccessWrapUpSection, CancellationSection, DeliverablesSection, ExitFeedbackSection,
    ExportsSection, FollowUpsSection, GoodbyeSection, MetricsSection, NextStepsSection,
    OffboardingPlan, OffboardingReport, ThankYou,
};
use crate::components::onboarding::{
    ContactsSection, ExchangeSection, IntakeSection, LinksSection, MeetingsSection, TaskList,
    TimelineSection, WelcomeEditor,
};
use crate::components::shell::EmailChoices;
use crate::components::workspace::InternalSection;
use crate::state::permission::{self, Act};
use crate::state::preview;
use crate::state::route::PortalView;
use crate::state::view_mode::{self, use_view, ViewMode};
use crate::sync::{client, doc_memo, part_memo, touched_memo, workspace_part_memo};

#[component]
pub fn PortalPage(id: DocumentId, current: Signal<PortalView>) -> impl IntoView {
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
    // A portal opened from a shared link joins this browser's list of portals, and its
    // ready-to-draw copy follows each change (read in place: a portal of 1,000 tasks is not
    // cloned per keystroke).
    Effect::new(move |_| {
        portal.with(|p| {
            if let Some(p) = p {
                actions::remember_portal(id, &p.client_name);
                preview::store(id, &preview(p));
            }
        })
    });
    // Drawn while the document loads, if this device has opened the portal before.
    let kept = StoredValue::new(preview::load(id));
    // The client sees the provider's brand from the portal's copy: the provider's devices keep
    // it up to date whenever the portal or the workspace's brand changes.
    let copied_brand = part_memo(id, BRAND);
    let own_brand = workspace_part_memo(BRAND);
    Effect::new(move |_| {
        if copied_brand.with(Option::is_some) && own_brand.with(|b| matches!(b, Some(Some(_)))) {
            actions::copy_brand(id);
        }
    });
    let missing = move || portal.with(Option::is_none) && unavailable.with(|u| u.contains(&id));
    let people = super::PeopleWithAccess::provide(id);

    view! {
        // A client contact has one portal: no list to go back to.
        <Show when=move || !crate::state::session::is_client()>
            <nav class="crumbs" aria-label="Breadcrumb"><a href="#/">"← All clients"</a></nav>
        </Show>
        <Show
            when=move || portal.with(Option::is_some)
            fallback=move || view! {
                {move || match kept.get_value().filter(|_| !missing()) {
                    Some(kept) => view! { <PortalPreview preview=kept plan=current.get_untracked() == PortalView::Plan/> }.into_any(),
                    None => view! {
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
                    }.into_any(),
                }}
            }
        >
            <PortalBody id=id portal=portal current=current people=people/>
        </Show>
    }
}

/// The page as this device last drew it, shown while the document loads: the name and, on the
/// plan, its first rows as text. Nothing in it can be used, so nothing is done to a copy that
/// may be a moment old; the page replaces it as soon as the document is read.
#[component]
fn PortalPreview(preview: Preview, plan: bool) -> impl IntoView {
    let Preview {
        client_name, rows, ..
    } = preview;
    view! {
        <div class="portal-preview" aria-busy="true">
            <header class="portal-head">
                <div class="portal-title"><h1 data-testid="client-name">{client_name}</h1></div>
            </header>
            <p class="muted small" role="status">"Opening portal…"</p>
            {plan.then(|| view! {
                <section class="card" aria-labelledby="preview-plan-heading">
                    <h2 id="preview-plan-heading">"Task plan"</h2>
                    <ul class="task-list" aria-hidden="true">
                        {rows.into_iter().map(|r| view! {
                            <li class="task task-preview" class:done=r.done>
                                <span class="task-mark" class:done=r.done>{if r.done { "✓" } else { "" }}</span>
                                <span class="task-title task-title-text">{r.title}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
        </div>
    }
}

#[component]
fn PortalBody(
    id: DocumentId,
    portal: Memo<Option<Portal>>,
    current: Signal<PortalView>,
    people: super::PeopleWithAccess,
) -> impl IntoView {
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
    // An archive (the model's rule) offers no act: every section shows its values as text, with
    // no empty fields and no disabled controls. Set before the sections render, so none of them
    // draws a control first.
    let archived = move || {
        let side = if is_client() {
            threshold_model::access::Side::Client
        } else {
            threshold_model::access::Side::Provider
        };
        threshold_model::access::is_archive(side, stage.get(), read_only_token())
    };
    permission::set_archive(untrack(archived));
    Effect::new(move |_| permission::set_archive(archived()));
    on_cleanup(|| permission::set_archive(false));
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
    let (rename_error, set_rename_error) = signal(None::<String>);
    // A read-only token on the provider's side still sees sections drawn for the provider's
    // team, some of which offer their controls by the view alone: the fieldset keeps those off.
    let locked = move || read_only_token() && provider_view();
    // A view the person cannot see (People for a client, offboarding before it starts for a
    // client) shows the overview instead.
    let shown = Memo::new(move |_| match current.get() {
        PortalView::People if !provider_view() => PortalView::Overview,
        PortalView::Offboarding if !provider_view() && !offboarding() => PortalView::Overview,
        v => v,
    });
    let on = move |v: PortalView| move || shown.get() == v;
    // The client is not shown sections with nothing in them; the provider sees them, to fill.
    let contacts = part_memo(id, CONTACTS);
    let links = part_memo(id, LINKS);
    let milestones = part_memo(id, MILESTONES);
    let meetings = part_memo(id, MEETINGS);
    let metrics = part_memo(id, METRICS);
    let plan = part_memo(id, OFFBOARDING);
    let cancelled_early =
        move || plan.with(|p| p.as_ref().is_some_and(|p| p.cancellation.is_some()));
    let worth_showing = move |has: bool| provider_view() || has;
    let has = |n: Option<usize>| n.is_some_and(|n| n > 0);
    let body = move |legend: &'static str, content: AnyView| {
        view! {
            <fieldset class="portal-body" class:archive-view=archived disabled=locked>
                <legend class="visually-hidden">{legend}</legend>
                {content}
            </fieldset>
        }
    };
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
        <header class="portal-head">
            <div class="portal-title">
                <h1 data-testid="client-name">{client_name}</h1>
                <Show when=move || !is_client()>
                    <div class="view-switch" role="group" aria-label="View the portal as">
                        <span class="small">"Viewing as"</span>
                        {[ViewMode::Provider, ViewMode::Client].into_iter().map(|mode| view! {
                            <button type="button" class="button small" aria-pressed=move || (view.get() == mode).to_string()
                                on:click=move |_| { view_mode::store(mode); view.set(mode); }>{mode.label()}</button>
                        }).collect_view()}
                    </div>
                </Show>
            </div>
            <Show when=move || permission::may(view.get(), &Act::EditFrame) && !archived()>
                <div class="portal-settings">
                    <details class="rename">
                        <summary>"Rename"</summary>
                        <label for="client-name">"Client name"</label>
                        <input
                            id="client-name"
                            type="text"
                            aria-describedby="client-name-error"
                            prop:value=client_name
                            on:change=move |ev| {
                                let name = event_target_value(&ev);
                                actions::save_portal(id, set_rename_error, |tx| set_client_name(tx, &name));
                            }
                        />
                        // The model's limits refuse an empty or overlong name: said here, next
                        // to the field, and the name stays as it was.
                        <p id="client-name-error" class="field-error" role="alert">{move || rename_error.get()}</p>
                    </details>
                    <StageAndTemplate id=id/>
                </div>
            </Show>
        </header>
        <PortalNav id=id current=Signal::derive(move || shown.get()) tasks=tasks stage=stage
            offboarding=Signal::derive(offboarding) people=people.0.into()/>
        <Show when=on(PortalView::Overview)>
            <ThankYou id=id stage=stage/>
            <NextStepCard id=id tasks=tasks stage=stage/>
            // Once the engagement has ended nothing waits on anyone: a list of what was left
            // open would contradict the card above it, for either side.
            <Show when=move || !ended()>
                <OutstandingSection id=id tasks=tasks/>
            </Show>
            {body("Welcome", view! {
                <WelcomeEditor id=id welcome=welcome/>
                <Show when=move || worth_showing(has(contacts.with(|c| c.as_ref().map(Vec::len))))>
                    <ContactsSection id=id/>
                </Show>
                <Show when=move || worth_showing(has(links.with(|l| l.as_ref().map(Vec::len))))>
                    <LinksSection id=id/>
                </Show>
            }.into_any())}
            // Leaving early is the client's, and a quiet last item, not the first thing they see.
            // Once the engagement has ended, only a cancellation's record is left to show here.
            <Show when=move || view.get() == ViewMode::Client && (!ended() || cancelled_early())>
                {body("Leaving early", view! { <CancellationSection id=id stage=stage/> }.into_any())}
            </Show>
            // The client's own email choices; on a provider's device they are in the workspace.
            <Show when=is_client>
                <EmailChoices/>
            </Show>
        </Show>
        <Show when=on(PortalView::Plan)>
            {body("Plan", view! {
                <TaskList id=id tasks=tasks/>
                <Show when=move || worth_showing(has(milestones.with(|m| m.as_ref().map(Vec::len))))>
                    <TimelineSection id=id/>
                </Show>
                <Show when=move || worth_showing(has(meetings.with(|m| m.as_ref().map(Vec::len))))>
                    <MeetingsSection id=id/>
                </Show>
            }.into_any())}
        </Show>
        <Show when=on(PortalView::Intake)>
            {body("Intake", view! {
                <IntakeSection id=id/>
                // Success measures: baselines at intake, exit values during offboarding.
                <Show when=move || !offboarding() && worth_showing(has(metrics.with(|m| m.as_ref().map(Vec::len))))>
                    <MetricsSection id=id stage=stage/>
                </Show>
            }.into_any())}
        </Show>
        <Show when=on(PortalView::Documents)>
            {body("Documents", view! { <ExchangeSection id=id/> }.into_any())}
        </Show>
        <Show when=on(PortalView::Files)>
            // Outside the archive's fieldset: an alumni client opens and downloads every file.
            <FilesSection id=id archived=Signal::derive(archived)/>
            <ExportsSection id=id/>
        </Show>
        <Show when=on(PortalView::Offboarding)>
            {body("Offboarding", view! {
                <OffboardingPlan id=id stage=stage/>
                <Show when=offboarding>
                    <Show when=move || worth_showing(has(metrics.with(|m| m.as_ref().map(Vec::len))))>
                        <MetricsSection id=id stage=stage/>
                    </Show>
                    <DeliverablesSection id=id/>
                    <AccessWrapUpSection id=id/>
                    <ExitFeedbackSection id=id/>
                    <NextStepsSection id=id/>
                    <Show when=provider_view>
                        <GoodbyeSection id=id/>
                    </Show>
                </Show>
                <FollowUpsSection id=id/>
                <Show when=provider_view>
                    <CancellationSection id=id stage=stage/>
                </Show>
            }.into_any())}
            <Show when=move || archived() && ended()>
                <ExportsSection id=id/>
            </Show>
        </Show>
        <Show when=on(PortalView::Activity)>
            {body("Check-ins", view! {
                <CheckinsSection id=id/>
                <ActivitySection id=id/>
            }.into_any())}
        </Show>
        <Show when=on(PortalView::People)>
            {body("People", view! {
                <PeopleSection people=People::Portal(id) stage=stage/>
                <InternalSection portal=id/>
            }.into_any())}
        </Show>
        // The printable report is hidden on screen and printed alone, from any view.
        <OffboardingReport id=id/>
    }
}

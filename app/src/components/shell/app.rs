//! The app around every page: the header with the connection badge, the storage and update
//! notices, and the page the route names.

use leptos::prelude::*;
use threshold_model::access::Role;
use wasm_bindgen::JsCast;

use super::{InviteLinkForm, RefusalBanner, StatusBadge};
use crate::browser::service_worker;
use crate::browser::storage_status::{self, human_bytes, StorageStatus};
use crate::browser::theme::{self, Colours};
use crate::components::portal::PortalPage;
use crate::components::workspace::WorkspacePage;
use crate::state::route::{use_route, PortalView, Route};
use crate::state::session;
use crate::sync::{client, home_part_memo};
use threshold_model::portal::{Brand, Palette, BRAND};

#[component]
pub fn App() -> impl IntoView {
    let route = use_route();
    // The page changes with the route's page; moving between a portal's views keeps the portal
    // page (its open document and memos) and changes only the view shown.
    let page = Memo::new(move |_| match route.get() {
        Route::Portal(id, _) => Route::Portal(id, PortalView::Overview),
        other => other,
    });
    let current: Signal<PortalView> = Memo::new(move |_| match route.get() {
        Route::Portal(_, view) => view,
        _ => PortalView::Overview,
    })
    .into();
    let session = session::session().expect("session installed before mount");
    // What the choice of page depends on: whether the relay has said who this is, and for a
    // client which portal. A memo, so that a refreshed session that changes nothing else (or
    // changes only, say, the name) does not mount the page again and wipe what is being typed.
    let signed_in = Memo::new(move |_| {
        session.info.with(|i| {
            i.as_ref().map(|i| Gate {
                role: i.role,
                portal: i.portal,
            })
        })
    });
    let view = RwSignal::new(crate::state::view_mode::load());
    provide_context(view);
    // A client's view is decided by their token, once the relay has said who they are.
    Effect::new(move |_| {
        if session
            .info
            .with(|i| i.as_ref().is_some_and(|i| i.role == Role::Client))
        {
            view.set(crate::state::view_mode::ViewMode::Client);
        }
    });
    // On a provider's device every portal in the workspace has its internal notes, whichever
    // page is showing: creating a portal cannot link them while the workspace or the session is
    // still loading (a first visit), and the person may leave the portal's page at once.
    let portals =
        crate::sync::workspace_memo(&[threshold_model::workspace::WORKSPACE.keys], |doc| {
            threshold_model::workspace::read_workspace(doc)
                .ok()
                .map(|w| w.portals)
        });
    Effect::new(move |_| {
        let writable_provider = session.info.with(|i| {
            i.as_ref()
                .is_some_and(|i| i.role != Role::Client && !i.read_only)
        });
        if !writable_provider {
            return;
        }
        for p in portals.get().unwrap_or_default() {
            if p.internal.is_none() {
                crate::actions::ensure_internal(p.id);
            }
        }
    });
    // The provider's brand, white label: the client's from their portal's copy, the
    // provider's from the workspace. It names the page and colours it.
    let brand_read = home_part_memo(BRAND);
    let brand: Memo<Option<Brand>> = Memo::new(move |_| brand_read.get().flatten());
    Effect::new(move |_| {
        let brand = brand.get();
        let colours = brand.as_ref().and_then(|b| b.accent).map(|accent| {
            let palette = Palette::of(accent);
            Colours {
                brand: palette.brand.to_string(),
                ink: palette.ink.to_string(),
                text: palette.text.to_string(),
            }
        });
        let title = brand
            .as_ref()
            .map(|b| b.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Threshold".into());
        let icon = brand.as_ref().and_then(|b| b.logo.as_deref());
        theme::apply(colours.as_ref(), &title, icon);
    });
    // What the app is called on this device: the provider's name once it is known.
    let app_name = move || {
        brand
            .with(|b| b.as_ref().map(|b| b.name.clone()))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Threshold".into())
    };
    let on_sign_out = move |_| {
        session::sign_out();
        if let Some(window) = web_sys::window() {
            let _ = window.location().set_hash("#/");
            let _ = window.location().reload();
        }
    };
    let storage_error = client().signals.storage_error;
    let durable = client().is_durable();
    let update_available = RwSignal::new(false);
    service_worker::register(update_available);
    let storage = RwSignal::new(StorageStatus::default());
    storage_status::watch(storage);
    let (updating, set_updating) = signal(false);
    let on_update = move |_| {
        set_updating.set(true);
        leptos::task::spawn_local(service_worker::apply_update());
    };
    view! {
        // Keyboard users skip the header and banners; the hash is the router's, so the link
        // moves focus itself instead of changing the address.
        <a class="skip-link" href="#main-content" on:click=move |ev| {
            ev.prevent_default();
            let main = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("main-content"));
            if let Some(main) = main.and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = main.focus();
            }
        }>"Skip to main content"</a>
        <header class="topbar">
            <a class="brand" href="#/" data-testid="brand">
                {move || match brand.get() {
                    Some(Brand { name, logo, .. }) => view! {
                        // The name beside it says who this is; the logo adds nothing for a
                        // screen reader.
                        {logo.map(|src| view! { <img class="brand-logo" src=src alt=""/> })}
                        <span class="brand-name">{name}</span>
                    }.into_any(),
                    None => view! {
                        <span class="brand-mark" aria-hidden="true">"◆"</span>
                        <span class="brand-name">"Threshold"</span>
                    }.into_any(),
                }}
            </a>
            // A device whose link never worked has no connection to speak of: the page says
            // what happened, and a badge saying "Offline" beside it would only confuse. (A
            // device revoked after signing in keeps it: its banner explains why it is offline.)
            <Show when=move || !(session.revoked.get() && session.info.with(Option::is_none))>
                <StatusBadge/>
            </Show>
        </header>
        // A link that once worked and was revoked: what was kept stays readable under this.
        <Show when=move || session.revoked.get() && session.info.with(Option::is_some)>
            <div class="banner banner-error" role="alert">
                "This device's access has been revoked, so nothing syncs any more. What was already here stays readable on this device. Ask for a new invite link to continue. "
                <button type="button" class="button small" on:click=on_sign_out>"Sign in with another link"</button>
            </div>
        </Show>
        <Show when=move || !durable>
            <p class="banner banner-warn" role="alert">
                "This browser does not allow storage for this site, so nothing is kept on this device once the tab closes."
            </p>
        </Show>
        <Show when=move || update_available.get()>
            <div class="banner banner-info" role="status">
                {move || format!("A new version of {} is available. ", app_name())}
                <button type="button" class="button" on:click=on_update disabled=updating>
                    {move || if updating.get() { "Updating…" } else { "Reload to update" }}
                </button>
            </div>
        </Show>
        <Show when=move || storage.with(StorageStatus::low_space)>
            <p class="banner banner-warn" role="alert">
                {move || format!("This device is almost out of storage space for {}. Free some space so that new edits can be kept offline.", app_name())}
            </p>
        </Show>
        <RefusalBanner/>
        {move || storage_error.get().map(|e| view! {
            <p class="banner banner-error" role="alert">
                "Could not save on this device: " {e} ". Your last edit is kept in memory and will be saved again."
            </p>
        })}
        <main class="page" id="main-content" tabindex="-1">
            {move || match (page.get(), signed_in.get()) {
                // The relay does not know this link (mistyped, cut short, or revoked before this
                // device ever signed in): one state, with the way forward.
                (_, None) if session.revoked.get() => view! {
                    <section class="card sign-in link-broken" aria-labelledby="link-broken-heading">
                        <h1 id="link-broken-heading">"This link doesn't work"</h1>
                        <p class="lede">"It may be mistyped or cut short, or it is no longer valid. Ask the person who sent it to you for a new one, then open it or paste it here."</p>
                        <InviteLinkForm button="Use this link"/>
                    </section>
                }.into_any(),
                (_, None) => view! {
                    <section class="card empty" role="status">
                        <h1>"Signing in…"</h1>
                        <p class="muted">"Checking this device's invite with the relay. The first sign-in needs a connection; after that, Threshold works offline."</p>
                    </section>
                }.into_any(),
                (Route::Workspace, Some(info)) if info.role == Role::Client => {
                    match info.portal {
                        Some(id) => view! { <PortalPage id=id current=current/> }.into_any(),
                        None => view! { <section class="card empty"><h1>"No portal"</h1><p>"This invite does not open a portal."</p></section> }.into_any(),
                    }
                }
                (Route::Portal(id, _), Some(info)) if info.role == Role::Client && info.portal != Some(id) => view! {
                    <section class="card empty">
                        <h1>"Portal not found"</h1>
                        <p>"This invite opens one portal only."</p>
                        <a class="button" href="#/">"Open your portal"</a>
                    </section>
                }.into_any(),
                (Route::Workspace, _) => view! { <WorkspacePage/> }.into_any(),
                (Route::Portal(id, _), _) => view! { <PortalPage id=id current=current/> }.into_any(),
                (Route::NotFound(hash), _) => view! {
                    <section class="card empty">
                        <h1>"Page not found"</h1>
                        <p>"Nothing lives at " <code>{hash}</code> "."</p>
                        <a class="button" href="#/">"Back to clients"</a>
                    </section>
                }.into_any(),
            }}
        </main>
        <footer class="footer" aria-label="Storage on this device">
            {move || {
                let s = storage.get();
                let used = s.usage.map(|u| format!("{} stored on this device", human_bytes(u))).unwrap_or_default();
                let persistence = match s.persisted {
                    Some(true) => "Storage is persistent: the browser will not clear it on its own.",
                    Some(false) => "The browser has not granted persistent storage and may clear this data when space runs low. Installing the app usually grants it.",
                    None => "",
                };
                // Storage advice is for the provider's team, who keep the workspace; a client's
                // portal is on the relay too and they need not worry about this browser.
                // Nor is it for a device not yet signed in (or whose link did not work).
                let client = session.info.with(|i| i.as_ref().is_none_or(|i| i.role == Role::Client));
                let persistence = if client { "" } else { persistence };
                let warn = s.persisted == Some(false);
                view! {
                    <p class="small muted" data-testid="storage-usage">{used}</p>
                    <p class="small" class:warn=warn data-testid="storage-persistence">{persistence}</p>
                }
            }}
        </footer>
    }
}

/// The part of the session that decides which page to show.
#[derive(Clone, Copy, PartialEq)]
struct Gate {
    role: Role,
    portal: Option<threshold_protocol::DocumentId>,
}

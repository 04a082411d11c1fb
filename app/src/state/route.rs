//! Hash routes: `#/` is the workspace, `#/portal/<documentId>` a portal's overview and
//! `#/portal/<documentId>/<view>` one of its views. Hash routing keeps every address working
//! when the app is opened from the service worker or a plain file server, and every view has an
//! address that can be shared and that the browser's back button returns to.

use leptos::prelude::*;
use threshold_protocol::DocumentId;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The views a portal is split into, in the order of its navigation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortalView {
    Overview,
    Plan,
    Intake,
    Documents,
    Files,
    Offboarding,
    Activity,
    People,
}

impl PortalView {
    pub const ALL: [PortalView; 8] = [
        PortalView::Overview,
        PortalView::Plan,
        PortalView::Intake,
        PortalView::Documents,
        PortalView::Files,
        PortalView::Offboarding,
        PortalView::Activity,
        PortalView::People,
    ];

    /// The view's segment of the address; the overview has none.
    pub fn slug(&self) -> &'static str {
        match self {
            PortalView::Overview => "",
            PortalView::Plan => "plan",
            PortalView::Intake => "intake",
            PortalView::Documents => "documents",
            PortalView::Files => "files",
            PortalView::Offboarding => "offboarding",
            PortalView::Activity => "activity",
            PortalView::People => "people",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        PortalView::ALL
            .into_iter()
            .find(|v| !v.slug().is_empty() && v.slug() == slug)
    }

    pub fn label(&self) -> &'static str {
        match self {
            PortalView::Overview => "Overview",
            PortalView::Plan => "Plan",
            PortalView::Intake => "Intake",
            PortalView::Documents => "Documents",
            PortalView::Files => "Files",
            PortalView::Offboarding => "Offboarding",
            PortalView::Activity => "Check-ins",
            PortalView::People => "People",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Workspace,
    Portal(DocumentId, PortalView),
    NotFound(String),
}

impl Route {
    pub fn parse(hash: &str) -> Self {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            [] => Route::Workspace,
            ["portal", id] => match DocumentId::parse_any(id) {
                Ok(id) => Route::Portal(id, PortalView::Overview),
                Err(_) => Route::NotFound(hash.to_owned()),
            },
            ["portal", id, view] => {
                match (DocumentId::parse_any(id), PortalView::from_slug(view)) {
                    (Ok(id), Some(view)) => Route::Portal(id, view),
                    _ => Route::NotFound(hash.to_owned()),
                }
            }
            _ => Route::NotFound(hash.to_owned()),
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Workspace => "#/".to_owned(),
            Route::Portal(id, PortalView::Overview) => format!("#/portal/{id}"),
            Route::Portal(id, view) => format!("#/portal/{id}/{}", view.slug()),
            Route::NotFound(hash) => hash.clone(),
        }
    }
}

fn current_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The current route, following `hashchange`.
pub fn use_route() -> ReadSignal<Route> {
    let (route, set_route) = signal(Route::parse(&current_hash()));
    let on_change = Closure::<dyn FnMut()>::new(move || {
        set_route.set(Route::parse(&current_hash()));
        // A new page starts at its top, as it would with real page loads.
        if let Some(window) = web_sys::window() {
            window.scroll_to_with_x_and_y(0.0, 0.0);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .add_event_listener_with_callback("hashchange", on_change.as_ref().unchecked_ref());
    }
    // The router lives as long as the page.
    on_change.forget();
    route
}

pub fn navigate(route: &Route) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_hash(&route.href());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_hash_is_the_workspace() {
        for hash in ["", "#", "#/", "#//"] {
            assert_eq!(Route::parse(hash), Route::Workspace);
        }
        assert_eq!(Route::Workspace.href(), "#/");
    }

    #[test]
    fn a_portal_route_reads_back_what_it_writes() {
        let id = DocumentId::random();
        let route = Route::Portal(id, PortalView::Overview);
        assert_eq!(route.href(), format!("#/portal/{id}"));
        assert_eq!(Route::parse(&route.href()), route);
    }

    #[test]
    fn every_portal_view_has_its_own_address_that_reads_back() {
        let id = DocumentId::random();
        for view in PortalView::ALL {
            let route = Route::Portal(id, view);
            assert_eq!(Route::parse(&route.href()), route, "{view:?}");
        }
        assert_eq!(
            Route::Portal(id, PortalView::Intake).href(),
            format!("#/portal/{id}/intake")
        );
    }

    #[test]
    fn the_overview_has_no_segment_of_its_own() {
        let id = DocumentId::random();
        assert_eq!(
            Route::parse(&format!("#/portal/{id}/")),
            Route::Portal(id, PortalView::Overview)
        );
        let overview = format!("#/portal/{id}/overview");
        assert_eq!(Route::parse(&overview), Route::NotFound(overview.clone()));
    }

    #[test]
    fn anything_else_is_not_found_and_keeps_its_hash() {
        for hash in [
            "#/portal/not-an-id",
            "#/portal",
            "#/elsewhere",
            "#/portal/a/b",
            "#/portal/a/plan/more",
        ] {
            let route = Route::parse(hash);
            assert_eq!(route, Route::NotFound(hash.to_owned()));
            assert_eq!(route.href(), hash);
        }
    }
}

//! Hash routes: `#/` is the workspace, `#/portal/<documentId>` a portal. Hash routing keeps
//! every address working when the app is opened from the service worker or a plain file server.

use leptos::prelude::*;
use threshold_protocol::DocumentId;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    Workspace,
    Portal(DocumentId),
    NotFound(String),
}

impl Route {
    pub fn parse(hash: &str) -> Self {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            [] => Route::Workspace,
            ["portal", id] => match DocumentId::parse_any(id) {
                Ok(id) => Route::Portal(id),
                Err(_) => Route::NotFound(hash.to_owned()),
            },
            _ => Route::NotFound(hash.to_owned()),
        }
    }

    pub fn href(&self) -> String {
        match self {
            Route::Workspace => "#/".to_owned(),
            Route::Portal(id) => format!("#/portal/{id}"),
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
        let route = Route::Portal(id);
        assert_eq!(route.href(), format!("#/portal/{id}"));
        assert_eq!(Route::parse(&route.href()), route);
    }

    #[test]
    fn anything_else_is_not_found_and_keeps_its_hash() {
        for hash in [
            "#/portal/not-an-id",
            "#/portal",
            "#/elsewhere",
            "#/portal/a/b",
        ] {
            let route = Route::parse(hash);
            assert_eq!(route, Route::NotFound(hash.to_owned()));
            assert_eq!(route.href(), hash);
        }
    }
}

//! Keeping the person where they were when the page redraws under them.
//!
//! Lists are drawn with keyed `For` rows whose key includes what the row shows, so an edit
//! (ticking a task with Space, changing a status, posting a comment) replaces the row's
//! elements, the focused one with them, and the browser drops focus to `<body>`: a keyboard or
//! screen-reader user is thrown back to the top of the page. Rather than fix that control by
//! control, this watches the document once:
//!
//! - it remembers the focused control by a stable name: its `id`, or else its tag and
//!   accessible name (`aria-label`); a deliberate blur (focus moved to nothing while the control
//!   is still in the page) forgets it;
//! - after any change to the page, if focus fell to `<body>` and a control of the remembered
//!   name is in the page again, it focuses that one (without scrolling);
//! - when that control is gone with its row (a row deleted), focus goes to the same control of
//!   the next row, else of the previous one, else to the list's add form (its first field, or
//!   the summary that opens it): never to the page's body;
//! - `<details>` with an `id` that were open stay open when they are drawn again (a comment
//!   thread stays open after posting, so the person sees their comment);
//! - a form marked `data-add-form` returns focus to its first field once submitted, so a
//!   second item can be typed straight away, or to the field marked invalid when the submit
//!   was refused (its error is read out), unless the person has moved focus on meanwhile.

use std::cell::RefCell;
use std::collections::BTreeSet;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// How a control is found again after its row was drawn anew.
#[derive(Clone, Debug, PartialEq)]
enum Name {
    Id(String),
    Labelled { tag: String, label: String },
}

/// Where to go if the focused control leaves with its row: the rows beside it (still the same
/// elements after a keyed redraw that removes only the one row), the control's place among its
/// row's controls, and the section whose add form takes focus when the list is empty.
struct Near {
    row: Element,
    next: Option<Element>,
    previous: Option<Element>,
    index: u32,
    section: Option<Element>,
}

/// What a person can move focus to, in a row or a section.
const FOCUSABLE: &str = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), a[href], summary";

/// The first way to add to a section's list: its add form's first field, or the summary that
/// opens the form.
const ADD_CONTROL: &str =
    "form[data-add-form] :is(input:not([type=hidden]), select, textarea), details > summary";

thread_local! {
    static LAST: RefCell<Option<Name>> = const { RefCell::new(None) };
    static NEAR: RefCell<Option<Near>> = const { RefCell::new(None) };
    static OPEN: RefCell<BTreeSet<String>> = const { RefCell::new(BTreeSet::new()) };
}

fn name_of(el: &Element) -> Option<Name> {
    let id = el.id();
    if !id.is_empty() {
        return Some(Name::Id(id));
    }
    let label = el.get_attribute("aria-label").filter(|l| !l.is_empty())?;
    Some(Name::Labelled {
        tag: el.tag_name().to_ascii_lowercase(),
        label,
    })
}

fn find(document: &web_sys::Document, name: &Name) -> Option<Element> {
    match name {
        Name::Id(id) => document.get_element_by_id(id),
        Name::Labelled { tag, label } => {
            // A CSS string: backslashes and quotes escaped, so any label is matched literally.
            let quoted = label.replace('\\', "\\\\").replace('"', "\\\"");
            document
                .query_selector(&format!("{tag}[aria-label=\"{quoted}\"]"))
                .ok()
                .flatten()
        }
    }
}

fn focus_quietly(el: &Element) {
    if let Some(el) = el.dyn_ref::<HtmlElement>() {
        let options = web_sys::FocusOptions::new();
        options.set_prevent_scroll(true);
        let _ = el.focus_with_options(&options);
    }
}

/// Whether focus is on nothing in particular (what the browser does when the focused element
/// is removed).
fn focus_lost(document: &web_sys::Document) -> bool {
    match document.active_element() {
        None => true,
        Some(active) => document.body().is_some_and(|b| {
            let body: &Element = b.as_ref();
            *body == active
        }),
    }
}

fn near(el: &Element) -> Option<Near> {
    let row = el.closest("li, tr").ok().flatten()?;
    let controls = row.query_selector_all(FOCUSABLE).ok()?;
    let index = (0..controls.length())
        .find(|i| {
            controls
                .get(*i)
                .is_some_and(|c| c.dyn_ref::<Element>() == Some(el))
        })
        .unwrap_or(0);
    Some(Near {
        next: row.next_element_sibling(),
        previous: row.previous_element_sibling(),
        section: row.closest("section").ok().flatten(),
        row,
        index,
    })
}

/// The control at `index` among a row's controls, or its last one when it has fewer.
fn control_in(row: &Element, index: u32) -> Option<Element> {
    let controls = row.query_selector_all(FOCUSABLE).ok()?;
    let at = index.min(controls.length().checked_sub(1)?);
    controls.get(at).and_then(|c| c.dyn_into::<Element>().ok())
}

/// Where focus goes when the control and its row are gone.
fn beside_removed_row() -> Option<Element> {
    NEAR.with(|near| {
        let near = near.borrow();
        let near = near.as_ref()?;
        if near.row.is_connected() {
            return None;
        }
        let beside = [&near.next, &near.previous]
            .into_iter()
            .flatten()
            .filter(|r| r.is_connected())
            .find_map(|r| control_in(r, near.index));
        beside.or_else(|| {
            near.section
                .as_ref()
                .filter(|s| s.is_connected())
                .and_then(|s| s.query_selector(ADD_CONTROL).ok().flatten())
        })
    })
}

/// Whether the `<details>` with this `id` was open when it was last drawn: a row drawn anew can
/// draw what its open thread shows at once, so the control that had focus is there to return to.
pub fn kept_open(id: &str) -> bool {
    OPEN.with(|open| open.borrow().contains(id))
}

/// The page changed: reopen threads that were open, then put focus back if it was lost.
fn after_redraw() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    OPEN.with(|open| {
        for id in open.borrow().iter() {
            if let Some(details) = document
                .get_element_by_id(id)
                .and_then(|d| d.dyn_into::<web_sys::HtmlDetailsElement>().ok())
            {
                if !details.open() {
                    details.set_open(true);
                }
            }
        }
    });
    if !focus_lost(&document) {
        return;
    }
    let name = LAST.with(|l| l.borrow().clone());
    if let Some(el) = name
        .and_then(|name| find(&document, &name))
        .or_else(beside_removed_row)
    {
        focus_quietly(&el);
    }
}

/// The first field of a form the person can type in or choose from.
fn first_field(form: &Element) -> Option<Element> {
    form.query_selector(
        "input:not([type=hidden]):not([disabled]):not([readonly]), select:not([disabled]), textarea:not([disabled])",
    )
    .ok()
    .flatten()
}

/// Move focus into the element with this `id` (a list's row) once the page has drawn it: its
/// first control that takes focus, else the row itself (give it `tabindex="-1"`). A list that
/// grows on request ("Show more") puts the person on its first new row, not back at the button
/// (which may be gone) or at the top of the page.
pub fn focus_when_drawn(id: String) {
    // Rows are drawn by effects that run before the next frame; a few frames cover a slow one.
    fn attempt(id: String, frames_left: u8) {
        leptos::prelude::request_animation_frame(move || {
            let found = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(&id));
            match found {
                Some(row) => {
                    let control = row.query_selector(FOCUSABLE).ok().flatten();
                    if let Some(el) = control.unwrap_or(row).dyn_ref::<HtmlElement>() {
                        let _ = el.focus();
                    }
                }
                None if frames_left > 0 => attempt(id, frames_left - 1),
                None => {}
            }
        });
    }
    attempt(id, 5);
}

/// Start keeping focus. Called once, before the app is mounted.
pub fn install() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let on_focus_in = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let target = ev.target().and_then(|t| t.dyn_into::<Element>().ok());
        let name = target.as_ref().and_then(name_of);
        LAST.with(|l| *l.borrow_mut() = name);
        NEAR.with(|n| *n.borrow_mut() = target.as_ref().and_then(near));
    });
    let on_focus_out = Closure::<dyn Fn(web_sys::FocusEvent)>::new(|ev: web_sys::FocusEvent| {
        if ev.related_target().is_some() {
            return;
        }
        let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        // Decided a moment later: a removed control is gone from the page by then (keep its
        // name, to restore it), one the person left on purpose is still there (forget it).
        leptos::prelude::queue_microtask(move || {
            if el.is_connected() && !window_lost_focus() {
                LAST.with(|l| *l.borrow_mut() = None);
                NEAR.with(|n| *n.borrow_mut() = None);
            }
        });
    });
    let on_toggle = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let Some(details) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlDetailsElement>().ok())
        else {
            return;
        };
        let id = details.id();
        if id.is_empty() || !details.is_connected() {
            return;
        }
        OPEN.with(|open| {
            let mut open = open.borrow_mut();
            if details.open() {
                open.insert(id);
            } else {
                open.remove(&id);
            }
        });
    });
    let on_submit = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let Some(form) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if !form.has_attribute("data-add-form") {
            return;
        }
        let Some(field) = first_field(&form) else {
            return;
        };
        let name = name_of(&field);
        let active_at_submit = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        // After the submit handler and the redraw it causes: the form (or its row) may have
        // been drawn anew, so look the field up again by name.
        leptos::prelude::request_animation_frame(move || {
            let Some(document) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            // The person already moved on (typing into another field of a refused form, say):
            // taking focus now would put their next keystrokes in the wrong field.
            // Only a field of this same form counts: a control drawn anew elsewhere and focused
            // again by the keeper is not the person moving on.
            let active = document.active_element();
            let moved_on = active != active_at_submit
                && active.as_ref().is_some_and(|a| {
                    matches!(a.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        && form.is_connected()
                        && form.contains(Some(a.unchecked_ref()))
                });
            if moved_on {
                return;
            }
            // A refused submit goes to the field that says what is wrong, an accepted one to the
            // first field, for the next item.
            let invalid = form
                .query_selector("[aria-invalid=\"true\"]")
                .ok()
                .flatten()
                .filter(|el| el.is_connected());
            let target = invalid.or(if field.is_connected() {
                Some(field)
            } else {
                name.as_ref().and_then(|n| find(&document, n))
            });
            if let Some(target) = target {
                focus_quietly(&target);
            }
        });
    });
    let capture = web_sys::AddEventListenerOptions::new();
    capture.set_capture(true);
    for (event, callback) in [
        ("focusin", on_focus_in.as_ref()),
        ("focusout", on_focus_out.as_ref()),
        ("toggle", on_toggle.as_ref()),
        ("submit", on_submit.as_ref()),
    ] {
        let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
            event,
            callback.unchecked_ref(),
            &capture,
        );
    }
    on_focus_in.forget();
    on_focus_out.forget();
    on_toggle.forget();
    on_submit.forget();

    let observer = Closure::<dyn Fn()>::new(after_redraw);
    if let Ok(watch) = web_sys::MutationObserver::new(observer.as_ref().unchecked_ref()) {
        let options = web_sys::MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        let _ = watch.observe_with_options(&document, &options);
    }
    observer.forget();
}

/// Whether the whole window lost focus (another tab or app): the browser restores focus itself
/// when the person comes back, so nothing is forgotten.
fn window_lost_focus() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.has_focus().ok())
        .is_some_and(|focused| !focused)
}

//! Meetings: scheduling one (first, next, other) in the user's time zone, and the list with
//! its calendar file and cancelling.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::onboarding::{
    add_meeting, meetings_to_ics, remove_meeting, Meeting, MeetingKind, MeetingSpec, MEETINGS,
};
use threshold_model::portal::CLIENT_NAME;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::browser::download::download;
use crate::components::widgets::TextField;
use crate::state::permission::{may, Act};
use crate::state::view_mode::use_view;
use crate::sync::part_memo;

/// The browser's own time zone, as an IANA name.
fn local_time_zone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &"timeZone".into())
        .ok()
        .and_then(|z| z.as_string())
        .unwrap_or_else(|| "UTC".into())
}

/// A date and a time typed in this browser, as an instant (the browser applies its time zone).
fn local_instant(date: &str, time: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let millis = js_sys::Date::new(&format!("{date}T{time}").into()).get_time();
    if millis.is_nan() {
        return None;
    }
    chrono::DateTime::from_timestamp_millis(millis as i64)
}

/// The meeting's start in the meeting's own time zone, the way people read it.
fn shown_time(meeting: &Meeting) -> String {
    let date = js_sys::Date::new(&(meeting.spec.starts_at.timestamp_millis() as f64).into());
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"full".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    let _ = js_sys::Reflect::set(
        &options,
        &"timeZone".into(),
        &meeting.spec.time_zone.clone().into(),
    );
    let text: String = date.to_locale_string("en-GB", &options).into();
    format!("{text} ({})", meeting.spec.time_zone)
}

fn kind_label(kind: MeetingKind) -> &'static str {
    match kind {
        MeetingKind::First => "First meeting",
        MeetingKind::Next => "Next meeting",
        MeetingKind::Other => "Meeting",
    }
}

#[component]
pub fn MeetingsSection(id: DocumentId) -> impl IntoView {
    let meetings = part_memo(id, MEETINGS);
    let portal_name = part_memo(id, CLIENT_NAME);
    let view = use_view();
    let (title, set_title) = signal(String::new());
    let (kind, set_kind) = signal(MeetingKind::First);
    let (date, set_date) = signal(String::new());
    let (time, set_time) = signal("10:00".to_owned());
    let (duration, set_duration) = signal("45".to_owned());
    let (location, set_location) = signal(String::new());
    let (agenda, set_agenda) = signal(String::new());
    let (notes, set_notes) = signal(String::new());
    let (error, set_error) = signal(None::<String>);
    let on_add = move |ev: SubmitEvent| {
        ev.prevent_default();
        let t = title.get_untracked().trim().to_owned();
        let Some(starts_at) = local_instant(&date.get_untracked(), &time.get_untracked()) else {
            set_error.set(Some("Choose a date and a time for the meeting.".into()));
            return;
        };
        let duration_minutes =
            match threshold_model::doc::limits::meeting_minutes(&duration.get_untracked()) {
                Ok(minutes) => minutes,
                Err(e) => {
                    set_error.set(Some(e.to_string()));
                    return;
                }
            };
        let spec = MeetingSpec {
            title: t,
            kind: kind.get_untracked(),
            starts_at,
            duration_minutes,
            time_zone: local_time_zone(),
            agenda: agenda.get_untracked(),
            location: location.get_untracked(),
            notes: notes.get_untracked(),
        };
        if !actions::save_portal(id, set_error, |tx| add_meeting(tx, &spec).map(|_| ())) {
            return;
        }
        set_title.set(String::new());
        set_agenda.set(String::new());
        set_notes.set(String::new());
        set_location.set(String::new());
        set_error.set(None);
    };
    let export = move |only: Option<Meeting>| {
        let list = match only {
            Some(m) => vec![m],
            None => meetings.get_untracked().unwrap_or_default(),
        };
        let ics = meetings_to_ics(
            &list,
            &portal_name.get_untracked().unwrap_or_default(),
            chrono::Utc::now(),
        );
        if let Err(e) = download("meetings.ics", "text/calendar;charset=utf-8", &ics) {
            set_error.set(Some(format!("Could not export the calendar file: {e}")));
        }
    };
    let list = move || meetings.get().unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="meetings-heading" id="meetings">
            <div class="section-head">
                <h2 id="meetings-heading">"Meetings"</h2>
                <Show when=move || !list().is_empty()>
                    <button type="button" class="button small" on:click=move |_| export(None)>"Add all to calendar"</button>
                </Show>
            </div>
            <Show when=move || !list().is_empty() fallback=|| view! { <p class="muted">"No meetings scheduled yet."</p> }>
                <ul class="meeting-list" aria-label="Meetings">
                    <For each=list key=|m| (m.id.clone(), m.spec.clone())
                        children=move |m| {
                            let for_export = m.clone();
                            let remove_id = m.id.clone();
                            let title = m.spec.title.clone();
                            view! {
                                <li class="meeting">
                                    <div class="grow">
                                        <span class="badge">{kind_label(m.spec.kind)}</span>
                                        " " <strong>{m.spec.title.clone()}</strong>
                                        <p class="small">{shown_time(&m)} " · " {m.spec.duration_minutes} " min"</p>
                                        {(!m.spec.location.is_empty()).then(|| {
                                            let loc = m.spec.location.clone();
                                            if loc.starts_with("https://") && threshold_model::formats::safe_href(&loc).is_some() {
                                                view! { <p class="small"><a href=loc.clone() target="_blank" rel="noopener">{loc.clone()}</a></p> }.into_any()
                                            } else {
                                                view! { <p class="small">{loc}</p> }.into_any()
                                            }
                                        })}
                                        {(!m.spec.agenda.is_empty()).then(|| view! { <p class="small agenda">{m.spec.agenda.clone()}</p> })}
                                        {(!m.spec.notes.is_empty()).then(|| view! { <p class="small agenda">"Notes: " {m.spec.notes.clone()}</p> })}
                                    </div>
                                    <div class="meeting-actions">
                                        <button type="button" class="button small" aria-label=format!("Add {title} to calendar")
                                            on:click=move |_| export(Some(for_export.clone()))>"Add to calendar"</button>
                                        <Show when=move || may(view.get(), &Act::EditMeetings)>
                                            {
                                                let remove_id = remove_id.clone();
                                                let title = title.clone();
                                                view! {
                                                    <button type="button" class="button ghost small" aria-label=format!("Cancel meeting {title}")
                                                        on:click=move |_| actions::edit_portal(id, |tx| remove_meeting(tx, &remove_id))>"Cancel"</button>
                                                }
                                            }
                                        </Show>
                                    </div>
                                </li>
                            }
                        }/>
                </ul>
            </Show>
            <Show when=move || may(view.get(), &Act::EditMeetings)>
                <details class="builder">
                    <summary>"Schedule a meeting"</summary>
                    <form class="stack" on:submit=on_add aria-label="Schedule a meeting" novalidate data-add-form>
                        <div class="grid-2">
                            <TextField id="meeting-title" label="Meeting title" placeholder="e.g. Kick-off call" value=title set_value=set_title/>
                            <div class="field">
                                <label for="meeting-kind">"Which meeting"</label>
                                <select id="meeting-kind" on:change=move |ev| set_kind.set(MeetingKind::parse(&event_target_value(&ev)))>
                                    <option value="first">"First meeting"</option>
                                    <option value="next">"Next meeting"</option>
                                    <option value="other">"Other"</option>
                                </select>
                            </div>
                            <TextField id="meeting-date" label="Meeting date" kind="date" value=date set_value=set_date/>
                            <div class="field">
                                <label for="meeting-time">{format!("Time ({})", local_time_zone())}</label>
                                <input id="meeting-time" type="time" prop:value=time on:input=move |ev| set_time.set(event_target_value(&ev))/>
                            </div>
                            <div class="field">
                                <label for="meeting-duration">"Length in minutes"</label>
                                <input id="meeting-duration" type="number" min="5" max="480" step="5" prop:value=duration on:input=move |ev| set_duration.set(event_target_value(&ev))/>
                            </div>
                            <TextField id="meeting-location" label="Location or video link" value=location set_value=set_location/>
                        </div>
                        <div class="field">
                            <label for="meeting-agenda">"Agenda"</label>
                            <textarea id="meeting-agenda" rows="3" prop:value=agenda on:input=move |ev| set_agenda.set(event_target_value(&ev))></textarea>
                        </div>
                        <div class="field">
                            <label for="meeting-notes">"Notes"</label>
                            <textarea id="meeting-notes" rows="2" prop:value=notes on:input=move |ev| set_notes.set(event_target_value(&ev))></textarea>
                        </div>
                        <p class="field-error" role="alert">{move || error.get()}</p>
                        <div><button type="submit" class="button primary">"Schedule meeting"</button></div>
                    </form>
                </details>
            </Show>
        </section>
    }
}

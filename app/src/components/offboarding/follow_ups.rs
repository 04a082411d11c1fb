use leptos::prelude::*;
use threshold_model::access::MailRecord;
use threshold_model::offboarding::{
    set_follow_up_done, set_follow_up_due, set_follow_up_message, set_follow_up_mode, FollowUpMode,
    FOLLOW_UPS,
};
use threshold_model::portal::{BRAND, CLIENT_NAME};
use threshold_protocol::DocumentId;

use crate::actions;
use crate::state::dates::{input_value, parse_date, today};
use crate::state::permission::{may, Act};
use crate::state::session;
use crate::state::view_mode::use_view;
use crate::sync::part_memo;

/// Follow-ups at 3, 6 and 12 months after the end; the provider moves their dates, chooses
/// what happens on each date (a reminder to reach out, or a check-in email to the client in
/// their own words), and marks them done. "Sent" comes from the relay's outbox, which alone
/// knows what went. Their calendar file is under "Take your portal with you".
#[component]
pub fn FollowUpsSection(id: DocumentId) -> impl IntoView {
    let view = use_view();
    let follow_ups = part_memo(id, FOLLOW_UPS);
    let client_name = part_memo(id, CLIENT_NAME);
    let brand = part_memo(id, BRAND);
    let mail = RwSignal::new(Vec::<MailRecord>::new());
    // Asked whatever the session says yet (a new device may not know it): a relay without
    // email answers an empty list, and a client's token is refused, which shows nothing.
    if !session::is_client() {
        leptos::task::spawn_local(async move {
            if let Ok(records) = actions::portal_mail(id).await {
                mail.set(records);
            }
        });
    }
    view! {
        <Show when=move || follow_ups.with(|f| f.as_ref().is_some_and(|f| !f.is_empty()))>
            <section class="card" aria-labelledby="follow-ups-heading" id="follow-ups">
                <h2 id="follow-ups-heading">"Follow-ups"</h2>
                <p class="muted small">"We check in after the engagement to see how things are going."</p>
                <ul class="follow-ups" aria-label="Follow-ups">
                    {move || follow_ups.get().unwrap_or_default().into_iter().map(|f| {
                        let key = StoredValue::new(f.key.clone());
                        let title = f.title();
                        let due = f.is_due(today());
                        let done = f.done_at.is_some();
                        let note = StoredValue::new(f.note.clone());
                        let mode = f.mode;
                        let client = client_name.get().unwrap_or_default();
                        let provider = brand.get().flatten().map(|b| b.name).unwrap_or_default();
                        let default_text = StoredValue::new(
                            threshold_model::offboarding::default_follow_up_message(f.months, &client, &provider),
                        );
                        let text = f.message_or_default(&client, &provider);
                        let lower = title.to_lowercase();
                        let sent = move || {
                            let (sent, queued) = mail.with(|m| actions::follow_up_sent(m, id, &key.get_value()));
                            match (sent, queued) {
                                (Some(at), _) => Some(format!("Sent on {}", crate::state::dates::show_at(at))),
                                (None, true) => Some("Sending…".to_owned()),
                                (None, false) => None,
                            }
                        };
                        let mode_id = format!("follow-up-mode-{}", f.key);
                        let text_id = format!("follow-up-text-{}", f.key);
                        view! {
                            <li class="row follow-up" class:overdue=due>
                                <Show when=move || may(view.get(), &Act::EditFollowUps) fallback={
                                    let title = title.clone();
                                    move || view! { <span class="grow">{format!("{title}: {}", crate::state::dates::show(f.due))}</span> }
                                }>
                                    <label class="inline grow">
                                        <input type="checkbox" prop:checked=done aria-label=format!("Done: {}", title.clone())
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                actions::edit_portal(id, |tx| set_follow_up_done(tx, &key.get_value(), on.then(chrono::Utc::now), &note.get_value()));
                                            }/>
                                        {title.clone()}
                                    </label>
                                    <input type="date" aria-label=format!("Date of the {lower}") prop:value=input_value(Some(f.due))
                                        on:change=move |ev| {
                                            if let Some(d) = parse_date(&event_target_value(&ev)) {
                                                actions::edit_portal(id, |tx| set_follow_up_due(tx, &key.get_value(), d));
                                            }
                                        }/>
                                    {due.then(|| view! { <span class="badge badge-late">"Due"</span> })}
                                    {move || sent().map(|s| view! { <span class="badge badge-done" role="status">{s}</span> })}
                                    <div class="field follow-up-mode">
                                        <label for=mode_id.clone()>{format!("On the date of the {lower}")}</label>
                                        <select id=mode_id.clone()
                                            on:change=move |ev| {
                                                let mode = FollowUpMode::parse(&event_target_value(&ev));
                                                actions::edit_portal(id, |tx| set_follow_up_mode(tx, &key.get_value(), mode));
                                            }>
                                            {FollowUpMode::ALL.into_iter().map(|m| view! {
                                                <option value=m.as_str() selected=m == mode>{m.label()}</option>
                                            }).collect_view()}
                                        </select>
                                    </div>
                                    {(mode == FollowUpMode::EmailClient).then(|| view! {
                                        <div class="field follow-up-text">
                                            <label for=text_id.clone()>{format!("Check-in email for the {lower}")}</label>
                                            <textarea id=text_id.clone() rows="6" prop:value=text.clone()
                                                on:change=move |ev| {
                                                    let typed = event_target_value(&ev);
                                                    // The default is kept as "no text of their own", so it keeps
                                                    // following the client's and provider's names.
                                                    let stored = if typed.trim() == default_text.get_value().trim() { String::new() } else { typed };
                                                    actions::edit_portal(id, |tx| set_follow_up_message(tx, &key.get_value(), &stored));
                                                }></textarea>
                                            <p class="muted small">"Sent by the relay on the date, in the client's morning."</p>
                                        </div>
                                    })}
                                </Show>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

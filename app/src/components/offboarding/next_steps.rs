use leptos::prelude::*;
use threshold_model::offboarding::{
    accept_support_offer, add_next_step, refer_partner, remove_next_step, remove_referral,
    set_next_step_done, NEXT_STEPS, OFFBOARDING, REFERRALS,
};
use threshold_model::workspace::PARTNERS;
use threshold_protocol::DocumentId;

use crate::actions;
use crate::components::widgets::{RemoveButton, TextField};
use crate::state::permission::{archive, may, Act};
use crate::state::view_mode::{use_view, ViewMode};
use crate::sync::{part_memo, workspace_part_memo};

/// After the engagement: suggestions for the client to act on, partners we refer them to, and
/// an optional support offer.
#[component]
pub fn NextStepsSection(id: DocumentId) -> impl IntoView {
    let view = use_view();
    // Suggesting steps and referring partners are the provider's, and nobody's in an archive.
    let provider = move || may(view.get(), &Act::EditNextSteps);
    let steps = part_memo(id, NEXT_STEPS);
    let referrals = part_memo(id, REFERRALS);
    let offboarding = part_memo(id, OFFBOARDING);
    let partners = workspace_part_memo(PARTNERS);
    let (step, set_step) = signal(String::new());
    let (partner, set_partner) = signal(String::new());
    let (note, set_note) = signal(String::new());
    let (message, set_message) = signal(None::<String>);
    let on_add_step = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = step.get_untracked();
        match actions::try_edit_portal(id, |tx| {
            add_next_step(tx, &text, chrono::Utc::now()).map(|_| ())
        }) {
            Ok(()) => {
                set_step.set(String::new());
                set_message.set(None);
            }
            Err(e) => set_message.set(Some(e.to_string())),
        }
    };
    let on_refer = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = partner.get_untracked();
        let Some(p) = partners
            .get_untracked()
            .unwrap_or_default()
            .into_iter()
            .find(|p| p.id.as_str() == chosen)
        else {
            set_message.set(Some(
                "Choose a partner from your directory (add partners on the Clients page).".into(),
            ));
            return;
        };
        let n = note.get_untracked();
        actions::edit_portal(id, |tx| refer_partner(tx, &p, &n));
        set_note.set(String::new());
        set_message.set(None);
    };
    let support = move || {
        offboarding
            .get()
            .map(|o| (o.support_offer, o.support_accepted_at))
            .unwrap_or_default()
    };
    view! {
        <section class="card" aria-labelledby="next-steps-heading" id="next-steps">
            <h2 id="next-steps-heading">"Next steps"</h2>
            <ul class="next-steps" aria-label="Suggested next steps">
                {move || steps.get().unwrap_or_default().into_iter().map(|s| {
                    let sid = StoredValue::new(s.id.clone());
                    let text = s.text.clone();
                    view! {
                        <li class="row">
                            <Show when=move || !archive() fallback={
                                let (text, done) = (s.text.clone(), s.done);
                                move || view! {
                                    <span class="inline grow">
                                        <span class="task-mark" class:done=done role="img" aria-label=if done { "Done" } else { "Not done" }>{if done { "✓" } else { "" }}</span>
                                        {text.clone()}
                                    </span>
                                }
                            }>
                            <label class="inline grow">
                                <input type="checkbox" prop:checked=s.done aria-label=format!("Done: {}", s.text)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        actions::edit_portal(id, |tx| set_next_step_done(tx, &sid.get_value(), on));
                                    }/>
                                {s.text.clone()}
                            </label>
                            </Show>
                            <Show when=provider>
                                <RemoveButton what="step" name=text.clone()
                                    on_remove=move |()| actions::edit_portal(id, |tx| remove_next_step(tx, &sid.get_value()))/>
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=provider>
                <form class="add-row" aria-label="Add a next step" on:submit=on_add_step data-add-form>
                    <TextField id="next-step" label="Suggest a next step" grow=true value=step set_value=set_step/>
                    <button type="submit" class="button">"Add step"</button>
                </form>
            </Show>
            // The client is shown partners only once there are some.
            <Show when=move || provider() || referrals.with(|r| r.as_ref().is_some_and(|r| !r.is_empty()))>
                <h3>"Partners we recommend"</h3>
            </Show>
            <Show when=move || referrals.with(|r| r.as_ref().is_some_and(|r| !r.is_empty())) fallback=move || provider().then(|| view! { <p class="muted small">"No referrals yet."</p> })>
                <ul class="referrals" aria-label="Partner referrals">
                    {move || referrals.get().unwrap_or_default().into_iter().map(|r| {
                        let pid = StoredValue::new(r.partner.id.clone());
                        let name = r.partner.name.clone();
                        view! {
                            <li class="row">
                                <div class="grow">
                                    <strong>{r.partner.name.clone()}</strong>
                                    <span class="muted small">" · " {r.partner.service.clone()}</span>
                                    {(!r.note.is_empty()).then(|| view! { <p class="small">{r.note.clone()}</p> })}
                                    <p class="small">
                                        {(!r.partner.url.is_empty()).then(|| match threshold_model::formats::safe_href(&r.partner.url) {
                                            Some(href) => view! { <a href=href.to_owned() target="_blank" rel="noopener">{r.partner.url.clone()}</a>" " }.into_any(),
                                            None => view! { <span>{r.partner.url.clone()}" "</span> }.into_any(),
                                        })}
                                        {(!r.partner.email.is_empty()).then(|| view! { <a href=format!("mailto:{}", r.partner.email)>{r.partner.email.clone()}</a> })}
                                    </p>
                                </div>
                                <Show when=provider>
                                    <RemoveButton what="referral" name=name.clone()
                                        on_remove=move |()| actions::edit_portal(id, |tx| remove_referral(tx, &pid.get_value()))/>
                                </Show>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </Show>
            <Show when=provider>
                <form class="add-row" aria-label="Refer a partner" on:submit=on_refer data-add-form>
                    <div class="field">
                        <label for="refer-partner">"Partner"</label>
                        <select id="refer-partner" on:change=move |ev| set_partner.set(event_target_value(&ev))>
                            <option value="">"Choose from the directory"</option>
                            {move || partners.get().unwrap_or_default().into_iter().map(|p| view! {
                                <option value=p.id.to_string()>{format!("{} — {}", p.name, p.service)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <TextField id="refer-note" label="Why them" grow=true value=note set_value=set_note/>
                    <button type="submit" class="button">"Refer"</button>
                </form>
            </Show>
            {move || {
                let (offer, accepted) = support();
                (!offer.is_empty()).then(|| view! {
                    <div class="support-offer">
                        <h3>"Support after the engagement"</h3>
                        <p>{offer}</p>
                        {match accepted {
                            Some(at) => view! { <p class="badge badge-done">{move || format!("{} interested (since {})",
                                if view.get() == ViewMode::Client { "You are" } else { "The client is" },
                                crate::state::dates::show_at(at))}</p> }.into_any(),
                            None => view! {
                                <Show when=move || view.get() == ViewMode::Client && !archive() fallback=move || (view.get() == ViewMode::Provider).then(|| view! { <p class="muted small">"The client has not taken this up."</p> })>
                                    <button type="button" class="button" on:click=move |_| actions::edit_portal(id, |tx| accept_support_offer(tx, Some(chrono::Utc::now())))>"I'm interested"</button>
                                </Show>
                            }.into_any(),
                        }}
                    </div>
                })
            }}
            <p class="field-error" role="alert">{move || message.get()}</p>
        </section>
    }
}

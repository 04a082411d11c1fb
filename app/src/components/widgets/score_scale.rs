use leptos::prelude::*;

/// The 0–10 "how likely are you to recommend us" scale, as a radio group: exit feedback and the
/// cancellation flow ask the same question the same way.
#[component]
pub fn ScoreScale(
    /// The radio group's name, unique on the page.
    name: &'static str,
    #[prop(into)] chosen: Signal<Option<u8>>,
    on_pick: Callback<u8>,
) -> impl IntoView {
    view! {
        <div class="score-scale" role="radiogroup" aria-label="Likelihood to recommend, 0 to 10">
            {(0u8..=10).map(|n| view! {
                <label class="score-option">
                    <input type="radio" name=name value=n.to_string()
                        prop:checked=move || chosen.get() == Some(n)
                        on:change=move |_| on_pick.run(n)/>
                    <span>{n}</span>
                </label>
            }).collect_view()}
        </div>
    }
}

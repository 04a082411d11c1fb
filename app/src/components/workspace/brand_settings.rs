//! "Your brand": the business name, accent colour and logo clients see in their portal instead
//! of Threshold's. Saving writes the workspace and copies the brand into the portals
//! (`actions::save_brand`); the colours' contrast is the model's (`Palette`).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use threshold_model::doc::limits::Invalid;
use threshold_model::portal::{logo_data_url, Brand, Colour, Palette, BRAND, MAX_LOGO_BYTES};
use wasm_bindgen_futures::JsFuture;

use crate::actions;
use crate::components::files::picked;
use crate::sync::workspace_part_memo;

/// The colour input's value before any brand is set: the stylesheet's own.
const DEFAULT_ACCENT: &str = "#1f3a5f";

#[component]
pub fn BrandSettings() -> impl IntoView {
    let saved = workspace_part_memo(BRAND);
    let (name, set_name) = signal(String::new());
    let (accent, set_accent) = signal(DEFAULT_ACCENT.to_owned());
    let (logo, set_logo) = signal(None::<String>);
    let (error, set_error) = signal(None::<String>);
    let (logo_error, set_logo_error) = signal(None::<String>);
    let (done, set_done) = signal(None::<String>);
    // The form starts from what is saved, once the workspace is read.
    Effect::new(move |_| {
        if let Some(Some(brand)) = saved.get() {
            set_name.set(brand.name);
            set_accent.set(
                brand
                    .accent
                    .map_or(DEFAULT_ACCENT.into(), |c| c.to_string()),
            );
            set_logo.set(brand.logo);
        }
    });
    let on_logo = move |ev: leptos::ev::Event| {
        let Some(file) = picked(&ev).into_iter().next() else {
            return;
        };
        // A photo picked by mistake is refused without reading it: a logo is a few KB.
        let size = file.size() as usize;
        if size > MAX_LOGO_BYTES {
            set_logo_error.set(Some(
                Invalid::LogoTooLarge {
                    bytes: size.div_ceil(3) * 4,
                    max: MAX_LOGO_BYTES,
                }
                .to_string(),
            ));
            return;
        }
        leptos::task::spawn_local(async move {
            let Ok(buffer) = JsFuture::from(file.array_buffer()).await else {
                set_logo_error.set(Some(format!(
                    "Couldn't read {}. Try another image.",
                    file.name()
                )));
                return;
            };
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            match logo_data_url(&file.type_(), &bytes) {
                Ok(url) => {
                    set_logo.set(Some(url));
                    set_logo_error.set(None);
                }
                Err(e) => set_logo_error.set(Some(e.to_string())),
            }
        });
    };
    let on_save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let accent = match accent.get_untracked().parse::<Colour>() {
            Ok(c) => c,
            Err(e) => {
                set_error.set(Some(e.to_string()));
                return;
            }
        };
        let brand = Brand {
            name: name.get_untracked(),
            accent: Some(accent),
            logo: logo.get_untracked(),
        };
        match actions::save_brand(&brand) {
            Ok(()) => {
                set_error.set(None);
                set_done.set(Some(
                    "Saved. Your clients see this brand in their portals.".into(),
                ));
            }
            Err(e) => {
                set_done.set(None);
                set_error.set(Some(e.to_string()));
            }
        }
    };
    // What text on the accent will look like, from the model's contrast rule.
    let ink = move || {
        accent
            .get()
            .parse::<Colour>()
            .map(|c| Palette::of(c).ink.to_string())
            .unwrap_or_else(|_| "#ffffff".into())
    };
    view! {
        <section class="card brand-settings" aria-labelledby="brand-heading">
            <h2 id="brand-heading">"Your brand"</h2>
            <p class="muted small">"Clients see your name, logo and colour in their portal, not Threshold's. Text on your colour is made dark or light so that it stays readable."</p>
            <form class="stack" on:submit=on_save aria-label="Your brand" novalidate>
                <label for="brand-name">"Business name"</label>
                <input id="brand-name" type="text" autocomplete="organization"
                    aria-describedby="brand-error" aria-invalid=move || error.get().is_some().to_string()
                    prop:value=name on:input=move |ev| set_name.set(event_target_value(&ev))/>
                <label for="brand-accent">"Accent colour"</label>
                <div class="row brand-colour">
                    <input id="brand-accent" type="color" prop:value=accent
                        on:input=move |ev| set_accent.set(event_target_value(&ev))/>
                    <span class="brand-sample" aria-hidden="true"
                        style:background=move || accent.get() style:color=ink>"Aa"</span>
                    <code>{move || accent.get()}</code>
                </div>
                <span class="field-label">"Logo"</span>
                <div class="row brand-logo-row">
                    {move || logo.get().map(|src| view! { <img class="brand-logo-preview" src=src alt="Your logo"/> })}
                    <label class="button">"Choose a logo"
                        <input type="file" accept="image/png,image/jpeg,image/webp,image/gif,image/svg+xml"
                            class="visually-hidden" aria-label="Logo image" aria-describedby="brand-logo-error"
                            on:change=on_logo/>
                    </label>
                    <Show when=move || logo.with(Option::is_some)>
                        <button type="button" class="button ghost" on:click=move |_| set_logo.set(None)>"Remove logo"</button>
                    </Show>
                </div>
                <p id="brand-logo-error" class="field-error" role="alert">{move || logo_error.get()}</p>
                <p id="brand-error" class="field-error" role="alert">{move || error.get()}</p>
                <div class="row">
                    <button type="submit" class="button primary">"Save brand"</button>
                    <p class="small ok" role="status">{move || done.get()}</p>
                </div>
            </form>
        </section>
    }
}

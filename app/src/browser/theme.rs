//! The page's theme from the provider's brand: the colour custom properties on the root
//! element (`--brand`, `--brand-ink`, `--brand-text`, which `style/main.css` draws with), the
//! document's title, the `theme-color` meta an installed app and a phone's browser bar use, and
//! the tab's icon (the provider's logo, when there is one), and the name a phone gives the page
//! when it is added to the home screen (`application-name`, and `apple-mobile-web-app-title`,
//! which iOS reads from the page at that moment), and the web app manifest Chrome and Android
//! install from: the relay's `/app.webmanifest` in the provider's name and colour once there is
//! a brand, the built app's own manifest otherwise.

use wasm_bindgen::JsCast;

/// The colours to draw with, as CSS colours: a background, the text on it, and text in it.
pub struct Colours {
    pub brand: String,
    pub ink: String,
    pub text: String,
}

/// The stylesheet's own colours stand when there are none; the title is the business name;
/// `icon` is an image URL for the tab (Threshold's own icon when `None`).
pub fn apply(colours: Option<&Colours>, title: &str, icon: Option<&str>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(root) = document
        .document_element()
        .and_then(|r| r.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let style = root.style();
        match colours {
            Some(c) => {
                let _ = style.set_property("--brand", &c.brand);
                let _ = style.set_property("--brand-ink", &c.ink);
                let _ = style.set_property("--brand-text", &c.text);
            }
            None => {
                for property in ["--brand", "--brand-ink", "--brand-text"] {
                    let _ = style.remove_property(property);
                }
            }
        }
    }
    document.set_title(title);
    for name in ["application-name", "apple-mobile-web-app-title"] {
        if let Some(meta) = document
            .query_selector(&format!("meta[name={name}]"))
            .ok()
            .flatten()
        {
            let _ = meta.set_attribute("content", title);
        }
    }
    if let Some(meta) = document
        .query_selector("meta[name=theme-color]")
        .ok()
        .flatten()
    {
        // The stylesheet's --brand, when there is no accent.
        let colour = colours.map_or("#1f3a5f", |c| c.brand.as_str());
        let _ = meta.set_attribute("content", colour);
    }
    if let Some(link) = document.query_selector("link[rel=manifest]").ok().flatten() {
        let _ = link.set_attribute("href", &manifest_href(title, colours));
    }
    if let Some(link) = document.query_selector("link[rel=icon]").ok().flatten() {
        let _ = link.set_attribute("href", icon.unwrap_or("/favicon.svg"));
        let _ = match icon {
            Some(_) => link.remove_attribute("type"),
            None => link.set_attribute("type", "image/svg+xml"),
        };
    }
}

/// The manifest for this brand: Threshold's own without one (the page's title is then
/// "Threshold"), else the relay's, which takes the name and colour from the address.
fn manifest_href(title: &str, colours: Option<&Colours>) -> String {
    if title == "Threshold" && colours.is_none() {
        return "/manifest.webmanifest".to_owned();
    }
    let mut href = format!(
        "/app.webmanifest?name={}",
        js_sys::encode_uri_component(title)
    );
    if let Some(c) = colours {
        href.push_str(&format!(
            "&theme={}",
            js_sys::encode_uri_component(&c.brand)
        ));
    }
    href
}

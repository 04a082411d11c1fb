//! The web app manifest in the provider's name: `GET /app.webmanifest?name=…&theme=…`.
//!
//! A phone or Chrome installs a page under the name and colour its manifest gives, and one
//! static manifest serves every provider on a relay. The app links this one instead once it
//! knows the brand, so a client who installs their portal finds it on the home screen as
//! "Acme Studio", not "Threshold".
//!
//! It looks nothing up: the brand travels in the address, checked by the model's own rules (a
//! business name within its limit, a `#rrggbb` colour), and the rest is the built app's
//! manifest. So it answers the same whether or not any portal or provider exists, and leaks
//! nothing the caller did not send; a request with a name no brand could have gets a 400 in
//! words, not a manifest.

use std::path::Path;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use threshold_model::doc::limits::{self, Text};
use threshold_model::portal::Colour;

use super::cache_policy::CachePolicy;
use super::StaticFiles;
use crate::error::AppError;

/// The built app's manifest, the base every branded one starts from.
const BASE: &str = "manifest.webmanifest";

/// Home screens cut names longer than about this; the full name stays `name`.
const SHORT_NAME_CHARS: usize = 12;

#[derive(Deserialize)]
pub(super) struct Brand {
    /// Missing reads as empty, refused in the model's words like any empty name.
    #[serde(default)]
    name: String,
    theme: Option<String>,
}

pub(super) async fn branded(
    State(files): State<StaticFiles>,
    Query(brand): Query<Brand>,
) -> Result<Response, AppError> {
    let base = read_base(&files.dir).await?;
    let body = manifest(base, &brand)?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/manifest+json"),
    );
    // Like the static manifest: the app's icons or fields may change with a new build.
    headers.insert(
        header::CACHE_CONTROL,
        CachePolicy::Revalidate.header_value(),
    );
    Ok(response)
}

async fn read_base(dir: &Path) -> Result<serde_json::Value, AppError> {
    let text = tokio::fs::read_to_string(dir.join(BASE))
        .await
        .map_err(|_| AppError::NotFound)?;
    serde_json::from_str(&text).map_err(|e| {
        tracing::error!(error = %e, "the built app's manifest is not JSON");
        AppError::NotFound
    })
}

/// The base manifest with the brand's name and colour, or why the brand is refused.
fn manifest(mut base: serde_json::Value, brand: &Brand) -> Result<String, AppError> {
    let name = limits::checked(Text::BusinessName, &brand.name)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    if name.chars().any(|c| c.is_control() || invisible(c)) {
        return Err(AppError::BadRequest(
            "a business name has no control or invisible characters".into(),
        ));
    }
    let theme = brand
        .theme
        .as_deref()
        .map(|t| t.parse::<Colour>())
        .transpose()
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let Some(fields) = base.as_object_mut() else {
        return Err(AppError::NotFound);
    };
    fields.insert("name".into(), name.into());
    fields.insert("short_name".into(), short_name(name).into());
    if let Some(theme) = theme {
        fields.insert("theme_color".into(), theme.to_string().into());
    }
    Ok(base.to_string())
}

/// Characters that draw nothing but change how a name reads: they could make a home-screen
/// name look like another (a right-to-left override turns a name around). Also the
/// replacement character, which is what invalid UTF-8 in the address became.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200C}' | '\u{200E}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFD}')
}

/// The home-screen name: the whole name when it fits, else its first words that fit, else its
/// first characters, never ending inside a joined emoji.
fn short_name(name: &str) -> String {
    if name.chars().count() <= SHORT_NAME_CHARS {
        return name.to_owned();
    }
    let mut words = String::new();
    for word in name.split_whitespace() {
        let next = if words.is_empty() {
            word.to_owned()
        } else {
            format!("{words} {word}")
        };
        if next.chars().count() > SHORT_NAME_CHARS {
            break;
        }
        words = next;
    }
    if !words.is_empty() {
        return words;
    }
    let cut: String = name.chars().take(SHORT_NAME_CHARS).collect();
    cut.trim_end_matches(['\u{200D}', '\u{FE0F}']).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> serde_json::Value {
        serde_json::json!({
            "name": "Threshold — client portals",
            "short_name": "Threshold",
            "start_url": "/",
            "theme_color": "#1f3a5f",
            "icons": [{ "src": "/icons/icon-192.png" }],
        })
    }

    fn brand(name: &str, theme: Option<&str>) -> Brand {
        Brand {
            name: name.into(),
            theme: theme.map(str::to_owned),
        }
    }

    #[test]
    fn the_brand_names_and_colours_the_app_and_the_rest_is_the_builds() {
        let out = manifest(base(), &brand("  Acme Design Studio ", Some("#C0FFEE"))).unwrap();
        let out: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(out["name"], "Acme Design Studio");
        assert_eq!(out["short_name"], "Acme Design");
        assert_eq!(out["theme_color"], "#c0ffee");
        assert_eq!(out["start_url"], "/");
        assert_eq!(out["icons"][0]["src"], "/icons/icon-192.png");
    }

    #[test]
    fn a_name_no_brand_could_have_is_refused_in_words() {
        for (name, theme) in [
            ("", None),
            ("   ", None),
            (&*"x".repeat(500), None),
            ("Acme\u{7}", None),
            ("Acme\u{202E}moc", None),
            ("Ac\u{200B}me", None),
            ("\u{FEFF}Acme", None),
            ("Acme \u{FFFD}", None),
            ("Acme", Some("red")),
            ("Acme", Some("#12345")),
        ] {
            let refused = manifest(base(), &brand(name, theme)).unwrap_err();
            assert!(
                matches!(refused, AppError::BadRequest(_)),
                "{name:?} {theme:?}"
            );
        }
    }

    #[test]
    fn quotes_and_markup_in_a_name_stay_text() {
        let out = manifest(base(), &brand(r#"A "quoted" <b>name</b>"#, None)).unwrap();
        let out: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(out["name"], r#"A "quoted" <b>name</b>"#);
        assert_eq!(out["theme_color"], "#1f3a5f");
    }
}

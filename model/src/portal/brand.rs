//! The provider's brand (white label): the business name, an accent colour and a small logo.
//!
//! Shape, the same in the workspace and in each portal:
//! ```text
//! brand: { name: str, accent: "#rrggbb" (optional), logo: "data:image/…;base64,…" (optional) }
//! ```
//! The provider keeps its brand in the workspace; the client cannot read the workspace, so the
//! provider's devices copy it into every portal (`brand` is the provider's part of the portal:
//! see `access::permission`). The logo is a small data URL, not a file: it must show on the
//! client's first visit, offline and before any file has been fetched.
//!
//! The accent colour is the provider's; what text is drawn on it and with it is decided here by
//! WCAG contrast ([`Palette`]), so no accent makes the portal unreadable:
//! ```
//! use threshold_model::portal::{Colour, Palette};
//! let yellow: Colour = "#f4c95d".parse().unwrap();
//! let palette = Palette::of(yellow);
//! assert_eq!(palette.ink.to_string(), "#17212b", "dark text on a light accent");
//! assert!(palette.text.contrast(Colour::WHITE) >= 4.5, "links drawn in it stay readable");
//! ```

use std::fmt;
use std::str::FromStr;

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ROOT};

use crate::doc::limits::{self, Invalid, Text};
use crate::doc::{field, ModelError, Part};

/// The most bytes a logo's data URL may take: a logo is shown small, and it travels in every
/// portal document and its history.
pub const MAX_LOGO_BYTES: usize = 96 * 1024;

/// The image types a logo may be (those every browser shows in an `<img>`).
const LOGO_TYPES: [&str; 5] = [
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/gif",
    "image/svg+xml",
];

/// The least contrast, as WCAG 2 counts it, for normal-size text (AA).
pub const MIN_TEXT_CONTRAST: f64 = 4.5;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Brand {
    /// The business name clients see (the header, the page title).
    pub name: String,
    pub accent: Option<Colour>,
    /// A `data:image/…;base64,…` URL.
    pub logo: Option<String>,
}

/// An sRGB colour, written `#rrggbb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colour {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Colour {
    pub const WHITE: Colour = Colour {
        r: 0xff,
        g: 0xff,
        b: 0xff,
    };
    pub const BLACK: Colour = Colour { r: 0, g: 0, b: 0 };
    /// The portal's ordinary text colour.
    pub const INK: Colour = Colour {
        r: 0x17,
        g: 0x21,
        b: 0x2b,
    };
    /// The lightest tint links and headings in the accent are drawn on (selected rows, file
    /// badges, drop zones).
    pub const TINT: Colour = Colour {
        r: 0xe8,
        g: 0xee,
        b: 0xf6,
    };

    /// Relative luminance, WCAG 2.
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.r) + 0.7152 * channel(self.g) + 0.0722 * channel(self.b)
    }

    /// Contrast ratio with `other`, WCAG 2: from 1 (the same) to 21 (black on white).
    pub fn contrast(self, other: Colour) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        let (light, dark) = if a > b { (a, b) } else { (b, a) };
        (light + 0.05) / (dark + 0.05)
    }

    /// The colour mixed with black: `amount` 0 keeps it, 1 is black.
    fn darker(self, amount: f64) -> Colour {
        let scale = |c: u8| (f64::from(c) * (1.0 - amount)).round() as u8;
        Colour {
            r: scale(self.r),
            g: scale(self.g),
            b: scale(self.b),
        }
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

impl FromStr for Colour {
    type Err = ModelError;

    /// `#rrggbb` or `#rgb`, any case, with or without the `#`.
    fn from_str(s: &str) -> Result<Colour, ModelError> {
        let refused = || ModelError::from(Invalid::NotAColour(s.trim().to_owned()));
        let hex = s.trim().trim_start_matches('#');
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(refused());
        }
        let full: String = match hex.len() {
            3 => hex.chars().flat_map(|c| [c, c]).collect(),
            6 => hex.to_owned(),
            _ => return Err(refused()),
        };
        let byte = |i: usize| u8::from_str_radix(&full[i..i + 2], 16).map_err(|_| refused());
        Ok(Colour {
            r: byte(0)?,
            g: byte(2)?,
            b: byte(4)?,
        })
    }
}

/// The colours a brand's accent gives the page.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    /// Backgrounds: the header, primary buttons, the current view. The accent itself.
    pub brand: Colour,
    /// Text on `brand`: white or the portal's ink, whichever reads better on it (black on the
    /// few mid tones where neither reaches 4.5:1).
    pub ink: Colour,
    /// Links and headings drawn in the accent on white and light tints: the accent, darkened
    /// just enough to reach 4.5:1 on the lightest tint.
    pub text: Colour,
}

impl Palette {
    pub fn of(accent: Colour) -> Palette {
        // White or the portal's ink, whichever reads better; on a mid grey neither reaches
        // 4.5:1, and black (which with white always gives one of them 4.58:1 or more) does.
        let (on_white, on_ink) = (accent.contrast(Colour::WHITE), accent.contrast(Colour::INK));
        let ink = match (on_white >= on_ink, on_white, on_ink) {
            (true, white, _) if white >= MIN_TEXT_CONTRAST => Colour::WHITE,
            (false, _, ink) if ink >= MIN_TEXT_CONTRAST => Colour::INK,
            _ => Colour::BLACK,
        };
        let text = (0..=20)
            .map(|step| accent.darker(f64::from(step) * 0.05))
            .find(|c| c.contrast(Colour::TINT) >= MIN_TEXT_CONTRAST)
            .unwrap_or(Colour::INK);
        Palette {
            brand: accent,
            ink,
            text,
        }
    }
}

/// A logo's data URL from an image file's type and bytes, checked as [`check_logo`] checks it.
pub fn logo_data_url(mime: &str, bytes: &[u8]) -> Result<String, ModelError> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut url = format!("data:{mime};base64,");
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                url.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                url.push('=');
            }
        }
    }
    check_logo(&url)?;
    Ok(url)
}

/// Check a logo before it is kept: an image data URL of a type browsers show, within
/// [`MAX_LOGO_BYTES`].
pub fn check_logo(data_url: &str) -> Result<(), ModelError> {
    let Some(rest) = data_url.strip_prefix("data:") else {
        return Err(Invalid::NotAnImage.into());
    };
    let mime = rest.split([';', ',']).next().unwrap_or_default();
    if !LOGO_TYPES.contains(&mime) {
        return Err(Invalid::NotAnImage.into());
    }
    if data_url.len() > MAX_LOGO_BYTES {
        return Err(Invalid::LogoTooLarge {
            bytes: data_url.len(),
            max: MAX_LOGO_BYTES,
        }
        .into());
    }
    Ok(())
}

/// The brand kept at the root of `doc` (the workspace or a portal); `None` before one is set.
pub fn read_brand(doc: &impl ReadDoc) -> Result<Option<Brand>, ModelError> {
    let Some(obj) = field::map(doc, &ROOT, "brand")? else {
        return Ok(None);
    };
    let name = field::string(doc, &obj, "name")?.unwrap_or_default();
    // A colour or logo a device wrote wrong is shown as none, never as given.
    let accent = field::string(doc, &obj, "accent")?.and_then(|a| a.parse().ok());
    let logo = field::string(doc, &obj, "logo")?.filter(|l| check_logo(l).is_ok());
    if name.is_empty() && accent.is_none() && logo.is_none() {
        return Ok(None);
    }
    Ok(Some(Brand { name, accent, logo }))
}

/// [`read_brand`] as a [`Part`].
pub const BRAND: Part<Option<Brand>> = Part {
    keys: &["brand"],
    read: |doc| read_brand(doc),
};

/// Set the brand at the root of the document (the workspace, or a portal's copy of it), after
/// checking it: a business name within its length, a logo within its size. Only the fields
/// that differ are written, so copying an unchanged brand into a portal adds nothing to its
/// history.
pub fn set_brand(tx: &mut impl Transactable, brand: &Brand) -> Result<(), ModelError> {
    let name = limits::checked(Text::BusinessName, &brand.name)?;
    if let Some(logo) = &brand.logo {
        check_logo(logo)?;
    }
    if read_brand(tx)?.as_ref() == Some(brand) {
        return Ok(());
    }
    let obj = field::ensure_map(tx, &ROOT, "brand")?;
    if field::string(tx, &obj, "name")?.as_deref() != Some(name) {
        tx.put(&obj, "name", name)?;
    }
    let accent = brand.accent.map(|c| c.to_string());
    if field::string(tx, &obj, "accent")? != accent {
        match accent {
            Some(accent) => tx.put(&obj, "accent", accent)?,
            None => tx.delete(&obj, "accent")?,
        }
    }
    if field::string(tx, &obj, "logo")? != brand.logo {
        match &brand.logo {
            Some(logo) => tx.put(&obj, "logo", logo.as_str())?,
            None => tx.delete(&obj, "logo")?,
        }
    }
    Ok(())
}

//! The provider's brand: colours checked for contrast, logos for type and size, and the copy in
//! a portal written only where it differs.

use threshold_model::doc::edit;
use threshold_model::portal::*;
use threshold_model::workspace::new_workspace_doc;

fn colour(hex: &str) -> Colour {
    hex.parse().expect("a colour")
}

#[test]
fn a_colour_is_read_from_six_or_three_hex_digits_and_written_as_six() {
    assert_eq!(colour("#1F3A5F").to_string(), "#1f3a5f");
    assert_eq!(colour("abc").to_string(), "#aabbcc");
    for bad in ["", "#12", "#12345g", "blue", "#1234567", "rgb(0,0,0)"] {
        let refused = bad.parse::<Colour>().expect_err(bad).to_string();
        assert!(
            refused.contains("hex code like #1f3a5f"),
            "{bad}: {refused}"
        );
    }
}

#[test]
fn contrast_follows_wcag() {
    let black = colour("#000000");
    assert!((black.contrast(Colour::WHITE) - 21.0).abs() < 1e-9);
    assert!((Colour::WHITE.contrast(Colour::WHITE) - 1.0).abs() < 1e-9);
    // A known pair: #767676 on white is the lightest grey that passes AA (4.54:1).
    let grey = colour("#767676").contrast(Colour::WHITE);
    assert!((4.5..4.6).contains(&grey), "{grey}");
}

#[test]
fn every_accent_gets_readable_ink_on_it_and_readable_text_in_it() {
    for hex in [
        "#000000", "#ffffff", "#f4c95d", "#ffff00", "#1f3a5f", "#7a1f5c", "#00ff00", "#808080",
        "#ff6600", "#0099ff", "#767676", "#e8eef6",
    ] {
        let palette = Palette::of(colour(hex));
        assert_eq!(
            palette.brand,
            colour(hex),
            "the accent itself is the background"
        );
        assert!(
            palette.ink.contrast(palette.brand) >= MIN_TEXT_CONTRAST,
            "{hex}: ink {} on it at {:.2}",
            palette.ink,
            palette.ink.contrast(palette.brand)
        );
        assert!(
            palette.text.contrast(Colour::TINT) >= MIN_TEXT_CONTRAST,
            "{hex}: text {} on the tint",
            palette.text
        );
        assert!(palette.text.contrast(Colour::WHITE) >= MIN_TEXT_CONTRAST);
    }
    // A dark accent keeps white text and is its own text colour.
    let navy = Palette::of(colour("#1f3a5f"));
    assert_eq!((navy.ink, navy.text), (Colour::WHITE, colour("#1f3a5f")));
    // A light one gets dark ink, and darker links.
    let yellow = Palette::of(colour("#f4c95d"));
    assert_eq!(yellow.ink, Colour::INK);
    assert_ne!(yellow.text, colour("#f4c95d"));
}

#[test]
fn a_logo_must_be_a_small_image_data_url() {
    assert!(check_logo("data:image/png;base64,iVBORw0KGgo=").is_ok());
    assert!(check_logo("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=").is_ok());
    for bad in [
        "https://example.com/logo.png",
        "data:text/html;base64,PGgxPg==",
        "javascript:alert(1)",
    ] {
        assert_eq!(
            check_logo(bad).expect_err(bad).to_string(),
            "A logo must be a PNG, JPEG, WebP, GIF or SVG image."
        );
    }
    let big = format!("data:image/png;base64,{}", "A".repeat(MAX_LOGO_BYTES));
    assert!(check_logo(&big)
        .expect_err("too large")
        .to_string()
        .starts_with("This logo takes 96 KB; logos can take up to 96 KB."));
}

#[test]
fn a_logo_file_becomes_a_base64_data_url() {
    assert_eq!(
        logo_data_url("image/png", b"Man").expect("small"),
        "data:image/png;base64,TWFu"
    );
    assert_eq!(
        logo_data_url("image/gif", b"Ma").expect("small"),
        "data:image/gif;base64,TWE="
    );
    assert_eq!(
        logo_data_url("image/gif", b"M").expect("small"),
        "data:image/gif;base64,TQ=="
    );
    assert!(logo_data_url("image/png", &vec![0u8; 80 * 1024]).is_err());
    assert!(logo_data_url("application/pdf", b"%PDF").is_err());
}

#[test]
fn the_brand_is_kept_in_the_workspace_and_copied_into_a_portal() {
    let brand = Brand {
        name: "Northwind Studio".into(),
        accent: Some(colour("#7a1f5c")),
        logo: Some("data:image/png;base64,iVBORw0KGgo=".into()),
    };
    let mut workspace = new_workspace_doc("Mine").expect("creates");
    assert_eq!(read_brand(&workspace).expect("reads"), None);
    edit(&mut workspace, |tx| set_brand(tx, &brand)).expect("saves");
    assert_eq!(read_brand(&workspace).expect("reads"), Some(brand.clone()));

    let mut portal = new_portal_doc("Acme", "Hello").expect("creates");
    assert_eq!(
        read_brand(&portal).expect("reads"),
        None,
        "an empty map is no brand"
    );
    edit(&mut portal, |tx| set_brand(tx, &brand)).expect("copies");
    assert_eq!(read_brand(&portal).expect("reads"), Some(brand.clone()));
    let heads = portal.get_heads();
    edit(&mut portal, |tx| set_brand(tx, &brand)).expect("copies again");
    assert_eq!(portal.get_heads(), heads, "an unchanged brand adds nothing");

    // Taking the logo and colour away leaves the name.
    let plain = Brand {
        name: "Northwind".into(),
        accent: None,
        logo: None,
    };
    edit(&mut portal, |tx| set_brand(tx, &plain)).expect("saves");
    assert_eq!(read_brand(&portal).expect("reads"), Some(plain));
}

#[test]
fn a_brand_needs_a_name_within_its_length() {
    let mut workspace = new_workspace_doc("Mine").expect("creates");
    let refuse = |doc: &mut automerge::Automerge, name: &str| -> String {
        let brand = Brand {
            name: name.into(),
            ..Brand::default()
        };
        edit(doc, |tx| set_brand(tx, &brand))
            .map(|_| ())
            .expect_err(name)
            .to_string()
    };
    assert!(refuse(&mut workspace, "  ").contains("your business's name"));
    assert!(refuse(&mut workspace, &"x".repeat(121)).contains("at most 120 characters"));
}

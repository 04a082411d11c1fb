//! Which addresses from a document may be rendered as links: only `http`, `https` and `mailto`.
//! Anything else (`javascript:`, `data:`, `vbscript:`, a relative path) is shown as text, so a
//! link written into a portal cannot run script on the app's origin when clicked. Defence in
//! depth behind the page's content security policy.

/// The address to put in an `href`, or `None` if it must be shown as text.
pub fn safe_href(raw: &str) -> Option<&str> {
    let url = raw.trim();
    // Browsers drop tabs and newlines anywhere in a URL and leading control characters, so
    // `java\tscript:` is `javascript:`; such an address is never a link here.
    if url.chars().any(char::is_control) {
        return None;
    }
    let (scheme, rest) = url.split_once(':')?;
    let allowed = ["http", "https", "mailto"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    (allowed && !rest.is_empty()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_https_and_mailto_are_links() {
        assert_eq!(
            safe_href("https://example.com/a?b=c"),
            Some("https://example.com/a?b=c")
        );
        assert_eq!(
            safe_href(" HTTP://example.com "),
            Some("HTTP://example.com")
        );
        assert_eq!(
            safe_href("mailto:dana@example.com"),
            Some("mailto:dana@example.com")
        );
    }

    #[test]
    fn script_data_relative_and_disguised_addresses_are_text() {
        for raw in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox",
            "/relative/path",
            "example.com",
            "https:",
            "",
        ] {
            assert_eq!(safe_href(raw), None, "{raw:?}");
        }
    }
}

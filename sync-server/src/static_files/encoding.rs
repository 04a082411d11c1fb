//! Which content coding a static file is sent in, chosen from the request's `Accept-Encoding`
//! (RFC 9110 §12.5.3) among the copies that exist on disk.
//!
//! tower-http parses this header too, but only inside `ServeDir`, where it cannot know that a
//! copy is older than its source or that an HTML page must stay readable for its content
//! security policy. Its parser is private, so the few rules below are written out here.

use axum::http::{header, HeaderMap, HeaderValue};

/// A form a static file can be sent in. Ordered from least to most preferred when a client
/// weighs them equally: brotli is the smallest, gzip the most widely understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The compressed copies the build writes, most preferred first.
    pub const COMPRESSED: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

    /// The token in `Accept-Encoding` and `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Brotli => "br",
        }
    }

    /// What the build appends to a file's name for this copy (`app.wasm` → `app.wasm.br`).
    pub fn suffix(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Gzip => Some(".gz"),
            Encoding::Brotli => Some(".br"),
        }
    }

    pub fn header_value(self) -> HeaderValue {
        HeaderValue::from_static(self.token())
    }
}

/// Weights in thousandths, as q-values have at most three decimals.
type Weight = u16;

/// The encoding to send, given the request's headers and which compressed copies are usable.
/// With no `Accept-Encoding` at all the plain file goes out: any client understands it.
pub fn negotiate(headers: &HeaderMap, available: impl Fn(Encoding) -> bool) -> Encoding {
    let mut listed: Vec<(String, Weight)> = Vec::new();
    let mut any_header = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        any_header = true;
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            if coding.is_empty() {
                continue;
            }
            // An entry whose weight cannot be read is ignored, as if the client had not sent it.
            let weight = match parts
                .find_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            {
                Some(q) => match parse_q(q) {
                    Some(w) => w,
                    None => continue,
                },
                None => 1000,
            };
            let coding = if coding == "x-gzip" {
                "gzip".to_owned()
            } else {
                coding
            };
            listed.push((coding, weight));
        }
    }
    if !any_header {
        return Encoding::Identity;
    }
    let weight_of = |name: &str| listed.iter().find(|(c, _)| c == name).map(|(_, w)| *w);
    let star = weight_of("*");
    let weight = |encoding: Encoding| -> Weight {
        match (weight_of(encoding.token()), encoding) {
            (Some(w), _) => w,
            // The plain file is acceptable unless refused by name or by `*;q=0`, but a client
            // that lists only codings it weighs low still prefers them to it.
            (None, Encoding::Identity) => star.unwrap_or(1),
            (None, _) => star.unwrap_or(0),
        }
    };
    let best = Encoding::COMPRESSED
        .into_iter()
        .filter(|&e| available(e))
        .chain([Encoding::Identity])
        .map(|e| (weight(e), e))
        .filter(|&(w, _)| w > 0)
        .max();
    // A client that refuses even the plain file still gets it: a 406 would help nobody.
    best.map_or(Encoding::Identity, |(_, e)| e)
}

/// A q-value, `0` to `1` with at most three decimals, in thousandths.
fn parse_q(text: &str) -> Option<Weight> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: Weight = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let fraction: Weight = format!("{fraction:0<3}").parse().ok()?;
    let weight = whole + fraction;
    (weight <= 1000).then_some(weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(accept: Option<&str>, available: &[Encoding]) -> Encoding {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(accept).unwrap(),
            );
        }
        negotiate(&headers, |e| available.contains(&e))
    }

    const BOTH: &[Encoding] = &[Encoding::Brotli, Encoding::Gzip];

    #[test]
    fn a_browser_gets_brotli_and_an_older_client_gzip() {
        assert_eq!(
            choose(Some("gzip, deflate, br, zstd"), BOTH),
            Encoding::Brotli
        );
        assert_eq!(choose(Some("gzip"), BOTH), Encoding::Gzip);
        assert_eq!(choose(Some("x-gzip"), BOTH), Encoding::Gzip);
        assert_eq!(choose(None, BOTH), Encoding::Identity);
        assert_eq!(choose(Some(""), BOTH), Encoding::Identity);
    }

    #[test]
    fn weights_decide_and_zero_refuses() {
        assert_eq!(choose(Some("br;q=0.5, gzip;q=0.9"), BOTH), Encoding::Gzip);
        assert_eq!(choose(Some("br;q=0, gzip"), BOTH), Encoding::Gzip);
        assert_eq!(choose(Some("br;q=0, gzip;q=0"), BOTH), Encoding::Identity);
        assert_eq!(choose(Some("*"), BOTH), Encoding::Brotli);
        assert_eq!(choose(Some("*;q=0.5, br;q=0"), BOTH), Encoding::Gzip);
        assert_eq!(
            choose(Some("identity;q=1, br;q=0.5"), BOTH),
            Encoding::Identity
        );
        assert_eq!(
            choose(Some("identity;q=0, gzip;q=0.1"), BOTH),
            Encoding::Gzip
        );
        // Refusing everything still gets the plain file.
        assert_eq!(choose(Some("*;q=0"), BOTH), Encoding::Identity);
    }

    #[test]
    fn a_copy_that_is_not_usable_is_never_chosen() {
        assert_eq!(choose(Some("br, gzip"), &[Encoding::Gzip]), Encoding::Gzip);
        assert_eq!(choose(Some("br"), &[Encoding::Gzip]), Encoding::Identity);
        assert_eq!(choose(Some("br, gzip"), &[]), Encoding::Identity);
    }

    #[test]
    fn malformed_weights_are_ignored() {
        assert_eq!(choose(Some("br;q=2, gzip"), BOTH), Encoding::Gzip);
        assert_eq!(
            choose(Some("br;q=0.0001, gzip;q=0.5"), BOTH),
            Encoding::Gzip
        );
        assert_eq!(choose(Some("br;q=abc"), BOTH), Encoding::Identity);
        assert_eq!(choose(Some("BR;Q=0.8, GZIP;q=0.7"), BOTH), Encoding::Brotli);
    }
}

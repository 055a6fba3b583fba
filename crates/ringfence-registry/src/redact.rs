//! URLs in errors and logs, minus secrets. Registries put credentials in user-info
//! (`https://user:token@host/`) and signed tarball URLs carry them in the query string.

use url::Url;

const MASK: &str = "***";

/// Query parameters whose values are secrets (matched case-insensitively as substrings).
const SECRET_PARAMS: &[&str] = &[
    "token",
    "auth",
    "key",
    "sig",
    "password",
    "secret",
    "credential",
    "session",
];

/// The URL as text with user-info and secret-looking query values replaced by `***`.
pub fn redact_url(url: &Url) -> String {
    let mut url = url.clone();
    if !url.username().is_empty() {
        // Cannot fail for URLs that already have a username (they have a host).
        let _ = url.set_username(MASK);
    }
    if url.password().is_some() {
        let _ = url.set_password(Some(MASK));
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let lower = k.to_ascii_lowercase();
                let secret = SECRET_PARAMS.iter().any(|s| lower.contains(s));
                let value = if secret {
                    MASK.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// Like [`redact_url`] for text that may not parse as a URL (a broken `dist.tarball`).
pub(crate) fn redact_text(text: &str) -> String {
    match Url::parse(text) {
        Ok(url) => redact_url(&url),
        Err(_) => match (text.find("://"), text.rfind('@')) {
            (Some(scheme_end), Some(at)) if at > scheme_end => {
                format!("{}{MASK}{}", &text[..scheme_end + 3], &text[at..])
            }
            _ => text.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_user_info_and_signed_query_values() {
        let url =
            Url::parse("https://me:s3cret@r.example/pkg/-/pkg-1.0.0.tgz?X-Amz-Signature=abc&v=1")
                .unwrap();
        let text = redact_url(&url);
        assert!(!text.contains("s3cret"), "{text}");
        assert!(!text.contains("abc"), "{text}");
        assert!(!text.contains("me:"), "{text}");
        assert!(text.contains("v=1"), "{text}");
        assert!(text.contains("r.example/pkg/-/pkg-1.0.0.tgz"), "{text}");
    }

    #[test]
    fn leaves_plain_urls_alone() {
        let url = Url::parse("http://127.0.0.1:4873/@scope%2fname").unwrap();
        assert_eq!(redact_url(&url), "http://127.0.0.1:4873/@scope%2fname");
    }

    #[test]
    fn redacts_unparseable_text() {
        assert_eq!(redact_text("ht!tp://tok@x y"), "ht!tp://***@x y");
        assert_eq!(redact_text("not a url"), "not a url");
    }
}

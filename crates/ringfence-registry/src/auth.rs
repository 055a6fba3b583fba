//! Which credential goes with which URL, by npm's rule: credentials are keyed by a "nerf
//! dart" (`//host[:port]/path/`), and a request URL gets the credential of the longest such
//! prefix of its own host and path. A tarball hosted elsewhere than the registry therefore
//! gets no token unless that other host has one configured.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use url::Url;

/// What goes in the `Authorization` header. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// `:_authToken`, sent as `Bearer`.
    Token(String),
    /// `:_auth`, or `:username` with a base64 `:_password`; holds base64 `user:password`.
    Basic(String),
}

impl Credential {
    pub(crate) fn header_value(&self) -> String {
        match self {
            Credential::Token(token) => format!("Bearer {token}"),
            Credential::Basic(auth) => format!("Basic {auth}"),
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Token(_) => f.write_str("Token(***)"),
            Credential::Basic(_) => f.write_str("Basic(***)"),
        }
    }
}

/// The nerf dart of a URL: `//host[:port]/path`, scheme dropped, as npm keys credentials.
pub(crate) fn nerf_dart(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("//{host}:{port}{}", url.path()),
        None => format!("//{host}{}", url.path()),
    }
}

/// The credential for `url` from config keys starting with `//`, and the key prefix it was
/// found under.
pub(crate) fn credential_for(
    url: &Url,
    keys: &BTreeMap<String, String>,
) -> Option<(Credential, String)> {
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let mut reg_key = nerf_dart(url);
    while reg_key.len() > 2 {
        if let Some(credential) = credential_at(&reg_key, keys) {
            return Some((credential, reg_key));
        }
        // Walk up by dropping either the last segment or the trailing slash, so both
        // `//host/path/:_authToken` and `//host/path:_authToken` are found.
        let cut = match reg_key.strip_suffix('/') {
            Some(rest) => rest.len(),
            None => reg_key.rfind('/').map_or(0, |slash| slash + 1),
        };
        reg_key.truncate(cut);
    }
    None
}

fn credential_at(reg_key: &str, keys: &BTreeMap<String, String>) -> Option<Credential> {
    let get = |suffix: &str| {
        keys.get(&format!("{reg_key}:{suffix}"))
            .filter(|value| !value.is_empty())
    };
    if let Some(token) = get("_authToken") {
        return Some(Credential::Token(token.clone()));
    }
    if let (Some(user), Some(password)) = (get("username"), get("_password")) {
        // `_password` is stored base64-encoded; npm decodes it leniently.
        let password = STANDARD
            .decode(password.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_else(|| password.clone());
        return Some(Credential::Basic(
            STANDARD.encode(format!("{user}:{password}")),
        ));
    }
    get("_auth").map(|auth| Credential::Basic(auth.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn token_goes_to_its_host_and_port_only() {
        let keys = keys(&[("//127.0.0.1:4873/:_authToken", "secret")]);
        let (cred, key) = credential_for(&url("http://127.0.0.1:4873/@a%2fb"), &keys).unwrap();
        assert_eq!(cred, Credential::Token("secret".into()));
        assert_eq!(key, "//127.0.0.1:4873/");
        assert!(credential_for(&url("http://127.0.0.1:4874/@a%2fb"), &keys).is_none());
        assert!(credential_for(&url("http://localhost:4873/x"), &keys).is_none());
        // Same host over https still matches: npm ignores the scheme.
        assert!(credential_for(&url("https://127.0.0.1:4873/x"), &keys).is_some());
    }

    #[test]
    fn path_scoped_keys_match_by_prefix() {
        let keys = keys(&[("//r.example/npm/private/:_authToken", "p")]);
        assert!(credential_for(&url("https://r.example/npm/private/x/-/x-1.tgz"), &keys).is_some());
        assert!(credential_for(&url("https://r.example/npm/public/x"), &keys).is_none());
        let keys2 =
            super::BTreeMap::from([("//r.example/npm:_authToken".to_string(), "q".to_string())]);
        assert!(credential_for(&url("https://r.example/npm/x"), &keys2).is_some());
    }

    #[test]
    fn basic_auth_forms() {
        let keys = keys(&[
            ("//a.example/:username", "me"),
            ("//a.example/:_password", &STANDARD.encode("pw")),
            ("//b.example/:_auth", "bWU6cHc="),
        ]);
        let (a, _) = credential_for(&url("https://a.example/x"), &keys).unwrap();
        assert_eq!(
            a.header_value(),
            format!("Basic {}", STANDARD.encode("me:pw"))
        );
        let (b, _) = credential_for(&url("https://b.example/x"), &keys).unwrap();
        assert_eq!(b.header_value(), "Basic bWU6cHc=");
        assert_eq!(format!("{b:?}"), "Basic(***)");
    }
}

//! Database locations as users type them: `sqlite://PATH`, `sqlite:PATH`, `postgres://…`,
//! `postgresql://…`, or a plain file path. Parsing is ours (not sqlx's) so that a plain path,
//! a Windows drive letter or a typo in the scheme each get a clear answer.

use std::path::PathBuf;

use crate::StoreError;

/// Where the store lives, once the location string is understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// An SQLite database file (created if missing).
    SqliteFile(PathBuf),
    /// A private in-memory SQLite database (`sqlite::memory:`), gone when the store closes.
    SqliteMemory,
    /// A PostgreSQL connection URL, passed to the driver unchanged.
    Postgres(String),
}

/// Understands a location string; see the module docs for the accepted forms.
pub(crate) fn parse(location: &str) -> Result<Location, StoreError> {
    let bad = |reason: &str| StoreError::BadLocation {
        location: redact(location),
        reason: reason.to_string(),
    };
    if location.trim().is_empty() {
        return Err(bad("the location is empty"));
    }
    let lower = location.get(..13).unwrap_or(location).to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Ok(Location::Postgres(location.to_string()));
    }
    if lower.starts_with("sqlite:") {
        let rest = &location["sqlite:".len()..];
        let path = rest.strip_prefix("//").unwrap_or(rest);
        if path.is_empty() {
            return Err(bad("no file path after `sqlite:`"));
        }
        if path == ":memory:" {
            return Ok(Location::SqliteMemory);
        }
        if path.contains('?') {
            return Err(bad(
                "query parameters are not supported after an SQLite path; \
                 the store sets its own options (give a plain file path if the name contains `?`)",
            ));
        }
        return Ok(Location::SqliteFile(PathBuf::from(path)));
    }
    if let Some((scheme, _)) = location.split_once("://") {
        let looks_like_scheme = !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if looks_like_scheme {
            return Err(bad(&format!(
                "unsupported scheme `{scheme}`: use sqlite:PATH, postgres://… or a file path"
            )));
        }
    }
    Ok(Location::SqliteFile(PathBuf::from(location)))
}

/// The location with any password replaced by `***`, fit for error messages and logs.
/// Works on the raw text, so it also covers strings that are not valid URLs.
pub(crate) fn redact(location: &str) -> String {
    let Some(scheme_end) = location.find("://") else {
        return location.to_string();
    };
    let authority_start = scheme_end + 3;
    let after = &location[authority_start..];
    let authority_len = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..authority_len];
    let mut out = location[..authority_start].to_string();
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            match userinfo.split_once(':') {
                Some((user, _password)) => {
                    out.push_str(user);
                    out.push_str(":***");
                }
                None => out.push_str(userinfo),
            }
            out.push('@');
            out.push_str(host);
        }
        None => out.push_str(authority),
    }
    out.push_str(&redact_query_password(&after[authority_len..]));
    out
}

/// Replaces the value of a `password=` query parameter (which the PostgreSQL driver accepts).
fn redact_query_password(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else {
        return tail.to_string();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let params: Vec<String> = query
        .split('&')
        .map(|param| match param.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => param.to_string(),
        })
        .collect();
    let mut out = format!("{path}?{}", params.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        let file = |p: &str| Location::SqliteFile(PathBuf::from(p));
        assert_eq!(parse("sqlite:///tmp/a.db").unwrap(), file("/tmp/a.db"));
        assert_eq!(parse("sqlite://rel/a.db").unwrap(), file("rel/a.db"));
        assert_eq!(parse("sqlite:a.db").unwrap(), file("a.db"));
        assert_eq!(parse("SQLite:/x/a.db").unwrap(), file("/x/a.db"));
        assert_eq!(parse("sqlite::memory:").unwrap(), Location::SqliteMemory);
        assert_eq!(
            parse("/var/lib/ringfence.db").unwrap(),
            file("/var/lib/ringfence.db")
        );
        assert_eq!(
            parse(r"C:\data\ringfence.db").unwrap(),
            file(r"C:\data\ringfence.db")
        );
        assert_eq!(parse("odd:name.db").unwrap(), file("odd:name.db"));
        let pg = "postgres://u@127.0.0.1:5432/test";
        assert_eq!(parse(pg).unwrap(), Location::Postgres(pg.into()));
        let pg = "postgresql://127.0.0.1/test?options=-csearch_path%3Dx";
        assert_eq!(parse(pg).unwrap(), Location::Postgres(pg.into()));
    }

    #[test]
    fn rejected_forms_say_why() {
        for (input, needle) in [
            ("", "empty"),
            ("   ", "empty"),
            ("sqlite:", "no file path"),
            ("sqlite://", "no file path"),
            ("sqlite://a.db?mode=ro", "query parameters"),
            ("mysql://root@127.0.0.1/x", "unsupported scheme `mysql`"),
            ("http://127.0.0.1/x.db", "unsupported scheme `http`"),
        ] {
            let err = parse(input).unwrap_err().to_string();
            assert!(err.contains(needle), "{input:?}: {err}");
        }
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://alice:s3cret@db.example:5432/rf"),
            "postgres://alice:***@db.example:5432/rf"
        );
        assert_eq!(
            redact("postgres://alice:p@ss@db.example/rf"),
            "postgres://alice:***@db.example/rf"
        );
        assert_eq!(
            redact("postgres://db.example/rf?user=a&password=s3cret&sslmode=disable#f"),
            "postgres://db.example/rf?user=a&password=***&sslmode=disable#f"
        );
        assert_eq!(
            redact("postgres://alice@db.example/rf"),
            "postgres://alice@db.example/rf"
        );
        assert_eq!(redact("/plain/path.db"), "/plain/path.db");
        let err = parse("mysql://bob:hunter2@127.0.0.1/x")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }
}

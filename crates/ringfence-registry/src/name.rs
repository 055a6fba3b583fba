//! npm package names as they may appear in a registry URL. Names come from lockfiles and
//! advisories (hostile input), so they are checked before they become a path: no `..`, no
//! slashes beyond the scope separator, nothing that needs percent-encoding.

use crate::error::RegistryError;

/// Longest name the registry accepts.
const MAX_LEN: usize = 214;

/// Checks `name` against npm's naming rules (uppercase letters are allowed: old packages
/// have them). Returns `(scope, bare name)`; `scope` includes the `@`.
pub fn validate_name(name: &str) -> Result<(Option<&str>, &str), RegistryError> {
    let invalid = |reason: &str| RegistryError::InvalidName {
        name: name.to_string(),
        reason: reason.to_string(),
    };
    if name.is_empty() {
        return Err(invalid("the name is empty"));
    }
    if name.len() > MAX_LEN {
        return Err(invalid("longer than 214 characters"));
    }
    let (scope, bare) = match name.strip_prefix('@') {
        Some(rest) => match rest.split_once('/') {
            Some((scope, bare)) => {
                check_part(scope).map_err(|r| invalid(&format!("scope: {r}")))?;
                (Some(&name[..scope.len() + 1]), bare)
            }
            None => return Err(invalid("a scoped name needs `@scope/name`")),
        },
        None => (None, name),
    };
    check_part(bare).map_err(|r| invalid(&r))?;
    Ok((scope, bare))
}

fn check_part(part: &str) -> Result<(), String> {
    if part.is_empty() {
        return Err("empty part".to_string());
    }
    if part.starts_with('.') || part.starts_with('_') {
        return Err("cannot start with `.` or `_`".to_string());
    }
    // What JavaScript's encodeURIComponent leaves alone: the name is usable in a URL as is.
    match part
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-._~!*'()".contains(*c)))
    {
        Some(c) => Err(format!("character {c:?} is not allowed")),
        None => Ok(()),
    }
}

/// The name as the packument URL path segment: `@scope/name` becomes `@scope%2fname`, the
/// form npm itself requests.
pub fn escape_name(name: &str) -> Result<String, RegistryError> {
    let (scope, bare) = validate_name(name)?;
    Ok(match scope {
        Some(scope) => format!("{scope}%2f{bare}"),
        None => bare.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_scoped_and_legacy_names() {
        assert_eq!(validate_name("left-pad").unwrap(), (None, "left-pad"));
        assert_eq!(
            validate_name("@types/node").unwrap(),
            (Some("@types"), "node")
        );
        assert!(validate_name("JSONStream").is_ok());
        assert_eq!(escape_name("@types/node").unwrap(), "@types%2fnode");
        assert_eq!(escape_name("lodash").unwrap(), "lodash");
    }

    #[test]
    fn rejects_names_that_would_change_the_url() {
        for bad in [
            "",
            "../etc",
            "a/b",
            "@scope",
            "@/x",
            "@s/",
            "a b",
            "a%2fb",
            "a?x",
            ".hidden",
            "_x",
            "@s/x/y",
            "name#frag",
        ] {
            assert!(validate_name(bad).is_err(), "{bad:?} accepted");
        }
        assert!(validate_name(&"a".repeat(215)).is_err());
    }
}

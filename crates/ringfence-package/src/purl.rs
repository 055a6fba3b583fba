use crate::{Ecosystem, normalize_name};

/// The package URL (<https://github.com/package-url/purl-spec>) of one package version,
/// as CycloneDX and SARIF consumers expect it: `pkg:npm/%40babel/core@7.0.0`.
pub fn purl(ecosystem: Ecosystem, name: &str, version: &str) -> String {
    let name = normalize_name(ecosystem, name);
    let path = match (
        ecosystem,
        name.strip_prefix('@').and_then(|n| n.split_once('/')),
    ) {
        (Ecosystem::Npm, Some((scope, rest))) => {
            format!("%40{}/{}", encode(scope), encode(rest))
        }
        _ => encode(&name),
    };
    format!("pkg:{}/{}@{}", ecosystem.purl_type(), path, encode(version))
}

/// Percent-encodes everything outside the purl spec's unreserved set.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_npm_names_encode_the_at_sign() {
        assert_eq!(
            purl(Ecosystem::Npm, "@babel/core", "7.0.0"),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            purl(Ecosystem::Npm, "left-pad", "1.3.0"),
            "pkg:npm/left-pad@1.3.0"
        );
    }

    #[test]
    fn pypi_names_are_normalised() {
        assert_eq!(
            purl(Ecosystem::PyPI, "Django_Rest", "1.0"),
            "pkg:pypi/django-rest@1.0"
        );
        assert_eq!(
            purl(Ecosystem::CratesIo, "serde", "1.0.0+x"),
            "pkg:cargo/serde@1.0.0+x"
        );
    }
}

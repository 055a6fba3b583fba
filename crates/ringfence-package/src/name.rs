use crate::Ecosystem;

/// Normalises a package name the way its ecosystem compares names, so that the
/// same package spelled two ways is one key.
///
/// - PyPI: PEP 503 — lower case, runs of `-`, `_` and `.` become one `-`
///   (`Django_REST.framework` → `django-rest-framework`).
/// - npm: names are compared as published. Scoped names keep their scope
///   (`@babel/core`); surrounding white space is trimmed.
/// - crates.io: names are compared as published.
pub fn normalize_name(ecosystem: Ecosystem, name: &str) -> String {
    let name = name.trim();
    match ecosystem {
        Ecosystem::PyPI => pep503(name),
        Ecosystem::Npm | Ecosystem::CratesIo => name.to_string(),
    }
}

fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator {
                out.push('-');
            }
            in_separator = true;
        } else {
            out.extend(c.to_lowercase());
            in_separator = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_folds_case_and_separator_runs() {
        assert_eq!(
            normalize_name(Ecosystem::PyPI, "Django_REST.framework"),
            "django-rest-framework"
        );
        assert_eq!(
            normalize_name(Ecosystem::PyPI, "zope.interface"),
            "zope-interface"
        );
        assert_eq!(normalize_name(Ecosystem::PyPI, "a-_.b"), "a-b");
        assert_eq!(normalize_name(Ecosystem::PyPI, "GMPY2"), "gmpy2");
    }

    #[test]
    fn npm_names_keep_scope_and_case() {
        assert_eq!(
            normalize_name(Ecosystem::Npm, " @Babel/core "),
            "@Babel/core"
        );
        assert_eq!(normalize_name(Ecosystem::Npm, "left-pad"), "left-pad");
    }
}

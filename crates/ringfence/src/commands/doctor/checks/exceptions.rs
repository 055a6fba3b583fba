//! `exceptions`: no policy exception has expired, as an expired one stops applying unreviewed.

use std::path::PathBuf;

use ringfence_config::Config;

use super::{Check, Status, count};

pub fn exceptions(config: &Config, path: Option<&PathBuf>, today: time::Date) -> Check {
    let all = config.policy.exceptions();
    let expired: Vec<String> = all
        .iter()
        .filter(|e| e.is_expired(today))
        .map(|e| {
            format!(
                "line {}: {} expired on {} ({})",
                e.line, e.package, e.expires, e.reason
            )
        })
        .collect();
    if expired.is_empty() {
        return Check::new(
            "exceptions",
            Status::Pass,
            format!(
                "no exception has expired ({} in force)",
                count(all.len(), "exception", "exceptions")
            ),
        );
    }
    let file = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "ringfence.toml".to_string());
    Check::new(
        "exceptions",
        Status::Warn,
        count(
            expired.len(),
            "expired exception no longer applies",
            "expired exceptions no longer apply",
        ),
    )
    .details(expired)
    .fix(format!(
        "in {file}, renew each one (a new `expires`, after review) or delete it"
    ))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{NOW, parse};
    use super::*;

    #[test]
    fn expired_exceptions_warn_with_their_line() {
        let config = parse(
            "[[policy.exceptions]]\npackage = \"npm:esbuild\"\nreason = \"native build\"\nexpires = \"2026-01-31\"\n\n\
             [[policy.exceptions]]\npackage = \"npm:left-pad\"\nreason = \"legacy\"\nexpires = \"2027-01-31\"\n",
        );
        let check = exceptions(&config, None, NOW.date());
        assert_eq!(check.status, Status::Warn);
        assert_eq!(
            check.details,
            ["line 1: npm:esbuild expired on 2026-01-31 (native build)"]
        );
        assert_eq!(
            exceptions(&config, None, time::macros::date!(2026 - 01 - 31)).status,
            Status::Pass
        );
    }
}

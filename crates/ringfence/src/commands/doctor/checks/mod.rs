//! The readiness checks of `ringfence doctor`, as pure functions of what was read (the
//! configuration, the database, the answers to test pings), so each verdict is testable
//! without a database or a network.
//!
//! One file per check, named for what it checks; this file holds what they share: the verdict
//! ([`Check`], [`Status`]), the score, the configuration as read ([`ConfigState`]) and the
//! wording helpers.

mod advisories;
mod backup;
mod commanders;
mod config;
mod exceptions;
mod outbox;
mod playbooks;
mod webhooks;

use std::path::PathBuf;

use ringfence_config::{Config, Diagnostic};
use ringfence_incident::IncidentType;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

pub use advisories::advisories;
pub use backup::backup;
pub use commanders::commanders;
pub use config::config;
pub use exceptions::exceptions;
pub use outbox::outbox;
pub use playbooks::playbooks;
pub use webhooks::{Ping, webhooks};

/// Advisory data and backups younger than this are fresh.
pub const FRESH: Duration = Duration::days(7);
/// Advisory data older than this is stale enough to miss a current attack.
pub const STALE: Duration = Duration::days(30);

/// How a check came out. `Skip` (a check the user asked not to run) does not count in the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Skip,
}

/// One check's verdict, with what to do about it.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub status: Status,
    /// One line.
    pub summary: String,
    /// The items behind the summary, one per line: each error, message or exception.
    pub details: Vec<String>,
    /// The command to run or the change to make; `None` when there is nothing to fix.
    pub fix: Option<String>,
}

impl Check {
    fn new(id: &'static str, status: Status, summary: impl Into<String>) -> Check {
        Check {
            id,
            status,
            summary: summary.into(),
            details: Vec::new(),
            fix: None,
        }
    }

    fn details(mut self, details: Vec<String>) -> Check {
        self.details = details;
        self
    }

    fn fix(mut self, fix: impl Into<String>) -> Check {
        self.fix = Some(fix.into());
        self
    }
}

/// The weighted percentage: each counted check weighs the same; pass 1, warn ½, fail 0.
pub fn score(checks: &[Check]) -> u32 {
    let counted: Vec<Status> = checks
        .iter()
        .map(|c| c.status)
        .filter(|s| *s != Status::Skip)
        .collect();
    if counted.is_empty() {
        return 100;
    }
    let halves: usize = counted
        .iter()
        .map(|s| match s {
            Status::Pass => 2,
            Status::Warn => 1,
            Status::Fail | Status::Skip => 0,
        })
        .sum();
    ((halves * 100) as f64 / (counted.len() * 2) as f64).round() as u32
}

/// What reading the configuration gave.
#[derive(Debug)]
pub enum ConfigState {
    /// No file was given and none was found; `why` says where it was looked for.
    Missing {
        why: String,
    },
    Unreadable {
        path: PathBuf,
        error: String,
    },
    /// Its warnings are left to `policy check`: the errors come first.
    Invalid {
        path: PathBuf,
        errors: Vec<Diagnostic>,
    },
    Loaded {
        path: PathBuf,
        config: Box<Config>,
        warnings: Vec<Diagnostic>,
    },
}

impl ConfigState {
    /// The configuration in force (the default one without a file), or why there is none: an
    /// invalid file applies nothing, and ringfence refuses to guess.
    pub fn in_force(&self) -> Result<(Config, Option<&PathBuf>), String> {
        match self {
            ConfigState::Missing { .. } => Ok((Config::default(), None)),
            ConfigState::Loaded { path, config, .. } => Ok(((**config).clone(), Some(path))),
            ConfigState::Unreadable { path, .. } | ConfigState::Invalid { path, .. } => {
                Err(format!(
                    "not checked: {} cannot be used, so none of it applies",
                    path.display()
                ))
            }
        }
    }
}

/// A check that depends on a configuration that cannot be used.
pub fn not_checked(id: &'static str, why: &str) -> Check {
    Check::new(id, Status::Fail, why).fix("make the configuration valid first (see `config`)")
}

/// The incident types in `missing`: failing when malicious dependencies are among them (the
/// incident ringfence exists for), else a warning.
fn by_missing_types(missing: &[IncidentType], what: &str, pass: String) -> (Status, String) {
    if missing.is_empty() {
        return (Status::Pass, pass);
    }
    let status = if missing.contains(&IncidentType::MaliciousDependency) {
        Status::Fail
    } else {
        Status::Warn
    };
    (status, format!("no {what} for {}", join_types(missing)))
}

fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

/// An age in its largest sensible unit: `45 s`, `12 min`, `5 h`, `3 d`. Negative ages (clocks
/// apart) read as zero.
pub fn ago(age: Duration) -> String {
    let secs = age.whole_seconds().max(0);
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 2 * 86_400 => format!("{} h", s / 3600),
        s => format!("{} d", s / 86_400),
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn join_types(types: &[IncidentType]) -> String {
    types
        .iter()
        .map(|t| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the tests of the checks share.
#[cfg(test)]
mod test_support {
    use std::path::Path;

    use ringfence_config::Config;
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    use time::macros::datetime;

    pub const NOW: OffsetDateTime = datetime!(2026-03-10 12:00 UTC);

    pub fn parse(text: &str) -> Config {
        Config::parse_at(text, Path::new("ringfence.toml"), NOW.date())
            .unwrap_or_else(|e| panic!("{e}"))
            .config
    }

    pub fn rfc3339(t: OffsetDateTime) -> String {
        t.format(&Rfc3339).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(id: &'static str, status: Status) -> Check {
        Check::new(id, status, "")
    }

    #[test]
    fn the_score_is_the_average_with_warnings_at_half_and_skips_left_out() {
        use Status::*;
        let of = |s: &[Status]| score(&s.iter().map(|s| check("x", *s)).collect::<Vec<_>>());
        assert_eq!(of(&[Pass, Pass, Pass, Pass]), 100);
        assert_eq!(of(&[Pass, Warn, Fail, Fail]), 38, "1.5 of 4 rounds to 38");
        assert_eq!(of(&[Pass, Warn]), 75);
        assert_eq!(of(&[Fail, Fail]), 0);
        assert_eq!(
            of(&[Pass, Skip, Skip]),
            100,
            "a skipped check costs nothing"
        );
        assert_eq!(of(&[]), 100);
    }

    #[test]
    fn ages_read_in_their_largest_unit() {
        assert_eq!(ago(Duration::seconds(-5)), "0 s");
        assert_eq!(ago(Duration::seconds(59)), "59 s");
        assert_eq!(ago(Duration::minutes(90)), "1 h");
        assert_eq!(ago(Duration::hours(47)), "47 h");
        assert_eq!(ago(Duration::days(9)), "9 d");
    }
}

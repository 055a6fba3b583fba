//! The readiness checks of `ringfence doctor`, as pure functions of what was read (the
//! configuration, the database, the answers to test pings), so each verdict is testable
//! without a database or a network.

use std::path::PathBuf;

use ringfence_config::{Config, Diagnostic, Step};
use ringfence_incident::IncidentType;
use ringfence_store::{AdvisoryStatus, BackupRecord, OutboxMessage};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::notify::deliver::{SendOutcome, display_url};

/// Advisory data and backups younger than this are fresh.
pub const FRESH: Duration = Duration::days(7);
/// Advisory data older than this is stale enough to miss a current attack.
pub const STALE: Duration = Duration::days(30);
/// How many configuration errors are listed; `policy check` shows them all.
const SHOWN_ERRORS: usize = 5;

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

pub fn config(state: &ConfigState, today: time::Date) -> Check {
    let summary_of = |c: &Config| c.summary(today).to_string();
    let policy_check = "fix them, then check again with `ringfence policy check`";
    match state {
        ConfigState::Missing { why } => Check::new(
            "config",
            Status::Warn,
            format!("{why}, so ringfence runs without a config: default policy, no playbooks, no team"),
        )
        .fix("write a ringfence.toml at the root of your repositories (examples/ringfence.toml in ringfence's repository is a commented one), then `ringfence policy check`"),
        ConfigState::Unreadable { error, .. } => Check::new("config", Status::Fail, error.clone())
            .fix("point --config (or RINGFENCE_CONFIG) at a readable ringfence.toml"),
        ConfigState::Invalid { path, errors, .. } => {
            let mut details: Vec<String> = errors
                .iter()
                .take(SHOWN_ERRORS)
                .map(ToString::to_string)
                .collect();
            if errors.len() > SHOWN_ERRORS {
                details.push(format!("… and {} more", errors.len() - SHOWN_ERRORS));
            }
            Check::new(
                "config",
                Status::Fail,
                format!(
                    "{} has {}; nothing in it applies",
                    path.display(),
                    count(errors.len(), "error", "errors")
                ),
            )
            .details(details)
            .fix(policy_check)
        }
        ConfigState::Loaded {
            path,
            config,
            warnings,
        } if !warnings.is_empty() => Check::new(
            "config",
            Status::Warn,
            format!(
                "{} is valid with {}: {}",
                path.display(),
                count(warnings.len(), "warning", "warnings"),
                summary_of(config)
            ),
        )
        .details(warnings.iter().map(ToString::to_string).collect())
        .fix(policy_check),
        ConfigState::Loaded { path, config, .. } => Check::new(
            "config",
            Status::Pass,
            format!("{} is valid: {}", path.display(), summary_of(config)),
        ),
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

fn opens(step: &Step, t: IncidentType) -> bool {
    matches!(step, Step::OpenIncident { incident_type, .. } if *incident_type == t)
}

pub fn playbooks(config: &Config) -> Check {
    let missing: Vec<IncidentType> = IncidentType::ALL
        .iter()
        .copied()
        .filter(|t| {
            !config
                .playbooks
                .iter()
                .any(|p| p.steps.iter().any(|s| opens(s, *t)))
        })
        .collect();
    let pass = format!(
        "every incident type has a playbook ({})",
        count(config.playbooks.len(), "playbook", "playbooks")
    );
    let (status, summary) = by_missing_types(&missing, "playbook opens incidents", pass);
    let check = Check::new("playbooks", status, summary);
    match missing.first() {
        None => check,
        Some(t) => check.fix(format!(
            "add a [[playbooks]] with a trigger and an `action = \"open-incident\"` step of `type = \"{t}\"`{}; see examples/ringfence.toml",
            if missing.len() > 1 { " (and one per other missing type)" } else { "" }
        )),
    }
}

pub fn commanders(config: &Config) -> Check {
    let named_by_step = |t: IncidentType| {
        config.playbooks.iter().flat_map(|p| &p.steps).any(|s| {
            matches!(s, Step::OpenIncident { incident_type, commander: Some(_), .. } if *incident_type == t)
        })
    };
    let missing: Vec<IncidentType> = IncidentType::ALL
        .iter()
        .copied()
        .filter(|t| config.team.commander_for(*t).is_none() && !named_by_step(*t))
        .collect();
    let pass = "every incident type has a default commander".to_string();
    let (status, summary) = by_missing_types(&missing, "default commander", pass);
    let check = Check::new("commanders", status, summary);
    let Some(t) = missing.first() else {
        return check;
    };
    let who = config
        .team
        .responders()
        .first()
        .map(|r| r.name.as_str())
        .unwrap_or("NAME");
    let first = if config.team.responders().is_empty() {
        "list the responders in [team] `responders = [{ name, contact }]`, then "
    } else {
        ""
    };
    check.fix(format!(
        "{first}name one per type in [team.commanders], e.g. `{t} = \"{who}\"`"
    ))
}

/// The answer of one webhook to its test ping.
#[derive(Debug, Clone)]
pub struct Ping {
    pub webhook: String,
    pub url: String,
    pub outcome: SendOutcome,
}

/// `pings` is `None` when they were skipped (`--offline`).
pub fn webhooks(config: &Config, pings: Option<&[Ping]>) -> Check {
    if config.webhooks.is_empty() {
        return Check::new(
            "webhooks",
            Status::Warn,
            "no webhooks configured: playbooks cannot tell anyone about an incident",
        )
        .fix("add a [webhooks.NAME] with its `url` (and `secret-env`), and a `notify` step to the playbooks");
    }
    let Some(pings) = pings else {
        return Check::new(
            "webhooks",
            Status::Skip,
            format!(
                "{} not pinged (--offline)",
                count(config.webhooks.len(), "webhook", "webhooks")
            ),
        );
    };
    let line = |p: &Ping| match &p.outcome {
        SendOutcome::Delivered { status } => {
            format!("{} ({}) answered {status}", p.webhook, display_url(&p.url))
        }
        SendOutcome::Failed { error, .. } => {
            format!("{} ({}): {error}", p.webhook, display_url(&p.url))
        }
    };
    let failed: Vec<&Ping> = pings
        .iter()
        .filter(|p| !matches!(p.outcome, SendOutcome::Delivered { .. }))
        .collect();
    let details = pings.iter().map(line).collect();
    let Some(first) = failed.first() else {
        return Check::new(
            "webhooks",
            Status::Pass,
            format!(
                "{} answered the test ping",
                count(pings.len(), "webhook", "webhooks")
            ),
        )
        .details(details);
    };
    Check::new(
        "webhooks",
        Status::Fail,
        format!(
            "{} of {} did not answer the test ping with 2xx",
            failed.len(),
            count(pings.len(), "webhook", "webhooks"),
        ),
    )
    .details(details)
    .fix(format!(
        "check the receiver, the webhook's URL and its secret; `ringfence notify test --url URL --format {}` pings one",
        config
            .webhook(&first.webhook)
            .map(|w| w.format.as_str())
            .unwrap_or("json")
    ))
}

pub fn outbox(pending: &[OutboxMessage], delivered: i64, now: OffsetDateTime) -> Check {
    let (failing, waiting): (Vec<&OutboxMessage>, Vec<&OutboxMessage>) =
        pending.iter().partition(|m| m.attempts > 0);
    let age = |m: &OutboxMessage| {
        parse_time(&m.created_at)
            .map(|t| format!("waiting for {}", ago(now - t)))
            .unwrap_or_else(|| format!("since {}", m.created_at))
    };
    if !failing.is_empty() {
        let details: Vec<String> = failing
            .iter()
            .map(|m| {
                let answer = m
                    .last_status
                    .map(|s| format!("last status {s}"))
                    .unwrap_or_else(|| "no answer".to_string());
                format!(
                    "#{} to {} ({}): {}, {answer}: {}; {}",
                    m.id,
                    m.webhook,
                    display_url(&m.url),
                    count(m.attempts as usize, "attempt", "attempts"),
                    m.last_error.as_deref().unwrap_or("-"),
                    age(m)
                )
            })
            .collect();
        return Check::new(
            "outbox",
            Status::Fail,
            format!(
                "{} failing, kept for retry",
                count(
                    failing.len(),
                    "undelivered notification is",
                    "undelivered notifications are"
                ),
            ),
        )
        .details(details)
        .fix("fix the receiver, then `ringfence notify deliver --all`; `ringfence notify status` lists the outbox");
    }
    if let Some(oldest) = waiting.first() {
        return Check::new(
            "outbox",
            Status::Warn,
            format!(
                "{} never sent yet, oldest {}",
                count(waiting.len(), "notification", "notifications"),
                age(oldest)
            ),
        )
        .fix("run `ringfence notify deliver` (from cron or a CI schedule)");
    }
    Check::new(
        "outbox",
        Status::Pass,
        format!("no undelivered notifications ({delivered} delivered)"),
    )
}

pub fn advisories(status: &AdvisoryStatus, snapshot: usize, now: OffsetDateTime) -> Check {
    let fix = "ringfence db import <OSV export> (a folder, an all.zip or a .json record), daily";
    let newest = status
        .newest_modified
        .as_deref()
        .and_then(parse_time)
        .map(|t| (t, "newest advisory record modified"))
        .or_else(|| status.last_import.as_ref().map(|i| (i.0, "last import")));
    let Some((at, what)) = newest.filter(|_| status.total > 0) else {
        return Check::new(
            "advisories",
            Status::Fail,
            format!(
                "no advisory records imported: only the built-in snapshot of {snapshot} famous malicious releases"
            ),
        )
        .fix(fix);
    };
    let age = now - at;
    let status_of = if age < FRESH {
        Status::Pass
    } else if age <= STALE {
        Status::Warn
    } else {
        Status::Fail
    };
    let check = Check::new(
        "advisories",
        status_of,
        format!(
            "{what} {} ago ({})",
            ago(age),
            count(status.total as usize, "record", "records")
        ),
    );
    if status_of == Status::Pass {
        check
    } else {
        check.fix(fix)
    }
}

pub fn backup(last: Option<&BackupRecord>, sqlite: bool, now: OffsetDateTime) -> Check {
    let fix = if sqlite {
        "ringfence backup FILE (e.g. ~/backups/ringfence-$(date +%F).db), daily from cron"
    } else {
        "pg_dump --format=custom DATABASE > FILE && ringfence backup --record FILE, daily from cron"
    };
    let Some(record) = last else {
        return Check::new("backup", Status::Fail, "no backup of the database recorded").fix(fix);
    };
    let Some(taken) = parse_time(&record.taken_at) else {
        return Check::new(
            "backup",
            Status::Fail,
            format!(
                "the last backup's date `{}` cannot be read",
                record.taken_at
            ),
        )
        .fix(fix);
    };
    let age = now - taken;
    let summary = format!("last backup {} ago: {}", ago(age), record.path);
    if age < FRESH {
        Check::new("backup", Status::Pass, summary)
    } else {
        Check::new("backup", Status::Fail, summary).fix(fix)
    }
}

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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-03-10 12:00 UTC);

    fn check(id: &'static str, status: Status) -> Check {
        Check::new(id, status, "")
    }

    fn parse(text: &str) -> Config {
        Config::parse_at(text, Path::new("ringfence.toml"), NOW.date())
            .unwrap_or_else(|e| panic!("{e}"))
            .config
    }

    fn rfc3339(t: OffsetDateTime) -> String {
        t.format(&Rfc3339).unwrap()
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
    fn a_missing_malicious_dependency_playbook_fails_other_types_warn() {
        let none = playbooks(&Config::default());
        assert_eq!(none.status, Status::Fail);
        assert!(
            none.summary.contains("malicious-dependency"),
            "{}",
            none.summary
        );

        let steps = |t: &str| {
            format!(
                "[[playbooks]]\nname = \"{t}\"\n[playbooks.trigger]\nfindings = [\"known-malware\"]\n\
                 [[playbooks.steps]]\naction = \"open-incident\"\ntype = \"{t}\"\ncommander = \"alice\"\n"
            )
        };
        let team = "[team]\nresponders = [{ name = \"alice\", contact = \"@alice\" }]\n";
        let partial = parse(&format!("{team}{}", steps("malicious-dependency")));
        let check = playbooks(&partial);
        assert_eq!(check.status, Status::Warn);
        assert!(
            !check.summary.contains("malicious-dependency"),
            "{}",
            check.summary
        );
        assert!(
            check.summary.contains("vulnerable-dependency"),
            "{}",
            check.summary
        );
        // The step names a commander, which counts for its type.
        let c = commanders(&partial);
        assert_eq!(c.status, Status::Warn, "{}", c.summary);
        assert!(c.summary.contains("other"), "{}", c.summary);

        let all: String = IncidentType::ALL
            .iter()
            .map(|t| steps(t.as_str()))
            .collect();
        let complete = parse(&format!("{team}{all}"));
        assert_eq!(playbooks(&complete).status, Status::Pass);
        assert_eq!(commanders(&complete).status, Status::Pass);
    }

    #[test]
    fn commanders_come_from_the_team_table() {
        let config = parse(
            "[team]\nresponders = [{ name = \"bob\", contact = \"b@example.com\" }]\n\
             [team.commanders]\nmalicious-dependency = \"bob\"\n",
        );
        let check = commanders(&config);
        assert_eq!(check.status, Status::Warn);
        assert_eq!(
            check.summary,
            "no default commander for vulnerable-dependency, compromised-credential, other"
        );
        assert!(check.fix.unwrap().contains("= \"bob\""));
        assert_eq!(commanders(&Config::default()).status, Status::Fail);
    }

    fn advisory_status(newest: Option<OffsetDateTime>, total: u64) -> AdvisoryStatus {
        AdvisoryStatus {
            per_ecosystem: Vec::new(),
            total,
            withdrawn: 0,
            newest_modified: newest.map(rfc3339),
            last_import: None,
        }
    }

    #[test]
    fn advisory_data_is_fresh_for_a_week_stale_after_a_month() {
        let at = |days: i64| {
            advisories(
                &advisory_status(Some(NOW - Duration::days(days)), 5),
                29,
                NOW,
            )
        };
        assert_eq!(at(0).status, Status::Pass);
        assert_eq!(at(6).status, Status::Pass);
        assert!(at(6).fix.is_none());
        assert_eq!(at(8).status, Status::Warn);
        assert_eq!(at(30).status, Status::Warn);
        assert_eq!(at(31).status, Status::Fail);
        assert!(at(31).summary.contains("31 d ago"), "{}", at(31).summary);

        let empty = advisories(&advisory_status(None, 0), 29, NOW);
        assert_eq!(empty.status, Status::Fail);
        assert!(empty.summary.contains("built-in snapshot of 29"));
        assert!(empty.fix.unwrap().starts_with("ringfence db import"));
    }

    #[test]
    fn without_modified_dates_the_last_import_dates_the_data() {
        let mut status = advisory_status(None, 3);
        status.last_import = Some((NOW - Duration::days(10), "osv.zip".into(), 3));
        let check = advisories(&status, 29, NOW);
        assert_eq!(check.status, Status::Warn);
        assert!(
            check.summary.starts_with("last import 10 d ago"),
            "{}",
            check.summary
        );
    }

    #[test]
    fn a_backup_older_than_a_week_fails_with_the_command_for_the_backend() {
        let record = |age: Duration| BackupRecord {
            taken_at: rfc3339(NOW - age),
            path: "/backups/rf.db".into(),
            bytes: 10,
            sha256: "00".into(),
        };
        let fresh = backup(Some(&record(Duration::hours(20))), true, NOW);
        assert_eq!(fresh.status, Status::Pass);
        assert_eq!(fresh.summary, "last backup 20 h ago: /backups/rf.db");
        let old = backup(Some(&record(Duration::days(8))), true, NOW);
        assert_eq!(old.status, Status::Fail);
        assert!(old.fix.unwrap().starts_with("ringfence backup FILE"));
        let none = backup(None, false, NOW);
        assert_eq!(none.status, Status::Fail);
        assert!(none.fix.unwrap().contains("pg_dump"));
    }

    fn message(id: i64, attempts: i64, status: Option<i64>, error: Option<&str>) -> OutboxMessage {
        OutboxMessage {
            id,
            webhook: "soc".into(),
            url: "https://hooks.example.com/secret/path".into(),
            format: "json".into(),
            secret_env: None,
            body: "{}".into(),
            event: "test".into(),
            incident: None,
            created_at: rfc3339(NOW - Duration::hours(3)),
            attempts,
            next_attempt_at: 0,
            last_error: error.map(str::to_string),
            last_status: status,
            delivered_at: None,
            dedupe_key: None,
        }
    }

    #[test]
    fn a_failing_message_fails_the_outbox_check_by_name_and_status() {
        let failing = message(
            7,
            3,
            Some(500),
            Some("HTTP 500 Internal Server Error: boom"),
        );
        let check = outbox(&[message(8, 0, None, None), failing], 2, NOW);
        assert_eq!(check.status, Status::Fail);
        assert_eq!(check.details.len(), 1, "only failing messages are listed");
        assert_eq!(
            check.details[0],
            "#7 to soc (https://hooks.example.com/…): 3 attempts, last status 500: \
             HTTP 500 Internal Server Error: boom; waiting for 3 h"
        );
        assert!(!check.summary.contains("secret"), "paths stay hidden");

        let waiting = outbox(&[message(8, 0, None, None)], 2, NOW);
        assert_eq!(waiting.status, Status::Warn);
        assert_eq!(outbox(&[], 2, NOW).status, Status::Pass);
    }

    #[test]
    fn webhooks_fail_on_any_non_2xx_answer_and_skip_offline() {
        let config =
            parse("[webhooks.soc]\nurl = \"https://hooks.example.com/x\"\nformat = \"slack\"\n");
        let ping = |outcome| Ping {
            webhook: "soc".into(),
            url: "https://hooks.example.com/x".into(),
            outcome,
        };
        let ok = [ping(SendOutcome::Delivered { status: 204 })];
        assert_eq!(webhooks(&config, Some(&ok)).status, Status::Pass);
        let bad = [ping(SendOutcome::Failed {
            status: Some(500),
            error: "HTTP 500 Internal Server Error".into(),
            retry_after: None,
        })];
        let check = webhooks(&config, Some(&bad));
        assert_eq!(check.status, Status::Fail);
        assert_eq!(
            check.summary,
            "1 of 1 webhook did not answer the test ping with 2xx"
        );
        assert_eq!(
            check.details,
            ["soc (https://hooks.example.com/…): HTTP 500 Internal Server Error"]
        );
        assert!(check.fix.unwrap().contains("--format slack"));
        assert_eq!(webhooks(&config, None).status, Status::Skip);
        assert_eq!(webhooks(&Config::default(), None).status, Status::Warn);
    }

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

    #[test]
    fn ages_read_in_their_largest_unit() {
        assert_eq!(ago(Duration::seconds(-5)), "0 s");
        assert_eq!(ago(Duration::seconds(59)), "59 s");
        assert_eq!(ago(Duration::minutes(90)), "1 h");
        assert_eq!(ago(Duration::hours(47)), "47 h");
        assert_eq!(ago(Duration::days(9)), "9 d");
    }
}

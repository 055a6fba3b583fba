//! The commented example in the repository (examples/ringfence.toml) is a valid file, and it
//! says what the documentation says it says.

use std::path::{Path, PathBuf};

use ringfence_config::{
    Action, Config, FindingFacts, FindingKind, Step, TaskTemplate, WebhookFormat,
};
use ringfence_incident::{IncidentType, Severity, Stage};
use ringfence_inspect::{AlertId, AlertSeverity};
use ringfence_package::Ecosystem;
use time::macros::date;

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ringfence.toml")
}

fn example() -> Config {
    let loaded = Config::load_at(&example_path(), date!(2026 - 06 - 01))
        .unwrap_or_else(|e| panic!("the example must load:\n{e}"));
    assert!(loaded.warnings.is_empty(), "{:#?}", loaded.warnings);
    loaded.config
}

#[test]
fn the_example_loads_without_warnings() {
    let config = example();
    assert_eq!(
        config.summary(date!(2026 - 06 - 01)).to_string(),
        "3 responders, 2 playbooks, 2 exceptions, 2 blocked versions, 2 webhooks"
    );
}

#[test]
fn the_example_team_and_commanders() {
    let config = example();
    assert_eq!(
        config.team.responder("bob").unwrap().contact,
        "bob@example.com"
    );
    assert_eq!(
        config
            .team
            .commander_for(IncidentType::VulnerableDependency),
        Some("bob")
    );
    assert_eq!(
        config.team.commander_for(IncidentType::Other),
        Some("carol")
    );
}

#[test]
fn the_example_policy() {
    let config = example();
    let p = &config.policy;
    assert_eq!(p.min_release_age(), Some(time::Duration::days(3)));
    assert_eq!(p.finding_action(FindingKind::Suspicious), Action::Block);
    assert_eq!(p.alert_action(AlertId::WalletHijack), Action::Incident);
    assert_eq!(
        p.exceptions()[1].expires,
        date!(2027 - 01 - 15),
        "a TOML date"
    );
    assert!(p.blocked(Ecosystem::Npm, "chalk", "5.6.1").is_some());
}

#[test]
fn the_example_playbooks_resolve_commanders_and_webhooks() {
    let config = example();
    let release = config.playbook("malicious-npm-release").unwrap();
    assert_eq!(
        release.steps[0],
        Step::OpenIncident {
            incident_type: IncidentType::MaliciousDependency,
            severity: Some(Severity::Sev1),
            commander: Some("alice".into()),
        }
    );
    let actions: Vec<&str> = release.steps.iter().map(Step::action).collect();
    assert_eq!(
        actions,
        [
            "open-incident",
            "block",
            "pin",
            "add-tasks",
            "rotate-credentials",
            "attach-evidence",
            "notify"
        ]
    );
    assert_eq!(
        release.steps[3],
        Step::AddTasks {
            tasks: vec![
                TaskTemplate {
                    stage: Stage::Containment,
                    title: "Check which CI runs installed it".into(),
                    owner: Some("bob".into()),
                },
                TaskTemplate {
                    stage: Stage::Eradication,
                    title: "Rebuild CI runners that installed it".into(),
                    owner: Some("bob".into()),
                },
            ]
        }
    );
    // The commander comes from [team.commanders] when the step names none.
    let vuln = config.playbook("critical-vulnerability").unwrap();
    assert!(matches!(
        &vuln.steps[0],
        Step::OpenIncident { commander: Some(c), severity: Some(Severity::Sev2), .. } if c == "bob"
    ));
    let hook = config.webhook("security").unwrap();
    assert_eq!(hook.format, WebhookFormat::Slack);
    assert_eq!(hook.secret_env.as_deref(), Some("RINGFENCE_WEBHOOK_SECRET"));
    assert_eq!(
        config.webhook("audit-log").unwrap().format,
        WebhookFormat::Json
    );
}

#[test]
fn the_example_triggers_pick_the_right_playbooks() {
    let config = example();
    let facts = |ecosystem, kind| FindingFacts {
        ecosystem,
        name: "pkg".into(),
        version: "1.0.0".into(),
        kind,
        alerts: vec![AlertId::InstallScript],
    };
    let names = |f: &FindingFacts, severity| -> Vec<String> {
        config
            .playbooks_for(f, severity)
            .map(|p| p.name.clone())
            .collect()
    };
    let malware = facts(Ecosystem::Npm, FindingKind::KnownMalware);
    assert_eq!(
        names(&malware, AlertSeverity::Critical),
        ["malicious-npm-release"]
    );
    assert!(
        names(&malware, AlertSeverity::High).is_empty(),
        "below the trigger's severity"
    );
    let pypi = facts(Ecosystem::PyPI, FindingKind::KnownMalware);
    assert!(names(&pypi, AlertSeverity::Critical).is_empty(), "npm only");
    let vuln = facts(
        Ecosystem::PyPI,
        FindingKind::Vulnerability {
            severity: AlertSeverity::Critical,
        },
    );
    assert_eq!(
        names(&vuln, AlertSeverity::Critical),
        ["critical-vulnerability"]
    );
}

#[test]
fn an_exception_past_its_date_warns_when_the_example_loads() {
    let loaded = Config::load_at(&example_path(), date!(2027 - 02 - 01)).unwrap();
    let messages: Vec<String> = loaded.warnings.iter().map(|w| w.message.clone()).collect();
    assert_eq!(
        messages,
        [
            "the exception for npm:@internal/telemetry@2.1.0 expired on 2027-01-15 and no longer applies"
        ]
    );
    assert_eq!(
        loaded
            .config
            .summary(date!(2027 - 02 - 01))
            .expired_exceptions,
        1
    );
}

#[test]
fn crlf_line_endings_give_the_same_configuration() {
    let text = std::fs::read_to_string(example_path()).unwrap();
    let crlf = text.replace('\n', "\r\n");
    let today = date!(2026 - 06 - 01);
    let a = Config::parse_at(&text, Path::new("ringfence.toml"), today)
        .unwrap()
        .config;
    let b = Config::parse_at(&crlf, Path::new("ringfence.toml"), today)
        .unwrap()
        .config;
    assert_eq!(a, b);
    // And errors keep their line numbers.
    let broken = crlf.replacen("format = \"slack\"", "formt = \"slack\"", 1);
    let err = Config::parse_at(&broken, Path::new("ringfence.toml"), today).unwrap_err();
    let line = text
        .lines()
        .position(|l| l == "format = \"slack\"")
        .unwrap()
        + 1;
    assert_eq!(err.errors()[0].line, line, "{err}");
    assert_eq!(err.errors()[0].column, 1);
}

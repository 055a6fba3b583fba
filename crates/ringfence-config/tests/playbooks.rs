//! Playbook triggers: every given field must match, omitted ones match anything.

use std::path::Path;

use ringfence_config::{Config, FindingFacts, FindingKind, Playbook, Step, Trigger};
use ringfence_inspect::{AlertId, AlertSeverity};
use ringfence_package::Ecosystem;
use time::macros::date;

fn playbook(trigger: &str) -> Playbook {
    let text = format!(
        "[[playbooks]]\nname = \"p\"\n[playbooks.trigger]\n{trigger}\n[[playbooks.steps]]\naction = \"block\"\n"
    );
    let loaded = Config::parse_at(&text, Path::new("ringfence.toml"), date!(2026 - 06 - 01))
        .unwrap_or_else(|e| panic!("{e}"));
    loaded.config.playbooks.into_iter().next().unwrap()
}

fn facts(ecosystem: Ecosystem, kind: FindingKind, alerts: &[AlertId]) -> FindingFacts {
    FindingFacts {
        ecosystem,
        name: "pkg".into(),
        version: "1.0.0".into(),
        kind,
        alerts: alerts.to_vec(),
    }
}

#[test]
fn every_given_field_must_match() {
    let p = playbook(
        "findings = [\"malicious\", \"suspicious\"]\nalerts = [\"env-exfiltration\", \"ci-persistence\"]\nseverity = \"high\"\necosystems = [\"npm\"]",
    );
    let hit = facts(
        Ecosystem::Npm,
        FindingKind::Suspicious,
        &[AlertId::ShellAccess, AlertId::CiPersistence],
    );
    assert!(p.matches(&hit, AlertSeverity::High));
    assert!(
        p.matches(&hit, AlertSeverity::Critical),
        "severity is a minimum"
    );
    assert!(!p.matches(&hit, AlertSeverity::Medium));
    let wrong_kind = facts(
        Ecosystem::Npm,
        FindingKind::KnownMalware,
        &[AlertId::CiPersistence],
    );
    assert!(!p.matches(&wrong_kind, AlertSeverity::Critical));
    let no_alert = facts(
        Ecosystem::Npm,
        FindingKind::Suspicious,
        &[AlertId::ShellAccess],
    );
    assert!(!p.matches(&no_alert, AlertSeverity::Critical));
    let other_ecosystem = facts(
        Ecosystem::PyPI,
        FindingKind::Suspicious,
        &[AlertId::CiPersistence],
    );
    assert!(!p.matches(&other_ecosystem, AlertSeverity::Critical));
}

#[test]
fn empty_lists_and_omitted_fields_match_anything() {
    let p = playbook("findings = [\"too-new\"]\nalerts = []");
    assert_eq!(p.trigger.alerts, vec![]);
    assert!(p.matches(
        &facts(Ecosystem::CratesIo, FindingKind::TooNew, &[]),
        AlertSeverity::Low
    ));
    assert!(!p.matches(
        &facts(Ecosystem::CratesIo, FindingKind::Blocked, &[]),
        AlertSeverity::Low
    ));
    assert!(Trigger::default().matches(
        &facts(Ecosystem::PyPI, FindingKind::Blocked, &[]),
        AlertSeverity::Low
    ));
}

#[test]
fn vulnerability_kinds_carry_their_severity() {
    let p = playbook("findings = [\"vulnerability-high\", \"vulnerability-critical\"]");
    let vuln = |severity| facts(Ecosystem::Npm, FindingKind::Vulnerability { severity }, &[]);
    assert!(p.matches(&vuln(AlertSeverity::High), AlertSeverity::High));
    assert!(!p.matches(&vuln(AlertSeverity::Medium), AlertSeverity::Medium));
    assert_eq!(
        FindingKind::Vulnerability {
            severity: AlertSeverity::Medium
        }
        .default_severity(),
        AlertSeverity::Medium
    );
}

#[test]
fn ecosystems_accept_the_spellings_people_type() {
    let p = playbook("ecosystems = [\"pypi\", \"cargo\"]");
    assert_eq!(
        p.trigger.ecosystems,
        vec![Ecosystem::PyPI, Ecosystem::CratesIo]
    );
    assert_eq!(p.steps, vec![Step::Block { reason: None }]);
}

#[test]
fn rotate_credentials_is_about_code_that_ran_at_install() {
    let ran = facts(
        Ecosystem::Npm,
        FindingKind::Malicious,
        &[AlertId::EncodedEval, AlertId::InstallScript],
    );
    assert!(ran.ran_at_install());
    let did_not = facts(
        Ecosystem::Npm,
        FindingKind::Malicious,
        &[AlertId::EncodedEval],
    );
    assert!(!did_not.ran_at_install());
}

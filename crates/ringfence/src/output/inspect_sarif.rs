//! SARIF 2.1.0 for `inspect --format sarif`: one rule per alert id, one result per threat,
//! metadata or integrity alert, located at each piece of evidence inside the package.

use std::collections::BTreeMap;

use ringfence_inspect::{AlertKind, AlertSeverity};
use serde_json::{Value, json};

use crate::commands::inspect::Inspected;

pub fn sarif(inspected: &[Inspected]) -> Value {
    let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
    let mut results = Vec::new();
    for Inspected { target, report } in inspected {
        for a in &report.alerts {
            let alert = &a.alert;
            if alert.kind == AlertKind::Capability {
                continue;
            }
            rules.entry(alert.id.as_str()).or_insert_with(|| {
                json!({
                    "id": alert.id.as_str(),
                    "name": alert.id.as_str().replace('-', "_"),
                    "shortDescription": { "text": alert.id.message() },
                    "defaultConfiguration": { "level": level(alert.severity) },
                    "properties": { "tags": ["security", "supply-chain", format!("{:?}", alert.kind).to_lowercase()] },
                })
            });
            let locations: Vec<Value> = alert
                .evidence
                .iter()
                .take(10)
                .map(|e| {
                    let mut region = json!({ "startLine": e.line.max(1) });
                    if e.column > 0 {
                        region["startColumn"] = json!(e.column);
                    }
                    if !e.snippet.is_empty() {
                        region["snippet"] = json!({ "text": e.snippet });
                    }
                    json!({ "physicalLocation": {
                        "artifactLocation": { "uri": e.file, "uriBaseId": "PACKAGE" },
                        "region": region,
                    }})
                })
                .collect();
            let name = match (&report.name, &report.version) {
                (Some(n), Some(v)) => format!("{n}@{v}"),
                _ => target.clone(),
            };
            let mut result = json!({
                "ruleId": alert.id.as_str(),
                "level": level(alert.severity),
                "message": { "text": format!("{name}: {} (verdict: {})", alert.message, report.verdict) },
                "properties": { "target": target, "verdict": report.verdict.as_str() },
            });
            if !locations.is_empty() {
                result["locations"] = Value::Array(locations);
            }
            results.push(result);
        }
    }
    let rule_ids: Vec<&str> = rules.keys().copied().collect();
    for r in &mut results {
        let id = r["ruleId"].as_str().unwrap_or_default().to_string();
        if let Some(i) = rule_ids.iter().position(|x| *x == id) {
            r["ruleIndex"] = json!(i);
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ringfence",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/ringfence/ringfence",
                "rules": rules.into_values().collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": { "PACKAGE": { "description": { "text": "The root of the inspected package." } } },
            "results": results,
        }],
    })
}

fn level(severity: AlertSeverity) -> &'static str {
    match severity {
        AlertSeverity::Critical | AlertSeverity::High => "error",
        AlertSeverity::Medium => "warning",
        AlertSeverity::Low => "note",
    }
}

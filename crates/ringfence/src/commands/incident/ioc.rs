//! `ringfence incident ioc`: observables by hand or from an inspection report.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use ringfence_incident::{Change, ObservableKind};
use ringfence_store::Store;

use super::{Target, change_and_print};
use crate::cli::GlobalArgs;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ringfence incident ioc INC-1 domain evil.example\n  \
ringfence incident ioc INC-1 sha256 5f1c…e9 --source \"CI runner disk\"\n  \
ringfence inspect npm:debug@4.4.2 --format json > report.json\n  \
ringfence incident ioc INC-1 --from-report report.json"
)]
pub struct IocArgs {
    #[command(flatten)]
    pub target: Target,
    /// package, url, domain, ip, sha256 or file-path.
    #[arg(
        value_name = "TYPE",
        required_unless_present = "from_report",
        requires = "value"
    )]
    pub kind: Option<ObservableKind>,
    /// The observable itself.
    #[arg(value_name = "VALUE")]
    pub value: Option<String>,
    /// Where it came from.
    #[arg(long, default_value = "manual")]
    pub source: String,
    /// Take every IOC from a `ringfence inspect --format json` report.
    #[arg(long, value_name = "FILE", conflicts_with = "kind")]
    pub from_report: Option<PathBuf>,
}

pub async fn run(store: &Store, args: &IocArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let mut wanted: Vec<(ObservableKind, String, String)> = Vec::new();
    if let (Some(kind), Some(value)) = (args.kind, &args.value) {
        wanted.push((kind, validate(kind, value)?, args.source.clone()));
    }
    if let Some(path) = &args.from_report {
        wanted.extend(from_report(path)?);
    }
    change_and_print(store, &args.target, global, |current, _, _| {
        let known = &current.incident.observables;
        let mut changes = Vec::new();
        for (kind, value, source) in wanted {
            let dup = known.iter().any(|o| o.kind == kind && o.value == value)
                || changes.iter().any(|c| {
                    matches!(c, Change::ObservableAdded { kind: k, value: v, .. } if *k == kind && *v == value)
                });
            if !dup {
                changes.push(Change::ObservableAdded {
                    kind,
                    value,
                    source,
                });
            }
        }
        Ok(changes)
    })
    .await
}

/// Checks the value has the shape its type says.
fn validate(kind: ObservableKind, value: &str) -> anyhow::Result<String> {
    let v = value.trim();
    let ok = match kind {
        ObservableKind::Sha256 => v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()),
        ObservableKind::Ip => v.parse::<std::net::IpAddr>().is_ok(),
        ObservableKind::Domain => !v.is_empty() && !v.contains(['/', ' ', ':']) && v.contains('.'),
        ObservableKind::Url => v.contains("://"),
        ObservableKind::Package | ObservableKind::FilePath => !v.is_empty(),
    };
    anyhow::ensure!(ok, "`{value}` is not a valid {kind}");
    Ok(
        if kind == ObservableKind::Sha256 || kind == ObservableKind::Domain {
            v.to_ascii_lowercase()
        } else {
            v.to_string()
        },
    )
}

/// IOCs of every package in an `inspect --format json` report: `{"packages": [...]}` or a
/// single package report.
fn from_report(path: &PathBuf) -> anyhow::Result<Vec<(ObservableKind, String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not JSON from `ringfence inspect --format json`",
            path.display()
        )
    })?;
    let packages: Vec<&serde_json::Value> = match json.get("packages").and_then(|p| p.as_array()) {
        Some(list) => list.iter().collect(),
        None => vec![&json],
    };
    let mut out = Vec::new();
    for p in packages {
        let (Some(name), Some(version)) = (
            p.get("name").and_then(|v| v.as_str()),
            p.get("version").and_then(|v| v.as_str()),
        ) else {
            anyhow::bail!(
                "{}: a package report without `name` and `version`",
                path.display()
            );
        };
        let source = format!("inspection of {name}@{version}");
        out.push((
            ObservableKind::Package,
            format!("npm:{name}@{version}"),
            source.clone(),
        ));
        if let Some(sha) = p.get("tarball_sha256").and_then(|v| v.as_str()) {
            out.push((
                ObservableKind::Sha256,
                sha.to_ascii_lowercase(),
                source.clone(),
            ));
        }
        let Some(iocs) = p.get("iocs") else { continue };
        let strings = |field: &str| -> Vec<String> {
            iocs.get(field)
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        for (field, kind) in [
            ("urls", ObservableKind::Url),
            ("webhooks", ObservableKind::Url),
            ("hosts", ObservableKind::Domain),
            ("ips", ObservableKind::Ip),
        ] {
            for value in strings(field) {
                out.push((kind, value, source.clone()));
            }
        }
        for file in iocs
            .get("files")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(path) = file.get("path").and_then(|v| v.as_str()) {
                out.push((ObservableKind::FilePath, path.to_string(), source.clone()));
            }
            if let Some(sha) = file.get("sha256").and_then(|v| v.as_str()) {
                out.push((
                    ObservableKind::Sha256,
                    sha.to_ascii_lowercase(),
                    source.clone(),
                ));
            }
        }
    }
    anyhow::ensure!(
        !out.is_empty(),
        "{}: no IOCs in this report",
        path.display()
    );
    Ok(out)
}

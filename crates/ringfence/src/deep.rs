//! `scan --deep`: inspect the code of every npm package in the inventory, in parallel, with
//! results cached by (tarball SHA-256, rules version) so a re-scan only looks at what changed.

use std::collections::BTreeSet;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use ringfence_inspect::archive::{Limits, read_tarball};
use ringfence_inspect::report::{InspectOptions, inspect};
use ringfence_inspect::{AlertId, RULES_VERSION, Verdict};
use ringfence_lockfile::Lockfile;
use ringfence_package::Ecosystem;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The verdict on one package version, as `scan --deep` reports and caches it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeepVerdict {
    pub name: String,
    pub version: String,
    pub verdict: Verdict,
    pub decided_by: Vec<AlertId>,
    /// Every alert id raised (capabilities included), for a quick look.
    pub alerts: Vec<AlertId>,
    pub tarball_sha256: String,
    /// The lockfiles (projects) that resolve this version.
    #[serde(default)]
    pub projects: Vec<String>,
}

pub struct DeepResults {
    pub verdicts: Vec<DeepVerdict>,
    /// Packages that could not be fetched or read, with why.
    pub not_inspected: Vec<String>,
    pub from_cache: usize,
}

fn cache_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|d| {
        d.join("ringfence")
            .join("inspections")
            .join(format!("rules-v{RULES_VERSION}"))
    })
}

pub fn inspect_inventory(lockfiles: &[Lockfile], quiet: bool) -> anyhow::Result<DeepResults> {
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    for l in lockfiles {
        for p in &l.packages {
            if p.ecosystem == Ecosystem::Npm && !p.version.is_empty() {
                wanted.insert((p.name.clone(), p.version.clone()));
            }
        }
    }
    let client = crate::npm::client()?;
    let cache = cache_dir();
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(wanted.len() as u64).with_style(
            ProgressStyle::with_template(
                "{spinner} inspecting packages {bar:30} {pos}/{len} {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    };
    let wanted: Vec<(String, String)> = wanted.into_iter().collect();
    let results: Vec<Result<(DeepVerdict, bool), String>> = wanted
        .par_iter()
        .map(|(name, version)| {
            bar.set_message(format!("{name}@{version}"));
            let result = inspect_one(&client, cache.as_ref(), name, version)
                .map_err(|e| format!("{name}@{version}: {e:#}"));
            bar.inc(1);
            result
        })
        .collect();
    bar.finish_and_clear();

    let mut verdicts = Vec::new();
    let mut not_inspected = Vec::new();
    let mut from_cache = 0;
    for r in results {
        match r {
            Ok((mut v, cached)) => {
                from_cache += usize::from(cached);
                v.projects = lockfiles
                    .iter()
                    .filter(|l| {
                        l.packages
                            .iter()
                            .any(|p| p.name == v.name && p.version == v.version)
                    })
                    .map(|l| l.project.clone())
                    .collect();
                verdicts.push(v);
            }
            Err(e) => not_inspected.push(e),
        }
    }
    verdicts.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then_with(|| (&a.name, &a.version).cmp(&(&b.name, &b.version)))
    });
    Ok(DeepResults {
        verdicts,
        not_inspected,
        from_cache,
    })
}

/// Fetches (tarball cache first), then inspects unless the result is cached.
fn inspect_one(
    client: &ringfence_registry::RegistryClient,
    cache: Option<&PathBuf>,
    name: &str,
    version: &str,
) -> anyhow::Result<(DeepVerdict, bool)> {
    let fetched = crate::npm::fetch_exact(client, name, version)?;
    let sha = hex(&Sha256::digest(&fetched.tarball));
    let cached_path = cache.map(|d| d.join(format!("{sha}.json")));
    if let Some(path) = &cached_path
        && let Ok(text) = std::fs::read_to_string(path)
        && let Ok(v) = serde_json::from_str::<DeepVerdict>(&text)
    {
        return Ok((v, true));
    }
    let contents = read_tarball(&fetched.tarball, &Limits::default());
    let report = inspect(&contents, &InspectOptions::default());
    let verdict = DeepVerdict {
        name: name.to_string(),
        version: version.to_string(),
        verdict: report.verdict,
        decided_by: report.decided_by.clone(),
        alerts: report.alerts.iter().map(|a| a.alert.id).collect(),
        tarball_sha256: sha,
        projects: Vec::new(),
    };
    if let Some(path) = &cached_path {
        write_atomic(path, &serde_json::to_vec(&verdict)?);
    }
    Ok((verdict, false))
}

/// Best-effort cache write: a temp file renamed into place, so readers never see half a file.
fn write_atomic(path: &std::path::Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(
        ".tmp-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

//! One package in, one [`PackageReport`] out: the manifest, the install scripts, every
//! JavaScript file (in parallel, install-time code flagged as such), the name against the
//! popular list, and the archive's own problems, merged into alerts, a verdict with the alerts
//! that decided it, and IOCs. The output is deterministic: same package, same JSON.
//!
//! Files that must parse are those that certainly run: install-time code (and what it
//! requires), `main` and `bin`. One of those that does not parse is `unanalysable`. Any other
//! unparsable file (test fixtures, templates, Flow sources that Node.js could not run either) is
//! listed in `unparsed_files` rather than silently dropped.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::alert::{Alert, AlertId, AlertSeverity, Evidence};
use crate::archive::magic::native_format;
use crate::archive::{self, ArchiveProblem, Limits, PackageContents, PackageFile, ReadError};
use crate::install_script::{self, relative_requires, resolve_module};
use crate::iocs::{self, IocSources, Iocs};
use crate::js::{self, FileAnalysis};
use crate::manifest::{self, Manifest, key_evidence};
use crate::typosquat;
use crate::verdict::{Verdict, decide};

#[derive(Debug, Clone)]
pub struct InspectOptions {
    /// Used by [`inspect_path`] when reading the package.
    pub limits: Limits,
    /// Compare the package name with the popular-package list.
    pub typosquat: bool,
    /// Evidence kept per alert; the number left out is reported.
    pub max_evidence: usize,
}

impl Default for InspectOptions {
    fn default() -> InspectOptions {
        InspectOptions {
            limits: Limits::default(),
            typosquat: true,
            max_evidence: 20,
        }
    }
}

/// An alert in a report: evidence capped, with the count of what was left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportAlert {
    #[serde(flatten)]
    pub alert: Alert,
    #[serde(skip_serializing_if = "is_zero")]
    pub evidence_omitted: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageReport {
    pub name: Option<String>,
    pub version: Option<String>,
    pub tarball_sha256: Option<String>,
    pub verdict: Verdict,
    pub decided_by: Vec<AlertId>,
    /// Highest severity first, then by id.
    pub alerts: Vec<ReportAlert>,
    pub iocs: Iocs,
    /// JavaScript files (and inline install-time snippets) analysed, plus package.json.
    pub files_analysed: usize,
    pub bytes_analysed: u64,
    /// Files that should parse as JavaScript but did not; those that run (install-time code,
    /// `main`, `bin`) also raise `unanalysable`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unparsed_files: Vec<String>,
    pub problems: Vec<ArchiveProblem>,
    #[serde(skip_serializing_if = "is_zero")]
    pub problems_omitted: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Unparsed file names kept in a report.
const MAX_UNPARSED_LISTED: usize = 20;
/// Files followed from install scripts through `require('./…')`.
const MAX_INSTALL_TIME_FILES: usize = 200;

/// Reads a `.tgz` or a package folder and inspects it.
pub fn inspect_path(path: &Path, options: &InspectOptions) -> Result<PackageReport, ReadError> {
    let contents = archive::read_path(path, &options.limits)?;
    Ok(inspect(&contents, options))
}

/// Inspects a package already read into memory.
pub fn inspect(contents: &PackageContents, options: &InspectOptions) -> PackageReport {
    let manifest_analysis = manifest::analyse(contents);
    let manifest = manifest_analysis.manifest.as_ref();
    let mut alerts = manifest_analysis.alerts.clone();

    let install = manifest
        .map(|m| install_script::analyse(m, contents))
        .unwrap_or_default();
    alerts.extend(install.alerts.iter().cloned());
    let install_time = install_time_closure(contents, &install.install_time_files);
    let entry_points = entry_points(contents, manifest, &install_time);

    let jobs: Vec<(&str, &PackageFile)> = contents
        .files
        .iter()
        .filter(|f| {
            f.is_complete()
                && !f.binary
                && (is_javascript(&f.path) || entry_points.contains(f.path.as_str()))
        })
        .map(|f| (f.path.as_str(), f))
        .collect();
    let analyses: Vec<(String, bool, FileAnalysis, u64)> = jobs
        .par_iter()
        .map(|(path, file)| {
            let at_install = install_time.contains(*path);
            (
                path.to_string(),
                at_install,
                js::analyse_file(path, &file.text(), at_install),
                file.size,
            )
        })
        .chain(install.inline_code.par_iter().map(|c| {
            (
                c.label.clone(),
                true,
                js::analyse_file(&c.label, &c.code, true),
                c.code.len() as u64,
            )
        }))
        .collect();

    let mut file_urls: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut unparsed = Vec::new();
    let mut bytes_analysed = contents
        .file(manifest::MANIFEST_PATH)
        .map_or(0, |f| f.bytes.len() as u64);
    for (path, _, analysis, size) in &analyses {
        bytes_analysed += size;
        alerts.extend(analysis.alerts.iter().cloned());
        if !analysis.urls.is_empty() {
            file_urls
                .entry(path.clone())
                .or_default()
                .extend(analysis.urls.iter().cloned());
        }
        if let Some(error) = &analysis.parse_error {
            unparsed.push(path.clone());
            if entry_points.contains(path.as_str()) || path.contains('#') {
                let detail =
                    format!("runs (install script, `main` or `bin`) but does not parse: {error}");
                alerts.push(Alert::new(
                    AlertId::Unanalysable,
                    vec![whole_file(path, detail)],
                ));
            }
        }
    }
    unparsed.sort();
    unparsed.truncate(MAX_UNPARSED_LISTED);

    if let Some(problem_alert) = problems_alert(contents) {
        alerts.push(problem_alert);
    }
    if options.typosquat {
        alerts.extend(typosquat_alert(manifest));
    }

    let merged = merge(alerts);
    let decision = decide(&merged.iter().map(|a| a.alert.clone()).collect::<Vec<_>>());
    let all: Vec<Alert> = merged.iter().map(|a| a.alert.clone()).collect();
    let hashes: HashMap<&str, &PackageFile> = contents
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let sha = |path: &str| {
        hashes
            .get(path.split('#').next().unwrap_or(path))
            .map(|f| f.sha256_hex())
    };
    let iocs = iocs::collect(&IocSources {
        alerts: &all,
        file_urls: &file_urls,
        file_sha256: &sha,
        tarball_sha256: contents.tarball_sha256.as_deref(),
        flagged: decision.verdict != Verdict::Ok,
        bundled_binaries: &bundled_binaries(contents),
    });
    let alerts = merged
        .into_iter()
        .map(|a| cap(a, options.max_evidence))
        .collect();
    PackageReport {
        name: manifest.and_then(|m| m.name.clone()),
        version: manifest.and_then(|m| m.version.clone()),
        tarball_sha256: contents.tarball_sha256.clone(),
        verdict: decision.verdict,
        decided_by: decision.decided_by,
        alerts,
        iocs,
        files_analysed: analyses.len() + usize::from(manifest.is_some()),
        bytes_analysed,
        unparsed_files: unparsed,
        problems: contents.problems.clone(),
        problems_omitted: contents.problems_omitted,
    }
}

/// JavaScript and TypeScript sources; type declarations hold no code that runs.
fn is_javascript(path: &str) -> bool {
    const EXTENSIONS: [&str; 8] = [".js", ".cjs", ".mjs", ".jsx", ".ts", ".cts", ".mts", ".tsx"];
    let declaration = [".d.ts", ".d.cts", ".d.mts"]
        .iter()
        .any(|e| path.ends_with(e));
    !declaration && EXTENSIONS.iter().any(|e| path.ends_with(e))
}

/// Native executables and addons in the package (their hashes are IOCs of a flagged package).
fn bundled_binaries(contents: &PackageContents) -> Vec<String> {
    contents
        .files
        .iter()
        .filter(|f| f.path.ends_with(".node") || native_format(&f.bytes).is_some())
        .map(|f| f.path.clone())
        .collect()
}

/// Files Node.js loads as data or native code, never parsed as JavaScript.
fn is_data(path: &str) -> bool {
    path.ends_with(".json") || path.ends_with(".node")
}

/// Install-time files and everything they load through relative `require`/`import`.
fn install_time_closure(contents: &PackageContents, roots: &BTreeSet<String>) -> BTreeSet<String> {
    let mut seen: BTreeSet<String> = roots.iter().filter(|p| !is_data(p)).cloned().collect();
    let mut queue: Vec<String> = roots.iter().cloned().collect();
    while let Some(path) = queue.pop() {
        let Some(file) = contents
            .file(&path)
            .filter(|f| f.is_complete() && !f.binary)
        else {
            continue;
        };
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        for spec in relative_requires(&file.text()) {
            if seen.len() >= MAX_INSTALL_TIME_FILES {
                return seen;
            }
            if let Some(found) = resolve_module(contents, None, dir, &spec)
                && !is_data(&found)
                && seen.insert(found.clone())
            {
                queue.push(found);
            }
        }
    }
    seen
}

/// Files that certainly run: install-time code, `main`, `bin` targets. These must parse.
fn entry_points(
    contents: &PackageContents,
    manifest: Option<&Manifest>,
    install_time: &BTreeSet<String>,
) -> BTreeSet<String> {
    let mut out = install_time.clone();
    if let Some(m) = manifest {
        out.extend(
            m.main
                .iter()
                .filter_map(|spec| resolve_module(contents, Some(m), "", spec)),
        );
        // A `bin` runs through its shebang: `#!/bin/sh` scripts are not JavaScript.
        let bins = m
            .bin
            .values()
            .filter_map(|spec| resolve_module(contents, Some(m), "", spec));
        out.extend(bins.filter(|p| contents.file(p).is_some_and(runs_with_node)));
    }
    out.retain(|p| !is_data(p) && contents.file(p).is_some_and(|f| !f.binary));
    out
}

/// A `bin` file Node.js runs: a JavaScript file name or a `node` shebang. Without either, the
/// system runs it as a shell script (pnpm ships shebang-less shell placeholders).
fn runs_with_node(file: &PackageFile) -> bool {
    let first_line = file.bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let node_shebang = first_line.starts_with(b"#!") && first_line.windows(4).any(|w| w == b"node");
    is_javascript(&file.path) || node_shebang
}

fn problems_alert(contents: &PackageContents) -> Option<Alert> {
    let evidence: Vec<Evidence> = contents
        .problems
        .iter()
        .filter(|p| p.kind.makes_unanalysable())
        .map(|p| {
            let file = if p.path.is_empty() {
                "(archive)".to_string()
            } else {
                p.path.clone()
            };
            whole_file(&file, p.detail.clone())
        })
        .collect();
    (!evidence.is_empty()).then(|| Alert::new(AlertId::Unanalysable, evidence))
}

fn typosquat_alert(manifest: Option<&Manifest>) -> Option<Alert> {
    let manifest = manifest?;
    let name = manifest.name.as_deref()?;
    let squat = typosquat::check(name)?;
    let detail = format!(
        "`{name}` looks like `{}`, the #{} most-downloaded npm package: it {}",
        squat.target,
        squat.rank,
        squat.confusion.describe()
    );
    let severity = if squat.confusion.is_strong() {
        AlertSeverity::High
    } else {
        AlertSeverity::Medium
    };
    Some(
        Alert::new(
            AlertId::Typosquat,
            vec![key_evidence(manifest, None, "name", detail)],
        )
        .with_severity(severity),
    )
}

fn whole_file(file: &str, detail: String) -> Evidence {
    Evidence {
        file: file.to_string(),
        line: 0,
        column: 0,
        snippet: String::new(),
        detail,
        urls: Vec::new(),
    }
}

/// One alert per id: the highest severity any rule gave it, its evidence sorted (the evidence
/// of the most severe findings first) and deduplicated.
fn merge(alerts: Vec<Alert>) -> Vec<ReportAlert> {
    /// Highest severity, evidence with the severity of the alert it came from, message.
    type Merged = (AlertSeverity, Vec<(AlertSeverity, Evidence)>, String);
    let mut by_id: BTreeMap<AlertId, Merged> = BTreeMap::new();
    for alert in alerts {
        let entry =
            by_id
                .entry(alert.id)
                .or_insert((alert.severity, Vec::new(), alert.message.clone()));
        entry.0 = entry.0.max(alert.severity);
        entry
            .1
            .extend(alert.evidence.into_iter().map(|e| (alert.severity, e)));
    }
    let mut out: Vec<ReportAlert> = by_id
        .into_iter()
        .map(|(id, (severity, mut evidence, message))| {
            evidence.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            let mut seen = BTreeSet::new();
            let evidence: Vec<Evidence> = evidence
                .into_iter()
                .map(|(_, e)| e)
                .filter(|e| seen.insert(e.clone()))
                .collect();
            ReportAlert {
                alert: Alert {
                    id,
                    kind: id.kind(),
                    severity,
                    message,
                    evidence,
                },
                evidence_omitted: 0,
            }
        })
        .collect();
    out.sort_by_key(|a| (Reverse(a.alert.severity), a.alert.id));
    out
}

fn cap(mut alert: ReportAlert, max: usize) -> ReportAlert {
    let total = alert.alert.evidence.len();
    if total > max {
        alert.alert.evidence.truncate(max);
        alert.evidence_omitted = total - max;
    }
    alert
}

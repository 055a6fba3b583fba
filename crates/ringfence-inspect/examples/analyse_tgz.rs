//! Dev tool: run the JavaScript engine over npm tarballs and print the threats per package.
//!
//! ```text
//! cargo run --release -p ringfence-inspect --example analyse_tgz -- [-v] [-q] [-j N] <file.tgz | dir>...
//! ```
//!
//! Tarballs are read in memory and never extracted. Files that an install script runs
//! (`node X` in `preinstall`/`install`/`postinstall`, `node -e "require('./x')"`, a bare
//! `x.js`) are analysed with `install_time = true`. Prints one line per package with its
//! threat alerts, then totals: packages with a critical / high threat, parse errors, bytes
//! and time. `-v` prints the evidence, `-q` only the totals and the packages with threats,
//! `--all-install-time` analyses every file as if an install script ran it (a stress test of
//! the install-time rules on benign code).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use flate2::read::GzDecoder;
use ringfence_inspect::js::analyse_file;
use ringfence_inspect::{AlertKind, AlertSeverity};

/// Files larger than this are skipped (and counted), like the archive reader's limit.
const MAX_FILE: u64 = 64 << 20;

struct Package {
    name: String,
    files: Vec<(String, String)>,
    install_files: BTreeSet<String>,
}

#[derive(Default)]
struct Outcome {
    lines: Vec<String>,
    critical: bool,
    high: bool,
    parse_errors: Vec<String>,
    js_files: usize,
    js_bytes: usize,
    analysis: Duration,
    threats: BTreeMap<String, usize>,
}

fn is_js(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let js = [".js", ".cjs", ".mjs", ".jsx", ".ts", ".tsx", ".mts", ".cts"]
        .iter()
        .any(|e| lower.ends_with(e));
    js && ![".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|e| lower.ends_with(e))
}

fn read_tgz(path: &Path) -> Result<Package, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut archive = tar::Archive::new(GzDecoder::new(std::io::BufReader::new(file)));
    let mut files = Vec::new();
    let mut manifest = None;
    let entries = archive
        .entries()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("{}: {e}", path.display()))?;
        if !entry.header().entry_type().is_file() || entry.size() > MAX_FILE {
            continue;
        }
        let name = entry
            .path()
            .map_err(|e| format!("{}: {e}", path.display()))?
            .to_string_lossy()
            .into_owned();
        // Strip the top directory (`package/`).
        let inner = name
            .split_once('/')
            .map_or(name.as_str(), |(_, rest)| rest)
            .to_string();
        if inner == "package.json" {
            let mut s = String::new();
            entry
                .read_to_string(&mut s)
                .map_err(|e| format!("{}: package.json: {e}", path.display()))?;
            manifest = Some(s);
        } else if is_js(&inner) {
            let mut bytes = Vec::new();
            entry
                .read_to_end(&mut bytes)
                .map_err(|e| format!("{}: {inner}: {e}", path.display()))?;
            files.push((inner, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    let manifest: serde_json::Value = manifest
        .and_then(|m| serde_json::from_str(&m).ok())
        .unwrap_or_default();
    let name = manifest.get("name").and_then(|v| v.as_str()).map_or_else(
        || {
            path.file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        },
        |n| {
            format!(
                "{n}@{}",
                manifest
                    .get("version")
                    .and_then(|v| v.as_str())
                    .unwrap_or("?")
            )
        },
    );
    let known: BTreeSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let install_files = install_time_files(&manifest, &known);
    Ok(Package {
        name,
        files,
        install_files,
    })
}

/// Files run by `preinstall` / `install` / `postinstall`.
fn install_time_files(manifest: &serde_json::Value, known: &BTreeSet<&str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let main = manifest
        .get("main")
        .and_then(|v| v.as_str())
        .unwrap_or("index.js");
    for hook in ["preinstall", "install", "postinstall"] {
        let Some(script) = manifest
            .get("scripts")
            .and_then(|s| s.get(hook))
            .and_then(|v| v.as_str())
        else {
            continue;
        };
        let tokens: Vec<&str> = script
            .split(|c: char| c.is_whitespace() || c == '&' || c == '|' || c == ';')
            .filter(|t| !t.is_empty())
            .collect();
        for (i, t) in tokens.iter().enumerate() {
            let prev = if i > 0 { tokens[i - 1] } else { "" };
            let candidate = if prev == "node" || prev.ends_with("/node") {
                if t.starts_with('-') {
                    None
                } else if *t == "." {
                    Some(main.to_string())
                } else {
                    Some((*t).to_string())
                }
            } else if t.ends_with(".js") || t.ends_with(".cjs") || t.ends_with(".mjs") {
                Some((*t).to_string())
            } else {
                None
            };
            if let Some(f) = candidate.and_then(|c| resolve(&c, known)) {
                out.insert(f);
            }
        }
        // `node -e "require('./x')"`: the required files.
        let mut rest = script;
        while let Some(at) = rest.find("require(") {
            rest = &rest[at + 8..];
            let quoted = rest.trim_start_matches(['\'', '"', '`', '\\']);
            let end = quoted
                .find(['\'', '"', '`', '\\', ')'])
                .unwrap_or(quoted.len());
            if let Some(f) = resolve(&quoted[..end], known) {
                out.insert(f);
            }
        }
    }
    out
}

fn resolve(spec: &str, known: &BTreeSet<&str>) -> Option<String> {
    let s = spec.trim_matches(['\'', '"']).trim_start_matches("./");
    let s = s.trim_end_matches('/');
    [
        s.to_string(),
        format!("{s}.js"),
        format!("{s}/index.js"),
        format!("{s}.cjs"),
        format!("{s}.mjs"),
    ]
    .into_iter()
    .find(|c| known.contains(c.as_str()))
}

fn analyse(pkg: &Package, verbose: bool, all_install: bool) -> Outcome {
    let mut out = Outcome::default();
    let mut by_id: BTreeMap<String, (AlertSeverity, BTreeSet<String>)> = BTreeMap::new();
    for (name, source) in &pkg.files {
        let install = all_install || pkg.install_files.contains(name);
        out.js_files += 1;
        out.js_bytes += source.len();
        let t = Instant::now();
        let a = analyse_file(name, source, install);
        out.analysis += t.elapsed();
        if let Some(e) = a.parse_error {
            out.parse_errors.push(e);
        }
        for alert in a.alerts {
            if alert.kind != AlertKind::Threat {
                continue;
            }
            let entry = by_id
                .entry(alert.id.to_string())
                .or_insert((alert.severity, BTreeSet::new()));
            entry.0 = entry.0.max(alert.severity);
            for e in &alert.evidence {
                entry.1.insert(format!(
                    "{}:{}:{} {} | {}",
                    e.file, e.line, e.column, e.detail, e.snippet
                ));
            }
        }
    }
    let mut line = format!(
        "{}  ({} js, {} install-time)",
        pkg.name,
        pkg.files.len(),
        pkg.install_files.len()
    );
    if by_id.is_empty() {
        line.push_str("  ok");
    }
    for (id, (sev, evidence)) in &by_id {
        line.push_str(&format!("  {id}({sev:?})"));
        out.critical |= *sev == AlertSeverity::Critical;
        out.high |= *sev == AlertSeverity::High;
        *out.threats.entry(format!("{id}({sev:?})")).or_default() += 1;
        if verbose {
            for e in evidence.iter().take(8) {
                out.lines.push(format!("      {id}: {e}"));
            }
        }
    }
    out.lines.insert(0, line);
    for e in out.parse_errors.iter().take(if verbose { 5 } else { 0 }) {
        out.lines.push(format!("      parse error: {e}"));
    }
    out
}

fn collect_inputs(args: &[String]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for a in args {
        let p = PathBuf::from(a);
        if p.is_dir() {
            if let Ok(rd) = std::fs::read_dir(&p) {
                let mut v: Vec<PathBuf> = rd
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
                    .collect();
                v.sort();
                out.extend(v);
            }
        } else {
            out.push(p);
        }
    }
    out
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let quiet = args.iter().any(|a| a == "-q");
    let all_install = args.iter().any(|a| a == "--all-install-time");
    let mut jobs = 2usize;
    if let Some(i) = args.iter().position(|a| a == "-j") {
        jobs = args.get(i + 1).and_then(|j| j.parse().ok()).unwrap_or(2);
        args.drain(i..(i + 2).min(args.len()));
    }
    args.retain(|a| a != "-v" && a != "-q" && a != "--all-install-time");
    let inputs = collect_inputs(&args);
    if inputs.is_empty() {
        eprintln!("usage: analyse_tgz [-v] [-q] [-j N] [--all-install-time] <file.tgz | dir>...");
        std::process::exit(2);
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<Outcome, String>)>> = Mutex::new(Vec::new());
    let wall = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            // Workers get the 2 MiB stack rayon workers have.
            let worker = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn_scoped(s, || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = inputs.get(i) else { break };
                        let r = read_tgz(path).map(|p| analyse(&p, verbose, all_install));
                        results
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((i, r));
                    }
                });
            if let Err(e) = worker {
                eprintln!("cannot start a worker: {e}");
            }
        }
    });
    let wall = wall.elapsed();
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.sort_by_key(|(i, _)| *i);
    let (mut critical, mut high, mut with_parse_errors, mut files, mut bytes, mut failed) =
        (0, 0, 0, 0, 0, 0);
    let mut cpu = Duration::ZERO;
    let mut threat_totals: BTreeMap<String, usize> = BTreeMap::new();
    for (i, r) in &results {
        match r {
            Ok(o) => {
                critical += usize::from(o.critical);
                high += usize::from(o.high && !o.critical);
                with_parse_errors += usize::from(!o.parse_errors.is_empty());
                files += o.js_files;
                bytes += o.js_bytes;
                cpu += o.analysis;
                for (k, v) in &o.threats {
                    *threat_totals.entry(k.clone()).or_default() += v;
                }
                if !quiet || o.critical || o.high {
                    for l in &o.lines {
                        println!("{l}");
                    }
                }
            }
            Err(e) => {
                failed += 1;
                println!("{}: unreadable: {e}", inputs[*i].display());
            }
        }
    }
    println!("---");
    println!(
        "packages: {}  malicious (critical threat): {critical}  suspicious (high threat only): {high}  ok: {}",
        results.len(),
        results.len() - critical - high - failed
    );
    println!("unreadable: {failed}  packages with parse errors: {with_parse_errors}");
    println!(
        "js files: {files}  js bytes: {bytes}  analyse_file time (sum over workers): {:.2?}  wall (read + inflate + analyse, {jobs} workers): {:.2?}",
        cpu, wall
    );
    for (k, v) in threat_totals {
        println!("  {k}: {v} package(s)");
    }
}

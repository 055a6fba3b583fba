//! Recall on real npm malware (BENCHMARKS.md §3): every sample `malicious` or `suspicious`, at
//! least 90% `malicious`; every control from the same sources `ok`. The samples are read from
//! password-protected zips in memory and never extracted or executed.

mod support;

use ringfence_inspect::Verdict;
use ringfence_inspect::archive::{Limits, read_tarball};
use ringfence_inspect::report::{InspectOptions, PackageReport, inspect};

fn verdicts(zip: &str) -> Vec<(String, PackageReport)> {
    support::malware_zip(zip)
        .into_iter()
        .map(|(name, bytes)| {
            let contents = read_tarball(&bytes, &Limits::default());
            (name, inspect(&contents, &InspectOptions::default()))
        })
        .collect()
}

#[test]
fn every_malicious_sample_is_flagged_and_most_are_malicious() {
    let reports = verdicts("malware-npm-malicious.zip");
    assert_eq!(reports.len(), 29);
    let count = |v: Verdict| reports.iter().filter(|(_, r)| r.verdict == v).count();
    let (malicious, suspicious, ok) = (
        count(Verdict::Malicious),
        count(Verdict::Suspicious),
        count(Verdict::Ok),
    );
    for (name, report) in &reports {
        eprintln!(
            "{:<12} {name} {:?}",
            report.verdict.as_str(),
            report.decided_by
        );
    }
    eprintln!(
        "recall: {malicious} malicious, {suspicious} suspicious, {ok} ok of {}",
        reports.len()
    );
    let missed: Vec<&str> = reports
        .iter()
        .filter(|(_, r)| r.verdict == Verdict::Ok)
        .map(|(n, _)| n.as_str())
        .collect();
    assert!(missed.is_empty(), "samples judged ok: {missed:?}");
    // Target: at least 90% malicious (27 of 29).
    assert!(
        malicious * 10 >= reports.len() * 9,
        "only {malicious} of {} malicious",
        reports.len()
    );
}

#[test]
fn every_control_is_ok() {
    let reports = verdicts("malware-npm-controls.zip");
    assert_eq!(reports.len(), 20);
    let flagged: Vec<(&str, Vec<String>)> = reports
        .iter()
        .filter(|(_, r)| r.verdict != Verdict::Ok)
        .map(|(n, r)| {
            (
                n.as_str(),
                r.decided_by.iter().map(|id| id.to_string()).collect(),
            )
        })
        .collect();
    assert!(flagged.is_empty(), "controls flagged: {flagged:?}");
}

/// Prints the JSON report of one sample, for working on rules:
/// `RINGFENCE_SAMPLE=sonatype-2.0.4 cargo test -p ringfence-inspect --test recall -- --ignored --nocapture`
#[test]
#[ignore = "a development aid, not a check"]
fn dump_sample() {
    let wanted = std::env::var("RINGFENCE_SAMPLE").unwrap_or_default();
    for zip in ["malware-npm-malicious.zip", "malware-npm-controls.zip"] {
        for (name, bytes) in support::malware_zip(zip) {
            if !wanted.is_empty() && name.starts_with(&wanted) {
                let report = inspect(
                    &read_tarball(&bytes, &Limits::default()),
                    &InspectOptions::default(),
                );
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            }
        }
    }
}

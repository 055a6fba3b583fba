//! Precision on hard negatives (BENCHMARKS.md §2): popular packages whose legitimate code has
//! the capabilities malware has — install scripts that download binaries, process spawning,
//! network clients, `Function('return this')` — must all come out `ok`.

mod support;

use ringfence_inspect::archive::{Limits, read_tarball};
use ringfence_inspect::report::{InspectOptions, inspect};
use ringfence_inspect::{AlertKind, Verdict};

#[test]
fn every_hard_negative_is_ok() {
    let tarballs = support::benign_tarballs();
    assert_eq!(tarballs.len(), 30);
    let mut flagged = Vec::new();
    for (name, bytes) in &tarballs {
        let contents = read_tarball(bytes, &Limits::default());
        let report = inspect(&contents, &InspectOptions::default());
        let capabilities: Vec<String> = report
            .alerts
            .iter()
            .filter(|a| a.alert.kind == AlertKind::Capability)
            .map(|a| a.alert.id.to_string())
            .collect();
        eprintln!(
            "{:<10} {name} capabilities {capabilities:?}",
            report.verdict.as_str()
        );
        if report.verdict != Verdict::Ok {
            let why: Vec<String> = report
                .alerts
                .iter()
                .filter(|a| report.decided_by.contains(&a.alert.id))
                .flat_map(|a| {
                    a.alert.evidence.iter().take(3).map(move |e| {
                        format!(
                            "{}: {} {}:{} {}",
                            a.alert.id, e.file, e.line, e.column, e.detail
                        )
                    })
                })
                .collect();
            flagged.push((name.clone(), why));
        }
    }
    assert!(flagged.is_empty(), "hard negatives flagged: {flagged:#?}");
}

//! The benign benchmark corpus (BENCHMARKS.md §1–2): the 1,000 most-downloaded npm packages,
//! fetched by `shared/bin/fetch-corpus` into `$RINGFENCE_CORPUS` or
//! `~/.cache/ringfence-corpus/npm-top-1000`. Not part of the normal suite (it needs the
//! download); run with `cargo test --release -p ringfence-inspect --test corpus -- --ignored
//! --nocapture`. Prints timings and every package that is not `ok` or that hit a limit.

use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use ringfence_inspect::Verdict;
use ringfence_inspect::archive::{Limits, read_tarball};
use ringfence_inspect::report::{InspectOptions, inspect};

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("RINGFENCE_CORPUS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".cache/ringfence-corpus/npm-top-1000"))
        })?;
    dir.is_dir().then_some(dir)
}

#[test]
#[ignore = "needs the downloaded corpus; run with --ignored"]
fn corpus_reads_within_limits_and_is_clean() {
    let Some(dir) = corpus_dir() else {
        eprintln!("no corpus found; run shared/bin/fetch-corpus first");
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .collect();
    paths.sort();
    let tarballs: Vec<(String, Vec<u8>)> = paths
        .iter()
        .map(|p| {
            (
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(p).expect("reading"),
            )
        })
        .collect();
    let compressed: usize = tarballs.iter().map(|(_, b)| b.len()).sum();

    let start = Instant::now();
    let contents: Vec<_> = tarballs
        .par_iter()
        .map(|(name, bytes)| (name, read_tarball(bytes, &Limits::default())))
        .collect();
    let read_time = start.elapsed();
    let files: usize = contents.iter().map(|(_, c)| c.files.len()).sum();
    let unpacked: u64 = contents.iter().map(|(_, c)| c.unpacked_bytes).sum();
    let with_problems: Vec<_> = contents
        .iter()
        .filter(|(_, c)| !c.problems.is_empty())
        .collect();
    let blocking = contents
        .iter()
        .filter(|(_, c)| c.has_blocking_problems())
        .count();
    eprintln!(
        "read {} tarballs ({} MB compressed, {} files, {} MB unpacked) in {read_time:?}; {} with problems, {blocking} of them blocking",
        contents.len(),
        compressed >> 20,
        files,
        unpacked >> 20,
        with_problems.len()
    );
    for (name, c) in &with_problems {
        eprintln!("  problems in {name}: {:?}", c.problems);
    }

    let start = Instant::now();
    let reports: Vec<_> = contents
        .par_iter()
        .map(|(name, c)| (name, inspect(c, &InspectOptions::default())))
        .collect();
    let inspect_time = start.elapsed();
    let count = |v: Verdict| reports.iter().filter(|(_, r)| r.verdict == v).count();
    eprintln!(
        "inspected in {inspect_time:?} (read + inspect {:?}): {} malicious, {} suspicious, {} ok",
        read_time + inspect_time,
        count(Verdict::Malicious),
        count(Verdict::Suspicious),
        count(Verdict::Ok)
    );
    for (name, r) in reports.iter().filter(|(_, r)| r.verdict != Verdict::Ok) {
        let why: Vec<String> = r
            .alerts
            .iter()
            .filter(|a| r.decided_by.contains(&a.alert.id))
            .flat_map(|a| {
                a.alert
                    .evidence
                    .iter()
                    .take(2)
                    .map(move |e| format!("{} {}:{} {}", a.alert.id, e.file, e.line, e.detail))
            })
            .collect();
        eprintln!("  {} {name}: {why:?}", r.verdict.as_str());
    }
    let unparsed: Vec<String> = reports
        .iter()
        .flat_map(|(name, r)| r.unparsed_files.iter().map(move |f| format!("{name}:{f}")))
        .collect();
    eprintln!("unparsed files listed: {} {unparsed:?}", unparsed.len());
    assert_eq!(
        blocking, 0,
        "corpus packages hit a limit or had archive problems"
    );
    assert_eq!(count(Verdict::Malicious), 0);
}

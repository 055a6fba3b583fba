//! Hostile archives: each must cost bounded time and memory and end in a clear problem (and, via
//! `inspect`, an `unanalysable` alert and a suspicious verdict), never a panic or a hang.

mod support;

use std::time::{Duration, Instant};

use ringfence_inspect::archive::{LimitKind, Limits, PackageContents, ProblemKind, read_tarball};
use ringfence_inspect::report::{InspectOptions, inspect};
use ringfence_inspect::{AlertId, Verdict};
use support::{RawTar, gzip};

const MANIFEST: &[u8] = b"{\"name\":\"hostile\",\"version\":\"1.0.0\"}";
/// Generous for debug builds on a shared two-core machine; release builds are far faster.
const BUDGET: Duration = Duration::from_secs(20);

fn read_timed(bytes: &[u8]) -> (PackageContents, Duration) {
    let start = Instant::now();
    let contents = read_tarball(bytes, &Limits::default());
    (contents, start.elapsed())
}

/// Bytes the package holds in memory.
fn held(contents: &PackageContents) -> usize {
    contents.files.iter().map(|f| f.bytes.len()).sum()
}

fn assert_unanalysable(contents: &PackageContents) {
    let report = inspect(contents, &InspectOptions::default());
    assert_ne!(report.verdict, Verdict::Ok, "{report:?}");
    assert!(
        report.decided_by.contains(&AlertId::Unanalysable),
        "{:?}",
        report.decided_by
    );
}

fn limit(contents: &PackageContents) -> Option<LimitKind> {
    contents.problems.iter().find_map(|p| p.limit)
}

#[test]
fn a_gzip_bomb_stops_at_the_ratio_limit() {
    // 1 GiB of zeros in ~1 MB: a tar header claiming a 1 GiB file, then 64 gzip members of
    // 16 MiB of zeros each (Node's zlib, like ours, reads concatenated members).
    let mut tar = RawTar::new();
    tar.file("package/package.json", MANIFEST);
    let mut head = tar.finish();
    head.truncate(head.len() - 1024);
    let mut header = tar::Header::new_gnu();
    header.as_old_mut().name[..16].copy_from_slice(b"package/zero.bin");
    header.set_size(1 << 30);
    header.set_mode(0o644);
    header.set_cksum();
    head.extend_from_slice(header.as_bytes());
    let mut bomb = gzip(&head);
    let zeros = support::gzip_level(&vec![0u8; 16 << 20], flate2::Compression::best());
    for _ in 0..64 {
        bomb.extend_from_slice(&zeros);
    }
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    let (contents, took) = read_timed(&bomb);
    assert!(took < BUDGET, "{took:?}");
    // The 1 GiB file is over the single-file limit; skipping it still inflates, up to the ratio limit.
    let limits: Vec<Option<LimitKind>> = contents.problems.iter().map(|p| p.limit).collect();
    assert_eq!(
        limits,
        vec![
            Some(LimitKind::FileBytes),
            Some(LimitKind::CompressionRatio)
        ],
        "{:?}",
        contents.problems
    );
    assert!(held(&contents) < 1 << 20);
    assert_unanalysable(&contents);
}

#[test]
fn a_single_member_bomb_also_stops() {
    let mut tar = RawTar::new();
    tar.file("package/package.json", MANIFEST)
        .file("package/zeros.txt", &vec![b'a'; 48 << 20]);
    let bomb = gzip(&tar.finish());
    let (contents, took) = read_timed(&bomb);
    assert!(took < BUDGET, "{took:?}");
    assert_eq!(
        limit(&contents),
        Some(LimitKind::CompressionRatio),
        "{:?}",
        contents.problems
    );
    assert_unanalysable(&contents);
}

#[test]
fn path_traversal_and_absolute_paths_are_reported_and_never_used() {
    let mut tar = RawTar::new();
    tar.file("package/package.json", MANIFEST)
        .file("package/../../etc/cron.d/x", b"* * * * * root sh")
        .file("../outside.js", b"1")
        .file("package/..\\..\\win.js", b"1")
        .file("/etc/passwd", b"root:x:0:0");
    let (contents, _) = read_timed(&gzip(&tar.finish()));
    let kinds: Vec<ProblemKind> = contents.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == ProblemKind::PathTraversal)
            .count(),
        3,
        "{:?}",
        contents.problems
    );
    assert!(kinds.contains(&ProblemKind::AbsolutePath));
    assert!(
        contents
            .files
            .iter()
            .all(|f| !f.path.contains("..") && !f.path.starts_with('/')),
        "{:?}",
        contents.files
    );
    assert_unanalysable(&contents);
}

#[test]
fn links_and_devices_are_reported_and_not_followed() {
    let mut tar = RawTar::new();
    tar.file("package/package.json", MANIFEST)
        .entry(
            b"package/index.js",
            tar::EntryType::Symlink,
            b"",
            b"/home/user/.npmrc",
        )
        .entry(
            b"package/hard.js",
            tar::EntryType::Link,
            b"",
            b"package/package.json",
        )
        .entry(b"package/dev", tar::EntryType::Char, b"", b"");
    let (contents, _) = read_timed(&gzip(&tar.finish()));
    let kinds: Vec<ProblemKind> = contents.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        vec![
            ProblemKind::Symlink,
            ProblemKind::HardLink,
            ProblemKind::DeviceFile
        ]
    );
    assert!(contents.problems[0].detail.contains(".npmrc"));
    assert_eq!(contents.files.len(), 1);
    assert_unanalysable(&contents);
}

#[test]
fn a_hundred_thousand_tiny_files_stop_at_the_file_limit() {
    let mut tar = RawTar::new();
    tar.file("package/package.json", MANIFEST);
    for i in 0..100_000 {
        tar.file(&format!("package/f/{i}.js"), b"1");
    }
    let (contents, took) = read_timed(&tar.finish());
    assert!(took < BUDGET, "{took:?}");
    assert_eq!(contents.files.len(), Limits::default().max_files);
    assert_eq!(limit(&contents), Some(LimitKind::Files));
    assert_unanalysable(&contents);
}

#[test]
fn a_fifty_megabyte_single_line_file_is_kept_short_and_unanalysable() {
    let mut line = b"var x=".to_vec();
    line.resize(50 << 20, b'a');
    let mut tar = RawTar::new();
    tar.file("package/package.json", MANIFEST)
        .file("package/index.js", &line);
    let (contents, took) = read_timed(&tar.finish());
    assert!(took < BUDGET, "{took:?}");
    let file = contents.file("index.js").unwrap();
    assert_eq!(file.size, 50 << 20);
    assert!(!file.is_complete());
    assert!(file.bytes.len() <= Limits::default().binary_head_bytes);
    assert_eq!(limit(&contents), Some(LimitKind::TextFileBytes));
    assert_unanalysable(&contents);
}

#[test]
fn a_file_nested_ten_thousand_levels_deep_is_skipped() {
    let name = format!("package/{}x.js", "a/".repeat(10_000));
    let mut tar = RawTar::new();
    tar.file("package/package.json", MANIFEST).entry(
        name.as_bytes(),
        tar::EntryType::Regular,
        b"1",
        b"",
    );
    let (contents, took) = read_timed(&gzip(&tar.finish()));
    assert!(took < BUDGET);
    assert_eq!(contents.files.len(), 1);
    assert_eq!(limit(&contents), Some(LimitKind::PathDepth));
    assert!(
        contents.problems[0].path.len() < 300,
        "problem paths are cut"
    );
    assert_unanalysable(&contents);
}

#[test]
fn invalid_utf8_names_and_manifests_are_handled() {
    let mut tar = RawTar::new();
    tar.entry(
        b"package/package.json",
        tar::EntryType::Regular,
        b"{\"name\": \"\xff\xfe\"}",
        b"",
    )
    .entry(
        b"package/\xff\xfe.js",
        tar::EntryType::Regular,
        b"var s = '\xc3\x28';",
        b"",
    );
    let (contents, _) = read_timed(&gzip(&tar.finish()));
    assert!(
        contents
            .problems
            .iter()
            .any(|p| p.kind == ProblemKind::NonUtf8Path)
    );
    assert_eq!(contents.files.len(), 2);
    let report = inspect(&contents, &InspectOptions::default());
    assert_eq!(report.verdict, Verdict::Suspicious);
    let unanalysable = report
        .alerts
        .iter()
        .find(|a| a.alert.id == AlertId::Unanalysable)
        .unwrap();
    assert!(
        unanalysable.alert.evidence[0]
            .detail
            .contains("package.json cannot be read"),
        "{unanalysable:?}"
    );
}

#[test]
fn a_package_json_that_is_not_json_is_unanalysable() {
    let mut tar = RawTar::new();
    tar.file("package/package.json", b"{ \"name\": \"x\", oops }")
        .file("package/index.js", b"module.exports = 1");
    let (contents, _) = read_timed(&gzip(&tar.finish()));
    assert!(contents.problems.is_empty());
    let report = inspect(&contents, &InspectOptions::default());
    assert_eq!(report.verdict, Verdict::Suspicious);
    assert_eq!(report.decided_by, vec![AlertId::Unanalysable]);
    let detail = &report.alerts[0].alert.evidence[0].detail;
    assert!(detail.contains("package.json:1:"), "{detail}");
}

#[test]
fn a_tarball_without_package_json_is_unanalysable() {
    let (contents, _) = read_timed(&support::tgz(&[("index.js", b"1")]));
    assert_unanalysable(&contents);
}

#[test]
fn a_huge_declared_size_on_a_short_stream_is_corrupt() {
    let mut header = tar::Header::new_gnu();
    header.as_old_mut().name[..16].copy_from_slice(b"package/index.js");
    header.set_size(1 << 40);
    header.set_cksum();
    let mut bytes = header.as_bytes().to_vec();
    bytes.extend_from_slice(b"short");
    let (contents, took) = read_timed(&gzip(&bytes));
    assert!(took < BUDGET);
    assert!(contents.has_blocking_problems(), "{:?}", contents.problems);
}

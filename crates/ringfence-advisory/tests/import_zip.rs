//! OSV zip exports (`all.zip`), built in memory with the zip crate, including a zip
//! bomb and path-traversal names.

mod common;

use std::io::{Cursor, Write};

use common::fixtures;
use ringfence_advisory::{
    AdvisoryIndex, EntryRejection, ImportError, ZipLimits, load_zip, load_zip_bytes,
    load_zip_with_limits,
};
use ringfence_package::Ecosystem::Npm;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

fn fixture_text(path: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(path)).unwrap()
}

/// Builds a zip of `(name, bytes)` entries, deflated.
fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, bytes) in entries {
        if name.ends_with('/') {
            writer.add_directory(*name, options).unwrap();
        } else {
            writer.start_file(*name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
    }
    writer.finish().unwrap().into_inner()
}

fn rejections(errors: &[ImportError]) -> Vec<(String, EntryRejection)> {
    errors
        .iter()
        .filter_map(|e| match e {
            ImportError::Entry { origin, reason } => Some((origin.clone(), reason.clone())),
            _ => None,
        })
        .collect()
}

fn all_zip_layout() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "MAL-2025-46969.json",
            fixture_text("npm/chalk/MAL-2025-46969.json"),
        ),
        (
            "MAL-2024-11183.json",
            fixture_text("npm/@solana/web3.js/MAL-2024-11183.json"),
        ),
        (
            "GHSA-pjwm-rvh2-c87w.json",
            fixture_text(
                "ghsa/github-reviewed/2021/10/GHSA-pjwm-rvh2-c87w/GHSA-pjwm-rvh2-c87w.json",
            ),
        ),
        (
            "MAL-0000-flatmap-stream.json",
            fixture_text("npm/flatmap-stream/MAL-0000-flatmap-stream.json"),
        ),
        ("nested/", Vec::new()),
        ("README.txt", b"not a record".to_vec()),
    ]
}

#[test]
fn reads_an_all_zip_export_in_entry_order() {
    let bytes = zip_of(&all_zip_layout());
    let report = load_zip_bytes(&bytes, "npm/all.zip", &ZipLimits::default()).unwrap();
    let ids: Vec<&str> = report.advisories.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        ["MAL-2025-46969", "MAL-2024-11183", "GHSA-pjwm-rvh2-c87w"]
    );
    assert_eq!(
        report.advisories[0].origin,
        "npm/all.zip:MAL-2025-46969.json"
    );
    assert_eq!(
        report.files_read, 4,
        "README and the directory are not records"
    );
    assert_eq!(report.errors.len(), 1);
    let err = report.errors[0].to_string();
    assert!(
        err.contains("npm/all.zip:MAL-0000-flatmap-stream.json") && err.contains("no `id`"),
        "{err}"
    );

    let index: AdvisoryIndex = report.advisories.into_iter().collect();
    assert_eq!(index.matches(Npm, "chalk", "5.6.1").len(), 1);
    assert_eq!(index.matches(Npm, "ua-parser-js", "0.7.29").len(), 1);
}

#[test]
fn zip_bomb_entry_is_stopped_at_the_entry_limit() {
    let mut entries = all_zip_layout();
    // 64 MiB of zeros deflates to about 64 KiB: a thousandfold bomb.
    entries.insert(1, ("MAL-2099-1.json", vec![0u8; 64 * 1024 * 1024]));
    let bytes = zip_of(&entries);
    assert!(bytes.len() < 1024 * 1024, "the archive itself is small");

    let report = load_zip_bytes(&bytes, "bomb.zip", &ZipLimits::default()).unwrap();
    let rejected = rejections(&report.errors);
    assert_eq!(rejected.len(), 1, "{:?}", report.errors);
    assert_eq!(rejected[0].0, "bomb.zip:MAL-2099-1.json");
    assert!(matches!(rejected[0].1, EntryRejection::TooLarge { .. }));
    assert_eq!(
        report.advisories.len(),
        3,
        "the good entries are still read"
    );
}

#[test]
fn high_ratio_entry_within_the_size_limit_is_rejected() {
    // A valid record padded with 2 MiB of spaces: under the 16 MiB entry limit, but
    // it inflates hundreds of times over.
    let mut padded = br#"{"id": "MAL-2099-2", "summary": "padded""#.to_vec();
    padded.extend(std::iter::repeat_n(b' ', 2 * 1024 * 1024));
    padded.push(b'}');
    let bytes = zip_of(&[("MAL-2099-2.json", padded)]);
    let report = load_zip_bytes(&bytes, "ratio.zip", &ZipLimits::default()).unwrap();
    assert!(report.advisories.is_empty());
    let rejected = rejections(&report.errors);
    assert!(
        matches!(rejected[0].1, EntryRejection::Ratio { ratio, limit: 200 } if ratio > 200),
        "{rejected:?}"
    );
}

#[test]
fn path_traversal_and_absolute_names_are_refused() {
    let record = fixture_text("npm/chalk/MAL-2025-46969.json");
    let bytes = zip_of(&[
        ("../../etc/MAL-2025-46969.json", record.clone()),
        ("/abs/MAL-2025-46969.json", record.clone()),
        ("ok/../../MAL-2025-46969.json", record.clone()),
        ("MAL-2025-46969.json", record),
    ]);
    let report = load_zip_bytes(&bytes, "evil.zip", &ZipLimits::default()).unwrap();
    assert_eq!(report.advisories.len(), 1);
    let rejected = rejections(&report.errors);
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    assert!(
        rejected
            .iter()
            .all(|(_, r)| matches!(r, EntryRejection::UnsafeName { .. }))
    );
    assert!(
        report.errors[0]
            .to_string()
            .contains("../../etc/MAL-2025-46969.json")
    );
}

#[test]
fn entry_count_and_total_size_limits_hold() {
    let bytes = zip_of(&all_zip_layout());
    let limits = ZipLimits {
        max_entries: 2,
        ..ZipLimits::default()
    };
    let report = load_zip_bytes(&bytes, "many.zip", &limits).unwrap();
    assert_eq!(report.advisories.len(), 2);
    assert!(matches!(
        rejections(&report.errors)[0].1,
        EntryRejection::TooManyEntries { limit: 2 }
    ));

    let limits = ZipLimits {
        max_total_bytes: 2_000,
        ..ZipLimits::default()
    };
    let report = load_zip_bytes(&bytes, "big.zip", &limits).unwrap();
    assert!(
        rejections(&report.errors)
            .iter()
            .any(|(_, r)| matches!(r, EntryRejection::TotalTooLarge { limit: 2_000 })),
        "{:?}",
        report.errors
    );
    assert!(report.advisories.len() < 3);
}

#[test]
fn corrupt_or_oversized_archives_are_errors() {
    let mut bytes = zip_of(&all_zip_layout());
    bytes.truncate(bytes.len() / 2);
    let err = load_zip_bytes(&bytes, "cut.zip", &ZipLimits::default()).unwrap_err();
    assert!(err.to_string().contains("cut.zip"), "{err}");
    assert!(load_zip_bytes(b"", "empty.zip", &ZipLimits::default()).is_err());
    assert!(load_zip_bytes(b"PK\x03\x04garbage", "junk.zip", &ZipLimits::default()).is_err());

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.zip");
    std::fs::write(&path, zip_of(&all_zip_layout())).unwrap();
    let limits = ZipLimits {
        max_archive_bytes: 100,
        ..ZipLimits::default()
    };
    let err = load_zip_with_limits(&path, &limits).unwrap_err();
    assert!(err.to_string().contains("larger than the limit"), "{err}");
}

#[test]
fn load_zip_reads_from_disk_without_extracting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.zip");
    std::fs::write(&path, zip_of(&all_zip_layout())).unwrap();
    let report = load_zip(&path).unwrap();
    assert_eq!(report.advisories.len(), 3);
    let listing: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(listing.len(), 1, "nothing was written next to the archive");
    assert!(
        report.advisories[0]
            .origin
            .ends_with("all.zip:MAL-2025-46969.json")
    );
}

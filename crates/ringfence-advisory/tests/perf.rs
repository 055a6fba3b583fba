//! Import speed on an export the size of npm's (about 200,000 records).
//! Ignored by default; run in release mode:
//! `cargo test -p ringfence-advisory --release --test perf -- --ignored --nocapture`

mod common;

use std::io::{Cursor, Write};
use std::time::Instant;

use ringfence_advisory::{AdvisoryIndex, ZipLimits, load_dir, load_zip_bytes};
use ringfence_package::Ecosystem::Npm;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const RECORDS: usize = 200_000;

/// Real records with their id and package name rewritten, so every copy is distinct.
fn records() -> Vec<(String, Vec<u8>)> {
    let templates: Vec<(String, String, String)> = [
        (
            "npm/ngx-bootstrap/MAL-2025-47197.json",
            "MAL-2025-47197",
            "ngx-bootstrap",
        ),
        ("npm/--hiljson/MAL-2022-2.json", "MAL-2022-2", "--hiljson"),
        ("npm/debug/MAL-2025-46974.json", "MAL-2025-46974", "debug"),
    ]
    .iter()
    .map(|(path, id, name)| {
        let text = std::fs::read_to_string(common::fixtures().join(path)).unwrap();
        (text, id.to_string(), format!("\"{name}\""))
    })
    .collect();
    (0..RECORDS)
        .map(|i| {
            let (text, id, name) = &templates[i % templates.len()];
            let new_id = format!("MAL-2099-{i}");
            let body = text
                .replace(id.as_str(), &new_id)
                .replace(name.as_str(), &format!("\"pkg-{i}\""));
            (format!("{new_id}.json"), body.into_bytes())
        })
        .collect()
}

#[test]
#[ignore]
fn two_hundred_thousand_records_import_in_seconds() {
    let records = records();
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    // Deflated like the real export, at the fastest level to keep the setup short.
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1));
    for (name, bytes) in &records {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    let zip = writer.finish().unwrap().into_inner();

    let start = Instant::now();
    let report = load_zip_bytes(&zip, "all.zip", &ZipLimits::default()).unwrap();
    let parsed = start.elapsed();
    assert_eq!(report.advisories.len(), RECORDS);
    assert!(report.errors.is_empty());

    let start = Instant::now();
    let index: AdvisoryIndex = report.advisories.into_iter().collect();
    let indexed = start.elapsed();

    let start = Instant::now();
    let mut hits = 0;
    for i in 0..RECORDS {
        hits += index.matches(Npm, &format!("pkg-{i}"), "20.0.4").len();
    }
    let matched = start.elapsed();
    assert!(hits >= RECORDS / 3);

    // Writing 200,000 small files dominates the run on slow file systems; a tenth
    // of them is enough to see the directory walker's rate.
    let dir = tempfile::tempdir().unwrap();
    let on_disk = RECORDS / 10;
    for (name, bytes) in &records[..on_disk] {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let start = Instant::now();
    let from_dir = load_dir(dir.path()).unwrap();
    let walked = start.elapsed();
    assert_eq!(from_dir.advisories.len(), on_disk);

    eprintln!(
        "{RECORDS} records: zip parse {parsed:?}, index {indexed:?}, \
         {RECORDS} lookups {matched:?}; {on_disk} files: directory parse {walked:?}"
    );
}

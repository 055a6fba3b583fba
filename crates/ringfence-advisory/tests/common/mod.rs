//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use ringfence_advisory::{Advisory, AdvisoryIndex, load_dir, parse_record};

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
}

/// Parses one fixture file by its path under `tests/fixtures/osv/`.
pub fn fixture(path: &str) -> Advisory {
    let full = fixtures().join(path);
    let bytes = std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    parse_record(&bytes, &full.display().to_string()).unwrap()
}

/// An index of the listed fixture files.
pub fn index_of(paths: &[&str]) -> AdvisoryIndex {
    paths.iter().map(|p| fixture(p)).collect()
}

/// An index of every fixture (staging files without an id are left out by the loader).
pub fn full_index() -> AdvisoryIndex {
    let report = load_dir(&fixtures()).unwrap();
    report.advisories.into_iter().collect()
}

/// Parses an inline synthetic record.
pub fn synthetic(json: &str) -> Advisory {
    parse_record(json.as_bytes(), "synthetic").unwrap()
}

//! The export bundle: one plain tar that carries an incident, its hash-chained timeline, its
//! evidence and its reports, so that an auditor or insurer can check it offline with nothing
//! but the file (`ringfence verify bundle.tar`).
//!
//! Entries, in this order, all mode 0644, uid/gid 0, mtime = the export time:
//! `manifest.json` (first: the list of every other file with its size and SHA-256),
//! `incident.json`, `timeline.jsonl`, `evidence/<sha256>`…, `reports/<name>`….
//!
//! The manifest alone proves nothing (anyone can rehash it); what makes the bundle
//! tamper-evident is that `incident.json` must equal the replay of `timeline.jsonl`, whose
//! hash chain must hold, and that every evidence blob is named by its own hash.

mod error;
mod names;
mod read;
mod verify;
mod write;

use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::model::{Incident, Timestamp};
use crate::timeline::EventRecord;

pub use error::BundleError;
pub use names::{INCIDENT, MANIFEST, TIMELINE, is_report_name, is_sha256_hex};
pub use verify::verify_bundle;
pub use write::write_bundle;

/// The `format` of every bundle's manifest.
pub const FORMAT: &str = "ringfence-incident-bundle";
/// The manifest version this code writes and reads.
pub const VERSION: u64 = 1;

/// Everything an export needs; the store gathers it, [`write_bundle`] checks and writes it.
#[derive(Debug, Clone)]
pub struct BundleInput<'a> {
    pub incident: &'a Incident,
    /// The incident's whole chain, in `seq` order.
    pub timeline: &'a [EventRecord],
    /// `(sha256, bytes)` of every evidence blob the incident references (more is allowed).
    pub evidence: Vec<(String, Vec<u8>)>,
    /// `(file name, bytes)` of report files, stored as `reports/<name>`.
    pub reports: Vec<(String, Vec<u8>)>,
    pub exported_at: Timestamp,
    pub exported_by: String,
}

/// What was written: the manifest's hash goes into the incident's `exported` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleSummary {
    pub manifest_sha256: String,
    /// Tar entries written, the manifest included.
    pub files: usize,
    /// Bytes written, tar padding included.
    pub bytes: u64,
}

/// Bounds on what [`verify_bundle`] will read from an untrusted bundle, all held in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundleLimits {
    pub max_entries: u64,
    pub max_entry_bytes: u64,
    /// Bytes read from the input, tar headers and padding included.
    pub max_total_bytes: u64,
}

impl Default for BundleLimits {
    fn default() -> BundleLimits {
        BundleLimits {
            max_entries: 100_000,
            max_entry_bytes: 512 << 20,
            max_total_bytes: 4 << 30,
        }
    }
}

/// The outcome of verifying a readable bundle: what it claims, and every problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub incident: String,
    pub exported_at: Timestamp,
    pub exported_by: String,
    /// Timeline events in the bundle.
    pub events: u64,
    /// Hash of the last timeline event, as the manifest states it.
    pub chain_head: String,
    /// Entries in the bundle that were read, the manifest included.
    pub files: usize,
    /// `evidence/` entries in the bundle.
    pub evidence: usize,
    /// SHA-256 of `manifest.json`: compare with the incident's `exported` event.
    pub manifest_sha256: String,
    /// Each names the entry (or line) it is about. Empty means the bundle is intact.
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub version: u64,
    pub incident: String,
    pub exported_at: Timestamp,
    pub exported_by: String,
    pub chain_head: String,
    pub events: u64,
    /// Every entry but the manifest itself, in bundle order.
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// The incident events held by a timeline, or the 1-based line and error of each record
/// whose payload or time does not parse.
fn events_of(records: &[EventRecord]) -> Result<Vec<Event>, Vec<(usize, String)>> {
    let mut events = Vec::with_capacity(records.len());
    let mut errors = Vec::new();
    for (i, record) in records.iter().enumerate() {
        match record.event() {
            Ok(e) => events.push(e),
            Err(e) => errors.push((i + 1, e.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(errors)
    }
}

/// The top-level fields in which two JSON objects differ, so a mismatch says where.
fn differing_fields(a: &serde_json::Value, b: &serde_json::Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec!["(the whole document)".into()];
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| k.to_string())
        .collect()
}

//! The domain advisory: one OSV record, validated and classified, with the raw JSON
//! it came from so the store can keep the record byte for byte.

mod convert;

use std::sync::Arc;

use ringfence_package::{Ecosystem, Version};
use time::OffsetDateTime;

use crate::bound::Bound;
use crate::classify::{AdvisoryKind, Severity};
use crate::error::{RecordError, Warning};

/// One OSV advisory. Build it with [`crate::parse_record`] or
/// [`Advisory::from_raw_json`]; both keep the original text ([`Advisory::raw_json`]).
#[derive(Debug, Clone)]
pub struct Advisory {
    pub id: String,
    /// Other ids of the same advisory (`GHSA-…`, `CVE-…`), without `id` itself.
    pub aliases: Vec<String>,
    pub related: Vec<String>,
    pub upstream: Vec<String>,
    pub summary: Option<String>,
    pub details: Option<String>,
    pub schema_version: Option<String>,
    pub published: Option<OffsetDateTime>,
    pub modified: Option<OffsetDateTime>,
    /// When the record was withdrawn. See [`Advisory::is_withdrawn`]: a `withdrawn`
    /// value that is not a valid timestamp still withdraws the record.
    pub withdrawn: Option<OffsetDateTime>,
    pub kind: AdvisoryKind,
    pub severity: Severity,
    /// `severity[]` entries of the record and of its `affected[]` entries.
    pub scores: Vec<SeverityScore>,
    /// `database_specific.cwe_ids` plus the `cwes[].cweId` of `affected[]` entries.
    pub cwe_ids: Vec<String>,
    /// Affected packages of the ecosystems ringfence knows (npm, PyPI, crates.io);
    /// entries for other ecosystems stay in the raw JSON only.
    pub affected: Vec<AffectedPackage>,
    pub references: Vec<Reference>,
    pub credits: Vec<Credit>,
    /// `database_specific.iocs` of malicious-package reports.
    pub iocs: Iocs,
    /// `database_specific["malicious-packages-origins"]`: who reported the malware.
    pub malicious_origins: Vec<MaliciousOrigin>,
    /// Where the record was read from (file path, `all.zip:ID.json`, `snapshot:…`).
    pub origin: String,
    withdrawn_marked: bool,
    raw_json: Arc<str>,
    warnings: Vec<Warning>,
}

/// The versions of one package that an advisory affects.
#[derive(Debug, Clone)]
pub struct AffectedPackage {
    pub ecosystem: Ecosystem,
    /// The name as the record spells it.
    pub name: String,
    /// The name as [`normalize_name`] folds it: the index key.
    pub normalized_name: String,
    pub purl: Option<String>,
    /// The explicit `versions` list, trimmed.
    pub versions: Vec<String>,
    pub ranges: Vec<AffectedRange>,
    /// PEP 440 forms of `versions`, so `1.0` matches `1.0.0` on PyPI. Empty elsewhere.
    pub(crate) parsed_versions: Vec<Option<Version>>,
}

#[derive(Debug, Clone)]
pub struct AffectedRange {
    pub kind: RangeKind,
    pub repo: Option<String>,
    /// Events in record order; matching sorts them as the spec says.
    pub events: Vec<RangeEvent>,
    /// Some event object held none or several of the four keys.
    pub(crate) malformed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeKind {
    Semver,
    Ecosystem,
    /// Commit ranges: not applicable to registry packages, skipped by matching.
    Git,
    /// A type this version of ringfence does not know.
    Other(String),
}

#[derive(Debug, Clone)]
pub struct RangeEvent {
    pub kind: EventKind,
    pub version: String,
    pub(crate) bound: Bound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Introduced,
    Fixed,
    LastAffected,
    Limit,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeverityScore {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, …
    pub kind: String,
    pub score: String,
    /// Computed for CVSS v3 vectors only.
    pub base_score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub kind: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub name: String,
    pub contact: Vec<String>,
    pub kind: Option<String>,
}

/// Indicators of compromise published with a malicious-package report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Iocs {
    pub domains: Vec<String>,
    pub urls: Vec<String>,
    pub ips: Vec<String>,
    /// Every other key (file digests and future kinds), as the strings found under it.
    pub other: Vec<(String, Vec<String>)>,
}

impl Iocs {
    pub fn is_empty(&self) -> bool {
        self.domains.is_empty()
            && self.urls.is_empty()
            && self.ips.is_empty()
            && self.other.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaliciousOrigin {
    pub source: Option<String>,
    pub id: Option<String>,
}

impl Advisory {
    /// Rebuilds an advisory from the JSON text a store kept ([`Advisory::raw_json`]).
    pub fn from_raw_json(raw: &str, origin: &str) -> Result<Advisory, RecordError> {
        crate::import::parse_record(raw.as_bytes(), origin)
    }

    /// The record exactly as it was read.
    pub fn raw_json(&self) -> &str {
        &self.raw_json
    }

    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn_marked
    }

    pub fn is_malware(&self) -> bool {
        self.kind == AdvisoryKind::KnownMalware
    }

    /// The `(ecosystem, normalised name)` keys this advisory affects, sorted and
    /// without duplicates: what a store indexes the record under.
    pub fn keys(&self) -> Vec<(Ecosystem, String)> {
        let mut keys: Vec<(Ecosystem, String)> = self
            .affected
            .iter()
            .map(|a| (a.ecosystem, a.normalized_name.clone()))
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// This id and every alias.
    pub fn all_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str()).chain(self.aliases.iter().map(String::as_str))
    }

    /// Parts of the record that cannot be evaluated (unknown range types, invalid
    /// bounds, bad timestamps).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    pub(crate) fn attach_source(&mut self, origin: &str, raw: &str) {
        self.origin = origin.to_string();
        self.raw_json = Arc::from(raw);
        for w in &mut self.warnings {
            w.origin = origin.to_string();
        }
    }
}

impl AffectedPackage {
    /// Every `fixed` version named by this entry's ranges: where to upgrade to.
    pub fn fixed_versions(&self) -> Vec<&str> {
        self.event_versions(EventKind::Fixed)
    }

    /// Every `last_affected` version named by this entry's ranges.
    pub fn last_affected_versions(&self) -> Vec<&str> {
        self.event_versions(EventKind::LastAffected)
    }

    /// Every `introduced` version other than the special `0`.
    pub fn introduced_versions(&self) -> Vec<&str> {
        let mut out = self.event_versions(EventKind::Introduced);
        out.retain(|v| v.trim() != "0");
        out
    }

    fn event_versions(&self, kind: EventKind) -> Vec<&str> {
        self.ranges
            .iter()
            .filter(|r| matches!(r.kind, RangeKind::Semver | RangeKind::Ecosystem))
            .flat_map(|r| r.events.iter())
            .filter(|e| e.kind == kind)
            .map(|e| e.version.as_str())
            .collect()
    }
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Introduced => "introduced",
            EventKind::Fixed => "fixed",
            EventKind::LastAffected => "last_affected",
            EventKind::Limit => "limit",
        }
    }
}

//! The OSV record exactly as it sits on disk (schema 1.3 to 1.7).
//!
//! These structs mirror the JSON and nothing else: every field is optional and `null`
//! is accepted wherever real exports write it (`"malicious-packages-origins": null`),
//! because one sloppy field must not cost us a whole record. Validation and meaning
//! live in [`crate::advisory`], which converts a [`RecordWire`] into an `Advisory`.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub(crate) struct RecordWire {
    #[serde(default)]
    pub schema_version: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub modified: Option<String>,
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub withdrawn: Option<String>,
    #[serde(default)]
    pub aliases: Option<Vec<String>>,
    #[serde(default)]
    pub related: Option<Vec<String>>,
    #[serde(default)]
    pub upstream: Option<Vec<String>>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Option<Vec<SeverityWire>>,
    #[serde(default)]
    pub affected: Option<Vec<AffectedWire>>,
    #[serde(default)]
    pub references: Option<Vec<ReferenceWire>>,
    #[serde(default)]
    pub credits: Option<Vec<CreditWire>>,
    #[serde(default)]
    pub database_specific: Option<DatabaseSpecificWire>,
}

/// The top-level `database_specific` keys ringfence reads. Other keys are skipped
/// without being built (the origins list of a malware report can be larger than the
/// rest of the record), which keeps a 200,000-record import fast.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DatabaseSpecificWire {
    /// GitHub: `["CWE-506"]`.
    #[serde(default)]
    pub cwe_ids: Option<Vec<String>>,
    /// GitHub: `LOW`, `MODERATE`, `HIGH`, `CRITICAL`.
    #[serde(default)]
    pub severity: Option<String>,
    /// ossf/malicious-packages: `{"domains": [...], "urls": [...], "ips": [...], ...}`.
    #[serde(default)]
    pub iocs: Option<Value>,
    #[serde(rename = "malicious-packages-origins", default)]
    pub malicious_packages_origins: Option<Vec<OriginWire>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OriginWire {
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SeverityWire {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub score: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct AffectedWire {
    #[serde(default)]
    pub package: Option<PackageWire>,
    #[serde(default)]
    pub severity: Option<Vec<SeverityWire>>,
    #[serde(default)]
    pub ranges: Option<Vec<RangeWire>>,
    #[serde(default)]
    pub versions: Option<Vec<String>>,
    /// Ecosystem-defined; ringfence does not interpret it (the raw JSON keeps it).
    #[serde(default)]
    #[allow(dead_code)]
    pub ecosystem_specific: Option<IgnoredAny>,
    #[serde(default)]
    pub database_specific: Option<AffectedDatabaseSpecificWire>,
}

/// `affected[].database_specific`: ossf/malicious-packages lists CWEs here.
#[derive(Debug, Deserialize)]
pub(crate) struct AffectedDatabaseSpecificWire {
    #[serde(default)]
    pub cwes: Option<Vec<CweWire>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CweWire {
    #[serde(rename = "cweId", default)]
    pub cwe_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PackageWire {
    #[serde(default)]
    pub ecosystem: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub purl: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RangeWire {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub repo: Option<String>,
    #[serde(default)]
    pub events: Option<Vec<EventWire>>,
}

/// One event object. The schema allows exactly one of the four keys per object;
/// the conversion reports objects that carry none or several.
#[derive(Debug, Deserialize)]
pub(crate) struct EventWire {
    #[serde(default)]
    pub introduced: Option<String>,
    #[serde(default)]
    pub fixed: Option<String>,
    #[serde(default)]
    pub last_affected: Option<String>,
    #[serde(default)]
    pub limit: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReferenceWire {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CreditWire {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub contact: Option<Vec<String>>,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
}

//! Wire record → [`Advisory`]: validation, classification, and the lenient reading
//! of the parts real exports get wrong (nulls, empty strings, odd ecosystems).

use std::sync::Arc;

use ringfence_package::{Ecosystem, Version, normalize_name};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{
    Advisory, AffectedPackage, AffectedRange, Credit, EventKind, Iocs, MaliciousOrigin, RangeEvent,
    RangeKind, Reference, SeverityScore,
};
use crate::bound::Bound;
use crate::classify::{AdvisoryKind, Severity, classify_kind, cvss3_base_score};
use crate::error::{RecordErrorKind, Warning, WarningKind};
use crate::wire::{AffectedWire, EventWire, RangeWire, RecordWire, SeverityWire};

/// Validates a wire record. The `origin` and raw text are attached by the caller
/// ([`crate::parse_record`]), which knows them.
impl TryFrom<RecordWire> for Advisory {
    type Error = RecordErrorKind;

    fn try_from(wire: RecordWire) -> Result<Self, Self::Error> {
        let id = wire
            .id
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        if id.is_empty() {
            return Err(RecordErrorKind::MissingId);
        }
        let mut warnings = Vec::new();
        let mut warn = |kind: WarningKind| {
            warnings.push(Warning {
                origin: String::new(),
                advisory_id: id.clone(),
                kind,
            })
        };

        let aliases = clean_ids(wire.aliases, &id);
        let related = clean_ids(wire.related, &id);
        let upstream = clean_ids(wire.upstream, &id);
        let published = timestamp("published", wire.published.as_deref(), &mut warn);
        let modified = timestamp("modified", wire.modified.as_deref(), &mut warn);
        let withdrawn_text = wire
            .withdrawn
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let withdrawn = timestamp("withdrawn", withdrawn_text, &mut warn);

        let db = wire.database_specific.unwrap_or_default();
        let mut cwe_ids: Vec<String> = db
            .cwe_ids
            .iter()
            .flatten()
            .map(|c| c.trim().to_string())
            .collect();
        let mut scores = scores_of(wire.severity);
        let mut affected = Vec::new();
        for mut entry in wire.affected.unwrap_or_default() {
            cwe_ids.extend(affected_cwes(&entry));
            scores.extend(scores_of(entry.severity.take()));
            if let Some(pkg) = affected_package(entry, &mut warn) {
                affected.push(pkg);
            }
        }
        dedup_in_order(&mut cwe_ids);

        let kind = classify_kind(&id, &aliases, &cwe_ids);
        let severity = severity_of(kind, db.severity.as_deref(), &scores);

        Ok(Advisory {
            kind,
            severity,
            aliases,
            related,
            upstream,
            summary: non_empty(wire.summary),
            details: non_empty(wire.details),
            schema_version: non_empty(wire.schema_version),
            published,
            modified,
            withdrawn,
            withdrawn_marked: withdrawn_text.is_some(),
            scores,
            cwe_ids,
            affected,
            references: wire
                .references
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| {
                    Some(Reference {
                        kind: r.kind.unwrap_or_default(),
                        url: r.url?,
                    })
                })
                .collect(),
            credits: wire
                .credits
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| {
                    Some(Credit {
                        name: c.name?,
                        contact: c.contact.unwrap_or_default(),
                        kind: c.kind,
                    })
                })
                .collect(),
            iocs: iocs_of(db.iocs.as_ref()),
            malicious_origins: db
                .malicious_packages_origins
                .unwrap_or_default()
                .into_iter()
                .map(|o| MaliciousOrigin {
                    source: o.source,
                    id: o.id,
                })
                .collect(),
            origin: String::new(),
            raw_json: Arc::from(""),
            warnings,
            id,
        })
    }
}

fn affected_package(
    entry: AffectedWire,
    warn: &mut impl FnMut(WarningKind),
) -> Option<AffectedPackage> {
    let package = entry.package?;
    let ecosystem = Ecosystem::from_osv(package.ecosystem.as_deref()?.trim())?;
    let name = package.name?.trim().to_string();
    if name.is_empty() {
        return None;
    }
    let versions: Vec<String> = entry
        .versions
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    let parsed_versions = if ecosystem == Ecosystem::PyPI {
        versions
            .iter()
            .map(|v| Version::parse(ecosystem, v).ok())
            .collect()
    } else {
        Vec::new()
    };
    let ranges = entry
        .ranges
        .unwrap_or_default()
        .into_iter()
        .map(|r| affected_range(ecosystem, &name, r, warn))
        .collect();
    Some(AffectedPackage {
        normalized_name: normalize_name(ecosystem, &name),
        ecosystem,
        name,
        purl: package.purl,
        versions,
        ranges,
        parsed_versions,
    })
}

fn affected_range(
    ecosystem: Ecosystem,
    package: &str,
    wire: RangeWire,
    warn: &mut impl FnMut(WarningKind),
) -> AffectedRange {
    let type_text = wire.kind.unwrap_or_default();
    let kind = match type_text.trim() {
        "SEMVER" => RangeKind::Semver,
        "ECOSYSTEM" => RangeKind::Ecosystem,
        "GIT" => RangeKind::Git,
        other => {
            warn(WarningKind::UnsupportedRangeType {
                ecosystem,
                package: package.to_string(),
                range_type: other.to_string(),
            });
            RangeKind::Other(other.to_string())
        }
    };
    let evaluable = matches!(kind, RangeKind::Semver | RangeKind::Ecosystem);
    let mut malformed = false;
    let mut events = Vec::new();
    for event in wire.events.unwrap_or_default() {
        match single_event(event) {
            Some((kind, version)) => {
                let bound = if evaluable {
                    Bound::parse(ecosystem, kind.as_str(), &version)
                } else {
                    Bound::Invalid("range type is not evaluated".into())
                };
                if let (true, Bound::Invalid(reason)) = (evaluable, &bound) {
                    warn(WarningKind::InvalidBound {
                        ecosystem,
                        package: package.to_string(),
                        event: kind.as_str(),
                        version: version.clone(),
                        reason: reason.clone(),
                    });
                }
                events.push(RangeEvent {
                    kind,
                    version,
                    bound,
                });
            }
            None => malformed = true,
        }
    }
    if evaluable && malformed {
        warn(WarningKind::MalformedEvent {
            ecosystem,
            package: package.to_string(),
        });
    }
    if evaluable && !events.iter().any(|e| e.kind == EventKind::Introduced) {
        warn(WarningKind::NoIntroduced {
            ecosystem,
            package: package.to_string(),
        });
    }
    AffectedRange {
        kind,
        repo: wire.repo,
        events,
        malformed,
    }
}

/// The one key an event object must hold, or `None` if it holds none or several.
fn single_event(e: EventWire) -> Option<(EventKind, String)> {
    let mut found = [
        (EventKind::Introduced, e.introduced),
        (EventKind::Fixed, e.fixed),
        (EventKind::LastAffected, e.last_affected),
        (EventKind::Limit, e.limit),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?.trim().to_string())));
    let first = found.next()?;
    match found.next() {
        None if !first.1.is_empty() => Some(first),
        _ => None,
    }
}

fn affected_cwes(entry: &AffectedWire) -> Vec<String> {
    entry
        .database_specific
        .iter()
        .flat_map(|d| d.cwes.iter().flatten())
        .filter_map(|c| Some(c.cwe_id.as_deref()?.trim().to_string()))
        .collect()
}

fn scores_of(wire: Option<Vec<SeverityWire>>) -> Vec<SeverityScore> {
    wire.unwrap_or_default()
        .into_iter()
        .filter_map(|s| {
            let score = s.score?;
            Some(SeverityScore {
                base_score: cvss3_base_score(&score),
                kind: s.kind.unwrap_or_default(),
                score,
            })
        })
        .collect()
}

/// Malware is always critical; otherwise the database's own label wins over a
/// computed CVSS v3 score. CVSS v4 vectors are kept but not scored (the v4 formula
/// needs the full macro-vector table), so a v4-only record is `Unknown`.
fn severity_of(kind: AdvisoryKind, label: Option<&str>, scores: &[SeverityScore]) -> Severity {
    if kind == AdvisoryKind::KnownMalware {
        return Severity::Critical;
    }
    if let Some(label) = label.and_then(Severity::from_label) {
        return label;
    }
    scores
        .iter()
        .filter_map(|s| s.base_score)
        .map(Severity::from_cvss_score)
        .max()
        .unwrap_or(Severity::Unknown)
}

fn iocs_of(value: Option<&Value>) -> Iocs {
    let mut iocs = Iocs::default();
    let Some(Value::Object(map)) = value else {
        return iocs;
    };
    for (key, v) in map {
        let mut strings = Vec::new();
        collect_strings(v, &mut strings);
        match key.as_str() {
            "domains" => iocs.domains = strings,
            "urls" => iocs.urls = strings,
            "ips" => iocs.ips = strings,
            _ => iocs.other.push((key.clone(), strings)),
        }
    }
    iocs
}

/// Every string leaf of a JSON value. serde_json caps nesting at 128 levels when
/// parsing, so this recursion is bounded.
fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

fn clean_ids(ids: Option<Vec<String>>, own_id: &str) -> Vec<String> {
    let mut out: Vec<String> = ids
        .unwrap_or_default()
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s != own_id)
        .collect();
    dedup_in_order(&mut out);
    out
}

fn dedup_in_order(items: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|s| seen.insert(s.clone()));
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

fn timestamp(
    field: &'static str,
    text: Option<&str>,
    warn: &mut impl FnMut(WarningKind),
) -> Option<OffsetDateTime> {
    let text = text?.trim();
    match OffsetDateTime::parse(text, &Rfc3339) {
        Ok(t) => Some(t),
        Err(_) => {
            warn(WarningKind::InvalidTimestamp {
                field,
                value: text.to_string(),
            });
            None
        }
    }
}

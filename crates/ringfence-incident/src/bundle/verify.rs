//! Verifying a bundle offline. Every check runs and every problem is reported, each naming
//! its entry or line; only a bundle that cannot be read at all (not a tar, truncated, over a
//! limit, no usable manifest) is an error.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;

use serde_json::Value;

use super::names::{
    EntryKind, INCIDENT, MANIFEST, TIMELINE, classify, evidence_name, evidence_path, printable,
};
use super::read::read_entries;
use super::{
    BundleError, BundleLimits, FORMAT, Manifest, VERSION, VerifyReport, differing_fields, events_of,
};
use crate::model::{Incident, IncidentId};
use crate::timeline::{EventRecord, GENESIS, sha256_hex, verify_chain};

/// Reads a bundle from `input` (in memory only, within `limits`) and checks it whole.
pub fn verify_bundle<R: Read>(
    input: R,
    limits: &BundleLimits,
) -> Result<VerifyReport, BundleError> {
    let raw = read_entries(input, limits)?;
    let mut problems = raw.problems;
    let files = by_name(raw.files, &mut problems);
    let manifest_bytes = files.get(MANIFEST).ok_or(BundleError::NoManifest)?;
    if let Some(first) = raw.first.as_deref().filter(|first| *first != MANIFEST) {
        problems.push(format!("{MANIFEST}: not the first entry (`{first}` is)"));
    }
    let manifest = parse_manifest(manifest_bytes)?;

    check_listing(&manifest, &files, &mut problems);
    let evidence = check_evidence(&files, &mut problems);
    let incident_json = parse_incident(&files, &mut problems);
    if let Some(incident) = &incident_json {
        check_references(incident, &files, &mut problems);
    }
    if let Some(records) = parse_timeline(&files, &mut problems) {
        check_timeline(&manifest, &records, &mut problems);
        if let (Some(replayed), Some(incident)) =
            (replay(&manifest, &records, &mut problems), &incident_json)
            && replayed != *incident
        {
            problems.push(format!(
                "{INCIDENT}: differs from the replay of {TIMELINE} in: {}",
                differing_fields(incident, &replayed).join(", ")
            ));
        }
    }

    Ok(VerifyReport {
        manifest_sha256: sha256_hex(manifest_bytes),
        incident: manifest.incident,
        exported_at: manifest.exported_at,
        exported_by: manifest.exported_by,
        events: manifest.events,
        chain_head: manifest.chain_head,
        files: files.len(),
        evidence,
        problems: problems.iter().map(|p| printable(p)).collect(),
    })
}

/// Files by name; a second entry with a name already seen is a problem and is not used.
fn by_name(
    entries: Vec<(String, Vec<u8>)>,
    problems: &mut Vec<String>,
) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for (name, bytes) in entries {
        match files.entry(name) {
            Entry::Vacant(slot) => {
                slot.insert(bytes);
            }
            Entry::Occupied(seen) => problems.push(format!(
                "{}: appears more than once; only the first is checked",
                seen.key()
            )),
        }
    }
    files
}

fn parse_manifest(bytes: &[u8]) -> Result<Manifest, BundleError> {
    let bad = |reason: String| BundleError::BadManifest {
        reason: printable(&reason),
    };
    let value: Value = serde_json::from_slice(bytes).map_err(|e| bad(format!("not JSON: {e}")))?;
    let (format, version) = (value.get("format"), value.get("version"));
    if format.and_then(Value::as_str) != Some(FORMAT)
        || version.and_then(Value::as_u64) != Some(VERSION)
    {
        return Err(bad(format!(
            "format {} version {} is not one this ringfence reads ({FORMAT} version {VERSION})",
            brief(format),
            brief(version)
        )));
    }
    serde_json::from_value(value).map_err(|e| bad(e.to_string()))
}

/// A JSON value for an error message, cut short: it comes from an untrusted file.
fn brief(value: Option<&Value>) -> String {
    let text = value.map_or("(missing)".into(), Value::to_string);
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// The manifest and the entries list the same files, with the same sizes and hashes.
fn check_listing(
    manifest: &Manifest,
    files: &BTreeMap<String, Vec<u8>>,
    problems: &mut Vec<String>,
) {
    let mut listed = BTreeSet::new();
    for file in &manifest.files {
        let path = &file.path;
        if !listed.insert(path.as_str()) {
            problems.push(format!("{MANIFEST}: lists `{path}` twice"));
            continue;
        }
        if matches!(classify(path), None | Some(EntryKind::Manifest)) {
            problems.push(format!(
                "{MANIFEST}: lists `{path}`, which is not a bundle file name"
            ));
            continue;
        }
        let Some(bytes) = files.get(path) else {
            problems.push(format!(
                "{path}: listed in the manifest but missing from the bundle"
            ));
            continue;
        };
        if bytes.len() as u64 != file.size {
            problems.push(format!(
                "{path}: {} bytes, the manifest says {}",
                bytes.len(),
                file.size
            ));
        }
        let actual = sha256_hex(bytes);
        if actual != file.sha256 {
            problems.push(format!(
                "{path}: sha256 {actual}, the manifest says {}",
                file.sha256
            ));
        }
    }
    for name in files.keys().filter(|name| *name != MANIFEST) {
        if classify(name).is_none() {
            problems.push(format!("{name}: not a file a bundle contains"));
        } else if !listed.contains(name.as_str()) {
            problems.push(format!("{name}: not listed in the manifest"));
        }
    }
    for required in [INCIDENT, TIMELINE] {
        if !files.contains_key(required) && !listed.contains(required) {
            problems.push(format!("{required}: missing from the bundle"));
        }
    }
}

/// Every evidence blob hashes to its name. Returns how many there are.
fn check_evidence(files: &BTreeMap<String, Vec<u8>>, problems: &mut Vec<String>) -> usize {
    let mut count = 0;
    for (path, bytes) in files {
        if let Some(sha256) = evidence_name(path) {
            count += 1;
            let actual = sha256_hex(bytes);
            if actual != sha256 {
                problems.push(format!(
                    "{path}: content hashes to {actual}, not to its name"
                ));
            }
        }
    }
    count
}

fn parse_incident(files: &BTreeMap<String, Vec<u8>>, problems: &mut Vec<String>) -> Option<Value> {
    let bytes = files.get(INCIDENT)?;
    serde_json::from_slice(bytes)
        .map_err(|e| problems.push(format!("{INCIDENT}: not JSON: {e}")))
        .ok()
}

/// Every evidence blob the incident references is in the bundle.
fn check_references(
    incident: &Value,
    files: &BTreeMap<String, Vec<u8>>,
    problems: &mut Vec<String>,
) {
    let referenced = incident
        .get("evidence")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for evidence in referenced {
        let sha256 = evidence
            .get("sha256")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !files.contains_key(&evidence_path(sha256)) {
            let name = evidence
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            problems.push(format!(
                "{INCIDENT}: references evidence {sha256} (`{name}`), which is not in the bundle"
            ));
        }
    }
}

/// The timeline's records, or `None` if it is missing or any line does not parse.
fn parse_timeline(
    files: &BTreeMap<String, Vec<u8>>,
    problems: &mut Vec<String>,
) -> Option<Vec<EventRecord>> {
    let bytes = files.get(TIMELINE)?;
    let Ok(text) = std::str::from_utf8(bytes) else {
        problems.push(format!("{TIMELINE}: not UTF-8"));
        return None;
    };
    let mut records = Vec::new();
    let mut all_parsed = true;
    for (i, line) in text.split_terminator('\n').enumerate() {
        match serde_json::from_str::<EventRecord>(line) {
            Ok(record) => records.push(record),
            Err(e) => {
                problems.push(format!("{TIMELINE} line {}: {e}", i + 1));
                all_parsed = false;
            }
        }
    }
    all_parsed.then_some(records)
}

/// The chain holds, and the manifest's head and count are the timeline's.
fn check_timeline(manifest: &Manifest, records: &[EventRecord], problems: &mut Vec<String>) {
    if let Err(broken) = verify_chain(&manifest.incident, records) {
        problems.push(format!("{TIMELINE}: {broken}"));
    }
    let head = records.last().map_or(GENESIS, |r| r.hash.as_str());
    if manifest.chain_head != head {
        problems.push(format!(
            "{MANIFEST}: chain_head {} is not the last event's hash {head}",
            manifest.chain_head
        ));
    }
    if manifest.events != records.len() as u64 {
        problems.push(format!(
            "{MANIFEST}: says {} events, {TIMELINE} has {}",
            manifest.events,
            records.len()
        ));
    }
}

/// The incident the timeline replays to, as JSON.
fn replay(
    manifest: &Manifest,
    records: &[EventRecord],
    problems: &mut Vec<String>,
) -> Option<Value> {
    let id: IncidentId = match manifest.incident.parse() {
        Ok(id) => id,
        Err(e) => {
            problems.push(format!("{MANIFEST}: incident: {e}"));
            return None;
        }
    };
    let events = match events_of(records) {
        Ok(events) => events,
        Err(errors) => {
            for (line, reason) in errors {
                problems.push(format!("{TIMELINE} line {line}: {reason}"));
            }
            return None;
        }
    };
    match Incident::replay(id, &events) {
        Ok(incident) => serde_json::to_value(incident)
            .map_err(|e| problems.push(format!("{TIMELINE}: the replay does not serialise: {e}")))
            .ok(),
        Err(e) => {
            problems.push(format!("{TIMELINE}: does not replay: {e}"));
            None
        }
    }
}

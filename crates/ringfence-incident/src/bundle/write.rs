//! Writing a bundle. The export refuses what `verify_bundle` would reject (a broken chain, an
//! incident that is not its timeline's replay, evidence that is missing or misnamed), so a
//! bundle that leaves ringfence always verifies.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use super::names::{INCIDENT, MANIFEST, TIMELINE, evidence_path, is_report_name, report_path};
use super::{
    BundleError, BundleInput, BundleSummary, FORMAT, Manifest, ManifestFile, VERSION,
    differing_fields, events_of, is_sha256_hex,
};
use crate::model::Incident;
use crate::timeline::{GENESIS, sha256_hex, verify_chain};

/// Writes `input` as a bundle to `out` and returns the manifest's hash.
pub fn write_bundle<W: Write>(out: W, input: &BundleInput) -> Result<BundleSummary, BundleError> {
    check_timeline(input)?;
    let files = bundle_files(input)?;
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        incident: input.incident.id.to_string(),
        exported_at: input.exported_at,
        exported_by: input.exported_by.clone(),
        chain_head: input
            .timeline
            .last()
            .map_or(GENESIS, |r| r.hash.as_str())
            .to_string(),
        events: input.timeline.len() as u64,
        files: files
            .iter()
            .map(|(path, bytes)| ManifestFile {
                path: path.clone(),
                sha256: sha256_hex(bytes),
                size: bytes.len() as u64,
            })
            .collect(),
    };
    let mut manifest_bytes = serde_json::to_vec_pretty(&manifest)?;
    manifest_bytes.push(b'\n');

    // Negative times (before 1970) cannot be a tar mtime; they clamp to the epoch.
    let mtime = u64::try_from(input.exported_at.0.unix_timestamp()).unwrap_or(0);
    let mut counted = Counted {
        inner: out,
        bytes: 0,
    };
    let mut tar = tar::Builder::new(&mut counted);
    append(&mut tar, MANIFEST, &manifest_bytes, mtime)?;
    for (path, bytes) in &files {
        append(&mut tar, path, bytes, mtime)?;
    }
    tar.into_inner().map_err(BundleError::Write)?;
    counted.flush().map_err(BundleError::Write)?;
    Ok(BundleSummary {
        manifest_sha256: sha256_hex(&manifest_bytes),
        files: files.len() + 1,
        bytes: counted.bytes,
    })
}

/// The chain holds and the incident is exactly what it replays to.
fn check_timeline(input: &BundleInput) -> Result<(), BundleError> {
    verify_chain(&input.incident.id.to_string(), input.timeline)?;
    let events = events_of(input.timeline).map_err(|errors| {
        let (line, reason) = errors.into_iter().next().unwrap_or_default();
        BundleError::TimelineRecord { line, reason }
    })?;
    let replayed = serde_json::to_value(Incident::replay(input.incident.id, &events)?)?;
    let given = serde_json::to_value(input.incident)?;
    if replayed != given {
        let fields = differing_fields(&replayed, &given);
        return Err(BundleError::NotTheReplay { fields });
    }
    Ok(())
}

/// `(path, bytes)` of the entries after the manifest.
type Files<'a> = Vec<(String, Cow<'a, [u8]>)>;

/// Every entry after the manifest, in bundle order: evidence by hash, reports by name.
fn bundle_files<'a>(input: &'a BundleInput) -> Result<Files<'a>, BundleError> {
    let mut evidence: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for (sha256, bytes) in &input.evidence {
        if !is_sha256_hex(sha256) {
            return Err(BundleError::EvidenceName {
                name: sha256.clone(),
            });
        }
        let actual = sha256_hex(bytes);
        if &actual != sha256 {
            return Err(BundleError::EvidenceHash {
                sha256: sha256.clone(),
                actual,
            });
        }
        evidence.insert(sha256, bytes);
    }
    if let Some(e) = input
        .incident
        .evidence
        .iter()
        .find(|e| !evidence.contains_key(e.sha256.as_str()))
    {
        return Err(BundleError::MissingEvidence {
            sha256: e.sha256.clone(),
            name: e.name.clone(),
        });
    }
    let mut reports: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for (name, bytes) in &input.reports {
        if !is_report_name(name) {
            return Err(BundleError::ReportName { name: name.clone() });
        }
        if reports.insert(name, bytes).is_some() {
            return Err(BundleError::DuplicateReport { name: name.clone() });
        }
    }

    let mut incident = serde_json::to_vec_pretty(input.incident)?;
    incident.push(b'\n');
    let mut timeline = Vec::new();
    for record in input.timeline {
        serde_json::to_writer(&mut timeline, record)?;
        timeline.push(b'\n');
    }
    let mut files = vec![
        (INCIDENT.to_string(), Cow::Owned(incident)),
        (TIMELINE.to_string(), Cow::Owned(timeline)),
    ];
    files.extend(
        evidence
            .into_iter()
            .map(|(sha, b)| (evidence_path(sha), Cow::Borrowed(b))),
    );
    files.extend(
        reports
            .into_iter()
            .map(|(name, b)| (report_path(name), Cow::Borrowed(b))),
    );
    Ok(files)
}

/// One regular file with fixed metadata, so the same input always gives the same bytes.
fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    bytes: &[u8],
    mtime: u64,
) -> Result<(), BundleError> {
    let mut header = tar::Header::new_ustar();
    header.set_path(path).map_err(BundleError::Write)?;
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(bytes.len() as u64);
    header.set_mode(0o644);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(mtime);
    header.set_cksum();
    tar.append(&header, bytes).map_err(BundleError::Write)
}

/// Counts what reaches the output, for the summary.
struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

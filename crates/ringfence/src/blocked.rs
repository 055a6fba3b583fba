//! The scan gate's blocklist check: every resolved package version that is on the blocklist.

use std::collections::BTreeSet;

use ringfence_incident::IncidentId;
use ringfence_lockfile::Lockfile;
use ringfence_store::BlockEntry;
use serde::Serialize;

use crate::output::display_path;

/// A lockfile resolves a blocked version.
#[derive(Debug, Clone, Serialize)]
pub struct BlockedHit {
    pub project: String,
    pub lockfile: String,
    pub line: Option<u32>,
    pub ecosystem: String,
    pub package: String,
    pub version: String,
    pub reason: String,
    pub incident: Option<IncidentId>,
    pub path: Vec<String>,
    /// Not on a blocklist but younger than the policy's `min-release-age`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub too_new: bool,
}

pub fn blocked_hits(lockfiles: &[Lockfile], blocklist: &[BlockEntry]) -> Vec<BlockedHit> {
    if blocklist.is_empty() {
        return Vec::new();
    }
    let mut hits = Vec::new();
    for l in lockfiles {
        let location = display_path(&l.path);
        let mut seen = BTreeSet::new();
        for p in &l.packages {
            let ecosystem = p.ecosystem.osv_name();
            let Some(entry) = blocklist
                .iter()
                .find(|e| e.ecosystem == ecosystem && e.name == p.name && e.version == p.version)
            else {
                continue;
            };
            if !seen.insert((p.name.clone(), p.version.clone())) {
                continue;
            }
            hits.push(BlockedHit {
                project: l.project.clone(),
                lockfile: location.clone(),
                line: p.line,
                ecosystem: ecosystem.to_string(),
                package: p.name.clone(),
                version: p.version.clone(),
                reason: entry.reason.clone(),
                incident: entry.incident,
                path: p.path.clone(),
                too_new: false,
            });
        }
    }
    hits
}

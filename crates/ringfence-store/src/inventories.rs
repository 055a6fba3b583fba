//! Recorded scans: what each lockfile resolved at a point in time, and what was found in it.
//! The latest inventory of a project decides the recovery gate. A scan is recorded in one
//! transaction, so a crash part-way leaves either all of it or none.

use std::collections::{BTreeMap, BTreeSet};

use ringfence_incident::{GateFacts, Incident};
use serde::Serialize;

use crate::backend::{for_each_backend, transaction};
use crate::{Store, StoreError};

/// One `scan --record`.
#[derive(Debug, Clone, Serialize)]
pub struct ScanRecord {
    /// RFC 3339.
    pub at: String,
    pub actor: String,
    pub lockfiles: Vec<InventoryRecord>,
    pub findings: Vec<FindingRecord>,
}

/// What one lockfile resolved.
#[derive(Debug, Clone, Serialize)]
pub struct InventoryRecord {
    pub project: String,
    /// Identifies the project across scans.
    pub lockfile: String,
    pub format: String,
    pub commit: Option<String>,
    pub packages: Vec<PackageRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PackageRecord {
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    pub direct: bool,
    pub dev: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingRecord {
    /// Index into [`ScanRecord::lockfiles`].
    pub lockfile: usize,
    pub ecosystem: String,
    pub name: String,
    pub version: String,
    /// `known-malware`, `malicious-verdict`, `vulnerability`, `blocked`...
    pub kind: String,
    pub source: String,
    pub summary: String,
}

/// The id of a recorded scan and of each of its inventories, in order.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedScan {
    pub scan: i64,
    pub inventories: Vec<i64>,
}

impl Store {
    /// Records a scan: every inventory with its packages and the findings, all or nothing.
    pub async fn record_scan(&self, scan: &ScanRecord) -> Result<RecordedScan, StoreError> {
        let action = "recording a scan";
        let recorded = transaction!(self, action, crate::inventories, |sql, conn| {
            sql::record(conn, scan)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(recorded)
    }

    /// What the gates need beyond the incident: which affected versions are blocked, and
    /// which the latest inventory of each affected project still resolves.
    pub async fn gate_facts(&self, incident: &Incident) -> Result<GateFacts, StoreError> {
        let action = "checking stage gates";
        let facts = transaction!(self, action, crate::inventories, |sql, conn| {
            sql::gate_facts(conn, incident)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(facts)
    }

    /// How many scans are recorded, and the newest one's time.
    pub async fn scan_count(&self) -> Result<(i64, Option<String>), StoreError> {
        let action = "counting scans";
        let count = transaction!(self, action, crate::inventories, |sql, conn| {
            sql::count(conn)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(count)
    }
}

/// The packages as one JSON array of `[ecosystem, name, version, direct, dev]` rows: one
/// bound parameter however large the inventory, read back by `json_each` (SQLite) or
/// `jsonb_array_elements` (PostgreSQL).
fn packages_json(packages: &[PackageRecord]) -> String {
    let unique: BTreeSet<&PackageRecord> = packages.iter().collect();
    let rows: Vec<(&str, &str, &str, u8, u8)> = unique
        .into_iter()
        .map(|p| {
            (
                p.ecosystem.as_str(),
                p.name.as_str(),
                p.version.as_str(),
                p.direct as u8,
                p.dev as u8,
            )
        })
        .collect();
    serde_json::to_string(&rows).expect("serialises")
}

for_each_backend! {
    pub(crate) async fn record(conn: &mut Conn, scan: &ScanRecord) -> Result<RecordedScan, sqlx::Error> {
        let packages: usize = scan.lockfiles.iter().map(|l| l.packages.len()).sum();
        let (scan_id,): (i64,) = sqlx::query_as(
            "INSERT INTO scans (at, actor, lockfiles, packages, findings) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&scan.at)
        .bind(&scan.actor)
        .bind(scan.lockfiles.len() as i64)
        .bind(packages as i64)
        .bind(scan.findings.len() as i64)
        .fetch_one(&mut *conn)
        .await?;
        let mut inventories = Vec::with_capacity(scan.lockfiles.len());
        for l in &scan.lockfiles {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO inventories (scan_id, project, lockfile, format, git_commit, package_count) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(scan_id)
            .bind(&l.project)
            .bind(&l.lockfile)
            .bind(&l.format)
            .bind(&l.commit)
            .bind(l.packages.len() as i64)
            .fetch_one(&mut *conn)
            .await?;
            let insert = if POSTGRES {
                "INSERT INTO inventory_packages (inventory_id, ecosystem, name, version, direct, dev) \
                 SELECT $1, e->>0, e->>1, e->>2, (e->>3)::int <> 0, (e->>4)::int <> 0 \
                 FROM jsonb_array_elements($2::jsonb) AS e"
            } else {
                "INSERT INTO inventory_packages (inventory_id, ecosystem, name, version, direct, dev) \
                 SELECT $1, value->>0, value->>1, value->>2, value->>3, value->>4 FROM json_each($2)"
            };
            sqlx::query(insert)
                .bind(id)
                .bind(packages_json(&l.packages))
                .execute(&mut *conn)
                .await?;
            inventories.push(id);
        }
        for f in &scan.findings {
            let Some(inventory) = inventories.get(f.lockfile) else { continue };
            sqlx::query(
                "INSERT INTO findings (scan_id, inventory_id, ecosystem, name, version, kind, source, summary) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(scan_id)
            .bind(inventory)
            .bind(&f.ecosystem)
            .bind(&f.name)
            .bind(&f.version)
            .bind(&f.kind)
            .bind(&f.source)
            .bind(&f.summary)
            .execute(&mut *conn)
            .await?;
        }
        Ok(RecordedScan { scan: scan_id, inventories })
    }

    pub(crate) async fn gate_facts(conn: &mut Conn, incident: &Incident) -> Result<GateFacts, sqlx::Error> {
        let mut facts = GateFacts::default();
        for p in &incident.packages {
            let rows: Vec<(String,)> = sqlx::query_as(
                "SELECT version FROM blocklist WHERE ecosystem = $1 AND name = $2",
            )
            .bind(&p.ecosystem)
            .bind(&p.name)
            .fetch_all(&mut *conn)
            .await?;
            for (v,) in rows {
                facts.blocked.insert((p.ecosystem.clone(), p.name.clone(), v));
            }
        }
        let mut still: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for project in &incident.projects {
            let latest: Option<(i64,)> = sqlx::query_as(
                "SELECT id FROM inventories WHERE lockfile = $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(&project.lockfile)
            .fetch_optional(&mut *conn)
            .await?;
            let Some((inventory,)) = latest else { continue };
            let mut resolved = Vec::new();
            for p in &incident.packages {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT DISTINCT version FROM inventory_packages \
                     WHERE inventory_id = $1 AND ecosystem = $2 AND name = $3",
                )
                .bind(inventory)
                .bind(&p.ecosystem)
                .bind(&p.name)
                .fetch_all(&mut *conn)
                .await?;
                for (v,) in rows {
                    if p.versions.contains(&v) {
                        resolved.push(format!("{}@{v}", p.name));
                    }
                }
            }
            still.insert(project.lockfile.clone(), resolved);
        }
        facts.still_resolved = still;
        Ok(facts)
    }

    pub(crate) async fn count(conn: &mut Conn) -> Result<(i64, Option<String>), sqlx::Error> {
        sqlx::query_as("SELECT COUNT(*), MAX(at) FROM scans").fetch_one(&mut *conn).await
    }
}

//! The advisory database: OSV records stored whole, indexed by the (ecosystem, package name)
//! keys they affect.
//!
//! An import is one transaction. Rows go in batches: for each batch the stored
//! (`modified`, content hash) of the same ids is read, each row is classified (new, newer,
//! identical, older), and only new and newer rows are written, with their key rows replaced.
//! The backend modules hold the SQL; the rules live in `import` so both backends share them.

mod import;
mod postgres;
mod sqlite;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{Pool, Store, StoreError};
use import::Batches;

/// One advisory as the store keeps it. The advisory crate fills it from an OSV record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryRow {
    pub id: String,
    /// RFC 3339; decides which of two versions of a record wins.
    pub modified: Option<String>,
    /// RFC 3339.
    pub published: Option<String>,
    /// Withdrawn records are kept (so a re-import does not bring them back) but never matched.
    pub withdrawn: bool,
    /// A malicious-package record (OSV `MAL-` ids).
    pub malware: bool,
    /// (ecosystem as OSV spells it, normalised package name) for every package it affects.
    pub ecosystem_names: Vec<(String, String)>,
    /// The record itself, returned unchanged by [`Store::advisories_for`].
    pub json: String,
}

/// What an import did with its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Ids not stored before.
    pub inserted: u64,
    /// Stored records replaced by a newer `modified`, or by different content with the same one.
    pub updated: u64,
    /// Identical to what was stored.
    pub unchanged: u64,
    /// Older than what was stored, so not written.
    pub skipped_older: u64,
}

impl ImportSummary {
    pub fn total(&self) -> u64 {
        self.inserted + self.updated + self.unchanged + self.skipped_older
    }
}

/// What the advisory database holds, for `ringfence advisory status` and `doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdvisoryStatus {
    /// (ecosystem, advisories, of which malware), in byte order of ecosystem; withdrawn
    /// excluded.
    /// An advisory that spans ecosystems counts once in each.
    pub per_ecosystem: Vec<(String, u64, u64)>,
    /// Advisories that can match (withdrawn excluded).
    pub total: u64,
    /// Withdrawn advisories kept so that re-imports do not resurrect them.
    pub withdrawn: u64,
    /// The latest `modified` of any stored record, as it was imported.
    pub newest_modified: Option<String>,
    /// (when, source, rows handed to it) of the latest import.
    pub last_import: Option<(OffsetDateTime, String, u64)>,
}

impl Store {
    /// Upserts `rows` by id in one transaction: all of them or, on any error, none.
    /// A row older (by `modified`) than the stored record does not replace it. The import is
    /// recorded with `source` (a file name or URL) in the `imports` table.
    pub async fn import_advisories(
        &self,
        source: &str,
        rows: impl IntoIterator<Item = AdvisoryRow>,
    ) -> Result<ImportSummary, StoreError> {
        let mut batches = Batches::new(rows.into_iter());
        match &self.pool {
            Pool::Sqlite(pool) => sqlite::import(self, pool, source, &mut batches).await,
            Pool::Postgres(pool) => postgres::import(self, pool, source, &mut batches).await,
        }
    }

    /// The JSON of every non-withdrawn advisory affecting any of `keys`
    /// ((ecosystem, normalised name)), each once, in byte order of id.
    pub async fn advisories_for(
        &self,
        keys: &[(String, String)],
    ) -> Result<Vec<String>, StoreError> {
        // A NUL cannot be stored (imports reject it) and PostgreSQL refuses it in text.
        let keys: Vec<(&str, &str)> = keys
            .iter()
            .filter(|(e, n)| !e.contains('\0') && !n.contains('\0'))
            .map(|(e, n)| (e.as_str(), n.as_str()))
            .collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        match &self.pool {
            Pool::Sqlite(pool) => sqlite::advisories_for(pool, &keys).await,
            Pool::Postgres(pool) => postgres::advisories_for(pool, &keys).await,
        }
        .map_err(|e| self.query_error("looking up advisories", e))
    }

    /// Counts per ecosystem, freshness, and the last import.
    pub async fn advisory_status(&self) -> Result<AdvisoryStatus, StoreError> {
        let raw = match &self.pool {
            Pool::Sqlite(pool) => sqlite::status(pool).await,
            Pool::Postgres(pool) => postgres::status(pool).await,
        }
        .map_err(|e| self.query_error("reading advisory status", e))?;
        let last_import = match raw.last_import {
            None => None,
            Some((at, source, count)) => {
                let at = OffsetDateTime::parse(&at, &Rfc3339).map_err(|e| StoreError::Query {
                    location: self.location.to_string(),
                    action: "reading advisory status",
                    cause: format!("imports.imported_at `{at}` is not RFC 3339: {e}"),
                })?;
                Some((at, source, to_u64(count)))
            }
        };
        // Sorted here: PostgreSQL's order would follow the server's collation.
        let mut per_ecosystem: Vec<(String, u64, u64)> = raw
            .per_ecosystem
            .into_iter()
            .map(|(eco, n, mal)| (eco, to_u64(n), to_u64(mal)))
            .collect();
        per_ecosystem.sort_unstable();
        Ok(AdvisoryStatus {
            per_ecosystem,
            total: to_u64(raw.total),
            withdrawn: to_u64(raw.withdrawn),
            newest_modified: raw.newest_modified,
            last_import,
        })
    }
}

/// Status as the backends read it, before conversion.
struct RawStatus {
    per_ecosystem: Vec<(String, i64, i64)>,
    total: i64,
    withdrawn: i64,
    newest_modified: Option<String>,
    last_import: Option<(String, String, i64)>,
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Status statements, the same text on both backends (`NOT` and `CASE WHEN` accept SQLite's
/// 0/1 integers as well as PostgreSQL's booleans).
const STATUS_PER_ECOSYSTEM: &str = "\
    SELECT p.ecosystem, COUNT(DISTINCT a.id), COUNT(DISTINCT CASE WHEN a.malware THEN a.id END) \
    FROM advisory_packages AS p JOIN advisories AS a ON a.id = p.advisory_id \
    WHERE NOT a.withdrawn GROUP BY p.ecosystem";
const STATUS_TOTALS: &str = "\
    SELECT COUNT(CASE WHEN NOT withdrawn THEN 1 END), COUNT(CASE WHEN withdrawn THEN 1 END) \
    FROM advisories";
const STATUS_NEWEST: &str = "\
    SELECT modified FROM advisories WHERE modified_us IS NOT NULL \
    ORDER BY modified_us DESC, id LIMIT 1";
const STATUS_LAST_IMPORT: &str =
    "SELECT imported_at, source, row_count FROM imports ORDER BY id DESC LIMIT 1";

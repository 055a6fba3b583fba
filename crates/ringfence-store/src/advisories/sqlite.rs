//! Advisory SQL for SQLite.
//!
//! - Rows go in as multi-row `VALUES` lists sized under the bound-variable limit (32,766 in
//!   the bundled SQLite; we stay far below), with statement texts that repeat so sqlx's
//!   prepared-statement cache serves them: key rows are buffered and written in full chunks.
//! - The whole import is one `BEGIN IMMEDIATE` transaction, so a concurrent writer waits on
//!   the busy timeout instead of failing mid-import.
//! - sqlx hands every result row from SQLite's worker thread to the caller separately, which
//!   costs more than SQLite's own work for tiny rows: the per-batch lookup of stored state
//!   comes back as one `json_group_array` value instead (re-imports twice as fast).
//! - Key lists go in as one JSON parameter read by `json_each`: no variable limit at all.

use std::collections::HashMap;

use sqlx::{Sqlite, SqliteConnection, SqlitePool};

use super::import::{Batches, Plan, Prepared, Stored, now_rfc3339, plan};
use super::{ImportSummary, RawStatus};
use crate::{AdvisoryRow, Store, StoreError};

/// Rows per batch: one lookup and at most two inserts of 8 columns (4,000 variables).
const BATCH_ROWS: usize = 500;
/// Key rows per `INSERT` (3 columns: 3,000 variables).
const KEY_ROWS: usize = 1000;

const INSERT_HEAD: &str = "INSERT INTO advisories \
    (id, modified, modified_us, published, withdrawn, malware, content_hash, json) VALUES ";
const UPSERT_TAIL: &str = " ON CONFLICT (id) DO UPDATE SET \
    modified = excluded.modified, modified_us = excluded.modified_us, \
    published = excluded.published, withdrawn = excluded.withdrawn, \
    malware = excluded.malware, content_hash = excluded.content_hash, json = excluded.json";

/// (ecosystem, name, advisory id) rows waiting for a full chunk.
type KeyRows = Vec<(String, String, String)>;

pub(super) async fn import<I: Iterator<Item = AdvisoryRow>>(
    store: &Store,
    pool: &SqlitePool,
    source: &str,
    batches: &mut Batches<I>,
) -> Result<ImportSummary, StoreError> {
    let mut tx = pool
        .begin_with("BEGIN IMMEDIATE")
        .await
        .map_err(|e| store.query_error("starting the advisory import", e))?;
    match import_in(store, &mut tx, source, batches).await {
        Ok(summary) => {
            tx.commit()
                .await
                .map_err(|e| store.query_error("committing the advisory import", e))?;
            Ok(summary)
        }
        Err(e) => {
            // Roll back now, not when the pool next touches the connection.
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

async fn import_in<I: Iterator<Item = AdvisoryRow>>(
    store: &Store,
    conn: &mut SqliteConnection,
    source: &str,
    batches: &mut Batches<I>,
) -> Result<ImportSummary, StoreError> {
    let mut summary = ImportSummary::default();
    let mut keys = KeyRows::new();
    loop {
        let batch = batches.next_batch(BATCH_ROWS)?;
        if batch.is_empty() {
            break;
        }
        let stored = fetch_stored(conn, &batch)
            .await
            .map_err(|e| store.query_error("reading stored advisories", e))?;
        let plan = plan(batch, &stored, &mut summary);
        write(conn, plan, &mut keys)
            .await
            .map_err(|e| store.query_error("writing advisories", e))?;
    }
    write_keys(conn, &mut keys, true)
        .await
        .map_err(|e| store.query_error("writing advisories", e))?;
    record_import(conn, source, &summary)
        .await
        .map_err(|e| store.query_error("recording the import", e))?;
    Ok(summary)
}

async fn fetch_stored(
    conn: &mut SqliteConnection,
    batch: &[Prepared],
) -> Result<HashMap<String, Stored>, sqlx::Error> {
    let sql = format!(
        "SELECT json_group_array(json_array(id, modified_us, content_hash)) \
         FROM advisories WHERE id IN ({})",
        placeholders(batch.len())
    );
    let mut query = sqlx::query_scalar::<Sqlite, String>(&sql);
    for row in batch {
        query = query.bind(row.id.as_str());
    }
    let packed = query.fetch_one(&mut *conn).await?;
    let rows: Vec<(String, Option<i64>, i64)> = serde_json::from_str(&packed)
        .map_err(|e| sqlx::Error::Protocol(format!("unreadable stored advisory state: {e}")))?;
    Ok(rows
        .into_iter()
        .map(|(id, modified_us, content_hash)| {
            (
                id,
                Stored {
                    modified_us,
                    content_hash,
                },
            )
        })
        .collect())
}

async fn write(
    conn: &mut SqliteConnection,
    plan: Plan,
    keys: &mut KeyRows,
) -> Result<(), sqlx::Error> {
    if !plan.updates.is_empty() {
        // Key rows of these ids may still be buffered: write them before deleting.
        write_keys(conn, keys, true).await?;
        let sql = format!(
            "DELETE FROM advisory_packages WHERE advisory_id IN ({})",
            placeholders(plan.updates.len())
        );
        let mut query = sqlx::query::<Sqlite>(&sql);
        for row in &plan.updates {
            query = query.bind(row.id.as_str());
        }
        query.execute(&mut *conn).await?;
    }
    write_rows(conn, plan.inserts, "", keys).await?;
    write_rows(conn, plan.updates, UPSERT_TAIL, keys).await?;
    write_keys(conn, keys, false).await
}

/// Inserts (or with `tail`, upserts) advisory rows and buffers their key rows. The strings
/// move into the statement: sqlx copies borrowed text before sending it to SQLite's thread.
async fn write_rows(
    conn: &mut SqliteConnection,
    rows: Vec<Prepared>,
    tail: &str,
    keys: &mut KeyRows,
) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!("{INSERT_HEAD}{}{tail}", tuples(8, rows.len()));
    let mut query = sqlx::query::<Sqlite>(&sql);
    for row in rows {
        for (eco, name) in row.keys {
            keys.push((eco, name, row.id.clone()));
        }
        query = query
            .bind(row.id)
            .bind(row.modified)
            .bind(row.modified_us)
            .bind(row.published)
            .bind(row.withdrawn)
            .bind(row.malware)
            .bind(row.content_hash)
            .bind(row.json);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Writes buffered key rows in full chunks; with `all`, the remainder too.
async fn write_keys(
    conn: &mut SqliteConnection,
    keys: &mut KeyRows,
    all: bool,
) -> Result<(), sqlx::Error> {
    while keys.len() >= KEY_ROWS || (all && !keys.is_empty()) {
        let take = keys.len().min(KEY_ROWS);
        let sql = format!(
            "INSERT INTO advisory_packages (ecosystem, name, advisory_id) VALUES {}",
            tuples(3, take)
        );
        let mut query = sqlx::query::<Sqlite>(&sql);
        for (eco, name, id) in keys.drain(..take) {
            query = query.bind(eco).bind(name).bind(id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

async fn record_import(
    conn: &mut SqliteConnection,
    source: &str,
    s: &ImportSummary,
) -> Result<(), sqlx::Error> {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    sqlx::query::<Sqlite>(
        "INSERT INTO imports \
         (imported_at, source, row_count, inserted, updated, unchanged, skipped_older) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now_rfc3339())
    .bind(source)
    .bind(n(s.total()))
    .bind(n(s.inserted))
    .bind(n(s.updated))
    .bind(n(s.unchanged))
    .bind(n(s.skipped_older))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn advisories_for(
    pool: &SqlitePool,
    keys: &[(&str, &str)],
) -> Result<Vec<String>, sqlx::Error> {
    // Serialising (&str, &str) pairs cannot fail.
    let keys = serde_json::to_string(keys).unwrap_or_else(|_| "[]".to_string());
    // The `IN` list is an index on id, so `ORDER BY` costs no sort.
    sqlx::query_scalar::<Sqlite, String>(
        "SELECT a.json FROM advisories AS a \
         WHERE NOT a.withdrawn AND a.id IN ( \
             SELECT p.advisory_id FROM json_each(?1) AS k \
             JOIN advisory_packages AS p \
               ON p.ecosystem = json_extract(k.value, '$[0]') \
              AND p.name = json_extract(k.value, '$[1]')) \
         ORDER BY a.id",
    )
    .bind(keys)
    .fetch_all(pool)
    .await
}

pub(super) async fn status(pool: &SqlitePool) -> Result<RawStatus, sqlx::Error> {
    let per_ecosystem = sqlx::query_as::<Sqlite, (String, i64, i64)>(super::STATUS_PER_ECOSYSTEM)
        .fetch_all(pool)
        .await?;
    let (total, withdrawn) = sqlx::query_as::<Sqlite, (i64, i64)>(super::STATUS_TOTALS)
        .fetch_one(pool)
        .await?;
    let newest_modified = sqlx::query_scalar::<Sqlite, String>(super::STATUS_NEWEST)
        .fetch_optional(pool)
        .await?;
    let last_import = sqlx::query_as::<Sqlite, (String, String, i64)>(super::STATUS_LAST_IMPORT)
        .fetch_optional(pool)
        .await?;
    Ok(RawStatus {
        per_ecosystem,
        total,
        withdrawn,
        newest_modified,
        last_import,
    })
}

/// `?, ?, …` for an `IN` list.
fn placeholders(n: usize) -> String {
    let mut s = "?, ".repeat(n);
    s.truncate(s.len().saturating_sub(2));
    s
}

/// `(?, ?), (?, ?), …` for a multi-row `VALUES` list.
fn tuples(columns: usize, rows: usize) -> String {
    let one = format!("({})", placeholders(columns));
    vec![one; rows].join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_lists() {
        assert_eq!(placeholders(3), "?, ?, ?");
        assert_eq!(tuples(2, 2), "(?, ?), (?, ?)");
    }
}

//! Advisory SQL for PostgreSQL: whole columns travel as arrays and are spread by `UNNEST`,
//! so a batch is one round trip whatever its size. Imports take a transaction-scoped
//! advisory lock: two instances importing into one store at once wait for each other
//! instead of racing on the same ids.

use std::collections::HashMap;

use sqlx::{PgConnection, PgPool, Postgres};

use super::import::{Batches, Plan, Prepared, Stored, now_rfc3339, plan};
use super::{ImportSummary, RawStatus};
use crate::{AdvisoryRow, Store, StoreError};

/// Rows per batch (one lookup and one upsert each).
const BATCH_ROWS: usize = 2000;
/// First half of the `pg_advisory_xact_lock` key ("rfai" in ASCII); the second half is
/// the schema, so stores in different schemas of one database do not wait for each other.
const IMPORT_LOCK: i32 = 0x7266_6169;

pub(super) async fn import<I: Iterator<Item = AdvisoryRow>>(
    store: &Store,
    pool: &PgPool,
    source: &str,
    batches: &mut Batches<I>,
) -> Result<ImportSummary, StoreError> {
    let mut tx = pool
        .begin()
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
            // Roll back now, releasing the import lock, not when the pool reuses the connection.
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

async fn import_in<I: Iterator<Item = AdvisoryRow>>(
    store: &Store,
    conn: &mut PgConnection,
    source: &str,
    batches: &mut Batches<I>,
) -> Result<ImportSummary, StoreError> {
    sqlx::query::<Postgres>("SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))")
        .bind(IMPORT_LOCK)
        .execute(&mut *conn)
        .await
        .map_err(|e| store.query_error("waiting for other imports", e))?;
    let mut summary = ImportSummary::default();
    loop {
        let batch = batches.next_batch(BATCH_ROWS)?;
        if batch.is_empty() {
            break;
        }
        let stored = fetch_stored(conn, &batch)
            .await
            .map_err(|e| store.query_error("reading stored advisories", e))?;
        let plan = plan(batch, &stored, &mut summary);
        write(conn, &plan)
            .await
            .map_err(|e| store.query_error("writing advisories", e))?;
    }
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    sqlx::query::<Postgres>(
        "INSERT INTO imports \
         (imported_at, source, row_count, inserted, updated, unchanged, skipped_older) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now_rfc3339())
    .bind(source)
    .bind(n(summary.total()))
    .bind(n(summary.inserted))
    .bind(n(summary.updated))
    .bind(n(summary.unchanged))
    .bind(n(summary.skipped_older))
    .execute(&mut *conn)
    .await
    .map_err(|e| store.query_error("recording the import", e))?;
    Ok(summary)
}

async fn fetch_stored(
    conn: &mut PgConnection,
    batch: &[Prepared],
) -> Result<HashMap<String, Stored>, sqlx::Error> {
    let ids: Vec<&str> = batch.iter().map(|r| r.id.as_str()).collect();
    let rows = sqlx::query_as::<Postgres, (String, Option<i64>, i64)>(
        "SELECT id, modified_us, content_hash FROM advisories WHERE id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
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

async fn write(conn: &mut PgConnection, plan: &Plan) -> Result<(), sqlx::Error> {
    let w: Vec<&Prepared> = plan.inserts.iter().chain(&plan.updates).collect();
    if w.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = w.iter().map(|r| r.id.as_str()).collect();
    let modified: Vec<Option<&str>> = w.iter().map(|r| r.modified.as_deref()).collect();
    let modified_us: Vec<Option<i64>> = w.iter().map(|r| r.modified_us).collect();
    let published: Vec<Option<&str>> = w.iter().map(|r| r.published.as_deref()).collect();
    let withdrawn: Vec<bool> = w.iter().map(|r| r.withdrawn).collect();
    let malware: Vec<bool> = w.iter().map(|r| r.malware).collect();
    let hashes: Vec<i64> = w.iter().map(|r| r.content_hash).collect();
    let json: Vec<&str> = w.iter().map(|r| r.json.as_str()).collect();
    sqlx::query::<Postgres>(
        "INSERT INTO advisories \
         (id, modified, modified_us, published, withdrawn, malware, content_hash, json) \
         SELECT * FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::text[], \
                              $5::bool[], $6::bool[], $7::int8[], $8::text[]) \
         ON CONFLICT (id) DO UPDATE SET \
         modified = excluded.modified, modified_us = excluded.modified_us, \
         published = excluded.published, withdrawn = excluded.withdrawn, \
         malware = excluded.malware, content_hash = excluded.content_hash, json = excluded.json",
    )
    .bind(&ids)
    .bind(&modified)
    .bind(&modified_us)
    .bind(&published)
    .bind(&withdrawn)
    .bind(&malware)
    .bind(&hashes)
    .bind(&json)
    .execute(&mut *conn)
    .await?;

    if !plan.updates.is_empty() {
        let replaced: Vec<&str> = plan.updates.iter().map(|r| r.id.as_str()).collect();
        sqlx::query::<Postgres>("DELETE FROM advisory_packages WHERE advisory_id = ANY($1)")
            .bind(&replaced)
            .execute(&mut *conn)
            .await?;
    }

    let mut ecosystems = Vec::new();
    let mut names = Vec::new();
    let mut key_ids = Vec::new();
    for row in &w {
        for (eco, name) in &row.keys {
            ecosystems.push(eco.as_str());
            names.push(name.as_str());
            key_ids.push(row.id.as_str());
        }
    }
    if !key_ids.is_empty() {
        sqlx::query::<Postgres>(
            "INSERT INTO advisory_packages (ecosystem, name, advisory_id) \
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[])",
        )
        .bind(&ecosystems)
        .bind(&names)
        .bind(&key_ids)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(super) async fn advisories_for(
    pool: &PgPool,
    keys: &[(&str, &str)],
) -> Result<Vec<String>, sqlx::Error> {
    let ecosystems: Vec<&str> = keys.iter().map(|k| k.0).collect();
    let names: Vec<&str> = keys.iter().map(|k| k.1).collect();
    // `OFFSET 0` keeps the per-key subquery from being flattened into a join: told the key
    // count, PostgreSQL would rather hash all of `advisory_packages` (twice as slow at
    // 10,000 keys, and worse as the table grows) than probe its primary key per key.
    // Sorting happens here, not in the server, where 10,000 records spill to disk.
    let mut rows = sqlx::query_as::<Postgres, (String, String)>(
        "SELECT a.id, a.json \
         FROM (SELECT DISTINCT m.advisory_id \
               FROM UNNEST($1::text[], $2::text[]) AS k (ecosystem, name), \
               LATERAL (SELECT p.advisory_id FROM advisory_packages AS p \
                        WHERE p.ecosystem = k.ecosystem AND p.name = k.name OFFSET 0) AS m \
              ) AS ids \
         JOIN advisories AS a ON a.id = ids.advisory_id \
         WHERE NOT a.withdrawn",
    )
    .bind(&ecosystems)
    .bind(&names)
    .fetch_all(pool)
    .await?;
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(rows.into_iter().map(|(_, json)| json).collect())
}

pub(super) async fn status(pool: &PgPool) -> Result<RawStatus, sqlx::Error> {
    let per_ecosystem = sqlx::query_as::<Postgres, (String, i64, i64)>(super::STATUS_PER_ECOSYSTEM)
        .fetch_all(pool)
        .await?;
    let (total, withdrawn) = sqlx::query_as::<Postgres, (i64, i64)>(super::STATUS_TOTALS)
        .fetch_one(pool)
        .await?;
    let newest_modified = sqlx::query_scalar::<Postgres, String>(super::STATUS_NEWEST)
        .fetch_optional(pool)
        .await?;
    let last_import = sqlx::query_as::<Postgres, (String, String, i64)>(super::STATUS_LAST_IMPORT)
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

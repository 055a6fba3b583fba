//! Test databases: a fresh SQLite file in a temp dir, or a private schema in the PostgreSQL
//! named by `DATABASE_URL`, dropped again when the test ends (even when it panics).

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use ringfence_store::{AdvisoryRow, Store};
use sqlx::Connection;

/// Runs each named async check against SQLite and, when `DATABASE_URL` is set, PostgreSQL.
#[allow(unused_macros)]
macro_rules! on_both_backends {
    ($($check:ident),* $(,)?) => {$(
        mod $check {
            #[tokio::test]
            async fn sqlite() {
                let db = $crate::common::TestDb::sqlite().await;
                super::$check(&db).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = $crate::common::TestDb::postgres().await else { return };
                super::$check(&db).await;
            }
        }
    )*};
}

pub struct TestDb {
    pub store: Store,
    /// What `Store::open` was given, to reopen the same database.
    pub location: String,
    _cleanup: Cleanup,
}

enum Cleanup {
    Dir(tempfile::TempDir),
    Schema { base_url: String, schema: String },
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::open(&location).await.expect("open SQLite");
        TestDb {
            store,
            location,
            _cleanup: Cleanup::Dir(dir),
        }
    }

    /// `None` (after saying so) when no PostgreSQL is configured.
    pub async fn postgres() -> Option<TestDb> {
        let base_url = pg_url()?;
        let schema = unique_schema();
        let mut conn = sqlx::PgConnection::connect(&base_url)
            .await
            .expect("connect to DATABASE_URL");
        sqlx::query(&format!("CREATE SCHEMA {schema}"))
            .execute(&mut conn)
            .await
            .expect("create test schema");
        let _ = conn.close().await;
        let cleanup = Cleanup::Schema {
            base_url: base_url.clone(),
            schema: schema.clone(),
        };
        let location = with_search_path(&base_url, &schema);
        let store = Store::open(&location).await.expect("open PostgreSQL");
        Some(TestDb {
            store,
            location,
            _cleanup: cleanup,
        })
    }

    /// Opens the same database again, as a second process would.
    pub async fn reopen(&self) -> Store {
        Store::open(&self.location).await.expect("reopen")
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Cleanup::Schema { base_url, schema } = self else {
            return;
        };
        let (url, sql) = (
            base_url.clone(),
            format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
        );
        // Drop runs inside the test's runtime, which cannot block on another future: use a
        // thread with a runtime of its own.
        let outcome = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&url).await?;
                sqlx::query("SET lock_timeout = '10s'")
                    .execute(&mut conn)
                    .await?;
                sqlx::query(&sql).execute(&mut conn).await?;
                conn.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
            .map_err(|e| std::io::Error::other(e.to_string()))
        })
        .join();
        if !matches!(outcome, Ok(Ok(()))) {
            eprintln!("warning: could not drop test schema {schema}: {outcome:?}");
        }
    }
}

/// `DATABASE_URL`, or `None` after printing why the PostgreSQL test is skipped.
pub fn pg_url() -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            println!("skipped: no DATABASE_URL");
            None
        }
    }
}

pub fn unique_schema() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "rf_test_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The base URL with `search_path` set to `schema` through the driver's `options` parameter.
pub fn with_search_path(base_url: &str, schema: &str) -> String {
    let sep = if base_url.contains('?') { '&' } else { '?' };
    format!("{base_url}{sep}options=-csearch_path%3D{schema}")
}

/// A small OSV-like advisory.
pub fn advisory(id: &str, modified: &str, keys: &[(&str, &str)]) -> AdvisoryRow {
    AdvisoryRow {
        id: id.to_string(),
        modified: Some(modified.to_string()),
        published: Some("2024-01-01T00:00:00Z".to_string()),
        withdrawn: false,
        malware: id.starts_with("MAL-"),
        ecosystem_names: keys
            .iter()
            .map(|(e, n)| (e.to_string(), n.to_string()))
            .collect(),
        json: format!(r#"{{"id":"{id}","modified":"{modified}"}}"#),
    }
}

pub fn keys(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(e, n)| (e.to_string(), n.to_string()))
        .collect()
}

/// Ids of the records in a JSON result, in order.
pub fn ids(json: &[String]) -> Vec<String> {
    json.iter()
        .map(|j| {
            let v: serde_json::Value = serde_json::from_str(j).expect("stored JSON parses");
            v["id"].as_str().expect("id").to_string()
        })
        .collect()
}

/// Runs one statement on the database behind the store's back, as an attacker with write
/// access to the database file or server would.
pub async fn tamper(db: &TestDb, sql: &str) -> u64 {
    if db.location.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(&db.location)
            .await
            .expect("connect");
        let n = sqlx::query(sql)
            .execute(&mut conn)
            .await
            .expect("tamper")
            .rows_affected();
        let _ = conn.close().await;
        n
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.location)
            .await
            .expect("connect");
        let n = sqlx::query(sql)
            .execute(&mut conn)
            .await
            .expect("tamper")
            .rows_affected();
        let _ = conn.close().await;
        n
    }
}

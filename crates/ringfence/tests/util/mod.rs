//! A small harness for running the real `ringfence` binary, as a user would.

#![allow(dead_code)]

pub mod receiver;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use assert_cmd::Command;
use sqlx::Connection;

/// The repository root (examples/ lives there).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A `ringfence` command run from the repository root, with its own empty database so tests
/// never touch the user's real one: a SQLite file in `dir`, or (`Ringfence::postgres`) a
/// private schema in the PostgreSQL of `DATABASE_URL`, dropped again with the `Ringfence`.
pub struct Ringfence {
    pub dir: tempfile::TempDir,
    postgres: Option<PgSchema>,
}

/// A schema created for one test, so parallel tests and earlier runs never see each other.
struct PgSchema {
    base_url: String,
    schema: String,
}

impl Ringfence {
    pub fn new() -> Ringfence {
        Ringfence {
            dir: tempfile::tempdir().unwrap(),
            postgres: None,
        }
    }

    /// A `ringfence` on a fresh schema of the PostgreSQL named by `DATABASE_URL`; `None` (after
    /// printing "skipped: no DATABASE_URL") when there is none.
    pub fn postgres() -> Option<Ringfence> {
        let base_url = postgres_url()?;
        let schema = unique_schema();
        let sql = format!("CREATE SCHEMA {schema}");
        let url = base_url.clone();
        on_own_runtime(async move {
            let mut conn = sqlx::PgConnection::connect(&url).await?;
            sqlx::query(&sql).execute(&mut conn).await?;
            conn.close().await?;
            Ok(0)
        })
        .expect("create a test schema in DATABASE_URL");
        Some(Ringfence {
            dir: tempfile::tempdir().unwrap(),
            postgres: Some(PgSchema { base_url, schema }),
        })
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// What the binary gets as `RINGFENCE_DB`: the SQLite file's path, or the PostgreSQL URL
    /// whose sessions use the test's schema.
    pub fn db(&self) -> String {
        match &self.postgres {
            Some(pg) => with_search_path(&pg.base_url, &pg.schema),
            None => self.dir.path().join("ringfence.db").display().to_string(),
        }
    }

    /// Runs one SQL statement on the test database behind the binary's back, as an attacker
    /// with write access to the database would. Returns the number of rows it changed.
    pub fn execute_sql(&self, sql: &str) -> u64 {
        let (statement, db) = (sql.to_string(), self.db());
        let postgres = self.is_postgres();
        on_own_runtime(async move {
            let sql = statement;
            if postgres {
                let mut conn = sqlx::PgConnection::connect(&db).await?;
                let n = sqlx::query(&sql).execute(&mut conn).await?.rows_affected();
                conn.close().await?;
                Ok(n)
            } else {
                let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{db}")).await?;
                let n = sqlx::query(&sql).execute(&mut conn).await?.rows_affected();
                conn.close().await?;
                Ok(n)
            }
        })
        .unwrap_or_else(|e| panic!("cannot run `{sql}` on the test database: {e}"))
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("ringfence").unwrap();
        cmd.current_dir(repo_root())
            .env("RINGFENCE_DB", self.db())
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE");
        cmd
    }
}

impl Drop for Ringfence {
    fn drop(&mut self) {
        let Some(PgSchema { base_url, schema }) = self.postgres.take() else {
            return;
        };
        let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
        let outcome = on_own_runtime(async move {
            let mut conn = sqlx::PgConnection::connect(&base_url).await?;
            sqlx::query("SET lock_timeout = '10s'")
                .execute(&mut conn)
                .await?;
            sqlx::query(&sql).execute(&mut conn).await?;
            conn.close().await?;
            Ok(0)
        });
        if let Err(e) = outcome {
            eprintln!("warning: could not drop test schema {schema}: {e}");
        }
    }
}

type SqlResult = Result<u64, Box<dyn std::error::Error + Send + Sync>>;

/// Runs database work on a thread with a runtime of its own, so the helpers work from plain
/// tests and from inside a tokio test alike (a runtime cannot block inside another).
fn on_own_runtime<F>(work: F) -> Result<u64, String>
where
    F: std::future::Future<Output = SqlResult> + Send + 'static,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(work).map_err(|e| e.to_string())
    })
    .join()
    .unwrap_or_else(|_| Err("the database thread panicked".to_string()))
}

/// A schema name no other test process or earlier run uses.
fn unique_schema() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "rf_cli_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The base URL with `search_path` set to `schema` through the driver's `options` parameter.
fn with_search_path(base_url: &str, schema: &str) -> String {
    let sep = if base_url.contains('?') { '&' } else { '?' };
    format!("{base_url}{sep}options=-csearch_path%3D{schema}")
}

/// Runs the command and returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The PostgreSQL URL for tests, or None (and a note) when it is not configured.
pub fn postgres_url() -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("skipped: no DATABASE_URL");
            None
        }
    }
}

/// Moves examples/webshop's storefront lockfile from debug@4.4.2 (malicious) to 4.4.1, as the
/// fix would.
#[allow(dead_code)]
pub fn fix_debug_in_lockfile(lockfile: &std::path::Path) {
    let text = std::fs::read_to_string(lockfile).unwrap();
    let entry = text.find("\"node_modules/debug\": {").expect("debug entry");
    let bad = "\"version\": \"4.4.2\"";
    let at = entry + text[entry..].find(bad).expect("its version");
    assert!(at - entry < 80, "the version belongs to the debug entry");
    let fixed = format!(
        "{}\"version\": \"4.4.1\"{}",
        &text[..at],
        &text[at + bad.len()..]
    );
    std::fs::write(lockfile, fixed).unwrap();
}

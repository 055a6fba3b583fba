//! Backups. SQLite: `VACUUM INTO` writes a consistent copy of the live database while other
//! connections keep working (the online backup SQLite offers through SQL). PostgreSQL is
//! backed up with `pg_dump`; the store only records that it was. Every backup is noted in the
//! `backups` table for `doctor`.

use std::path::Path;

use serde::Serialize;

use crate::backend::{for_each_backend, transaction};
use crate::{Backend, Pool, Store, StoreError};

/// One recorded backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupRecord {
    /// RFC 3339.
    pub taken_at: String,
    pub path: String,
    pub bytes: i64,
    pub sha256: String,
}

impl Store {
    /// Writes a consistent copy of an SQLite database to `target` (which must not exist).
    /// Returns the copy's size. PostgreSQL: an error that points at `pg_dump`.
    pub async fn backup_sqlite_to(&self, target: &Path) -> Result<u64, StoreError> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(StoreError::Unsupported {
                location: self.location.to_string(),
                what: "ringfence backup of a PostgreSQL database: use `pg_dump --format=custom` and record it with `ringfence backup --record FILE`".into(),
            });
        };
        if target.exists() {
            return Err(StoreError::Unsupported {
                location: self.location.to_string(),
                what: format!("backing up over an existing file `{}`", target.display()),
            });
        }
        let Some(text) = target.to_str() else {
            return Err(StoreError::Unsupported {
                location: self.location.to_string(),
                what: format!("a backup path that is not UTF-8: `{}`", target.display()),
            });
        };
        sqlx::query("VACUUM INTO $1")
            .bind(text)
            .execute(pool)
            .await
            .map_err(|e| self.query_error("writing a backup", e))?;
        let bytes = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
        Ok(bytes)
    }

    /// Notes a backup (taken by `backup_sqlite_to` or by `pg_dump`).
    pub async fn record_backup(&self, record: &BackupRecord) -> Result<(), StoreError> {
        let action = "recording a backup";
        transaction!(self, action, crate::backup, |sql, conn| {
            sql::insert(conn, record)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(())
    }

    /// The newest recorded backup.
    pub async fn last_backup(&self) -> Result<Option<BackupRecord>, StoreError> {
        let action = "reading backups";
        let last = transaction!(self, action, crate::backup, |sql, conn| {
            sql::last(conn)
                .await
                .map_err(|e| self.query_error(action, e))?
        });
        Ok(last)
    }

    pub fn is_sqlite(&self) -> bool {
        self.backend() == Backend::Sqlite
    }
}

for_each_backend! {
    pub(crate) async fn insert(conn: &mut Conn, r: &BackupRecord) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO backups (taken_at, path, bytes, sha256) VALUES ($1, $2, $3, $4)")
            .bind(&r.taken_at)
            .bind(&r.path)
            .bind(r.bytes)
            .bind(&r.sha256)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    pub(crate) async fn last(conn: &mut Conn) -> Result<Option<BackupRecord>, sqlx::Error> {
        let row: Option<(String, String, i64, String)> = sqlx::query_as(
            "SELECT taken_at, path, bytes, sha256 FROM backups ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&mut *conn)
        .await?;
        Ok(row.map(|(taken_at, path, bytes, sha256)| BackupRecord {
            taken_at,
            path,
            bytes,
            sha256,
        }))
    }
}

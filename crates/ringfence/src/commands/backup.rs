//! `ringfence backup FILE` and `ringfence restore FILE`: SQLite's online backup, and bringing
//! one back without losing the database it replaces. PostgreSQL is backed up with `pg_dump`;
//! `backup --record FILE` notes such a dump so `doctor` knows how old the newest backup is.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use ringfence_incident::Timestamp;
use ringfence_incident::timeline::sha256_hex;
use ringfence_store::{BackupRecord, Store};
use serde::Serialize;

use crate::cli::GlobalArgs;
use crate::commands::db::open_store;
use crate::commands::incident::now;
use crate::output::print_json;

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ringfence backup ~/backups/ringfence-$(date +%F).db\n  \
pg_dump --format=custom ringfence > rf.dump && ringfence backup --record rf.dump   # PostgreSQL\n\n\
An SQLite backup is taken online (other ringfence processes may keep working) and is itself a \
ringfence database: `ringfence --db FILE audit verify` checks it."
)]
pub struct BackupArgs {
    /// Where to write the backup (must not exist yet).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Do not write anything: record FILE as a backup taken by other means (`pg_dump`).
    #[arg(long)]
    pub record: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "The database being replaced is kept beside it as \
`<name>.before-restore-<time>`. Stop other ringfence processes using the database first.\n\
PostgreSQL: restore with `pg_restore --clean --dbname ...`.")]
pub struct RestoreArgs {
    /// A backup written by `ringfence backup`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Restore even if the backup's audit chains do not verify.
    #[arg(long)]
    pub force: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn backup(args: &BackupArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let rt = crate::runtime()?;
    let record = rt.block_on(async {
        let store = open_store(global).await?;
        let result = take(&store, args).await;
        store.close().await;
        result
    })?;
    if args.json {
        print_json(&record)?;
    } else {
        anstream::println!(
            "backup {} ({} bytes, sha256 {})",
            record.path,
            record.bytes,
            record.sha256
        );
    }
    Ok(0)
}

async fn take(store: &Store, args: &BackupArgs) -> anyhow::Result<BackupRecord> {
    let taken_at = Timestamp(now()).rfc3339();
    if !args.record {
        store.backup_sqlite_to(&args.file).await?;
    }
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read the backup {}", args.file.display()))?;
    anyhow::ensure!(
        !bytes.is_empty(),
        "the backup {} is empty",
        args.file.display()
    );
    let record = BackupRecord {
        taken_at,
        path: args
            .file
            .canonicalize()
            .unwrap_or_else(|_| args.file.clone())
            .display()
            .to_string(),
        bytes: bytes.len() as i64,
        sha256: sha256_hex(&bytes),
    };
    store.record_backup(&record).await?;
    Ok(record)
}

#[derive(Serialize)]
struct Restored {
    restored: String,
    into: String,
    previous_kept_at: Option<String>,
    chains: usize,
    events: usize,
}

pub fn restore(args: &RestoreArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let rt = crate::runtime()?;
    let target = rt.block_on(async {
        let store = open_store(global).await?;
        let sqlite = store.is_sqlite();
        let location = PathBuf::from(store.location());
        store.close().await;
        anyhow::ensure!(
            sqlite,
            "the database is PostgreSQL: restore it with `pg_restore --clean --dbname ...`"
        );
        Ok(location)
    })?;
    anyhow::ensure!(
        args.file.is_file(),
        "{} is not a backup file",
        args.file.display()
    );
    let dir = target.parent().unwrap_or(Path::new("."));

    // Check a copy first: opening brings its schema up to date, which must not touch the
    // user's backup file, and a broken backup must not replace a working database.
    let staged = tempfile::Builder::new()
        .prefix(".ringfence-restore-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?
        .into_temp_path();
    std::fs::copy(&args.file, &staged)
        .with_context(|| format!("cannot copy {}", args.file.display()))?;
    let audit = rt.block_on(async {
        let store = Store::open_path(&staged)
            .await
            .with_context(|| format!("{} is not a ringfence database", args.file.display()))?;
        let audit = store.verify_audit().await;
        store.close().await;
        anyhow::Ok(audit?)
    })?;
    if !audit.ok() && !args.force {
        anyhow::bail!(
            "the backup's audit chains do not verify (`ringfence --db {} audit verify` shows where); nothing was restored (--force restores it anyway)",
            args.file.display()
        );
    }
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(&staged, suffix));
    }

    // Keep the database being replaced: a restore must never lose data.
    let kept = if target.exists() {
        let stamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let aside = with_suffix(&target, &format!(".before-restore-{stamp}"));
        rt.block_on(async {
            // Opening and closing checkpoints the WAL into the main file.
            let store = Store::open_path(&target).await?;
            store.close().await;
            anyhow::Ok(())
        })?;
        std::fs::rename(&target, &aside)
            .with_context(|| format!("cannot move {} aside", target.display()))?;
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(with_suffix(&target, suffix));
        }
        Some(aside.display().to_string())
    } else {
        None
    };
    staged
        .persist(&target)
        .with_context(|| format!("cannot put the backup in place at {}", target.display()))?;
    let out = Restored {
        restored: args.file.display().to_string(),
        into: target.display().to_string(),
        previous_kept_at: kept,
        chains: audit.chains.len(),
        events: audit.events,
    };
    if args.json {
        print_json(&out)?;
    } else {
        anstream::println!(
            "restored {} into {} ({} chains, {} events verified){}",
            out.restored,
            out.into,
            out.chains,
            out.events,
            out.previous_kept_at
                .as_ref()
                .map(|k| format!("; the previous database is kept at {k}"))
                .unwrap_or_default()
        );
    }
    Ok(0)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

//! A `scan --record` killed with SIGKILL at any moment leaves the database consistent: a scan's
//! inventories, packages and findings are all there or none are, and every incident's hash
//! chain verifies. Each test times one uninterrupted run of a large inventory, kills child
//! processes at delays spread over that time (and inside the write, found by probing the
//! database just before the kill), checks the database directly after every kill, and then
//! lets one scan finish.

#![cfg(unix)]

mod util;

use std::fmt::Write as _;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

/// Several inventories per scan, so a kill can land between two of them.
const LOCKFILES: usize = 3;
/// Large enough that writing one inventory takes a visible share of the run.
const GENERATED_PACKAGES: usize = 60_000;
/// What each inventory holds: the generated packages plus `debug` and its dependency `ms`.
const INVENTORY_SIZE: i64 = GENERATED_PACKAGES as i64 + 2;
/// Extra kills aimed at the write when none of the planned ones landed inside it.
const EXTRA_AIMED_KILLS: usize = 6;
const SIGKILL: i32 = 9;

/// The two backends' tests share two cores: run them one after the other so each
/// calibration measures what its kills will see.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn killed_scan_record_leaves_sqlite_consistent() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let work = workspace();
    let calibration = Database::sqlite(work.path().join("calibration.db"));
    let target = Database::sqlite(work.path().join("crash.db"));
    crash_repeatedly(work.path(), &calibration, &target);
}

#[test]
fn killed_scan_record_leaves_postgres_consistent() {
    let Some(url) = util::postgres_url() else {
        return;
    };
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let work = workspace();
    let calibration = Database::postgres(&url);
    let target = Database::postgres(&url);
    crash_repeatedly(work.path(), &calibration, &target);
}

// ---------------------------------------------------------------------------------------------
// The scenario

fn crash_repeatedly(work: &Path, calibration: &Database, target: &Database) {
    let started = Instant::now();
    let projects = write_projects(work);
    let rt = runtime();

    // Calibration, on its own database: the whole run, then the run without recording
    // (its end is about where the write begins).
    let (code, recorded_time) = timed(|| scan(calibration, &projects, true));
    assert_eq!(code, 1, "the calibration scan finds debug@4.4.2");
    let (code, plain_time) = timed(|| scan(calibration, &projects, false));
    assert_eq!(code, 1);
    let write_start = plain_time.min(recorded_time);
    println!(
        "[{}] calibration: scan --record {:.2}s, scan without --record {:.2}s ({} lockfiles x {} packages)",
        target.kind(),
        recorded_time.as_secs_f64(),
        plain_time.as_secs_f64(),
        LOCKFILES,
        INVENTORY_SIZE
    );

    let mut delays: Vec<Duration> = [1, 30, 150].map(Duration::from_millis).to_vec();
    delays.extend([0.1, 0.3, 0.5, 0.7, 0.9].map(|f| recorded_time.mul_f64(f)));
    delays.extend(
        (0..4).map(|j| write_start + (recorded_time - write_start).mul_f64((j as f64 + 0.5) / 4.0)),
    );

    let mut tally = Tally::default();
    let mut aim = Aim::default();
    for delay in delays {
        let landed = kill_and_check(&rt, target, &projects, delay);
        aim.learn(delay, landed);
        tally.add(landed);
    }
    // The write is a window of the run; if no planned kill fell in it, aim at it.
    let mut extra = 0;
    while tally.in_scan_transaction == 0 && extra < EXTRA_AIMED_KILLS {
        let delay = aim.next(recorded_time);
        let landed = kill_and_check(&rt, target, &projects, delay);
        aim.learn(delay, landed);
        tally.add(landed);
        extra += 1;
    }
    println!("[{}] {}", target.kind(), tally.summary());
    assert!(
        tally.killed > 0,
        "every child finished before its kill: scale GENERATED_PACKAGES up"
    );
    assert!(
        tally.in_scan_transaction > 0,
        "no kill landed inside the scan's transaction ({}): scale GENERATED_PACKAGES up",
        tally.summary()
    );

    // One scan left to finish: it records, and joins (or opens) the one incident for debug.
    let scans_before = rt.block_on(check_consistent(target)).scans;
    let (code, stdout, stderr) = run(target, &scan_args(&projects, true));
    assert_eq!(
        code, 1,
        "an uninterrupted scan reports the finding\n{stderr}"
    );
    let out: Value = serde_json::from_str(&stdout).expect("scan JSON");
    assert_eq!(out["recorded"]["lockfiles"], LOCKFILES);
    assert_eq!(
        out["recorded"]["packages"],
        LOCKFILES as i64 * INVENTORY_SIZE
    );
    let state = rt.block_on(check_consistent(target));
    assert_eq!(
        state.scans,
        scans_before + 1,
        "the finished scan is recorded once"
    );

    let (code, stdout, stderr) = run(target, &["incident", "list", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    let open: Vec<Value> = serde_json::from_str(&stdout).expect("incident list JSON");
    let for_debug: Vec<&Value> = open
        .iter()
        .filter(|i| {
            i["packages"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "debug"))
        })
        .collect();
    assert_eq!(
        for_debug.len(),
        1,
        "exactly one open incident for debug\n{stdout}"
    );
    assert_eq!(open.len(), 1, "debug is the only known malware\n{stdout}");
    assert_eq!(
        for_debug[0]["projects"].as_array().map(Vec::len),
        Some(LOCKFILES),
        "every project that resolves debug@4.4.2 is on the incident"
    );
    assert_audit_verifies(target);
    println!(
        "[{}] done in {:.1}s",
        target.kind(),
        started.elapsed().as_secs_f64()
    );
}

/// Where one kill landed, judged from a probe just before it and the scans after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landed {
    /// The child exited on its own before the kill.
    FinishedFirst,
    /// No write in progress and nothing recorded: reading lockfiles, matching, opening.
    BeforeWriting,
    /// A write transaction was open and the scan was not committed.
    InScanTransaction,
    /// The scan was committed and a write (an incident's) was open.
    InIncidentTransaction,
    /// The scan was committed and no write was open.
    AfterRecording,
}

#[derive(Default)]
struct Tally {
    attempts: usize,
    killed: usize,
    before_writing: usize,
    in_scan_transaction: usize,
    in_incident_transaction: usize,
    after_recording: usize,
    finished_first: usize,
}

impl Tally {
    fn add(&mut self, landed: Landed) {
        self.attempts += 1;
        if landed != Landed::FinishedFirst {
            self.killed += 1;
        }
        match landed {
            Landed::FinishedFirst => self.finished_first += 1,
            Landed::BeforeWriting => self.before_writing += 1,
            Landed::InScanTransaction => self.in_scan_transaction += 1,
            Landed::InIncidentTransaction => self.in_incident_transaction += 1,
            Landed::AfterRecording => self.after_recording += 1,
        }
    }

    fn summary(&self) -> String {
        format!(
            "{} runs, {} killed: {} before writing, {} mid scan transaction, {} mid incident \
             transaction, {} after recording; {} finished before the kill",
            self.attempts,
            self.killed,
            self.before_writing,
            self.in_scan_transaction,
            self.in_incident_transaction,
            self.after_recording,
            self.finished_first
        )
    }
}

/// Narrows in on the write: the latest delay that killed too early and the earliest that
/// killed too late.
#[derive(Default)]
struct Aim {
    too_early: Option<Duration>,
    too_late: Option<Duration>,
}

impl Aim {
    fn learn(&mut self, delay: Duration, landed: Landed) {
        match landed {
            Landed::BeforeWriting => {
                self.too_early = Some(self.too_early.map_or(delay, |d| d.max(delay)))
            }
            Landed::InScanTransaction => {}
            _ => self.too_late = Some(self.too_late.map_or(delay, |d| d.min(delay))),
        }
    }

    fn next(&self, whole_run: Duration) -> Duration {
        let lo = self.too_early.unwrap_or_default();
        let hi = self.too_late.unwrap_or(whole_run).max(lo);
        (lo + hi) / 2
    }
}

/// Starts a recording scan, kills it after `delay`, and checks what it left behind.
fn kill_and_check(
    rt: &tokio::runtime::Runtime,
    db: &Database,
    projects: &Path,
    delay: Duration,
) -> Landed {
    let before = rt.block_on(check_consistent(db)).scans;
    let mut child = ringfence(db)
        .args(scan_args(projects, true))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ringfence");
    let spawned = Instant::now();
    std::thread::sleep(delay);
    let writing = rt.block_on(db.writer_active());
    let at = spawned.elapsed();
    let _ = child.kill();
    let status = child.wait().expect("wait for the child");
    let wal = db.wal_exists();

    let after = rt.block_on(check_consistent(db));
    assert!(after.scans >= before, "a recorded scan disappeared");
    let committed = after.scans > before;
    let landed = match (status.signal() == Some(SIGKILL), writing, committed) {
        (false, _, _) => Landed::FinishedFirst,
        (true, false, false) => Landed::BeforeWriting,
        (true, true, false) => Landed::InScanTransaction,
        (true, true, true) => Landed::InIncidentTransaction,
        (true, false, true) => Landed::AfterRecording,
    };
    assert_audit_verifies(db);
    let mut line = format!(
        "[{}] kill at {:>6.3}s: {landed:?}, scans {before} -> {}, incidents {}",
        db.kind(),
        at.as_secs_f64(),
        after.scans,
        after.incidents
    );
    if let Some(wal) = wal {
        let _ = write!(
            line,
            ", -wal file {}",
            if wal { "present" } else { "absent" }
        );
    }
    if landed == Landed::FinishedFirst {
        let _ = write!(line, " (exit {:?})", status.code());
    }
    println!("{line}");
    landed
}

fn assert_audit_verifies(db: &Database) {
    let (code, stdout, stderr) = run(db, &["audit", "verify", "--json"]);
    assert_eq!(
        code, 0,
        "audit verify after a kill\nstdout: {stdout}\nstderr: {stderr}"
    );
    let report: Value = serde_json::from_str(&stdout).expect("audit JSON");
    assert!(report["chains"].is_array(), "{stdout}");
}

// ---------------------------------------------------------------------------------------------
// Consistency, checked in SQL behind the tool's back

#[derive(Debug)]
struct State {
    scans: i64,
    incidents: i64,
}

/// Every scan has all its inventories, each inventory all its packages, the findings the
/// scan counted, nothing points at a missing row, and every incident has its chain.
async fn check_consistent(db: &Database) -> State {
    let Some(mut conn) = db.connect().await else {
        return State {
            scans: 0,
            incidents: 0,
        };
    };
    if !conn.has_table("scans").await {
        // Killed before the migrations created the tables (each migration is atomic).
        assert!(
            !conn.has_table("inventories").await && !conn.has_table("incidents").await,
            "a migration was half applied"
        );
        conn.close().await;
        return State {
            scans: 0,
            incidents: 0,
        };
    }
    let scans = conn
        .triples(
            "SELECT s.id, CAST(s.lockfiles AS BIGINT), \
             (SELECT COUNT(*) FROM inventories i WHERE i.scan_id = s.id) FROM scans s",
        )
        .await;
    for (scan, lockfiles, inventories) in &scans {
        assert_eq!(
            *lockfiles, LOCKFILES as i64,
            "scan {scan} says it had {lockfiles} lockfiles"
        );
        assert_eq!(
            inventories, lockfiles,
            "scan {scan} has {inventories} of its {lockfiles} inventories"
        );
    }
    let inventories = conn
        .triples(
            "SELECT i.id, CAST(i.package_count AS BIGINT), \
             (SELECT COUNT(*) FROM inventory_packages p WHERE p.inventory_id = i.id) \
             FROM inventories i",
        )
        .await;
    for (inventory, count, rows) in &inventories {
        assert_eq!(
            *count, INVENTORY_SIZE,
            "inventory {inventory} says it has {count} packages"
        );
        assert_eq!(
            rows, count,
            "inventory {inventory} has {rows} of its {count} package rows"
        );
    }
    let findings = conn
        .triples(
            "SELECT s.id, CAST(s.findings AS BIGINT), \
             (SELECT COUNT(*) FROM findings f WHERE f.scan_id = s.id) FROM scans s",
        )
        .await;
    for (scan, counted, rows) in &findings {
        assert!(*counted > 0, "scan {scan} recorded no finding for debug");
        assert_eq!(
            rows, counted,
            "scan {scan} has {rows} of its {counted} findings"
        );
    }
    for (what, sql) in [
        (
            "package rows of a missing inventory",
            "SELECT COUNT(*) FROM inventory_packages p \
             WHERE NOT EXISTS (SELECT 1 FROM inventories i WHERE i.id = p.inventory_id)",
        ),
        (
            "inventories of a missing scan",
            "SELECT COUNT(*) FROM inventories i \
             WHERE NOT EXISTS (SELECT 1 FROM scans s WHERE s.id = i.scan_id)",
        ),
        (
            "findings of a missing inventory",
            "SELECT COUNT(*) FROM findings f \
             WHERE NOT EXISTS (SELECT 1 FROM inventories i WHERE i.id = f.inventory_id)",
        ),
        (
            "incidents without a chain",
            "SELECT COUNT(*) FROM incidents i \
             WHERE NOT EXISTS (SELECT 1 FROM chains c WHERE c.name = 'INC-' || i.id)",
        ),
    ] {
        assert_eq!(conn.count(sql).await, 0, "{what}");
    }
    let incidents = conn.count("SELECT COUNT(*) FROM incidents").await;
    conn.close().await;
    State {
        scans: scans.len() as i64,
        incidents,
    }
}

// ---------------------------------------------------------------------------------------------
// Databases

enum Database {
    Sqlite(PathBuf),
    /// A private schema on the server, dropped with the value.
    Postgres {
        base_url: String,
        schema: String,
    },
}

impl Database {
    fn sqlite(path: PathBuf) -> Database {
        Database::Sqlite(path)
    }

    fn postgres(base_url: &str) -> Database {
        let schema = unique_schema();
        runtime().block_on(async {
            let mut conn = PgConnection::connect(base_url)
                .await
                .expect("connect to DATABASE_URL");
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&mut conn)
                .await
                .expect("create the test schema");
            let _ = conn.close().await;
        });
        Database::Postgres {
            base_url: base_url.to_string(),
            schema,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres { .. } => "postgres",
        }
    }

    /// What the child gets as `RINGFENCE_DB`. On PostgreSQL its sessions carry the schema
    /// as their application name, so the probe finds them among other users of the server.
    fn location(&self) -> String {
        match self {
            Database::Sqlite(path) => format!("sqlite://{}", path.display()),
            Database::Postgres { base_url, schema } => format!(
                "{}{}options=-csearch_path%3D{schema}&application_name={schema}",
                base_url,
                if base_url.contains('?') { '&' } else { '?' }
            ),
        }
    }

    /// `None` while the child has not created the database yet.
    async fn connect(&self) -> Option<Conn> {
        match self {
            Database::Sqlite(path) => {
                if !path.exists() {
                    return None;
                }
                let options = SqliteConnectOptions::new().filename(path);
                let conn = SqliteConnection::connect_with(&options)
                    .await
                    .expect("open the SQLite file");
                Some(Conn::Sqlite(conn))
            }
            Database::Postgres { base_url, schema } => {
                let url = format!(
                    "{}{}options=-csearch_path%3D{schema}",
                    base_url,
                    if base_url.contains('?') { '&' } else { '?' }
                );
                let conn = PgConnection::connect(&url).await.expect("connect");
                Some(Conn::Postgres(conn))
            }
        }
    }

    /// Whether some session holds an open write transaction right now: on SQLite the write
    /// lock cannot be taken, on PostgreSQL one of the child's sessions has a transaction id.
    async fn writer_active(&self) -> bool {
        match self {
            Database::Sqlite(path) => {
                if !path.exists() {
                    return false;
                }
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .busy_timeout(Duration::ZERO);
                let Ok(mut conn) = SqliteConnection::connect_with(&options).await else {
                    return false;
                };
                let busy = match sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await {
                    Ok(_) => {
                        let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
                        false
                    }
                    Err(e) => e
                        .as_database_error()
                        .and_then(|d| d.code())
                        .and_then(|c| c.parse::<i32>().ok())
                        .is_some_and(|c| c & 0xff == 5),
                };
                let _ = conn.close().await;
                busy
            }
            Database::Postgres { base_url, schema } => {
                let mut conn = PgConnection::connect(base_url).await.expect("connect");
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM pg_stat_activity \
                     WHERE application_name = $1 AND backend_xid IS NOT NULL",
                )
                .bind(schema)
                .fetch_one(&mut conn)
                .await
                .expect("pg_stat_activity");
                let _ = conn.close().await;
                n > 0
            }
        }
    }

    /// Whether SQLite's write-ahead log was left beside the database (`None` on PostgreSQL).
    fn wal_exists(&self) -> Option<bool> {
        match self {
            Database::Sqlite(path) => {
                let mut wal = path.clone().into_os_string();
                wal.push("-wal");
                Some(Path::new(&wal).exists())
            }
            Database::Postgres { .. } => None,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let Database::Postgres { base_url, schema } = self else {
            return;
        };
        let result = runtime().block_on(async {
            let mut conn = PgConnection::connect(base_url).await?;
            // A killed child's session may still be finishing its statement.
            sqlx::query("SET lock_timeout = '20s'")
                .execute(&mut conn)
                .await?;
            sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .execute(&mut conn)
                .await?;
            conn.close().await
        });
        if let Err(e) = result {
            eprintln!("warning: could not drop test schema {schema}: {e}");
        }
    }
}

enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Conn {
    async fn triples(&mut self, sql: &str) -> Vec<(i64, i64, i64)> {
        let rows = match self {
            Conn::Sqlite(c) => sqlx::query_as(sql).fetch_all(c).await,
            Conn::Postgres(c) => sqlx::query_as(sql).fetch_all(c).await,
        };
        rows.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    async fn count(&mut self, sql: &str) -> i64 {
        let row: Result<(i64,), _> = match self {
            Conn::Sqlite(c) => sqlx::query_as(sql).fetch_one(c).await,
            Conn::Postgres(c) => sqlx::query_as(sql).fetch_one(c).await,
        };
        row.unwrap_or_else(|e| panic!("{sql}: {e}")).0
    }

    async fn has_table(&mut self, name: &str) -> bool {
        let row: Result<(i64,), _> = match self {
            Conn::Sqlite(c) => {
                sqlx::query_as(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
                )
                .bind(name)
                .fetch_one(c)
                .await
            }
            Conn::Postgres(c) => {
                sqlx::query_as(
                    "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name = $1",
                )
                .bind(name)
                .fetch_one(c)
                .await
            }
        };
        row.expect("list tables").0 > 0
    }

    async fn close(self) {
        let _ = match self {
            Conn::Sqlite(c) => c.close().await,
            Conn::Postgres(c) => c.close().await,
        };
    }
}

fn unique_schema() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "rf_crash_{}_{nanos}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

// ---------------------------------------------------------------------------------------------
// The binary and its input

fn ringfence(db: &Database) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ringfence"));
    cmd.env("RINGFENCE_DB", db.location())
        .env("RINGFENCE_ACTOR", "crash-test")
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

fn scan_args(projects: &Path, record: bool) -> Vec<String> {
    let mut args = vec![
        "scan".to_string(),
        projects.display().to_string(),
        "--quiet".into(),
        "--format".into(),
        "json".into(),
    ];
    if record {
        args.push("--record".into());
    }
    args
}

fn scan(db: &Database, projects: &Path, record: bool) -> i32 {
    let (code, _, stderr) = run(db, &scan_args(projects, record));
    assert!(code == 0 || code == 1, "scan failed ({code}): {stderr}");
    code
}

fn run<S: AsRef<std::ffi::OsStr>>(db: &Database, args: &[S]) -> (i32, String, String) {
    let out = ringfence(db).args(args).output().expect("run ringfence");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let value = f();
    (value, start.elapsed())
}

/// Not hidden (the lockfile walk skips hidden folders below the roots it is given).
fn workspace() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("ringfence-crash")
        .tempdir()
        .expect("temp dir")
}

/// `LOCKFILES` projects, each an npm v3 lockfile of `GENERATED_PACKAGES` distinct packages
/// in a shallow tree under the root, plus the known-malicious debug@4.4.2.
fn write_projects(work: &Path) -> PathBuf {
    let projects = work.join("projects");
    for k in 0..LOCKFILES {
        let dir = projects.join(format!("app-{k}"));
        std::fs::create_dir_all(&dir).expect("project dir");
        std::fs::write(dir.join("package-lock.json"), npm_lockfile(k)).expect("write lockfile");
    }
    projects
}

fn npm_lockfile(k: usize) -> String {
    let name = format!("crash-app-{k}");
    let mut s = String::with_capacity(GENERATED_PACKAGES * 120);
    let _ = write!(
        s,
        r#"{{"name":"{name}","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{{
"":{{"name":"{name}","version":"1.0.0","dependencies":{{"debug":"^4.4.0","pkg-0":"*"}}}},
"node_modules/debug":{{"version":"4.4.2","license":"MIT","dependencies":{{"ms":"^2.1.3"}}}},
"node_modules/ms":{{"version":"2.1.3","license":"MIT"}}"#
    );
    for i in 0..GENERATED_PACKAGES {
        let _ = write!(
            s,
            ",\n\"node_modules/pkg-{i}\":{{\"version\":\"{}.{}.{}\",\"license\":\"MIT\"",
            k + 1,
            i / 1000,
            i % 1000
        );
        // Each package requires the next two: a tree about 16 levels deep.
        let children: Vec<usize> = [2 * i + 1, 2 * i + 2]
            .into_iter()
            .filter(|&c| c < GENERATED_PACKAGES)
            .collect();
        if !children.is_empty() {
            s.push_str(",\"dependencies\":{");
            for (n, c) in children.iter().enumerate() {
                if n > 0 {
                    s.push(',');
                }
                let _ = write!(s, "\"pkg-{c}\":\"*\"");
            }
            s.push('}');
        }
        s.push('}');
    }
    s.push_str("\n}}\n");
    s
}

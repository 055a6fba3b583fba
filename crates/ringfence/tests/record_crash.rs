//! A `scan --record` killed with SIGKILL at any moment leaves the database consistent: a scan's
//! inventories, packages and findings are all there or none are, and every incident's hash
//! chain verifies. Each test times one uninterrupted run of a large inventory, kills child
//! processes at delays spread over that time and, because a loaded machine shifts every
//! timing, also right after a probe of the database sees the child's write begin; it checks
//! the database directly after every kill, and then lets one scan finish.

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
const GENERATED_PACKAGES: usize = 30_000;
/// What each inventory holds: the generated packages plus `debug` and its dependency `ms`.
const INVENTORY_SIZE: i64 = GENERATED_PACKAGES as i64 + 2;
/// How often a child is probed while waiting for it to start writing.
const PROBE_EVERY: Duration = Duration::from_millis(5);
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

    let calibrated = calibrate(&rt, calibration, &projects);
    println!(
        "[{}] calibration ({LOCKFILES} lockfiles x {INVENTORY_SIZE} packages): scan --record {:.2}s, \
         writing seen from {:.2}s, scan committed by {:.2}s",
        target.kind(),
        calibrated.whole.as_secs_f64(),
        calibrated.write_began.as_secs_f64(),
        calibrated.scan_committed.as_secs_f64(),
    );
    let recorded_time = calibrated.whole;
    let write_time = calibrated
        .scan_committed
        .saturating_sub(calibrated.write_began);

    let mut kills: Vec<Trigger> = [1, 30, 150]
        .map(|ms| Trigger::After(Duration::from_millis(ms)))
        .to_vec();
    // Before any run can finish: once the incident is open, a rescan finds nothing new to
    // write to it.
    kills.push(Trigger::IncidentWrite);
    kills.extend([0.0, 0.3, 0.6].map(|f| Trigger::OnceWriting(write_time.mul_f64(f))));
    kills.extend([0.1, 0.3, 0.5, 0.7, 0.9].map(|f| Trigger::After(recorded_time.mul_f64(f))));

    let mut tally = Tally::default();
    for trigger in kills {
        let kill = kill_and_check(&rt, target, &projects, trigger);
        tally.add(kill.landed, kill.committed, kill.wal);
    }
    println!("[{}] {}", target.kind(), tally.summary());
    assert!(
        tally.killed > 0,
        "every child finished before its kill: scale GENERATED_PACKAGES up"
    );
    assert!(
        tally.in_scan_transaction > 0,
        "no kill landed inside the scan's transaction ({}): is the probe broken, or is the \
         write too short to see? then scale GENERATED_PACKAGES up",
        tally.summary()
    );

    // One scan left to finish: it records, and joins (or opens) the one incident for debug.
    let scans_before = rt.block_on(check_consistent(target)).scans;
    let (code, stdout, stderr) = run(target, &scan_args(&projects));
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

/// When, in an uninterrupted run, the scan's write began and ended.
struct Calibration {
    whole: Duration,
    write_began: Duration,
    scan_committed: Duration,
}

/// Times one uninterrupted `scan --record` on its own database, probing it all along. The
/// tables are created first, so the only write before the scan's commit is the scan's.
fn calibrate(rt: &tokio::runtime::Runtime, db: &Database, projects: &Path) -> Calibration {
    assert_audit_verifies(db);
    rt.block_on(db.wait_for_no_sessions());
    let mut child = spawn_scan(db, projects);
    let spawned = Instant::now();
    let mut probe = Probe::new(db);
    let (mut began, mut committed) = (None, None);
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll the child") {
            break status;
        }
        if began.is_none() && rt.block_on(probe.writing()).expect("probe") {
            began = Some(spawned.elapsed());
        }
        if committed.is_none() && rt.block_on(probe.scans()).expect("count scans") > 0 {
            committed = Some(spawned.elapsed());
        }
        std::thread::sleep(PROBE_EVERY);
    };
    let whole = spawned.elapsed();
    rt.block_on(probe.close());
    assert_eq!(
        status.code(),
        Some(1),
        "the calibration scan finds debug@4.4.2"
    );
    let scan_committed = committed.unwrap_or(whole);
    Calibration {
        whole,
        write_began: began.unwrap_or(scan_committed),
        scan_committed,
    }
}

fn spawn_scan(db: &Database, projects: &Path) -> std::process::Child {
    ringfence(db)
        .args(scan_args(projects))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn ringfence")
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
    /// Kills after which the scan count had not grown.
    uncommitted: usize,
    /// Kills that left SQLite's write-ahead log behind.
    wal_left: usize,
}

impl Tally {
    fn add(&mut self, landed: Landed, committed: bool, wal: Option<bool>) {
        self.attempts += 1;
        if landed != Landed::FinishedFirst {
            self.killed += 1;
            self.uncommitted += usize::from(!committed);
            self.wal_left += usize::from(wal == Some(true));
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
            "{} runs, {} killed ({} before the scan committed, {} leaving a -wal file): {} before \
             writing, {} mid scan transaction, {} mid incident transaction, {} after recording; \
             {} finished before the kill",
            self.attempts,
            self.killed,
            self.uncommitted,
            self.wal_left,
            self.before_writing,
            self.in_scan_transaction,
            self.in_incident_transaction,
            self.after_recording,
            self.finished_first
        )
    }
}

/// What one kill did.
struct Kill {
    landed: Landed,
    /// The scan count grew.
    committed: bool,
    wal: Option<bool>,
}

/// When to kill a child.
#[derive(Debug, Clone, Copy)]
enum Trigger {
    /// This long after it started.
    After(Duration),
    /// This long after a probe first saw it writing.
    OnceWriting(Duration),
    /// As soon as a probe sees it writing after its scan was committed: inside the
    /// transaction that opens or updates the incident, if the probe is quick enough.
    IncidentWrite,
}

/// Starts a recording scan, kills it when `trigger` says, and checks what it left behind.
fn kill_and_check(
    rt: &tokio::runtime::Runtime,
    db: &Database,
    projects: &Path,
    trigger: Trigger,
) -> Kill {
    // The previous child's sessions must be gone, or the probe would see them.
    rt.block_on(db.wait_for_no_sessions());
    let before = rt.block_on(check_consistent(db)).scans;
    let mut child = spawn_scan(db, projects);
    let spawned = Instant::now();
    let mut probe = Probe::new(db);
    let writing = match trigger {
        Trigger::After(delay) => {
            std::thread::sleep(delay);
            rt.block_on(probe.writing())
        }
        Trigger::OnceWriting(then) => loop {
            if child.try_wait().ok().flatten().is_some() {
                break Ok(false);
            }
            match rt.block_on(probe.writing()) {
                Ok(true) => {
                    std::thread::sleep(then);
                    break rt.block_on(probe.writing());
                }
                Ok(false) => std::thread::sleep(PROBE_EVERY),
                Err(e) => break Err(e),
            }
        },
        Trigger::IncidentWrite => loop {
            if child.try_wait().ok().flatten().is_some() {
                break Ok(false);
            }
            let recorded = match rt.block_on(probe.scans()) {
                Ok(n) => n > before,
                Err(e) => break Err(e),
            };
            if recorded {
                // Polled quickly, the incident's transaction being short; the pause keeps
                // the probe from hogging SQLite's write lock.
                match rt.block_on(probe.writing()) {
                    Ok(false) => {
                        std::thread::sleep(Duration::from_millis(1));
                        continue;
                    }
                    other => break other,
                }
            }
            std::thread::sleep(PROBE_EVERY);
        },
    };
    // Closed before the kill, so the child is the last to have the database open.
    rt.block_on(probe.close());
    let at = spawned.elapsed();
    let _ = child.kill();
    let status = child.wait().expect("wait for the child");
    let wal = db.wal_exists();

    let after = rt.block_on(check_consistent(db));
    assert!(after.scans >= before, "a recorded scan disappeared");
    let committed = after.scans > before;
    let writing = match &writing {
        Ok(writing) => *writing,
        Err(e) => {
            println!(
                "[{}] the probe failed ({e}); counted as not writing",
                db.kind()
            );
            false
        }
    };
    let landed = match (status.signal() == Some(SIGKILL), writing, committed) {
        (false, _, _) => Landed::FinishedFirst,
        (true, false, false) => Landed::BeforeWriting,
        (true, true, false) => Landed::InScanTransaction,
        (true, true, true) => Landed::InIncidentTransaction,
        (true, false, true) => Landed::AfterRecording,
    };
    assert_audit_verifies(db);
    let mut line = format!(
        "[{}] {trigger:?}: kill at {:.3}s: {landed:?}, scans {before} -> {}, incidents {}",
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
    Kill {
        landed,
        committed,
        wal,
    }
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

    /// A connection to look at the database beside the child, or `None` while the child has
    /// not created it.
    async fn probe_connection(&self) -> Result<Option<Conn>, sqlx::Error> {
        match self {
            Database::Sqlite(path) => {
                if !path.exists() {
                    return Ok(None);
                }
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .busy_timeout(Duration::ZERO);
                Ok(Some(Conn::Sqlite(
                    SqliteConnection::connect_with(&options).await?,
                )))
            }
            Database::Postgres { base_url, .. } => {
                Ok(Some(Conn::Postgres(PgConnection::connect(base_url).await?)))
            }
        }
    }

    /// On PostgreSQL, waits until the server has ended every session of earlier children
    /// (a killed client's session ends once its server process notices the closed socket).
    async fn wait_for_no_sessions(&self) {
        let Database::Postgres { base_url, schema } = self else {
            return;
        };
        let mut conn = PgConnection::connect(base_url).await.expect("connect");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1")
                    .bind(schema)
                    .fetch_one(&mut conn)
                    .await
                    .expect("pg_stat_activity");
            if n == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{n} sessions of killed children still open after 30 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let _ = conn.close().await;
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
            Conn::Sqlite(c) => return has_table(c, name).await.expect("list tables"),
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

/// Looks for a write in progress: on SQLite the write lock cannot be taken, on PostgreSQL one
/// of the child's sessions has a transaction id.
struct Probe<'a> {
    db: &'a Database,
    conn: Option<Conn>,
}

impl<'a> Probe<'a> {
    fn new(db: &'a Database) -> Probe<'a> {
        Probe { db, conn: None }
    }

    async fn writing(&mut self) -> Result<bool, sqlx::Error> {
        if self.conn.is_none() {
            self.conn = self.db.probe_connection().await?;
        }
        match &mut self.conn {
            None => Ok(false),
            Some(Conn::Sqlite(c)) => match sqlx::query("BEGIN IMMEDIATE").execute(&mut *c).await {
                Ok(_) => {
                    sqlx::query("ROLLBACK").execute(&mut *c).await?;
                    Ok(false)
                }
                // SQLITE_BUSY and its extended codes: another connection holds the lock.
                Err(e) if sqlite_code(&e).is_some_and(|code| code & 0xff == 5) => Ok(true),
                Err(e) => Err(e),
            },
            Some(Conn::Postgres(c)) => {
                let Database::Postgres { schema, .. } = self.db else {
                    unreachable!("a PostgreSQL connection to an SQLite database")
                };
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM pg_stat_activity \
                     WHERE application_name = $1 AND backend_xid IS NOT NULL",
                )
                .bind(schema)
                .fetch_one(&mut *c)
                .await?;
                Ok(n > 0)
            }
        }
    }

    /// How many scans are committed (0 before the child created the database).
    async fn scans(&mut self) -> Result<i64, sqlx::Error> {
        if self.conn.is_none() {
            self.conn = self.db.probe_connection().await?;
        }
        let row: (i64,) = match &mut self.conn {
            None => return Ok(0),
            Some(Conn::Sqlite(c)) => {
                if !has_table(c, "scans").await? {
                    return Ok(0);
                }
                sqlx::query_as("SELECT COUNT(*) FROM scans")
                    .fetch_one(&mut *c)
                    .await?
            }
            Some(Conn::Postgres(c)) => {
                let Database::Postgres { schema, .. } = self.db else {
                    unreachable!("a PostgreSQL connection to an SQLite database")
                };
                let (exists,): (bool,) = sqlx::query_as("SELECT to_regclass($1) IS NOT NULL")
                    .bind(format!("{schema}.scans"))
                    .fetch_one(&mut *c)
                    .await?;
                if !exists {
                    return Ok(0);
                }
                sqlx::query_as(&format!("SELECT COUNT(*) FROM {schema}.scans"))
                    .fetch_one(&mut *c)
                    .await?
            }
        };
        Ok(row.0)
    }

    async fn close(self) {
        if let Some(conn) = self.conn {
            conn.close().await;
        }
    }
}

async fn has_table(conn: &mut SqliteConnection, name: &str) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1")
            .bind(name)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

fn sqlite_code(e: &sqlx::Error) -> Option<i32> {
    e.as_database_error()?.code()?.parse().ok()
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

/// `scan --record` as the killed children and the final run invoke it.
fn scan_args(projects: &Path) -> Vec<String> {
    let projects = projects.display().to_string();
    ["scan", &projects, "--record", "--quiet", "--format", "json"]
        .map(String::from)
        .to_vec()
}

fn run<S: AsRef<std::ffi::OsStr>>(db: &Database, args: &[S]) -> (i32, String, String) {
    let out = ringfence(db).args(args).output().expect("run ringfence");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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

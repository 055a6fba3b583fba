//! `ringfence db import|status`, and scans that use what was imported: on SQLite always, on
//! PostgreSQL when DATABASE_URL is set.

mod util;

use std::path::Path;

use serde_json::Value;
use util::{Ringfence, postgres_url, repo_root, run};

fn osv_fixtures() -> std::path::PathBuf {
    repo_root().join("crates/ringfence-advisory/tests/fixtures/osv")
}

/// A folder with one project whose lockfile resolves a package only the imported feed knows.
fn project_with(dir: &Path, name: &str, version: &str) -> std::path::PathBuf {
    let project = dir.join("proj");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("requirements.txt"),
        format!("# test project\n{name}=={version}\n"),
    )
    .unwrap();
    project
}

fn import_then_scan(rf: &Ringfence, db: &str) {
    let (code, stdout, stderr) = run(rf
        .cmd()
        .env("RINGFENCE_DB", db)
        .arg("db")
        .arg("import")
        .arg(osv_fixtures())
        .arg("--json"));
    assert_eq!(code, 0, "{stdout}{stderr}");
    let summary: Value = serde_json::from_str(&stdout).unwrap();
    assert!(summary["records"].as_u64().unwrap() > 10, "{summary}");

    let (code, stdout, _) = run(rf
        .cmd()
        .env("RINGFENCE_DB", db)
        .args(["db", "status", "--json"]));
    assert_eq!(code, 0);
    let status: Value = serde_json::from_str(&stdout).unwrap();
    assert!(status["total"].as_u64().unwrap() > 10, "{status}");
    assert!(
        status["last_import"]["records"].as_u64().unwrap() > 10,
        "{status}"
    );
    assert!(status["newest_modified"].is_string());

    // A PyPI malicious package that is in the imported feed but not in the built-in snapshot.
    let project = project_with(rf.dir.path(), "fabrice", "1.0.0");
    let (code, stdout, stderr) = run(rf
        .cmd()
        .env("RINGFENCE_DB", db)
        .arg("scan")
        .arg(&project)
        .args(["--format", "json"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["findings"][0]["package"], "fabrice");
    assert_eq!(v["findings"][0]["advisory"]["kind"], "known-malware");

    // Importing the same records again changes nothing.
    let (code, stdout, _) = run(rf
        .cmd()
        .env("RINGFENCE_DB", db)
        .arg("db")
        .arg("import")
        .arg(osv_fixtures())
        .arg("--json"));
    assert_eq!(code, 0);
    let again: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(again["inserted"], 0, "{again}");
    assert_eq!(again["updated"], 0, "{again}");
}

#[test]
fn import_status_and_scan_on_sqlite() {
    let rf = Ringfence::new();
    let db = format!("sqlite://{}", rf.db());
    import_then_scan(&rf, &db);
}

#[test]
fn import_status_and_scan_on_postgres() {
    let Some(url) = postgres_url() else { return };
    let rf = Ringfence::new();
    // Each run gets its own schema on the shared test database.
    let schema = format!("rf_cli_{}", std::process::id());
    let admin = std::process::Command::new("psql")
        .arg(&url)
        .args([
            "-q",
            "-c",
            &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};"),
        ])
        .status();
    assert!(
        admin.map(|s| s.success()).unwrap_or(false),
        "psql could not create the test schema"
    );
    let sep = if url.contains('?') { '&' } else { '?' };
    let db = format!("{url}{sep}options=-csearch_path%3D{schema}");
    import_then_scan(&rf, &db);
    let _ = std::process::Command::new("psql")
        .arg(&url)
        .args(["-q", "-c", &format!("DROP SCHEMA {schema} CASCADE;")])
        .status();
}

#[test]
fn without_a_database_scan_still_uses_the_snapshot() {
    let rf = Ringfence::new();
    let (code, stdout, stderr) =
        run(rf
            .cmd()
            .args(["scan", "examples/webshop", "--offline-snapshot"]));
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.contains("flatmap-stream"));
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let rf = Ringfence::new();
    let (code, _, stderr) = run(rf.cmd().args(["db", "status", "--db", "mysql://nope"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("mysql://nope"), "{stderr}");
}

#[test]
fn importing_a_file_that_is_not_osv_is_reported() {
    let rf = Ringfence::new();
    let dir = rf.dir.path().join("feed");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("broken.json"), "{ not json").unwrap();
    std::fs::copy(
        osv_fixtures().join("npm/chalk/MAL-2025-46969.json"),
        dir.join("MAL-2025-46969.json"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(rf.cmd().arg("db").arg("import").arg(&dir));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stderr.contains("broken.json"), "{stderr}");
    assert!(
        stdout.contains("imported 1 records"),
        "the good record still lands: {stdout}"
    );
}

//! `ringfence backup` and `ringfence restore`: a backup is a working database, a restore keeps
//! the database it replaces, and a file that is not a ringfence database changes nothing.

mod util;

use util::{Ringfence, run};

fn notes(rf: &Ringfence, id: &str) -> usize {
    let (code, out, err) = run(rf.cmd().args(["incident", "show", id, "--json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["notes"].as_array().unwrap().len()
}

#[test]
fn backup_then_restore_brings_the_old_state_back_and_keeps_the_new_one() {
    let rf = Ringfence::new();
    let (code, _, err) = run(rf.cmd().args([
        "incident",
        "open",
        "--title",
        "drill",
        "--package",
        "npm:debug@4.4.2",
    ]));
    assert_eq!(code, 0, "{err}");
    let backup = rf.dir.path().join("backup.db");
    let (code, out, err) = run(rf
        .cmd()
        .args(["backup", backup.to_str().unwrap(), "--json"]));
    assert_eq!(code, 0, "{err}");
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(record["sha256"].as_str().unwrap().len(), 64);
    assert!(backup.is_file());

    // Writing over an existing file is refused.
    let (code, _, err) = run(rf.cmd().args(["backup", backup.to_str().unwrap()]));
    assert_eq!(code, 2);
    assert!(err.contains("existing file"), "{err}");

    // The backup is itself a database whose chains verify.
    let (code, out, err) =
        run(rf
            .cmd()
            .args(["--db", backup.to_str().unwrap(), "audit", "verify"]));
    assert_eq!(code, 0, "{out}{err}");

    // A later change, then the restore: the change is gone from the live database...
    let (code, _, err) = run(rf
        .cmd()
        .args(["incident", "note", "INC-1", "after the backup"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(notes(&rf, "INC-1"), 1);
    let (code, out, err) = run(rf
        .cmd()
        .args(["restore", backup.to_str().unwrap(), "--json"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(notes(&rf, "INC-1"), 0);
    // ...but kept in the database the restore put aside.
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kept = v["previous_kept_at"]
        .as_str()
        .expect("previous database kept");
    let (code, out, err) = run(rf
        .cmd()
        .args(["--db", kept, "incident", "show", "INC-1", "--json"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("after the backup"));
}

#[test]
fn restoring_something_that_is_not_a_database_changes_nothing() {
    let rf = Ringfence::new();
    let (code, _, err) = run(rf.cmd().args(["incident", "open", "--title", "keep me"]));
    assert_eq!(code, 0, "{err}");
    let junk = rf.dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not SQLite").unwrap();
    let (code, _, err) = run(rf.cmd().args(["restore", junk.to_str().unwrap()]));
    assert_eq!(code, 2);
    assert!(err.contains("is not a ringfence database"), "{err}");
    let (code, out, _) = run(rf.cmd().args(["incident", "list", "--json"]));
    assert_eq!(code, 0);
    assert!(out.contains("keep me"));
    let leftovers: Vec<_> = std::fs::read_dir(rf.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn postgres_backups_point_at_pg_dump_and_can_be_recorded() {
    let Some(rf) = Ringfence::postgres() else {
        return;
    };
    let target = rf.dir.path().join("rf.db");
    let (code, _, err) = run(rf.cmd().args(["backup", target.to_str().unwrap()]));
    assert_eq!(code, 2);
    assert!(err.contains("pg_dump"), "{err}");
    let dump = rf.dir.path().join("rf.dump");
    std::fs::write(&dump, b"PGDMP pretend dump").unwrap();
    let (code, out, err) =
        run(rf
            .cmd()
            .args(["backup", "--record", dump.to_str().unwrap(), "--json"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("rf.dump"));
}

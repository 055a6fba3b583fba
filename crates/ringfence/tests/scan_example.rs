//! The README's first command: scanning the bundled example web shop, offline, on a fresh
//! database, finds the known-malicious releases with their dependency paths and exits 1.

mod util;

use serde_json::Value;
use util::{Ringfence, run};

#[test]
fn demo_scan_finds_the_malicious_releases_and_exits_1() {
    let rf = Ringfence::new();
    let (code, stdout, stderr) = run(rf.cmd().args(["scan", "examples/webshop"]));
    assert_eq!(code, 1, "stdout:\n{stdout}\nstderr:\n{stderr}");
    // The 2018 event-stream attack, four levels deep in a dev tool.
    assert!(
        stdout.contains("webshop-storefront → npm-run-all@4.1.3 → ps-tree@1.1.0 → event-stream@3.3.6 → flatmap-stream@0.1.1"),
        "{stdout}"
    );
    // The September 2025 debug compromise, a direct production dependency.
    assert!(stdout.contains("debug@4.4.2"), "{stdout}");
    assert!(stdout.contains("MAL-2025-46974"), "{stdout}");
    // The 2021 ua-parser-js hijack, through react and fbjs in a yarn.lock, with its fix.
    assert!(
        stdout.contains("webshop-admin → react@15.7.0 → fbjs@0.8.17 → ua-parser-js@0.7.29"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0.7.30"),
        "the fixed version is named: {stdout}"
    );
    assert!(
        stdout.contains("storefront/package-lock.json:"),
        "findings point at the lockfile line: {stdout}"
    );
    // The clean Python project is read but has nothing to report.
    assert!(!stdout.contains("flask"), "{stdout}");
    assert!(stdout.contains("3 lockfiles"), "{stdout}");
}

#[test]
fn json_output_carries_every_field_a_pipeline_needs() {
    let rf = Ringfence::new();
    let (code, stdout, stderr) =
        run(rf
            .cmd()
            .args(["scan", "examples/webshop", "--format", "json"]));
    assert_eq!(code, 1, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let flatmap = findings
        .iter()
        .find(|f| f["package"] == "flatmap-stream")
        .expect("flatmap-stream finding");
    assert_eq!(flatmap["version"], "0.1.1");
    assert_eq!(flatmap["project"], "webshop-storefront");
    assert_eq!(flatmap["advisory"]["kind"], "known-malware");
    assert_eq!(flatmap["dev"], true);
    assert_eq!(flatmap["direct"], false);
    assert_eq!(flatmap["path"].as_array().unwrap().len(), 4);
    assert!(flatmap["line"].as_u64().unwrap() > 1);
    let ua = findings
        .iter()
        .find(|f| f["package"] == "ua-parser-js")
        .expect("ua-parser-js finding");
    assert_eq!(ua["fixed_version"], "0.7.30");
    assert_eq!(v["summary"]["lockfiles"], 3);
    assert!(v["errors"].as_array().unwrap().is_empty());
}

#[test]
fn fail_on_none_exits_0_but_still_reports() {
    let rf = Ringfence::new();
    let (code, stdout, _) = run(rf
        .cmd()
        .args(["scan", "examples/webshop", "--fail-on", "none"]));
    assert_eq!(code, 0);
    assert!(stdout.contains("flatmap-stream"));
}

#[test]
fn a_clean_project_exits_0() {
    let rf = Ringfence::new();
    let (code, stdout, stderr) = run(rf.cmd().args(["scan", "examples/webshop/api"]));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("0 findings"), "{stdout}");
}

#[test]
fn a_broken_lockfile_is_reported_by_name_and_the_rest_still_scanned() {
    let rf = Ringfence::new();
    let work = rf.dir.path().join("projects");
    std::fs::create_dir_all(work.join("broken")).unwrap();
    std::fs::write(
        work.join("broken/package-lock.json"),
        "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n",
    )
    .unwrap();
    let good = work.join("good");
    std::fs::create_dir_all(&good).unwrap();
    std::fs::copy(
        util::repo_root().join("examples/webshop/admin/yarn.lock"),
        good.join("yarn.lock"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(rf.cmd().arg("scan").arg(&work));
    assert_eq!(
        code, 2,
        "an unreadable lockfile is an error: {stdout}{stderr}"
    );
    assert!(
        stderr.contains("broken/package-lock.json"),
        "the error names the file: {stderr}"
    );
    assert!(stderr.contains(":4"), "and the line: {stderr}");
    assert!(
        stdout.contains("ua-parser-js@0.7.29"),
        "the good lockfile was still scanned: {stdout}"
    );
}

#[test]
fn a_path_that_does_not_exist_is_an_error() {
    let rf = Ringfence::new();
    let (code, _, stderr) = run(rf.cmd().args(["scan", "no/such/folder"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such/folder"), "{stderr}");
}

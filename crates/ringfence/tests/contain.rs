//! `ringfence contain`: a project that resolves the malicious debug@4.4.2 is recorded by
//! `scan --record` (which opens INC-1 from the built-in snapshot), pinned to the last good
//! version through npm `overrides` from the versions of a fixture registry on loopback, and
//! the real `npm install --package-lock-only` then resolves the good version. Then the cases
//! that must not write anything, `--offline`, and `--block` with the eradication gate.

mod util;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use ringfence_registry::testing::{FixturePackage, FixtureRegistry};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use util::{Ringfence, run};

fn debug(version: &str, at: OffsetDateTime) -> FixturePackage {
    FixturePackage::new("debug", version)
        .file("src/index.js", "module.exports = () => () => {};\n")
        .dependency("ms", "^2.1.3")
        .published_at(at)
}

fn ms() -> FixturePackage {
    FixturePackage::new("ms", "2.1.3")
        .file("index.js", "module.exports = (s) => s;\n")
        .published_at(datetime!(2021-01-05 00:00:00 UTC))
}

/// debug as it was in September 2025: good releases, the malicious 4.4.2, and a later beta.
fn registry_with_good_versions() -> FixtureRegistry {
    FixtureRegistry::serve([
        debug("4.3.7", datetime!(2024-09-06 00:00:00 UTC)),
        debug("4.4.1", datetime!(2025-05-13 00:00:00 UTC)),
        debug("4.4.2", datetime!(2025-09-08 13:00:00 UTC)),
        debug("4.4.3-beta.0", datetime!(2025-09-09 00:00:00 UTC)),
        ms(),
    ])
    .unwrap()
}

const MANIFEST: &str = r#"{
  "name": "shop",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "debug": "^4.3.7"
  },
  "license": "MIT"
}
"#;

/// A responder's workspace: the `shop` project whose lockfile resolves debug@4.4.2.
struct Workspace {
    rf: Ringfence,
    work: PathBuf,
}

impl Workspace {
    /// `registry` supplies the `resolved` URLs and integrities of the crafted lockfile.
    fn new(registry: &FixtureRegistry) -> Workspace {
        let rf = Ringfence::new();
        let work = rf.dir.path().join("work");
        let shop = work.join("shop");
        std::fs::create_dir_all(&shop).unwrap();
        std::fs::write(shop.join("package.json"), MANIFEST).unwrap();
        let entry = |name: &str, version: &str| {
            let mut e = json!({
                "version": version,
                "resolved": registry.tarball_url(name, version),
                "integrity": registry.integrity(name, version).unwrap(),
            });
            if name == "debug" {
                e["dependencies"] = json!({ "ms": "^2.1.3" });
            }
            e
        };
        let lock = json!({
            "name": "shop",
            "version": "1.0.0",
            "lockfileVersion": 3,
            "requires": true,
            "packages": {
                "": { "name": "shop", "version": "1.0.0", "dependencies": { "debug": "^4.3.7" } },
                "node_modules/debug": entry("debug", "4.4.2"),
                "node_modules/ms": entry("ms", "2.1.3"),
            }
        });
        std::fs::write(
            shop.join("package-lock.json"),
            serde_json::to_string_pretty(&lock).unwrap() + "\n",
        )
        .unwrap();
        Workspace { rf, work }
    }

    fn shop(&self) -> PathBuf {
        self.work.join("shop")
    }

    fn cache(&self) -> PathBuf {
        self.rf.dir.path().join("cache")
    }

    /// `ringfence ARGS` in the work folder, its npm config pointed at `registry` (if any)
    /// and its cache and home inside the test's folder.
    fn run(&self, registry: Option<&FixtureRegistry>, args: &[&str]) -> (i32, String, String) {
        let mut cmd = self.rf.cmd();
        cmd.current_dir(&self.work)
            .env("RINGFENCE_ACTOR", "alice")
            .env("XDG_CACHE_HOME", self.cache())
            .env("HOME", self.rf.dir.path())
            .env_remove("npm_config_registry")
            .env_remove("NPM_CONFIG_REGISTRY");
        if let Some(r) = registry {
            cmd.env("npm_config_registry", r.url().as_str());
        }
        run(cmd.args(args))
    }

    fn ok(&self, registry: Option<&FixtureRegistry>, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.run(registry, args);
        assert_eq!(code, 0, "ringfence {args:?}\n{stdout}\n{stderr}");
        stdout
    }

    fn show(&self) -> Value {
        serde_json::from_str(&self.ok(None, &["incident", "show", "INC-1", "--json"])).unwrap()
    }

    /// `scan shop --record`: the malware opens INC-1 and records the project as exposed.
    fn record_exposure(&self) {
        let (code, stdout, stderr) = self.run(None, &["scan", "shop", "--record"]);
        assert_eq!(code, 1, "the malware fails the scan\n{stdout}\n{stderr}");
        let inc = self.show();
        assert_eq!(inc["packages"][0]["name"], "debug", "{inc:#}");
        assert_eq!(inc["projects"].as_array().unwrap().len(), 1, "{inc:#}");
        assert_eq!(inc["projects"][0]["status"], "exposed", "{inc:#}");
    }

    fn manifest(&self) -> String {
        std::fs::read_to_string(self.shop().join("package.json")).unwrap()
    }

    fn notes(&self) -> Vec<String> {
        self.show()["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["text"].as_str().unwrap().to_string())
            .collect()
    }
}

#[test]
fn pin_shows_a_diff_applies_it_and_npm_then_resolves_the_good_version() {
    let registry = registry_with_good_versions();
    let ws = Workspace::new(&registry);
    ws.record_exposure();

    // Without --apply: the pin and its diff, nothing written.
    let stdout = ws.ok(Some(&registry), &["contain", "INC-1"]);
    assert!(stdout.contains("debug 4.4.2 → 4.4.1"), "{stdout}");
    assert!(
        stdout.contains("newest unaffected satisfying ^4.3.7"),
        "{stdout}"
    );
    assert!(stdout.contains("exposed"), "{stdout}");
    assert!(
        stdout.contains("--- a/shop/package.json\n+++ b/shop/package.json\n@@ "),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n-    \"debug\": \"^4.3.7\"\n+    \"debug\": \"4.4.1\"\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\n+  \"overrides\": {\n+    \"debug\": \"$debug\"\n+  }\n"),
        "{stdout}"
    );
    assert!(stdout.contains("dry run: nothing was written"), "{stdout}");
    assert_eq!(ws.manifest(), MANIFEST);
    assert!(ws.notes().is_empty());
    // The registry was asked, and what it listed is kept for --offline.
    assert!(registry.requests().iter().any(|r| r.path == "/debug"));
    let kept: Value = serde_json::from_slice(
        &std::fs::read(ws.cache().join("ringfence/packuments/debug.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(kept["versions"].as_array().unwrap().len(), 4, "{kept:#}");

    // With --apply: package.json is written (every other line as it was) and noted.
    let stdout = ws.ok(Some(&registry), &["contain", "INC-1", "--pin", "--apply"]);
    assert!(stdout.contains("wrote shop/package.json"), "{stdout}");
    assert!(stdout.contains("npm install"), "{stdout}");
    let written = ws.manifest();
    let v: Value = serde_json::from_str(&written).unwrap();
    assert_eq!(v["dependencies"]["debug"], "4.4.1");
    assert_eq!(v["overrides"]["debug"], "$debug");
    assert!(
        written.starts_with(
            "{\n  \"name\": \"shop\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n"
        ),
        "{written}"
    );
    assert!(
        written.ends_with(
            "  \"license\": \"MIT\",\n  \"overrides\": {\n    \"debug\": \"$debug\"\n  }\n}\n"
        ),
        "{written}"
    );
    let notes = ws.notes();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].starts_with("pinned debug to 4.4.1 in ") && notes[0].ends_with("(npm overrides)"),
        "{notes:?}"
    );

    // Applying again changes nothing and notes nothing.
    let stdout = ws.ok(Some(&registry), &["contain", "INC-1", "--apply"]);
    assert!(stdout.contains("already pinned"), "{stdout}");
    assert_eq!(ws.manifest(), written);
    assert_eq!(ws.notes().len(), 1);

    // The real npm, against the same registry, now resolves the good version.
    let Some(npm) = which("npm") else {
        eprintln!("skipped the npm install check: `npm` is not on PATH");
        return;
    };
    let npm_home = ws.rf.dir.path().join("npm-home");
    std::fs::create_dir_all(&npm_home).unwrap();
    let out = Process::new(npm)
        .current_dir(ws.shop())
        .args([
            "install",
            "--package-lock-only",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--registry",
            registry.url().as_str(),
        ])
        .env("npm_config_cache", ws.rf.dir.path().join("npm-cache"))
        .env("npm_config_userconfig", npm_home.join(".npmrc"))
        .env("HOME", &npm_home)
        .env_remove("npm_config_registry")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "npm install failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lock: Value =
        serde_json::from_slice(&std::fs::read(ws.shop().join("package-lock.json")).unwrap())
            .unwrap();
    let packages = lock["packages"].as_object().unwrap();
    assert_eq!(
        packages["node_modules/debug"]["version"], "4.4.1",
        "{lock:#}"
    );
    assert_eq!(
        packages["node_modules/debug"]["resolved"],
        registry.tarball_url("debug", "4.4.1").as_str()
    );
    let bad: Vec<&String> = packages
        .iter()
        .filter(|(path, p)| path.ends_with("node_modules/debug") && p["version"] == "4.4.2")
        .map(|(path, _)| path)
        .collect();
    assert!(bad.is_empty(), "still resolves debug@4.4.2 at {bad:?}");

    // And the next recorded scan finds the project clean: remediated.
    let (code, stdout, stderr) = ws.run(None, &["scan", "shop", "--record"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(ws.show()["projects"][0]["status"], "remediated");
}

#[test]
fn no_unaffected_version_exits_1_and_suggests_removing_the_dependency() {
    // Only the bad release and a pre-release exist.
    let registry = FixtureRegistry::serve([
        debug("4.4.2", datetime!(2025-09-08 13:00:00 UTC)),
        debug("4.4.3-beta.0", datetime!(2025-09-09 00:00:00 UTC)),
        ms(),
    ])
    .unwrap();
    let ws = Workspace::new(&registry);
    ws.record_exposure();
    let (code, stdout, stderr) = ws.run(Some(&registry), &["contain", "INC-1", "--apply"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("no pin:"), "{stdout}");
    assert!(stdout.contains("no unaffected version exists"), "{stdout}");
    assert!(
        stdout.contains("remove the dependency or replace it"),
        "{stdout}"
    );
    assert_eq!(ws.manifest(), MANIFEST, "nothing is written");
    assert!(ws.notes().is_empty());

    let (code, stdout, _) = ws.run(Some(&registry), &["contain", "INC-1", "--json"]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let outcome = &report["projects"][0]["outcomes"][0];
    assert_eq!(outcome["outcome"], "no-pin", "{report:#}");
    assert_eq!(outcome["suggestion"], "remove the dependency or replace it");
}

#[test]
fn offline_uses_the_versions_kept_from_the_last_fetch() {
    let registry = registry_with_good_versions();
    let ws = Workspace::new(&registry);
    ws.record_exposure();

    // Nothing kept yet: an error that says how to get the list.
    let (code, stdout, stderr) = ws.run(None, &["contain", "INC-1", "--offline"]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("run once without --offline"),
        "{stdout}\n{stderr}"
    );

    ws.ok(Some(&registry), &["contain", "INC-1"]);
    drop(registry);
    let (code, stdout, stderr) = ws.run(None, &["contain", "INC-1", "--offline", "--json"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let outcome = &report["projects"][0]["outcomes"][0];
    assert_eq!(outcome["outcome"], "pin", "{report:#}");
    assert_eq!(outcome["to"], "4.4.1");
    assert_eq!(outcome["published"], "2025-05-13T00:00:00Z");
    assert_eq!(report["projects"][0]["package_manager"], "npm");
}

#[test]
fn block_lists_every_affected_version_and_opens_the_eradication_gate() {
    let registry = registry_with_good_versions();
    let ws = Workspace::new(&registry);
    ws.record_exposure();
    ws.ok(
        None,
        &[
            "incident",
            "assign",
            "INC-1",
            "--commander",
            "alice",
            "--severity",
            "sev1",
        ],
    );
    ws.ok(None, &["incident", "advance", "INC-1"]);
    assert_eq!(ws.show()["stage"], "containment");
    let (code, _, stderr) = ws.run(None, &["incident", "advance", "INC-1"]);
    assert_eq!(
        code, 1,
        "the gate refuses while debug@4.4.2 is not blocked: {stderr}"
    );
    assert!(stderr.contains("does not pass"), "{stderr}");

    // --block alone needs no registry and writes no pin.
    let stdout = ws.ok(None, &["contain", "INC-1", "--block"]);
    assert!(stdout.contains("blocked npm:debug@4.4.2"), "{stdout}");
    assert_eq!(ws.manifest(), MANIFEST);
    let list: Value = serde_json::from_str(&ws.ok(None, &["block", "list", "--json"])).unwrap();
    let blocked: Vec<(&str, &str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap(),
                e["version"].as_str().unwrap(),
                e["incident"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(blocked, [("debug", "4.4.2", "INC-1")]);

    // Blocking again is harmless.
    let stdout = ws.ok(None, &["contain", "INC-1", "--block"]);
    assert!(
        stdout.contains("already blocked npm:debug@4.4.2"),
        "{stdout}"
    );

    ws.ok(None, &["incident", "advance", "INC-1"]);
    assert_eq!(ws.show()["stage"], "eradication");
}

/// The first `name` on PATH.
fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    path.is_file()
}

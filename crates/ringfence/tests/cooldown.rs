//! `min-release-age`: a version younger than the policy's minimum age fails the scan as
//! `TOO NEW`, until it has aged; publish times come from the (fixture) registry.

mod util;

use ringfence_registry::testing::{FixturePackage, FixtureRegistry};
use time::{Duration, OffsetDateTime};
use util::{Ringfence, run};

const LOCK: &str = r#"{
  "name": "app",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": { "name": "app", "dependencies": { "fresh-lib": "^1.0.0", "old-lib": "^2.0.0" } },
    "node_modules/fresh-lib": { "version": "1.0.1" },
    "node_modules/old-lib": { "version": "2.0.0" }
  }
}"#;

fn scan(
    rf: &Ringfence,
    registry: &FixtureRegistry,
    config: &str,
) -> (i32, serde_json::Value, String) {
    let project = rf.dir.path().join("app");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::write(project.join("package-lock.json"), LOCK).unwrap();
    std::fs::write(
        project.join("package.json"),
        r#"{"name":"app","dependencies":{"fresh-lib":"^1.0.0","old-lib":"^2.0.0"}}"#,
    )
    .unwrap();
    let config_path = rf.dir.path().join("ringfence.toml");
    std::fs::write(&config_path, config).unwrap();
    let (code, out, err) = run(rf
        .cmd()
        .env("npm_config_registry", registry.url().as_str())
        .env("XDG_CACHE_HOME", rf.dir.path().join("cache"))
        .env("HOME", rf.dir.path())
        .env("RINGFENCE_CONFIG", &config_path)
        .args(["scan", project.to_str().unwrap(), "--format", "json"]));
    (code, serde_json::from_str(&out).unwrap_or_default(), err)
}

fn registry() -> FixtureRegistry {
    let now = OffsetDateTime::now_utc();
    FixtureRegistry::serve([
        FixturePackage::new("fresh-lib", "1.0.0").published_at(now - Duration::days(40)),
        FixturePackage::new("fresh-lib", "1.0.1").published_at(now - Duration::hours(5)),
        FixturePackage::new("old-lib", "2.0.0").published_at(now - Duration::days(400)),
    ])
    .unwrap()
}

#[test]
fn a_release_younger_than_the_minimum_age_fails_the_scan() {
    let rf = Ringfence::new();
    let registry = registry();
    let (code, json, err) = scan(&rf, &registry, "[policy]\nmin-release-age = \"3d\"\n");
    assert_eq!(code, 1, "{err}");
    let blocked = json["blocked"].as_array().unwrap();
    assert_eq!(blocked.len(), 1, "{json}");
    assert_eq!(blocked[0]["package"], "fresh-lib");
    assert_eq!(blocked[0]["too_new"], true);
    assert!(
        blocked[0]["reason"]
            .as_str()
            .unwrap()
            .contains("minimum release age of 3d")
    );
}

#[test]
fn an_older_minimum_or_a_lowered_action_lets_it_through() {
    let rf = Ringfence::new();
    let registry = registry();
    let (code, json, err) = scan(&rf, &registry, "[policy]\nmin-release-age = \"2h\"\n");
    assert_eq!(code, 0, "{err}");
    assert!(json["blocked"].as_array().unwrap().is_empty(), "{json}");

    let rf = Ringfence::new();
    let (code, json, err) = scan(
        &rf,
        &registry,
        "[policy]\nmin-release-age = \"3d\"\n[policy.findings]\ntoo-new = \"warn\"\n",
    );
    assert_eq!(code, 0, "{err}");
    assert!(json["blocked"].as_array().unwrap().is_empty(), "{json}");
    assert!(
        err.contains("fresh-lib@1.0.1") && err.contains("too new"),
        "{err}"
    );
}

#[test]
fn without_a_minimum_age_the_registry_is_not_asked() {
    let rf = Ringfence::new();
    let registry = registry();
    let (code, _, err) = scan(&rf, &registry, "");
    assert_eq!(code, 0, "{err}");
    assert!(registry.requests().is_empty(), "{:?}", registry.requests());
}

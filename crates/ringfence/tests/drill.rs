//! `ringfence drill`: a rehearsal that runs the team's playbooks against a copy of a real
//! project's inventory, in a scratch database, and never touches the real one.

mod util;

use std::path::Path;

use util::{Ringfence, repo_root, run};

const CONFIG: &str = r#"
[team]
responders = [ { name = "alice", contact = "@alice" }, { name = "bob", contact = "@bob" } ]
[team.commanders]
malicious-dependency = "alice"

[[playbooks]]
name = "malicious-npm-release"
[playbooks.trigger]
findings = ["known-malware"]
[[playbooks.steps]]
action = "open-incident"
type = "malicious-dependency"
severity = "sev1"
[[playbooks.steps]]
action = "block"
[[playbooks.steps]]
action = "add-tasks"
tasks = [ { stage = "eradication", title = "Rebuild CI runners", owner = "bob" } ]
[[playbooks.steps]]
action = "notify"
webhook = "security"

[webhooks.security]
url = "http://127.0.0.1:9/never-called"
format = "json"
"#;

fn drill(
    rf: &Ringfence,
    config: Option<&Path>,
    extra: &[&str],
) -> (i32, serde_json::Value, String) {
    let project = repo_root().join("examples/webshop/storefront");
    let mut cmd = rf.cmd();
    cmd.arg("drill").arg(&project).arg("--json").args(extra);
    match config {
        Some(c) => cmd.env("RINGFENCE_CONFIG", c),
        None => cmd.env_remove("RINGFENCE_CONFIG"),
    };
    let (code, out, err) = run(&mut cmd);
    let json = serde_json::from_str(&out).unwrap_or(serde_json::Value::Null);
    (code, json, err)
}

#[test]
fn a_drill_runs_the_playbooks_in_a_scratch_database() {
    let rf = Ringfence::new();
    let config = rf.dir.path().join("ringfence.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let (code, report, err) = drill(&rf, Some(&config), &["--package", "cookie"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["planted"], "npm:cookie@0.7.2", "{report}");
    assert!(report["advisory"].as_str().unwrap().starts_with("DRILL-"));
    assert_eq!(report["incident"], "INC-1");
    // Severity, commander and the block satisfied the gates: contained with no person.
    assert_eq!(report["stage_reached"], "eradication", "{report}");
    let steps: Vec<&str> = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        steps
            .iter()
            .any(|s| s.contains("block: blocked npm:cookie@0.7.2")),
        "{steps:?}"
    );
    assert!(
        steps.iter().any(|s| s.contains("Rebuild CI runners")),
        "{steps:?}"
    );
    assert!(
        steps.iter().any(|s| s.contains("queued, not sent")),
        "{steps:?}"
    );
    // What people still have to do: fix the project, finish the task, write the report.
    let human = report["needs_a_human"].to_string();
    assert!(human.contains("resolves cookie@0.7.2"), "{human}");
    assert!(human.contains("Rebuild CI runners"), "{human}");
    assert!(human.contains("post-incident report"), "{human}");
    let stages: Vec<&str> = report["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["stage"].as_str().unwrap())
        .collect();
    assert!(
        stages.contains(&"identification") && stages.contains(&"playbooks"),
        "{stages:?}"
    );

    // The real database was never created, let alone written.
    assert!(
        !Path::new(&rf.db()).exists(),
        "the drill touched the real database"
    );
}

#[test]
fn a_kept_scratch_database_holds_the_rehearsal_and_verifies() {
    let rf = Ringfence::new();
    let config = rf.dir.path().join("ringfence.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let keep = rf.dir.path().join("drills");
    let (code, report, err) = drill(&rf, Some(&config), &["--keep", keep.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let scratch = report["scratch_database"]
        .as_str()
        .expect("kept")
        .to_string();
    assert!(scratch.starts_with(keep.to_str().unwrap()));
    let (code, out, err) = run(rf.cmd().args(["--db", &scratch, "audit", "verify"]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = run(rf
        .cmd()
        .args(["--db", &scratch, "incident", "list", "--json"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("[DRILL]") || out.contains("known malicious release"),
        "{out}"
    );
    assert!(!Path::new(&rf.db()).exists());
}

#[test]
fn without_playbooks_the_drill_says_everything_needs_a_person() {
    let rf = Ringfence::new();
    let empty = rf.dir.path().join("ringfence.toml");
    std::fs::write(&empty, "").unwrap();
    let (code, report, err) = drill(&rf, Some(&empty), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(report["stage_reached"], "identification", "{report}");
    let human = report["needs_a_human"].to_string();
    assert!(human.contains("no playbook matched"), "{human}");
    assert!(
        human.contains("no severity") || human.contains("no commander"),
        "{human}"
    );
}

#[test]
fn a_package_the_project_does_not_have_is_a_clear_error() {
    let rf = Ringfence::new();
    let empty = rf.dir.path().join("ringfence.toml");
    std::fs::write(&empty, "").unwrap();
    let (code, _, err) = drill(&rf, Some(&empty), &["--package", "left-pad-nope"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no npm lockfile here resolves `left-pad-nope`"),
        "{err}"
    );
}

#[test]
fn the_playbook_sets_the_type_of_the_incident_it_opened() {
    let rf = Ringfence::new();
    let config = rf.dir.path().join("ringfence.toml");
    std::fs::write(
        &config,
        CONFIG.replace(
            "type = \"malicious-dependency\"\nseverity = \"sev1\"",
            "type = \"other\"\nseverity = \"sev1\"",
        ),
    )
    .unwrap();
    let keep = rf.dir.path().join("drills");
    let (code, report, err) = drill(&rf, Some(&config), &["--keep", keep.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let scratch = report["scratch_database"].as_str().unwrap().to_string();
    let (code, out, err) = run(rf
        .cmd()
        .args(["--db", &scratch, "incident", "show", "INC-1", "--json"]));
    assert_eq!(code, 0, "{err}");
    let incident: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(incident["type"], "other", "{incident:#}");
    assert!(out.contains("\"kind\": \"type-set\""), "{out}");
}

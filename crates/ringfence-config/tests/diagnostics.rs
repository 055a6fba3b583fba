//! Every mistake in ringfence.toml is reported at its line and column, all of them in one run,
//! and a file with any error is not applied.

use std::path::Path;

use ringfence_config::{Config, ConfigError, Level};
use time::macros::date;

const TODAY: time::Date = date!(2026 - 06 - 01);

/// The errors of an invalid file, rendered as `policy check` prints them.
fn errors(text: &str) -> Vec<String> {
    match Config::parse_at(text, Path::new("ringfence.toml"), TODAY) {
        Ok(loaded) => panic!("expected errors, the file loaded: {:?}", loaded.config),
        Err(e) => e.errors().iter().map(|d| d.to_string()).collect(),
    }
}

/// The one error of a file that has exactly one.
fn error(text: &str) -> String {
    let all = errors(text);
    assert_eq!(all.len(), 1, "expected one error, got {all:#?}");
    all.into_iter().next().unwrap()
}

fn warnings(text: &str) -> Vec<String> {
    match Config::parse_at(text, Path::new("ringfence.toml"), TODAY) {
        Ok(loaded) => loaded.warnings.iter().map(|d| d.to_string()).collect(),
        Err(e) => panic!("expected the file to load: {e}"),
    }
}

const TEAM: &str = r#"[team]
responders = [
  { name = "alice", contact = "@alice" },
  { name = "bob", contact = "bob@example.com" },
]
"#;

#[test]
fn a_typo_key_is_an_error_at_its_line_with_a_suggestion() {
    let text = format!("{TEAM}\n[policy]\nmin-release-ag = \"3d\"\n");
    assert_eq!(
        error(&text),
        "ringfence.toml:8:1: unknown key `min-release-ag` in [policy] (did you mean `min-release-age`?)"
    );
}

#[test]
fn an_unknown_section_lists_the_known_ones() {
    let e = error("[teams]\nresponders = []\n");
    assert!(
        e.starts_with("ringfence.toml:1:2: unknown key `teams`"),
        "{e}"
    );
    assert!(e.contains("did you mean `team`"), "{e}");
}

#[test]
fn a_typo_inside_an_exception_is_reported_at_the_key() {
    let text = r#"[[policy.exceptions]]
package = "npm:esbuild"
reasn = "native binary"
expires = "2027-03-01"
"#;
    let e = error(text);
    assert!(
        e.starts_with("ringfence.toml:3:1: unknown field `reasn`"),
        "{e}"
    );
}

#[test]
fn a_missing_required_field_points_at_its_table() {
    let text = "\n[[policy.exceptions]]\npackage = \"npm:esbuild\"\nexpires = \"2027-03-01\"\n";
    let e = error(text);
    assert!(e.starts_with("ringfence.toml:2:"), "{e}");
    assert!(e.contains("missing field `reason`"), "{e}");
}

#[test]
fn a_value_of_the_wrong_type_is_reported_at_the_value() {
    let e = error("[policy]\nmin-release-age = 3\n");
    assert!(e.starts_with("ringfence.toml:2:19:"), "{e}");
    assert!(e.contains("expected a string"), "{e}");
}

#[test]
fn a_syntax_error_has_a_line_too() {
    let e = error("[team]\nresponders = [\n  { name = \"alice\" contact = \"x\" },\n]\n");
    assert!(e.starts_with("ringfence.toml:3:"), "{e}");
    assert!(!e.contains('\n'), "one line: {e}");
}

#[test]
fn unknown_alert_ids_finding_kinds_and_actions() {
    let text = r#"[policy.findings]
suspicios = "warn"
malicious = "page-someone"
[policy.alerts]
instal-script = "monitor"
"#;
    assert_eq!(
        errors(text),
        vec![
            "ringfence.toml:2:1: unknown finding kind `suspicios`, expected one of: known-malware, malicious, suspicious, vulnerability-critical, vulnerability-high, vulnerability-medium, vulnerability-low, blocked, too-new (did you mean `suspicious`?)",
            "ringfence.toml:3:13: unknown action `page-someone`, expected one of: ignore, monitor, warn, block, incident",
            "ringfence.toml:5:1: unknown alert id `instal-script` (did you mean `install-script`?)",
        ]
    );
}

#[test]
fn commanders_and_owners_must_be_responders() {
    let text = format!(
        r#"{TEAM}[team.commanders]
malicious-dependency = "alicia"
security-breach = "bob"

[[playbooks]]
name = "p"
[playbooks.trigger]
findings = ["malicious"]
[[playbooks.steps]]
action = "open-incident"
type = "malicious-dependency"
commander = "mallory"
[[playbooks.steps]]
action = "add-tasks"
tasks = [{{ stage = "eradication", title = "Rebuild", owner = "eve" }}]
"#
    );
    let all = errors(&text);
    assert_eq!(all.len(), 4, "{all:#?}");
    assert_eq!(
        all[0],
        "ringfence.toml:7:24: commander `alicia` is not a responder in [team] (did you mean `alice`?)"
    );
    assert!(
        all[1].starts_with("ringfence.toml:8:1: `security-breach` is not a valid incident type"),
        "{}",
        all[1]
    );
    assert!(
        all[2].starts_with("ringfence.toml:17:13: commander `mallory` is not a responder"),
        "{}",
        all[2]
    );
    assert!(all[3].starts_with("ringfence.toml:20:"), "{}", all[3]);
    assert!(
        all[3].contains("owner `eve` is not a responder"),
        "{}",
        all[3]
    );
}

#[test]
fn without_responders_the_message_says_so() {
    let e = error("[team.commanders]\nother = \"alice\"\n");
    assert_eq!(
        e,
        "ringfence.toml:2:9: commander `alice` is not a responder in [team] ([team] lists no responders)"
    );
}

#[test]
fn a_notify_step_must_name_a_defined_webhook() {
    let text = r#"[[playbooks]]
name = "p"
[playbooks.trigger]
findings = ["malicious"]
[[playbooks.steps]]
action = "notify"
webhook = "securty"

[webhooks.security]
url = "https://hooks.example.com/x"
secret-env = "SECRET"
"#;
    assert_eq!(
        error(text),
        "ringfence.toml:7:11: webhook `securty` is not defined: add a [webhooks.securty] table (did you mean `security`?)"
    );
}

#[test]
fn dates_must_be_days_of_the_calendar() {
    let text = r#"[[policy.exceptions]]
package = "npm:esbuild"
reason = "native binary"
expires = "2027-02-30"

[[policy.exceptions]]
package = "npm:esbuild"
reason = "native binary"
expires = "next spring"

[[policy.exceptions]]
package = "npm:esbuild"
reason = "native binary"
expires = 2027-03-01T10:00:00Z
"#;
    let all = errors(text);
    assert_eq!(all.len(), 3, "{all:#?}");
    assert_eq!(
        all[0],
        "ringfence.toml:4:11: `2027-02-30` is not a day of the calendar"
    );
    assert!(
        all[1].starts_with("ringfence.toml:9:11: `next spring` is not a date"),
        "{}",
        all[1]
    );
    assert!(all[2].starts_with("ringfence.toml:14:11:"), "{}", all[2]);
    assert!(all[2].contains("without a time"), "{}", all[2]);
}

#[test]
fn an_expired_exception_is_a_warning_at_its_date() {
    let text = r#"[[policy.exceptions]]
package = "npm:esbuild"
reason = "native binary"
expires = "2026-05-31"
"#;
    assert_eq!(
        warnings(text),
        vec![
            "ringfence.toml:4:11: the exception for npm:esbuild expired on 2026-05-31 and no longer applies"
        ]
    );
    // The expiry date itself is the last day the exception applies.
    assert!(warnings(&text.replace("2026-05-31", "2026-06-01")).is_empty());
}

#[test]
fn package_specs_are_checked() {
    let text = r#"[[policy.exceptions]]
package = "esbuild"
reason = "native binary"
expires = "2027-03-01"

[[policy.blocklist]]
package = "npm:debug"

[[policy.blocklist]]
package = "gems:rails@7.0.0"

[[policy.blocklist]]
package = "npm:debug@4.4.x"
"#;
    let all = errors(text);
    assert_eq!(all.len(), 4, "{all:#?}");
    assert!(
        all[0].starts_with(
            "ringfence.toml:2:11: `esbuild` is not a package: expected ECOSYSTEM:NAME"
        ),
        "{}",
        all[0]
    );
    assert_eq!(
        all[1],
        "ringfence.toml:7:11: a blocklist entry names one version, like `npm:debug@1.2.3`"
    );
    assert!(
        all[2].starts_with("ringfence.toml:10:11: unknown ecosystem `gems`"),
        "{}",
        all[2]
    );
    assert!(
        all[3].starts_with("ringfence.toml:13:11: `4.4.x` is not a valid npm version"),
        "{}",
        all[3]
    );
}

#[test]
fn a_bad_duration_says_which_units_exist() {
    assert_eq!(
        error("[policy]\nmin-release-age = \"3 days\"\n"),
        "ringfence.toml:2:19: `3 days` is not an age: expected a whole number and h, d or w, like `36h`, `3d` or `2w`"
    );
}

#[test]
fn steps_need_their_fields_and_only_their_fields() {
    let text = r#"[[playbooks]]
name = "p"
[playbooks.trigger]
findings = ["malicious"]
[[playbooks.steps]]
action = "open-incident"
severity = "sev1"
[[playbooks.steps]]
action = "notify"
[[playbooks.steps]]
action = "pin"
webhook = "security"
[[playbooks.steps]]
action = "page-everyone"
[[playbooks.steps]]
action = "add-tasks"
tasks = [{ stage = "cleanup", title = "x" }]
[[playbooks.steps]]
action = "open-incident"
type = "malicious-dependency"
severity = "critical"
[[playbooks.steps]]
action = "notify"
webhok = "security"
"#;
    assert_eq!(
        errors(text),
        vec![
            "ringfence.toml:6:10: the `open-incident` step is missing `type`",
            "ringfence.toml:9:10: the `notify` step is missing `webhook`",
            "ringfence.toml:12:11: `webhook` does not belong to a `pin` step",
            "ringfence.toml:14:10: unknown step action `page-everyone`; expected one of: open-incident, add-tasks, block, pin, notify, attach-evidence, rotate-credentials",
            "ringfence.toml:17:20: `cleanup` is not a valid stage: expected identification, containment, eradication, recovery, lessons-learned, closed",
            "ringfence.toml:21:12: `critical` is not a valid severity: expected sev1, sev2, sev3, sev4",
            "ringfence.toml:24:1: unknown field `webhok`, expected one of `action`, `type`, `severity`, `commander`, `tasks`, `webhook`, `reason`, `owner`",
        ]
    );
}

#[test]
fn triggers_are_checked_field_by_field() {
    let text = r#"[[playbooks]]
name = "p"
[playbooks.trigger]
findings = ["malware", "malicious"]
alerts = ["env-exfil"]
severity = "severe"
ecosystems = ["rubygems"]
[[playbooks.steps]]
action = "pin"
"#;
    let all = errors(text);
    assert_eq!(all.len(), 4, "{all:#?}");
    assert!(
        all[0].starts_with("ringfence.toml:4:13: unknown finding kind `malware`"),
        "{}",
        all[0]
    );
    assert!(
        all[1].starts_with("ringfence.toml:5:11: unknown alert id `env-exfil`"),
        "{}",
        all[1]
    );
    assert!(
        all[2].starts_with("ringfence.toml:6:12: unknown severity `severe`"),
        "{}",
        all[2]
    );
    assert!(
        all[3].starts_with("ringfence.toml:7:15: unknown ecosystem `rubygems`"),
        "{}",
        all[3]
    );
}

#[test]
fn a_typo_in_a_trigger_key() {
    let text = "[[playbooks]]\nname = \"p\"\n[playbooks.trigger]\nfindngs = [\"malicious\"]\n[[playbooks.steps]]\naction = \"pin\"\n";
    let e = error(text);
    assert!(
        e.starts_with("ringfence.toml:4:1: unknown field `findngs`"),
        "{e}"
    );
}

#[test]
fn playbooks_need_a_name_steps_and_unique_names() {
    let text = r#"[[playbooks]]
[playbooks.trigger]
findings = ["malicious"]
[[playbooks.steps]]
action = "pin"

[[playbooks]]
name = "no-steps"

[[playbooks]]
name = "twice"
steps = [{ action = "pin" }]
[[playbooks]]
name = "twice"
steps = [{ action = "block" }]
"#;
    let all = errors(text);
    assert_eq!(
        all,
        vec![
            "ringfence.toml:1:1: a playbook needs a `name`",
            "ringfence.toml:7:1: a playbook needs `steps` (`[[playbooks.steps]]`)",
            "ringfence.toml:13:1: playbook `twice` is defined twice",
        ]
    );
}

#[test]
fn responders_are_unique_and_reachable() {
    let text = r#"[team]
responders = [
  { name = "alice", contact = "@alice" },
  { name = "alice", contact = "@alice2" },
  { name = "bob", contact = "" },
  { name = "carol", contact = "x", role = "lead" },
]
"#;
    let all = errors(text);
    assert_eq!(all.len(), 3, "{all:#?}");
    assert_eq!(
        all[0],
        "ringfence.toml:4:12: responder `alice` is listed twice"
    );
    assert_eq!(
        all[1],
        "ringfence.toml:5:29: responder `bob` needs a `contact`: how to reach them"
    );
    assert!(
        all[2].starts_with("ringfence.toml:6:36: unknown field `role`"),
        "{}",
        all[2]
    );
}

#[test]
fn webhooks_are_checked() {
    let text = r#"[webhooks.a]
url = "ftp://example.com/x"
secret-env = "SECRET"
[webhooks.b]
url = "https://example.com/x"
format = "teams"
secret-env = "s3cr3t value"
[webhooks.c]
url = "not a url"
"#;
    let all = errors(text);
    assert_eq!(all.len(), 4, "{all:#?}");
    assert_eq!(
        all[0],
        "ringfence.toml:2:7: `ftp://example.com/x` is not an http or https URL"
    );
    assert_eq!(
        all[1],
        "ringfence.toml:6:10: unknown webhook format `teams`, expected `json` or `slack`"
    );
    assert!(
        all[2]
            .starts_with("ringfence.toml:7:14: `s3cr3t value` is not an environment variable name"),
        "{}",
        all[2]
    );
    assert!(
        all[3].starts_with("ringfence.toml:9:7: `not a url` is not a URL"),
        "{}",
        all[3]
    );
}

#[test]
fn errors_in_every_section_are_reported_together_in_file_order() {
    let text = format!(
        r#"{TEAM}
[policy]
min-release-age = "3x"
[policy.alerts]
install-script = "monitr"

[[policy.exceptions]]
package = "npm:esbuild"
reason = "native binary"
expires = "2027-03-01"
colour = "red"

[[playbooks]]
name = "p"
[playbooks.trigger]
findings = ["malicious"]
[[playbooks.steps]]
action = "open-incident"
type = "malicious-dependency"
commander = "zed"

[webhooks.hook]
url = "https://example.com/x"
secret_env = "SECRET"
"#
    );
    let err = Config::parse_at(&text, Path::new("cfg/ringfence.toml"), TODAY).unwrap_err();
    let lines: Vec<usize> = err.errors().iter().map(|d| d.line).collect();
    assert_eq!(lines, vec![8, 10, 16, 25, 29], "{err}");
    assert!(err.errors().iter().all(|d| d.level == Level::Error));
    // Display: one diagnostic per line, each naming the file as given.
    let shown = err.to_string();
    assert_eq!(shown.lines().count(), 5, "{shown}");
    assert!(
        shown.lines().all(|l| l.starts_with("cfg/ringfence.toml:")),
        "{shown}"
    );
}

#[test]
fn warnings_of_an_invalid_file_are_kept() {
    let text = r#"[[policy.exceptions]]
package = "npm:esbuild"
reason = "native binary"
expires = "2020-01-01"
[policy.alerts]
nope = "block"
"#;
    let err = Config::parse_at(text, Path::new("ringfence.toml"), TODAY).unwrap_err();
    assert_eq!(err.errors().len(), 1);
    assert_eq!(err.warnings().len(), 1);
    assert_eq!(err.warnings()[0].level, Level::Warning);
    assert_eq!(err.warnings()[0].line, 4);
}

#[test]
fn a_missing_file_is_unreadable_not_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ringfence.toml");
    match Config::load(&path) {
        Err(ConfigError::Unreadable { path: p, .. }) => assert_eq!(p, path),
        other => panic!("expected Unreadable, got {other:?}"),
    }
}

#[test]
fn an_empty_file_is_the_default_configuration() {
    let loaded = Config::parse_at("", Path::new("ringfence.toml"), TODAY).unwrap();
    assert_eq!(loaded.config, Config::default());
    assert!(loaded.warnings.is_empty());
}

#[test]
fn playbook_and_webhook_warnings() {
    let text = r#"[[playbooks]]
name = "everything"
[[playbooks.steps]]
action = "open-incident"
type = "other"

[webhooks.plain]
url = "http://127.0.0.1:9000/hook"
"#;
    assert_eq!(
        warnings(text),
        vec![
            "ringfence.toml:1:1: playbook `everything` has no trigger: it runs for every finding",
            "ringfence.toml:4:10: no commander for `other` incidents: set `commander` here or in [team.commanders]",
            "ringfence.toml:8:7: webhook `plain` has no `secret-env`: its requests are not signed",
        ]
    );
}

//! Every mistake in ringfence.toml is reported at its line and column, all of them in one run,
//! and a file with any error is not applied.

use std::path::Path;

use ringfence_config::{Config, ConfigError, Level};
use time::macros::date;

use Says::{Begins, BeginsAndHas, Is};

const TODAY: time::Date = date!(2026 - 06 - 01);

/// Loads `text` as the file at `path`, which must fail.
fn invalid_at(text: &str, path: &str) -> ConfigError {
    match Config::parse_at(text, Path::new(path), TODAY) {
        Ok(loaded) => panic!("expected errors, the file loaded: {:?}", loaded.config),
        Err(e) => e,
    }
}

/// The errors of an invalid file, rendered as `policy check` prints them.
fn errors(text: &str) -> Vec<String> {
    let err = invalid_at(text, "ringfence.toml");
    err.errors().iter().map(|d| d.to_string()).collect()
}

fn warnings(text: &str) -> Vec<String> {
    match Config::parse_at(text, Path::new("ringfence.toml"), TODAY) {
        Ok(loaded) => loaded.warnings.iter().map(|d| d.to_string()).collect(),
        Err(e) => panic!("expected the file to load: {e}"),
    }
}

/// What one rendered diagnostic must say: all of it, or how it begins (and a phrase after),
/// where the rest of the message is long or not the point of the test.
enum Says<'a> {
    Is(&'a str),
    Begins(&'a str),
    BeginsAndHas(&'a str, &'a str),
}

impl Says<'_> {
    fn check(&self, actual: &str) {
        match *self {
            Is(whole) => assert_eq!(actual, whole),
            Begins(start) => assert!(actual.starts_with(start), "{actual}"),
            BeginsAndHas(start, phrase) => {
                assert!(actual.starts_with(start), "{actual}");
                assert!(actual.contains(phrase), "{actual}");
            }
        }
    }
}

/// Asserts that `text` fails with exactly these errors, in this order, and returns them.
fn assert_errors(text: &str, expected: &[Says]) -> Vec<String> {
    let all = errors(text);
    assert_eq!(all.len(), expected.len(), "{all:#?}");
    for (actual, says) in all.iter().zip(expected) {
        says.check(actual);
    }
    all
}

const TEAM: &str = r#"[team]
responders = [
  { name = "alice", contact = "@alice" },
  { name = "bob", contact = "bob@example.com" },
]
"#;

/// The first five lines of a playbook `p` for malicious findings, up to its first step's
/// `action`: the line numbers expected after it count these lines.
const PLAYBOOK_P: &str = r#"[[playbooks]]
name = "p"
[playbooks.trigger]
findings = ["malicious"]
[[playbooks.steps]]
"#;

#[test]
fn a_typo_key_is_an_error_at_its_line_with_a_suggestion() {
    let text = format!("{TEAM}\n[policy]\nmin-release-ag = \"3d\"\n");
    assert_errors(
        &text,
        &[Is(
            "ringfence.toml:8:1: unknown key `min-release-ag` in [policy] (did you mean `min-release-age`?)",
        )],
    );
}

#[test]
fn an_unknown_section_lists_the_known_ones() {
    assert_errors(
        "[teams]\nresponders = []\n",
        &[BeginsAndHas(
            "ringfence.toml:1:2: unknown key `teams`",
            "did you mean `team`",
        )],
    );
}

#[test]
fn a_typo_inside_an_exception_is_reported_at_the_key() {
    let text = r#"[[policy.exceptions]]
package = "npm:esbuild"
reasn = "native binary"
expires = "2027-03-01"
"#;
    assert_errors(text, &[Begins("ringfence.toml:3:1: unknown field `reasn`")]);
}

#[test]
fn a_missing_required_field_points_at_its_table() {
    let text = "\n[[policy.exceptions]]\npackage = \"npm:esbuild\"\nexpires = \"2027-03-01\"\n";
    assert_errors(
        text,
        &[BeginsAndHas("ringfence.toml:2:", "missing field `reason`")],
    );
}

#[test]
fn a_value_of_the_wrong_type_is_reported_at_the_value() {
    assert_errors(
        "[policy]\nmin-release-age = 3\n",
        &[BeginsAndHas("ringfence.toml:2:19:", "expected a string")],
    );
}

#[test]
fn a_syntax_error_has_a_line_too() {
    let all = assert_errors(
        "[team]\nresponders = [\n  { name = \"alice\" contact = \"x\" },\n]\n",
        &[Begins("ringfence.toml:3:")],
    );
    assert!(!all[0].contains('\n'), "one line: {}", all[0]);
}

#[test]
fn unknown_alert_ids_finding_kinds_and_actions() {
    let text = r#"[policy.findings]
suspicios = "warn"
malicious = "page-someone"
[policy.alerts]
instal-script = "monitor"
"#;
    assert_errors(
        text,
        &[
            Is(
                "ringfence.toml:2:1: unknown finding kind `suspicios`, expected one of: known-malware, malicious, suspicious, vulnerability-critical, vulnerability-high, vulnerability-medium, vulnerability-low, blocked, too-new (did you mean `suspicious`?)",
            ),
            Is(
                "ringfence.toml:3:13: unknown action `page-someone`, expected one of: ignore, monitor, warn, block, incident",
            ),
            Is(
                "ringfence.toml:5:1: unknown alert id `instal-script` (did you mean `install-script`?)",
            ),
        ],
    );
}

#[test]
fn commanders_and_owners_must_be_responders() {
    let text = format!(
        r#"{TEAM}[team.commanders]
malicious-dependency = "alicia"
security-breach = "bob"

{PLAYBOOK_P}action = "open-incident"
type = "malicious-dependency"
commander = "mallory"
[[playbooks.steps]]
action = "add-tasks"
tasks = [{{ stage = "eradication", title = "Rebuild", owner = "eve" }}]
"#
    );
    assert_errors(
        &text,
        &[
            Is(
                "ringfence.toml:7:24: commander `alicia` is not a responder in [team] (did you mean `alice`?)",
            ),
            Begins("ringfence.toml:8:1: `security-breach` is not a valid incident type"),
            Begins("ringfence.toml:17:13: commander `mallory` is not a responder"),
            BeginsAndHas("ringfence.toml:20:", "owner `eve` is not a responder"),
        ],
    );
}

#[test]
fn without_responders_the_message_says_so() {
    assert_errors(
        "[team.commanders]\nother = \"alice\"\n",
        &[Is(
            "ringfence.toml:2:9: commander `alice` is not a responder in [team] ([team] lists no responders)",
        )],
    );
}

#[test]
fn a_notify_step_must_name_a_defined_webhook() {
    let text = format!(
        r#"{PLAYBOOK_P}action = "notify"
webhook = "securty"

[webhooks.security]
url = "https://hooks.example.com/x"
secret-env = "SECRET"
"#
    );
    assert_errors(
        &text,
        &[Is(
            "ringfence.toml:7:11: webhook `securty` is not defined: add a [webhooks.securty] table (did you mean `security`?)",
        )],
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
    assert_errors(
        text,
        &[
            Is("ringfence.toml:4:11: `2027-02-30` is not a day of the calendar"),
            Begins("ringfence.toml:9:11: `next spring` is not a date"),
            BeginsAndHas("ringfence.toml:14:11:", "without a time"),
        ],
    );
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
    assert_errors(
        text,
        &[
            Begins("ringfence.toml:2:11: `esbuild` is not a package: expected ECOSYSTEM:NAME"),
            Is("ringfence.toml:7:11: a blocklist entry names one version, like `npm:debug@1.2.3`"),
            Begins("ringfence.toml:10:11: unknown ecosystem `gems`"),
            Begins("ringfence.toml:13:11: `4.4.x` is not a valid npm version"),
        ],
    );
}

#[test]
fn incident_grouping_names_its_two_values() {
    assert_errors(
        "[policy]\nincident-grouping = \"advisory\"\n",
        &[Is(
            "ringfence.toml:2:21: incident-grouping must be \"campaign\" or \"package\", not \"advisory\"",
        )],
    );
}

#[test]
fn a_bad_duration_says_which_units_exist() {
    assert_errors(
        "[policy]\nmin-release-age = \"3 days\"\n",
        &[Is(
            "ringfence.toml:2:19: `3 days` is not an age: expected a whole number and h, d or w, like `36h`, `3d` or `2w`",
        )],
    );
}

#[test]
fn steps_need_their_fields_and_only_their_fields() {
    let text = format!(
        r#"{PLAYBOOK_P}action = "open-incident"
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
tasks = [{{ stage = "cleanup", title = "x" }}]
[[playbooks.steps]]
action = "open-incident"
type = "malicious-dependency"
severity = "critical"
[[playbooks.steps]]
action = "notify"
webhok = "security"
"#
    );
    assert_errors(
        &text,
        &[
            Is("ringfence.toml:6:10: the `open-incident` step is missing `type`"),
            Is("ringfence.toml:9:10: the `notify` step is missing `webhook`"),
            Is("ringfence.toml:12:11: `webhook` does not belong to a `pin` step"),
            Is(
                "ringfence.toml:14:10: unknown step action `page-everyone`; expected one of: open-incident, add-tasks, block, pin, notify, attach-evidence, rotate-credentials",
            ),
            Is(
                "ringfence.toml:17:20: `cleanup` is not a valid stage: expected identification, containment, eradication, recovery, lessons-learned, closed",
            ),
            Is(
                "ringfence.toml:21:12: `critical` is not a valid severity: expected sev1, sev2, sev3, sev4",
            ),
            Is(
                "ringfence.toml:24:1: unknown field `webhok`, expected one of `action`, `type`, `severity`, `commander`, `tasks`, `webhook`, `reason`, `owner`",
            ),
        ],
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
    assert_errors(
        text,
        &[
            Begins("ringfence.toml:4:13: unknown finding kind `malware`"),
            Begins("ringfence.toml:5:11: unknown alert id `env-exfil`"),
            Begins("ringfence.toml:6:12: unknown severity `severe`"),
            Begins("ringfence.toml:7:15: unknown ecosystem `rubygems`"),
        ],
    );
}

#[test]
fn a_typo_in_a_trigger_key() {
    let text = "[[playbooks]]\nname = \"p\"\n[playbooks.trigger]\nfindngs = [\"malicious\"]\n[[playbooks.steps]]\naction = \"pin\"\n";
    assert_errors(
        text,
        &[Begins("ringfence.toml:4:1: unknown field `findngs`")],
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
    assert_errors(
        text,
        &[
            Is("ringfence.toml:1:1: a playbook needs a `name`"),
            Is("ringfence.toml:7:1: a playbook needs `steps` (`[[playbooks.steps]]`)"),
            Is("ringfence.toml:13:1: playbook `twice` is defined twice"),
        ],
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
    assert_errors(
        text,
        &[
            Is("ringfence.toml:4:12: responder `alice` is listed twice"),
            Is("ringfence.toml:5:29: responder `bob` needs a `contact`: how to reach them"),
            Begins("ringfence.toml:6:36: unknown field `role`"),
        ],
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
    assert_errors(
        text,
        &[
            Is("ringfence.toml:2:7: `ftp://example.com/x` is not an http or https URL"),
            Is("ringfence.toml:6:10: unknown webhook format `teams`, expected `json` or `slack`"),
            Begins("ringfence.toml:7:14: `s3cr3t value` is not an environment variable name"),
            Begins("ringfence.toml:9:7: `not a url` is not a URL"),
        ],
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

{PLAYBOOK_P}action = "open-incident"
type = "malicious-dependency"
commander = "zed"

[webhooks.hook]
url = "https://example.com/x"
secret_env = "SECRET"
"#
    );
    let err = invalid_at(&text, "cfg/ringfence.toml");
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
    let err = invalid_at(text, "ringfence.toml");
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

#[test]
fn a_webhook_takes_its_url_from_the_file_or_from_a_variable_not_both() {
    assert_errors(
        "[webhooks.soc]\nurl = \"https://hooks.example.com/x\"\nurl-env = \"SOC_URL\"\n",
        &[Is(
            "ringfence.toml:2:7: webhook `soc` has both `url` and `url-env`: keep one",
        )],
    );
    assert_errors(
        "[webhooks.soc]\nformat = \"json\"\n",
        &[Begins(
            "ringfence.toml:1:1: webhook `soc` needs `url`, or `url-env` naming the variable",
        )],
    );
    assert_errors(
        "[webhooks.soc]\nurl-env = \"https://hooks.example.com/x\"\n",
        &[Begins(
            "ringfence.toml:2:11: `https://hooks.example.com/x` is not an environment variable name",
        )],
    );
    let loaded = Config::parse_at(
        "[webhooks.soc]\nurl-env = \"SOC_URL\"\nformat = \"slack\"\n",
        Path::new("ringfence.toml"),
        TODAY,
    )
    .expect("loads");
    assert_eq!(loaded.config.webhooks[0].url, "env:SOC_URL");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

#[test]
fn a_slack_url_written_in_the_file_is_a_warning() {
    let warned = warnings(
        "[webhooks.soc]\nurl = \"https://hooks.example.com/services/T0/B0/x\"\nformat = \"slack\"\n",
    );
    assert_eq!(
        warned,
        [
            "ringfence.toml:2:7: webhook `soc`: a Slack webhook URL is a credential; keep it out of the file with `url-env`"
        ]
    );
}

/// Each diagnostic used to count lines and columns from the start of the file, so a file with
/// an error on every line took quadratic time: 260 KB of unknown keys, 20 s; a megabyte, minutes.
#[test]
fn an_error_on_every_line_is_reported_in_time() {
    const KEYS: usize = 40_000;
    let mut text: String = (0..KEYS).map(|i| format!("k{i:06} = 1\n")).collect();
    // And as many on one long line, after multi-byte characters, for the columns.
    text.push_str("[team]\n#é\ncommanders = {");
    let inline: Vec<String> = (0..KEYS).map(|i| format!("\"é{i:06}\" = \"a\"")).collect();
    text.push_str(&inline.join(", "));
    text.push_str("}\n");

    let start = std::time::Instant::now();
    let err = invalid_at(&text, "ringfence.toml");
    let took = start.elapsed();
    // Linear work is well under a second even in a debug build; the slack is for a busy machine.
    assert!(
        took < std::time::Duration::from_secs(20),
        "{took:?} for {} bytes",
        text.len()
    );

    let errors = err.errors();
    assert!(
        errors.len() >= 2 * KEYS,
        "{:?}",
        &errors[..errors.len().min(3)]
    );
    let first = &errors[0];
    assert_eq!((first.line, first.column), (1, 1), "{first}");
    let last_root = &errors[KEYS - 1];
    assert_eq!((last_root.line, last_root.column), (KEYS, 1), "{last_root}");
    // The last unknown incident type, at its key: counted in characters, not bytes.
    let line = text.lines().nth(KEYS + 2).unwrap();
    let key = line.rfind("\"é").unwrap();
    let column = line[..key].chars().count() + 1;
    assert!(
        column < key,
        "the line has multi-byte characters before the key"
    );
    let last = errors
        .iter()
        .rev()
        .find(|d| d.message.contains("é"))
        .unwrap();
    assert_eq!((last.line, last.column), (KEYS + 3, column), "{last}");
}

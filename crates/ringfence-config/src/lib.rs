//! `ringfence.toml`: the team, the policy, the playbooks and the webhooks of one organisation,
//! read and checked as a whole.
//!
//! The file is found by walking up from the working directory ([`Config::discover`]) or given
//! with `--config`. It is all-or-nothing: [`Config::load`] returns a complete [`Config`] or a
//! [`ConfigError`] listing *every* problem as `path:line:col: message`; nothing of an invalid
//! file is applied. Unknown keys are errors (a typo must not silently turn a rule off).
//! Warnings (an expired exception, a playbook without a trigger, an unsigned webhook) do not
//! stop the file from loading.
//!
//! # Format
//!
//! Every section is optional; a missing one means "no team", the default policy (see
//! [`policy`]), no playbooks, no webhooks. `examples/ringfence.toml` in the repository is a
//! commented, complete example.
//!
//! ```toml
//! [team]
//! responders = [ { name = "alice", contact = "@alice (Slack)" } ]   # names are unique
//! [team.commanders]        # incident type → responder; types: malicious-dependency,
//! malicious-dependency = "alice"  # vulnerable-dependency, compromised-credential, other
//!
//! [policy]
//! min-release-age = "3d"   # h, d or w: younger versions are the finding `too-new`
//! incident-grouping = "campaign"   # one incident per attack (default), or "package"
//! [policy.findings]        # finding kind → action (ignore, monitor, warn, block, incident)
//! suspicious = "block"     # kinds: known-malware, malicious, suspicious, blocked, too-new,
//!                          # vulnerability-critical, -high, -medium, -low
//! [policy.alerts]          # alert id (ALERTS.md) → action
//! install-script = "monitor"
//! [[policy.exceptions]]    # lowers a package's finding (or some alerts) to monitor
//! package = "npm:esbuild"  # ECOSYSTEM:NAME or ECOSYSTEM:NAME@VERSION
//! alerts = ["install-script"]   # optional; default: the whole finding
//! reason = "builds its native binary at install"   # required
//! expires = "2027-03-01"   # required; the last day it applies (a TOML date works too)
//! [[policy.blocklist]]     # exact versions; they are the finding `blocked`
//! package = "npm:debug@4.4.2"
//! reason = "chalk/debug compromise, Sep 2025"      # optional
//!
//! [[playbooks]]
//! name = "malicious-npm-release"                    # required, unique
//! [playbooks.trigger]      # every non-empty field must match; omitted = any finding
//! findings = ["known-malware", "malicious"]         # any of these kinds
//! alerts = ["env-exfiltration"]                     # any of these alerts
//! severity = "critical"    # at least: low, medium, high, critical
//! ecosystems = ["npm"]
//! [[playbooks.steps]]      # at least one; each `action` takes only its own fields
//! action = "open-incident" # type (required), severity (sev1-sev4), commander
//! type = "malicious-dependency"
//! [[playbooks.steps]]
//! action = "add-tasks"     # tasks = [{ stage, title, owner }]
//! tasks = [ { stage = "eradication", title = "Rebuild CI runners", owner = "alice" } ]
//! [[playbooks.steps]]
//! action = "notify"        # webhook (required): a name from [webhooks]
//! webhook = "security"
//! # other actions: block (reason), pin, attach-evidence, rotate-credentials (owner)
//!
//! [webhooks.security]
//! url = "https://hooks.example.com/ringfence"      # http or https
//! # url-env = "RINGFENCE_SLACK_URL"   # instead of url: the variable holding it (Slack URLs
//! #                                   # are credentials); read when a message is sent
//! format = "json"          # json (default) or slack
//! secret-env = "RINGFENCE_WEBHOOK_SECRET"          # the variable holding the HMAC secret
//! ```
//!
//! Names of responders (commanders, task owners) and webhooks are checked against the file.

mod discover;
mod duration;
mod error;
mod finding;
mod load;
mod package;
mod playbook;
pub mod policy;
mod source;
mod team;
mod webhook;

use std::path::{Path, PathBuf};

use ringfence_inspect::AlertSeverity;
use serde::Serialize;
use time::{Date, OffsetDateTime};

pub use discover::FILE_NAME;
pub use duration::{format_age, parse_age};
pub use error::{ConfigError, Diagnostic, Level};
pub use finding::{FindingFacts, FindingKind, INSTALL_TIME_ALERTS};
pub use package::PackageSpec;
pub use playbook::{Playbook, Step, TaskTemplate, Trigger};
pub use policy::{Action, BlockedSpec, Decision, Exception, Policy};
pub use team::{Responder, Team};
pub use webhook::{URL_ENV_PREFIX, Webhook, WebhookFormat, resolve_url};

/// A valid configuration. [`Config::default`] is what ringfence uses without a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub team: Team,
    pub policy: Policy,
    pub playbooks: Vec<Playbook>,
    /// In file order.
    pub webhooks: Vec<Webhook>,
}

/// A configuration that loaded, with the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    pub warnings: Vec<Diagnostic>,
}

/// What a file holds, in counts, for `ringfence policy check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub responders: usize,
    pub playbooks: usize,
    pub exceptions: usize,
    pub expired_exceptions: usize,
    pub blocked_versions: usize,
    pub webhooks: usize,
}

impl Config {
    /// The nearest `ringfence.toml` in `start` or a folder above it.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        discover::discover(start)
    }

    /// Reads and checks the file at `path`; expiry is judged against today's date (UTC).
    pub fn load(path: &Path) -> Result<Loaded, ConfigError> {
        Config::load_at(path, OffsetDateTime::now_utc().date())
    }

    /// [`Config::load`] with the date exceptions expire against.
    pub fn load_at(path: &Path, today: Date) -> Result<Loaded, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse_at(&text, path, today)
    }

    /// Checks `text`; messages name `path`. Expiry is judged against today's date (UTC).
    pub fn parse(text: &str, path: &Path) -> Result<Loaded, ConfigError> {
        Config::parse_at(text, path, OffsetDateTime::now_utc().date())
    }

    /// [`Config::parse`] with the date exceptions expire against.
    pub fn parse_at(text: &str, path: &Path, today: Date) -> Result<Loaded, ConfigError> {
        load::parse(text, path, today)
    }

    pub fn webhook(&self, name: &str) -> Option<&Webhook> {
        self.webhooks.iter().find(|w| w.name == name)
    }

    pub fn playbook(&self, name: &str) -> Option<&Playbook> {
        self.playbooks.iter().find(|p| p.name == name)
    }

    /// The playbooks whose trigger matches this finding, in file order.
    pub fn playbooks_for<'a>(
        &'a self,
        facts: &'a FindingFacts,
        severity: AlertSeverity,
    ) -> impl Iterator<Item = &'a Playbook> + 'a {
        self.playbooks
            .iter()
            .filter(move |p| p.matches(facts, severity))
    }

    pub fn summary(&self, today: Date) -> Summary {
        let exceptions = self.policy.exceptions();
        Summary {
            responders: self.team.responders().len(),
            playbooks: self.playbooks.len(),
            exceptions: exceptions.len(),
            expired_exceptions: exceptions.iter().filter(|e| e.is_expired(today)).count(),
            blocked_versions: self.policy.blocklist().len(),
            webhooks: self.webhooks.len(),
        }
    }
}

impl std::fmt::Display for Summary {
    /// `3 responders, 2 playbooks, 5 exceptions (1 expired), 2 blocked versions, 1 webhook`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "{}, {}, {}",
            count(self.responders, "responder", "responders"),
            count(self.playbooks, "playbook", "playbooks"),
            count(self.exceptions, "exception", "exceptions"),
        )?;
        if self.expired_exceptions > 0 {
            write!(f, " ({} expired)", self.expired_exceptions)?;
        }
        write!(
            f,
            ", {}, {}",
            count(self.blocked_versions, "blocked version", "blocked versions"),
            count(self.webhooks, "webhook", "webhooks"),
        )
    }
}

//! Command-line definitions. Each subcommand's behaviour lives in `commands/<name>.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::fail_on::FailOn;

#[derive(Debug, Parser)]
#[command(
    name = "ringfence",
    version,
    about = "Incident response for software supply-chain attacks",
    long_about = "ringfence answers the first question of a supply-chain incident: which of our \
projects resolve the bad version, and through which dependency path?\n\n\
It reads the lockfiles of every project (npm, yarn, pnpm, bun, pip, poetry, Pipfile, uv, pdm, \
Cargo), matches them against OSV advisories (including the MAL- malicious-package records) and \
reports every finding with its dependency path and the version to move to. It also looks inside \
npm packages (deep inspection) to find malicious behaviour before any advisory exists.\n\n\
Start with:\n  ringfence scan .                 find known-malicious and vulnerable versions\n  \
ringfence scan . --deep          and inspect every npm package's code as well\n  \
ringfence inspect npm:pkg@1.2.3  look inside one package: verdict, evidence, IOCs\n  \
ringfence db import all.zip      add a full OSV feed to the local database\n  \
ringfence inventory . --sbom     export what the projects resolve as CycloneDX\n  \
ringfence scan . --record        record the scan and open incidents for known malware\n  \
ringfence incident list          the open incidents; `incident show INC-1` for one\n  \
ringfence doctor                 how ready the team is, and what to fix\n  \
ringfence drill                  rehearse an incident in a scratch database",
    after_help = "Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 error."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Database: `sqlite://PATH`, `postgres://USER@HOST/DB`, or a file path. Defaults to
    /// ringfence.db in the user's data directory.
    #[arg(long, global = true, env = "RINGFENCE_DB", value_name = "URL")]
    pub db: Option<String>,

    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print nothing but results and errors (no progress, no summaries on stderr).
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// The configuration file (team, policy, playbooks, webhooks). Default: the first
    /// `ringfence.toml` found walking up from the current directory.
    #[arg(long, global = true, env = "RINGFENCE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Who is acting, as recorded in incident timelines. Defaults to the login name.
    #[arg(long, global = true, env = "RINGFENCE_ACTOR", value_name = "NAME")]
    pub actor: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find lockfiles, match every resolved package against advisories, report findings.
    ///
    /// Walks each PATH (default: the current folder), respecting .gitignore and skipping
    /// node_modules and vendored trees. Every finding names the project, the package version,
    /// the advisory, its severity, the dependency path that pulls it in, and the version to
    /// move to. Advisories come from the built-in snapshot of famous malicious releases plus
    /// whatever `ringfence db import` added.
    #[command(
        after_help = "Examples:\n  ringfence scan .\n  ringfence scan services/ web/ --format sarif > ringfence.sarif\n  \
ringfence scan . --fail-on high     # also fail CI on high-severity vulnerabilities\n\n\
Exit codes: 0 no finding at or above --fail-on, 1 findings at or above it, 2 an error (after \
reporting everything that could be scanned)."
    )]
    Scan(ScanArgs),

    /// Print what the lockfiles resolve: every package, version and dependency path.
    #[command(after_help = "Examples:\n  ringfence inventory package-lock.json\n  \
ringfence inventory . --format json\n  ringfence inventory . --sbom > sbom.cdx.json")]
    Inventory(InventoryArgs),

    /// Look inside packages for malicious behaviour, before any advisory exists.
    ///
    /// Reads each package in memory (a .tgz, an unpacked folder, or `npm:NAME@VERSION` fetched
    /// from the registry in your npm configuration and verified against its integrity), parses
    /// its JavaScript and install scripts, and gives a verdict — malicious, suspicious or ok —
    /// with the alerts that decided it, their evidence (file:line:col and a snippet) and the
    /// IOCs a responder blocks and hunts for. Capabilities (network, shell, env...) are listed
    /// but never decide a verdict: popular packages have them too.
    #[command(
        after_help = "Examples:\n  ringfence inspect suspicious-pkg-1.0.0.tgz\n  \
ringfence inspect npm:ua-parser-js@0.7.28 --format json\n  ringfence inspect ./node_modules/some-dep -v\n\n\
Exit codes: 0 no verdict at or above --fail-on, 1 at least one, 2 a target could not be read."
    )]
    Inspect(InspectArgs),

    /// Show what a new version adds over an older one: install scripts, capabilities, files,
    /// endpoints, bigger minified files, a new publisher.
    ///
    /// This is how a hijacked maintainer account shows itself: the new release gains an install
    /// script (`new-install-script`), network or shell access it never had (`capability-drift`),
    /// or was published by an account that never published the package (`publisher-change`).
    #[command(
        after_help = "Examples:\n  ringfence diff npm:ua-parser-js@0.7.28 npm:ua-parser-js@0.7.29\n  \
ringfence diff old.tgz new.tgz --json"
    )]
    Diff(DiffArgs),

    /// Manage the local advisory database.
    #[command(subcommand)]
    Db(DbCommand),

    /// Incidents: the durable, tamper-evident record of each response.
    ///
    /// An incident moves through identification → containment → eradication → recovery →
    /// lessons-learned → closed; each move checks a gate. Every change is an append-only,
    /// hash-chained timeline event. `scan --record` opens incidents for known malware.
    #[command(
        subcommand,
        after_help = "Examples:\n  ringfence scan . --record\n  \
ringfence incident list\n  ringfence incident show INC-1\n  \
ringfence incident assign INC-1 --commander alice --severity sev1\n  \
ringfence incident advance INC-1"
    )]
    Incident(crate::commands::incident::IncidentCommand),

    /// Contain an incident: pin affected projects to the last good version, block the bad ones.
    ///
    /// `--pin` (the default) computes, for each affected project, the newest unaffected version
    /// its declared range allows (else the newest unaffected one before the first bad
    /// version), writes it as npm or bun `overrides`, yarn `resolutions` or `pnpm.overrides` in
    /// the package.json beside the lockfile, and shows the change as a unified diff. Nothing is
    /// written without `--apply`. Versions come from the registry in your npm configuration
    /// (or, with `--offline`, from the lists kept by earlier runs). `--block` adds every
    /// affected version to the blocklist that `scan` enforces.
    #[command(after_help = "Examples:\n  ringfence contain INC-1\n  \
ringfence contain INC-1 --pin --apply\n  ringfence contain INC-1 --block\n  \
ringfence contain INC-1 --pin --block --apply --json\n\n\
Exit codes: 0 every pin was computed (and written with --apply), 1 some package has no \
unaffected version to pin to, 2 an error.")]
    Contain(crate::commands::contain::ContainArgs),

    /// The blocklist: exact package versions that `scan` fails on.
    #[command(subcommand)]
    Block(crate::commands::block::BlockCommand),

    /// Check the audit trail: every timeline's hash chain, and every record against it.
    #[command(subcommand)]
    Audit(crate::commands::audit::AuditCommand),

    /// Response metrics: time to detect, contain, eradicate and recover; median and p90.
    Metrics(crate::commands::metrics::MetricsArgs),

    /// Generate the post-incident report of an incident (Markdown or self-contained HTML).
    Report(crate::commands::report::ReportArgs),

    /// Verify an incident export bundle offline.
    Verify(crate::commands::verify::VerifyArgs),

    /// The configuration file (ringfence.toml): team, policy, playbooks and webhooks.
    #[command(subcommand)]
    Policy(crate::commands::policy::PolicyCommand),

    /// Webhook notifications: deliver the outbox, show what is pending, test a webhook.
    ///
    /// Notifications are written to the database before they are sent, so a receiver that
    /// is down loses nothing: failed sends are retried with backoff and never dropped.
    /// Requests are signed with HMAC-SHA256 (`X-Ringfence-Signature`) when a secret is set.
    #[command(
        subcommand,
        after_help = "Examples:\n  ringfence notify deliver\n  ringfence notify status\n  \
ringfence notify test --url https://hooks.example.com/T0/B0/x --format slack"
    )]
    Notify(crate::commands::notify::NotifyCommand),

    /// Back up the database (SQLite online backup; records `pg_dump` files for PostgreSQL).
    Backup(crate::commands::backup::BackupArgs),

    /// Put a backup back in place of the database, keeping the one it replaces.
    Restore(crate::commands::backup::RestoreArgs),

    /// Score how ready the team is for an incident, and say what to fix.
    ///
    /// Checks that the configuration is valid; that every incident type has a playbook and a
    /// default commander; that each webhook answers a test ping with 2xx; that no
    /// notification is stuck failing in the outbox; that the advisory data is fresh (newest
    /// record under 7 days old); that the last database backup is under 7 days old; and that
    /// no policy exception has expired. Each check passes (1), warns (½) or fails (0); the
    /// score is their average out of 100.
    #[command(
        after_help = "Examples:\n  ringfence doctor\n  ringfence doctor --offline      # no test pings\n  \
ringfence doctor --json | jq '.checks[] | select(.status != \"pass\")'\n\n\
Exit codes: 0 no check fails (warnings allowed), 1 at least one fails, 2 an error (the database \
cannot be opened)."
    )]
    Doctor(crate::commands::doctor::DoctorArgs),

    /// Rehearse an incident end to end in a scratch database: plant a synthetic malicious
    /// release in a copy of a project's inventory, run identification and the playbooks, and
    /// report timings and the steps that still need a person.
    Drill(crate::commands::drill::DrillArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Folders or lockfiles to scan.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = ScanFormat::Table)]
    pub format: ScanFormat,

    /// Which findings fail the scan (exit 1): a comma-separated list of `known-malware`,
    /// `critical`, `high`, `medium`, `low`, `any`, or `none`. A severity includes the ones above it.
    #[arg(long, default_value = "known-malware,critical", value_name = "LEVELS")]
    pub fail_on: FailOn,

    /// Use only the built-in snapshot of malicious releases; do not open the database.
    #[arg(long)]
    pub offline_snapshot: bool,

    /// Record this scan in the database (each lockfile's inventory, its git commit, the
    /// findings) and open or update incidents: known malware and `malicious` verdicts open an
    /// incident, a second finding for the same package joins it, and a project that no longer
    /// resolves an affected version is marked remediated.
    #[arg(long, conflicts_with = "offline_snapshot")]
    pub record: bool,

    /// Also inspect the code of every npm package (fetched from the registry in your npm
    /// configuration, cached) and report verdicts beside the advisory findings. A `malicious`
    /// verdict fails the scan like known malware.
    #[arg(long)]
    pub deep: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Table,
    Json,
    Sarif,
}

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// A lockfile or a folder to walk.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = InventoryFormat::Table)]
    pub format: InventoryFormat,

    /// Export a CycloneDX 1.5 JSON SBOM instead.
    #[arg(long, conflicts_with = "format")]
    pub sbom: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Package tarballs (.tgz), unpacked package folders, or `npm:NAME@VERSION` specs.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Output format.
    #[arg(long, short, value_enum, default_value_t = InspectFormat::Table)]
    pub format: InspectFormat,

    /// Which verdict makes the command exit 1: `malicious`, `suspicious` (and worse), or `never`.
    #[arg(long, value_enum, default_value_t = VerdictThreshold::Suspicious, value_name = "VERDICT")]
    pub fail_on: VerdictThreshold,

    /// Show capabilities and every piece of evidence, not just the threats.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older version: `npm:NAME@VERSION`, a .tgz or a folder.
    pub old: String,
    /// The newer version.
    pub new: String,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
    /// Which verdict of the new version (drift counted) makes the command exit 1.
    #[arg(long, value_enum, default_value_t = VerdictThreshold::Suspicious, value_name = "VERDICT")]
    pub fail_on: VerdictThreshold,
}

/// The verdict at which `inspect` (and `scan --deep`) fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerdictThreshold {
    Malicious,
    Suspicious,
    Never,
}

impl VerdictThreshold {
    pub fn fails(self, verdict: ringfence_inspect::Verdict) -> bool {
        use ringfence_inspect::Verdict;
        match self {
            VerdictThreshold::Malicious => verdict == Verdict::Malicious,
            VerdictThreshold::Suspicious => verdict >= Verdict::Suspicious,
            VerdictThreshold::Never => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Table,
    Json,
    Sarif,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Import OSV advisories from a folder of JSON files or an OSV ecosystem .zip export.
    ///
    /// Records are upserted by id (a newer `modified` wins), in one transaction: an import
    /// either lands whole or not at all. Files that do not parse are reported and skipped.
    #[command(
        after_help = "Examples:\n  ringfence db import ~/Downloads/npm-all.zip\n  \
ringfence db import ./malicious-packages/osv/malicious"
    )]
    Import(ImportArgs),

    /// Show what the database holds: records per ecosystem, the newest record, the last import.
    Status(StatusArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Folders of *.json OSV records, or .zip exports.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,

    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

//! Deep package inspection: read an npm package (tarball or folder) safely in memory, analyse
//! its manifest, install scripts and JavaScript, and decide a verdict with evidence.
//!
//! Layout (one concern per module, one rule per file):
//! - [`alert`]: the alert catalogue, evidence.
//! - [`archive`]: reading `.tgz` and folders under limits, never extracting to disk.
//! - [`manifest`]: package.json; [`install_script`]: what install scripts run (shell analysis).
//! - [`js`]: the JavaScript engine: oxc parse + semantic, one traversal per file dispatching to
//!   the rules in [`rules`].
//! - [`typosquat`]: names that imitate popular packages.
//! - [`iocs`]: URLs, hosts, IPs, webhook endpoints and file hashes for responders.
//! - [`verdict`]: alerts → `malicious` / `suspicious` / `ok`.
//! - [`report`]: the per-package result and the [`inspect`] entry point.
//! - [`diff`]: what a new version adds over the previous one (hijacked-release drift).

pub mod alert;
pub mod archive;
pub mod diff;
pub mod install_script;
pub mod iocs;
pub mod js;
pub mod manifest;
pub mod report;
pub mod rules;
pub mod typosquat;
pub mod verdict;

pub use alert::{Alert, AlertId, AlertKind, AlertSeverity, Evidence};
pub use report::{PackageReport, inspect};
pub use verdict::{Decision, Verdict};

/// Bumped whenever a rule changes what it reports: cached results keyed by
/// (tarball hash, RULES_VERSION) are then recomputed.
pub const RULES_VERSION: u32 = 1;

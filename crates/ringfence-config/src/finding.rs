//! What the policy and the playbooks are asked about: one finding on one package version.

use std::fmt;
use std::str::FromStr;

use ringfence_inspect::{AlertId, AlertSeverity};
use ringfence_package::Ecosystem;

/// Why a package version is a finding. The kebab-case keys name it in `[policy.findings]` and
/// in playbook triggers; a vulnerability's key carries its severity (`vulnerability-high`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    /// An advisory flags this version as malware (OSV `MAL-`).
    KnownMalware,
    /// Inspection's verdict is `malicious`.
    Malicious,
    /// Inspection's verdict is `suspicious`.
    Suspicious,
    /// A non-malware advisory matches. A record without a rating is passed as `Medium`.
    Vulnerability { severity: AlertSeverity },
    /// The version is on a blocklist.
    Blocked,
    /// Published less than `min-release-age` ago.
    TooNew,
}

impl FindingKind {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [FindingKind; 9] = [
        FindingKind::KnownMalware,
        FindingKind::Malicious,
        FindingKind::Suspicious,
        FindingKind::Vulnerability {
            severity: AlertSeverity::Critical,
        },
        FindingKind::Vulnerability {
            severity: AlertSeverity::High,
        },
        FindingKind::Vulnerability {
            severity: AlertSeverity::Medium,
        },
        FindingKind::Vulnerability {
            severity: AlertSeverity::Low,
        },
        FindingKind::Blocked,
        FindingKind::TooNew,
    ];

    /// The key used in the configuration file.
    pub fn key(self) -> &'static str {
        match self {
            FindingKind::KnownMalware => "known-malware",
            FindingKind::Malicious => "malicious",
            FindingKind::Suspicious => "suspicious",
            FindingKind::Vulnerability { severity } => match severity {
                AlertSeverity::Critical => "vulnerability-critical",
                AlertSeverity::High => "vulnerability-high",
                AlertSeverity::Medium => "vulnerability-medium",
                AlertSeverity::Low => "vulnerability-low",
            },
            FindingKind::Blocked => "blocked",
            FindingKind::TooNew => "too-new",
        }
    }

    /// How bad the kind is on its own, for playbook triggers when the caller knows no better:
    /// malware and malicious verdicts are critical, a vulnerability is its own severity.
    pub fn default_severity(self) -> AlertSeverity {
        match self {
            FindingKind::KnownMalware | FindingKind::Malicious => AlertSeverity::Critical,
            FindingKind::Suspicious | FindingKind::Blocked => AlertSeverity::High,
            FindingKind::Vulnerability { severity } => severity,
            FindingKind::TooNew => AlertSeverity::Medium,
        }
    }
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl FromStr for FindingKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingKind::ALL
            .into_iter()
            .find(|k| k.key() == s)
            .ok_or_else(|| {
                let keys: Vec<&str> = FindingKind::ALL.iter().map(|k| k.key()).collect();
                format!(
                    "unknown finding kind `{s}`, expected one of: {}",
                    keys.join(", ")
                )
            })
    }
}

/// The facts about one finding that policy and playbooks decide on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingFacts {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    pub kind: FindingKind,
    /// The alerts inspection raised on this version (empty for an advisory-only finding).
    pub alerts: Vec<AlertId>,
}

/// Alerts that mean the package ran code while being installed: whoever installed it must
/// assume their credentials were read, so `rotate-credentials` acts on these.
pub const INSTALL_TIME_ALERTS: &[AlertId] = &[
    AlertId::InstallScript,
    AlertId::NewInstallScript,
    AlertId::InstallTimeNetwork,
    AlertId::DependencyConfusion,
];

impl FindingFacts {
    /// True when any alert says the package runs code at install time.
    pub fn ran_at_install(&self) -> bool {
        self.alerts.iter().any(|a| INSTALL_TIME_ALERTS.contains(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for kind in FindingKind::ALL {
            assert_eq!(kind.key().parse::<FindingKind>(), Ok(kind));
        }
        let err = "vulnerability".parse::<FindingKind>().unwrap_err();
        assert!(err.contains("vulnerability-critical"), "{err}");
    }
}

//! From alerts to a verdict. Capabilities never decide; threats and integrity problems do.
//!
//! - `malicious`: a threat at critical severity, or `known-malware`.
//! - `suspicious`: a threat at high severity, `unanalysable`, or two different drift alerts
//!   together (`new-install-script`, `capability-drift`, `publisher-change`): the shape of a
//!   hijacked maintainer account.
//!
//! Rules set an alert's severity from context (install-time code weighs more), so whether a
//! threat is critical or high is the rule's call, measured on the benchmark corpora.
//! - `ok`: everything else.

use serde::{Deserialize, Serialize};

use crate::alert::{Alert, AlertId, AlertKind, AlertSeverity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    Suspicious,
    Malicious,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Suspicious => "suspicious",
            Verdict::Malicious => "malicious",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict and the alerts that decided it (sorted, unique).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub verdict: Verdict,
    pub decided_by: Vec<AlertId>,
}

const DRIFT: [AlertId; 3] = [
    AlertId::NewInstallScript,
    AlertId::CapabilityDrift,
    AlertId::PublisherChange,
];

pub fn decide(alerts: &[Alert]) -> Decision {
    let mut malicious: Vec<AlertId> = alerts
        .iter()
        .filter(|a| {
            a.id == AlertId::KnownMalware
                || (a.kind == AlertKind::Threat && a.severity == AlertSeverity::Critical)
        })
        .map(|a| a.id)
        .collect();
    if !malicious.is_empty() {
        malicious.sort();
        malicious.dedup();
        return Decision {
            verdict: Verdict::Malicious,
            decided_by: malicious,
        };
    }

    let mut suspicious: Vec<AlertId> = alerts
        .iter()
        .filter(|a| {
            (a.kind == AlertKind::Threat && a.severity >= AlertSeverity::High)
                || a.id == AlertId::Unanalysable
        })
        .map(|a| a.id)
        .collect();
    let drift: Vec<AlertId> = alerts
        .iter()
        .map(|a| a.id)
        .filter(|id| DRIFT.contains(id))
        .collect();
    let mut distinct_drift = drift.clone();
    distinct_drift.sort();
    distinct_drift.dedup();
    if distinct_drift.len() >= 2 {
        suspicious.extend(distinct_drift);
    }
    suspicious.sort();
    suspicious.dedup();
    if suspicious.is_empty() {
        Decision {
            verdict: Verdict::Ok,
            decided_by: Vec::new(),
        }
    } else {
        Decision {
            verdict: Verdict::Suspicious,
            decided_by: suspicious,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(id: AlertId) -> Alert {
        Alert::new(id, Vec::new())
    }

    #[test]
    fn capabilities_alone_are_ok() {
        let alerts: Vec<Alert> = [
            AlertId::NetworkAccess,
            AlertId::ShellAccess,
            AlertId::EnvAccess,
            AlertId::InstallScript,
        ]
        .into_iter()
        .map(alert)
        .collect();
        assert_eq!(decide(&alerts).verdict, Verdict::Ok);
    }

    #[test]
    fn a_critical_threat_is_malicious_and_named() {
        let d = decide(&[
            alert(AlertId::NetworkAccess),
            alert(AlertId::EnvExfiltration),
        ]);
        assert_eq!(d.verdict, Verdict::Malicious);
        assert_eq!(d.decided_by, vec![AlertId::EnvExfiltration]);
    }

    #[test]
    fn a_threat_lowered_to_high_is_suspicious() {
        let d = decide(&[alert(AlertId::EnvExfiltration).with_severity(AlertSeverity::High)]);
        assert_eq!(d.verdict, Verdict::Suspicious);
    }

    #[test]
    fn unanalysable_is_never_ok() {
        assert_eq!(
            decide(&[alert(AlertId::Unanalysable)]).verdict,
            Verdict::Suspicious
        );
    }

    #[test]
    fn two_kinds_of_drift_are_suspicious_one_is_not() {
        assert_eq!(
            decide(&[alert(AlertId::CapabilityDrift)]).verdict,
            Verdict::Ok
        );
        let d = decide(&[
            alert(AlertId::NewInstallScript),
            alert(AlertId::PublisherChange),
        ]);
        assert_eq!(d.verdict, Verdict::Suspicious);
        assert_eq!(
            d.decided_by,
            vec![AlertId::NewInstallScript, AlertId::PublisherChange]
        );
    }

    #[test]
    fn known_malware_is_malicious() {
        assert_eq!(
            decide(&[alert(AlertId::KnownMalware)]).verdict,
            Verdict::Malicious
        );
    }
}

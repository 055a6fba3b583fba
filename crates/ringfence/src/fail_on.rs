//! `--fail-on`: which findings make `scan` exit 1.

use std::str::FromStr;

use ringfence_advisory::{AdvisoryKind, Severity};

/// The set of findings that fail a scan: known malware (whatever its severity), and/or every
/// finding at or above a severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn {
    pub known_malware: bool,
    /// The lowest severity that fails; `None` means severity alone never fails.
    pub min_severity: Option<Severity>,
    /// Every finding fails, even of unknown severity.
    pub any: bool,
}

impl FailOn {
    pub fn fails(&self, kind: AdvisoryKind, severity: Severity) -> bool {
        if self.any {
            return true;
        }
        if self.known_malware && kind == AdvisoryKind::KnownMalware {
            return true;
        }
        match (self.min_severity, severity) {
            (Some(_), Severity::Unknown) => false,
            (Some(min), s) => s >= min,
            (None, _) => false,
        }
    }
}

impl FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = FailOn {
            known_malware: false,
            min_severity: None,
            any: false,
        };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let severity = match part.to_ascii_lowercase().as_str() {
                "known-malware" | "malware" => {
                    out.known_malware = true;
                    continue;
                }
                "any" => {
                    out.any = true;
                    continue;
                }
                "none" | "never" => continue,
                "critical" => Severity::Critical,
                "high" => Severity::High,
                "medium" | "moderate" => Severity::Medium,
                "low" => Severity::Low,
                other => {
                    return Err(format!(
                        "unknown level `{other}`: use known-malware, critical, high, medium, low, any or none"
                    ));
                }
            };
            out.min_severity = Some(
                out.min_severity
                    .map_or(severity, |m: Severity| m.min(severity)),
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fails_on_malware_and_critical_only() {
        let f: FailOn = "known-malware,critical".parse().unwrap();
        assert!(f.fails(AdvisoryKind::KnownMalware, Severity::Unknown));
        assert!(f.fails(AdvisoryKind::Vulnerability, Severity::Critical));
        assert!(!f.fails(AdvisoryKind::Vulnerability, Severity::High));
    }

    #[test]
    fn a_severity_includes_those_above_it() {
        let f: FailOn = "medium".parse().unwrap();
        assert!(f.fails(AdvisoryKind::Vulnerability, Severity::High));
        assert!(!f.fails(AdvisoryKind::Vulnerability, Severity::Low));
        assert!(!f.fails(AdvisoryKind::KnownMalware, Severity::Low));
    }

    #[test]
    fn none_never_fails_and_typos_are_errors() {
        let f: FailOn = "none".parse().unwrap();
        assert!(!f.fails(AdvisoryKind::KnownMalware, Severity::Critical));
        assert!("hihg".parse::<FailOn>().unwrap_err().contains("hihg"));
    }
}

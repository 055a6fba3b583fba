//! What an advisory is (malware or a vulnerability) and how bad it is.
//!
//! Incident response treats the two kinds differently: a vulnerable version is
//! upgraded on a schedule, a malicious one means the machine that installed it is
//! compromised. So malware is always `Critical`, whatever the record says.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Malicious package (the `MAL-` records of ossf/malicious-packages, GitHub's malware
/// advisories) or an ordinary vulnerability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdvisoryKind {
    KnownMalware,
    Vulnerability,
}

/// Severity, ordered so that policies can say "at least High".
/// `Unknown` sorts lowest: a record without a rating never satisfies a threshold by
/// accident (known malware is never `Unknown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Unknown,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Reads GitHub's `database_specific.severity` (`LOW`, `MODERATE`, `HIGH`,
    /// `CRITICAL`) and the common spellings other databases use.
    pub fn from_label(label: &str) -> Option<Severity> {
        match label.trim().to_ascii_uppercase().as_str() {
            "LOW" => Some(Severity::Low),
            "MODERATE" | "MEDIUM" => Some(Severity::Medium),
            "HIGH" | "IMPORTANT" => Some(Severity::High),
            "CRITICAL" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// The CVSS v3 qualitative rating of a base score. A score of 0.0 ("None" in
    /// CVSS) is reported as `Low`: the record still says something is wrong.
    pub fn from_cvss_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else {
            Severity::Low
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AdvisoryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AdvisoryKind::KnownMalware => "known-malware",
            AdvisoryKind::Vulnerability => "vulnerability",
        })
    }
}

/// CWE-506, "Embedded Malicious Code": the CWE malware advisories carry.
pub(crate) const MALWARE_CWE: &str = "CWE-506";

pub(crate) fn classify_kind(id: &str, aliases: &[String], cwe_ids: &[String]) -> AdvisoryKind {
    let is_mal = |s: &str| s.starts_with("MAL-");
    if is_mal(id)
        || aliases.iter().any(|a| is_mal(a))
        || cwe_ids.iter().any(|c| c.eq_ignore_ascii_case(MALWARE_CWE))
    {
        AdvisoryKind::KnownMalware
    } else {
        AdvisoryKind::Vulnerability
    }
}

/// The CVSS v3.0/v3.1 base score of a vector such as
/// `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H` (9.8), per the FIRST specification
/// section 7. `None` if the vector is not v3 or lacks a base metric.
pub fn cvss3_base_score(vector: &str) -> Option<f64> {
    let mut parts = vector.trim().split('/');
    let version = parts.next()?;
    if !matches!(version, "CVSS:3.0" | "CVSS:3.1") {
        return None;
    }
    let (mut av, mut ac, mut pr, mut ui, mut scope, mut c, mut i, mut a) =
        (None, None, None, None, None, None, None, None);
    for part in parts {
        let (key, value) = part.split_once(':')?;
        match key {
            "AV" => av = Some(value),
            "AC" => ac = Some(value),
            "PR" => pr = Some(value),
            "UI" => ui = Some(value),
            "S" => scope = Some(value),
            "C" => c = Some(value),
            "I" => i = Some(value),
            "A" => a = Some(value),
            _ => {} // temporal and environmental metrics do not change the base score
        }
    }
    let changed = match scope? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match av? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match ac? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (pr?, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match ui? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |v: Option<&str>| match v? {
        "H" => Some(0.56),
        "L" => Some(0.22),
        "N" => Some(0.0),
        _ => None,
    };
    let (c, i, a) = (cia(c)?, cia(i)?, cia(a)?);

    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02_f64).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Some(0.0);
    }
    let raw = if changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Some(round_up(raw))
}

/// CVSS v3.1 `Roundup`: the smallest one-decimal number >= the input, computed in
/// integers to avoid floating-point surprises (Appendix A of the specification).
fn round_up(value: f64) -> f64 {
    let int_input = (value * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        ((int_input / 10_000) + 1) as f64 / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvss3_scores_match_the_calculator() {
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H", 7.4),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:N", 8.2),
            ("CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),
            ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ];
        for (vector, score) in cases {
            assert_eq!(cvss3_base_score(vector), Some(score), "{vector}");
        }
    }

    #[test]
    fn cvss_rejects_other_versions_and_garbage() {
        assert_eq!(
            cvss3_base_score("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:L"),
            None
        );
        assert_eq!(cvss3_base_score("AV:L/AC:M/Au:N/C:N/I:P/A:C"), None);
        assert_eq!(cvss3_base_score("CVSS:3.1/AV:N/AC:L"), None);
        assert_eq!(
            cvss3_base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            None
        );
        assert_eq!(cvss3_base_score(""), None);
    }

    #[test]
    fn severity_orders_unknown_lowest() {
        assert!(Severity::Unknown < Severity::Low);
        assert!(Severity::Low < Severity::Medium);
        assert!(Severity::High < Severity::Critical);
        assert_eq!(Severity::from_label("MODERATE"), Some(Severity::Medium));
        assert_eq!(Severity::from_label("bogus"), None);
        assert_eq!(Severity::from_cvss_score(9.0), Severity::Critical);
        assert_eq!(Severity::from_cvss_score(6.9), Severity::Medium);
    }

    #[test]
    fn kind_comes_from_id_alias_or_cwe() {
        let none: Vec<String> = vec![];
        assert_eq!(
            classify_kind("MAL-2025-1", &none, &none),
            AdvisoryKind::KnownMalware
        );
        assert_eq!(
            classify_kind("GHSA-x", &["MAL-2022-2".into()], &none),
            AdvisoryKind::KnownMalware
        );
        assert_eq!(
            classify_kind("GHSA-x", &none, &["CWE-506".into()]),
            AdvisoryKind::KnownMalware
        );
        assert_eq!(
            classify_kind("GHSA-x", &["CVE-1".into()], &["CWE-79".into()]),
            AdvisoryKind::Vulnerability
        );
    }
}

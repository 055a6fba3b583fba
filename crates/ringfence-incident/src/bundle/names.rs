//! The names a bundle's entries may have. The writer produces only these and the verifier
//! flags anything else, so no entry name can ever steer a path.

pub const MANIFEST: &str = "manifest.json";
pub const INCIDENT: &str = "incident.json";
pub const TIMELINE: &str = "timeline.jsonl";
const EVIDENCE_DIR: &str = "evidence/";
const REPORTS_DIR: &str = "reports/";

/// What a well-formed entry name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EntryKind {
    Manifest,
    Incident,
    Timeline,
    Evidence,
    Report,
}

pub(super) fn classify(name: &str) -> Option<EntryKind> {
    match name {
        MANIFEST => Some(EntryKind::Manifest),
        INCIDENT => Some(EntryKind::Incident),
        TIMELINE => Some(EntryKind::Timeline),
        _ => {
            if let Some(sha) = name.strip_prefix(EVIDENCE_DIR) {
                is_sha256_hex(sha).then_some(EntryKind::Evidence)
            } else if let Some(report) = name.strip_prefix(REPORTS_DIR) {
                is_report_name(report).then_some(EntryKind::Report)
            } else {
                None
            }
        }
    }
}

pub(super) fn evidence_path(sha256: &str) -> String {
    format!("{EVIDENCE_DIR}{sha256}")
}

pub(super) fn report_path(name: &str) -> String {
    format!("{REPORTS_DIR}{name}")
}

/// The hash an `evidence/<sha256>` entry is named by.
pub(super) fn evidence_name(path: &str) -> Option<&str> {
    path.strip_prefix(EVIDENCE_DIR).filter(|s| is_sha256_hex(s))
}

/// 64 lower-case hex digits: how evidence is named everywhere.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A report file name: 1 to 64 of `A-Z a-z 0-9 . _ -`, not starting with a dot. Short enough
/// for a plain ustar header, with nothing a file system could read as a path.
pub fn is_report_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Absolute, drive-qualified, backslashed, with control characters, or with an empty, `.` or
/// `..` part: a name that would escape or confuse a directory if anyone extracted it.
pub(super) fn is_unsafe(name: &str) -> bool {
    name.starts_with('/')
        || name.chars().any(char::is_control)
        || name.contains('\\')
        || name.contains(':')
        || name
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..")
}

/// Text from an untrusted bundle, with control characters escaped, so that printing a
/// problem cannot drive the terminal it is printed on.
pub(super) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bundle_names_classify() {
        let sha = "a".repeat(64);
        assert_eq!(classify("manifest.json"), Some(EntryKind::Manifest));
        assert_eq!(classify(&evidence_path(&sha)), Some(EntryKind::Evidence));
        assert_eq!(classify("evidence/ABC"), None);
        assert_eq!(classify("reports/pir.md"), Some(EntryKind::Report));
        assert_eq!(classify("reports/../x"), None);
        assert_eq!(classify("reports/.hidden"), None);
        assert_eq!(classify("other.txt"), None);
    }

    #[test]
    fn escaping_names_are_unsafe() {
        for bad in [
            "../../etc/passwd",
            "/etc/passwd",
            "a//b",
            "./a",
            "a\\b",
            "C:/x",
            "",
        ] {
            assert!(is_unsafe(bad), "{bad}");
        }
        assert!(is_unsafe("reports/a\u{1b}[2J"));
        assert!(!is_unsafe("evidence/abc"));
        assert_eq!(printable("a\u{1b}[2J\nb"), "a\\u{1b}[2J\\nb");
    }
}

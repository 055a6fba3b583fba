//! The alert catalogue (see ALERTS.md in the team docs): every alert has a stable kebab-case
//! id used in policy files, JSON and SARIF, a kind, a default severity and a one-line message.
//! Rules produce [`Alert`]s with [`Evidence`]; [`crate::verdict`] turns them into a verdict.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What an alert says about a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertKind {
    /// What a package can do. Informational; never decides a verdict alone.
    Capability,
    /// Behaviour benign packages do not show. Drives the verdict.
    Threat,
    /// From the manifest, registry data or advisories.
    Metadata,
    /// The analysis itself could not complete.
    Integrity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertSeverity {
    Low,
    Medium,
    High,
    Critical,
}

macro_rules! catalogue {
    ($( $variant:ident = $id:literal, $kind:ident, $severity:ident, $message:literal; )*) => {
        /// Every alert ringfence can raise.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum AlertId { $( $variant, )* }

        impl AlertId {
            pub const ALL: &'static [AlertId] = &[ $( AlertId::$variant, )* ];

            /// The stable kebab-case id.
            pub fn as_str(self) -> &'static str {
                match self { $( AlertId::$variant => $id, )* }
            }

            pub fn kind(self) -> AlertKind {
                match self { $( AlertId::$variant => AlertKind::$kind, )* }
            }

            pub fn default_severity(self) -> AlertSeverity {
                match self { $( AlertId::$variant => AlertSeverity::$severity, )* }
            }

            /// One line saying what the alert means.
            pub fn message(self) -> &'static str {
                match self { $( AlertId::$variant => $message, )* }
            }
        }

        impl FromStr for AlertId {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $( $id => Ok(AlertId::$variant), )*
                    other => Err(format!("unknown alert id `{other}`")),
                }
            }
        }
    };
}

catalogue! {
    // Capabilities
    InstallScript = "install-script", Capability, Low, "runs a script when the package is installed";
    NetworkAccess = "network-access", Capability, Low, "can make network connections";
    ShellAccess = "shell-access", Capability, Low, "can run shell commands or other programs";
    FilesystemAccess = "filesystem-access", Capability, Low, "writes, deletes or changes permissions of files";
    EnvAccess = "env-access", Capability, Low, "reads environment variables";
    DynamicCode = "dynamic-code", Capability, Low, "evaluates code built at run time";
    NativeCode = "native-code", Capability, Low, "ships or builds native binaries";
    MinifiedCode = "minified-code", Capability, Low, "contains minified or bundled code";
    HighEntropyString = "high-entropy-string", Capability, Low, "contains long high-entropy strings (encoded blobs)";
    UrlStrings = "url-strings", Capability, Low, "contains hard-coded URLs or IP addresses";
    // Threats
    EnvExfiltration = "env-exfiltration", Threat, Critical, "sends environment variables over the network";
    CredentialFileRead = "credential-file-read", Threat, Critical, "reads credential files and has a network sink";
    InstallTimeNetwork = "install-time-network", Threat, High, "downloads or connects while being installed";
    DownloadExecute = "download-execute", Threat, Critical, "downloads a file and runs it";
    EncodedEval = "encoded-eval", Threat, Critical, "evaluates a payload decoded at run time";
    ObfuscatedCode = "obfuscated-code", Threat, High, "is obfuscated the way malware hides itself";
    WalletHijack = "wallet-hijack", Threat, Critical, "rewrites crypto-wallet addresses in web traffic";
    SecretScanner = "secret-scanner", Threat, Critical, "searches the machine for secrets and tokens";
    CiPersistence = "ci-persistence", Threat, Critical, "plants CI workflows, runners or shell start-up hooks";
    SelfPropagation = "self-propagation", Threat, Critical, "publishes itself or edits other packages";
    AiCliAbuse = "ai-cli-abuse", Threat, Critical, "runs AI coding assistants with their safety checks off";
    GeoTargeted = "geo-targeted", Threat, High, "changes behaviour by the machine's location, locale or timezone";
    Destructive = "destructive", Threat, Critical, "deletes or overwrites the user's files";
    Protestware = "protestware", Threat, High, "sabotages its users (endless loops, political payloads)";
    ExfilEndpoint = "exfil-endpoint", Threat, High, "sends data to a known exfiltration endpoint";
    ReverseShell = "reverse-shell", Threat, Critical, "connects a shell to a remote socket";
    DependencyConfusion = "dependency-confusion", Threat, High, "beacons the host's identity when installed";
    // Metadata
    KnownMalware = "known-malware", Metadata, Critical, "this version is a known malicious release";
    Vulnerability = "vulnerability", Metadata, Medium, "this version has a known vulnerability";
    Typosquat = "typosquat", Metadata, High, "its name imitates a popular package";
    ManifestConfusion = "manifest-confusion", Metadata, High, "its package.json differs from the registry metadata";
    GitDependency = "git-dependency", Metadata, Low, "depends on a package from a git repository";
    HttpDependency = "http-dependency", Metadata, Medium, "depends on a package from a plain URL";
    NewInstallScript = "new-install-script", Metadata, High, "adds an install script the previous version did not have";
    CapabilityDrift = "capability-drift", Metadata, Medium, "gains capabilities the previous version did not have";
    PublisherChange = "publisher-change", Metadata, Medium, "was published by an account that never published it before";
    TooNew = "too-new", Metadata, Medium, "was published more recently than the policy's minimum age";
    // Integrity
    Unanalysable = "unanalysable", Integrity, High, "could not be fully analysed";
}

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AlertId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AlertId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Where an alert was seen: a file position with a short snippet, and for network alerts the
/// URLs and hosts involved (they become IOCs).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evidence {
    /// Path inside the package (`package/index.js` → `index.js`), or `package.json`.
    pub file: String,
    /// 1-based line and column; 0 where the evidence has no position (a whole file).
    pub line: u32,
    pub column: u32,
    /// At most ~120 characters of the source around the position, on one line.
    pub snippet: String,
    /// What was found, in words ("`child_process.exec` called with a string built from `process.env`").
    pub detail: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
}

/// One alert on one package: the id, its severity here (rules may raise or lower the default,
/// for example install-time code weighs more) and the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: AlertId,
    pub kind: AlertKind,
    pub severity: AlertSeverity,
    pub message: String,
    pub evidence: Vec<Evidence>,
}

impl Alert {
    pub fn new(id: AlertId, evidence: Vec<Evidence>) -> Alert {
        Alert {
            id,
            kind: id.kind(),
            severity: id.default_severity(),
            message: id.message().to_string(),
            evidence,
        }
    }

    pub fn with_severity(mut self, severity: AlertSeverity) -> Alert {
        self.severity = severity;
        self
    }
}

/// Cuts a snippet to one line of at most `max` characters around byte `offset` of `line_text`.
pub fn snippet(line_text: &str, offset_in_line: usize, max: usize) -> String {
    let chars: Vec<char> = line_text.chars().collect();
    let at = line_text[..offset_in_line.min(line_text.len())]
        .chars()
        .count();
    let start = at.saturating_sub(max / 3);
    let end = (start + max).min(chars.len());
    let mut out: String = chars[start..end]
        .iter()
        .map(|c| if c.is_control() { ' ' } else { *c })
        .collect();
    out = out.trim().to_string();
    if start > 0 {
        out.insert(0, '…');
    }
    if end < chars.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for id in AlertId::ALL {
            assert!(seen.insert(id.as_str()), "duplicate {id}");
            assert_eq!(id.as_str().parse::<AlertId>().unwrap(), *id);
        }
        assert!("no-such-alert".parse::<AlertId>().is_err());
    }

    #[test]
    fn capabilities_are_low_and_threats_are_high_or_critical() {
        for id in AlertId::ALL {
            match id.kind() {
                AlertKind::Capability => {
                    assert_eq!(id.default_severity(), AlertSeverity::Low, "{id}")
                }
                AlertKind::Threat => assert!(id.default_severity() >= AlertSeverity::High, "{id}"),
                _ => {}
            }
        }
    }

    #[test]
    fn snippets_are_short_and_single_line() {
        let line = format!(
            "{}require('child_process').exec(cmd){}",
            "a".repeat(200),
            "b".repeat(200)
        );
        let s = snippet(&line, 200, 80);
        assert!(s.contains("require('child_process')"), "{s}");
        assert!(s.chars().count() <= 82);
        assert_eq!(snippet("x\ty", 0, 80), "x y");
    }
}

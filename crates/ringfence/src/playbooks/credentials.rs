//! Which secrets a package could have reached, from what its alerts saw: the basis of the
//! credential-rotation tasks. A package that ran code at install time could read everything
//! the installing process could: on a CI runner, that is the pipeline's secrets.

use std::collections::BTreeSet;

use ringfence_inspect::{AlertId, PackageReport};

/// The kinds of secret at risk, in the order tasks are created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SecretKind {
    NpmTokens,
    CloudKeys,
    SshKeys,
    CiSecrets,
    GitTokens,
    CryptoWallets,
}

impl SecretKind {
    pub fn task(self, package: &str) -> String {
        let what = match self {
            SecretKind::NpmTokens => "npm tokens (.npmrc, NPM_TOKEN)",
            SecretKind::CloudKeys => "cloud keys (AWS, GCP, Azure credentials and env vars)",
            SecretKind::SshKeys => "SSH keys (~/.ssh) of machines that installed it",
            SecretKind::CiSecrets => "CI secrets available to pipelines that installed it",
            SecretKind::GitTokens => "git and GitHub tokens (.git-credentials, gh)",
            SecretKind::CryptoWallets => "crypto wallet keys on machines that installed it",
        };
        format!("Rotate {what}: exposed to {package}")
    }
}

/// Alerts meaning the package's code ran (or phoned home) while being installed.
const RAN_AT_INSTALL: &[AlertId] = &[
    AlertId::InstallScript,
    AlertId::NewInstallScript,
    AlertId::InstallTimeNetwork,
    AlertId::DependencyConfusion,
];

/// The secrets at risk, or nothing when no alert says the package reached any.
pub fn at_risk(alerts: &[AlertId], report: Option<&PackageReport>) -> BTreeSet<SecretKind> {
    let mut kinds = BTreeSet::new();
    let has = |id: AlertId| alerts.contains(&id);
    let ran = RAN_AT_INSTALL.iter().any(|id| has(*id));
    if has(AlertId::EnvExfiltration) {
        kinds.extend([
            SecretKind::NpmTokens,
            SecretKind::CloudKeys,
            SecretKind::CiSecrets,
        ]);
    }
    if has(AlertId::SecretScanner) {
        kinds.extend([
            SecretKind::NpmTokens,
            SecretKind::CloudKeys,
            SecretKind::GitTokens,
            SecretKind::CiSecrets,
        ]);
    }
    if has(AlertId::CredentialFileRead) {
        let seen = evidence_text(report, AlertId::CredentialFileRead);
        let mut any = false;
        for (needle, kind) in [
            (".npmrc", SecretKind::NpmTokens),
            (".ssh", SecretKind::SshKeys),
            ("id_rsa", SecretKind::SshKeys),
            (".aws", SecretKind::CloudKeys),
            ("gcloud", SecretKind::CloudKeys),
            (".azure", SecretKind::CloudKeys),
            (".git-credentials", SecretKind::GitTokens),
            ("gh/hosts", SecretKind::GitTokens),
            ("wallet", SecretKind::CryptoWallets),
            ("keystore", SecretKind::CryptoWallets),
        ] {
            if seen.contains(needle) {
                kinds.insert(kind);
                any = true;
            }
        }
        if !any {
            kinds.extend([
                SecretKind::NpmTokens,
                SecretKind::SshKeys,
                SecretKind::CloudKeys,
            ]);
        }
    }
    if ran {
        // Install-time code could read whatever the installing process could: on a CI
        // runner, that is the pipeline's secrets, whatever else the alerts saw.
        kinds.insert(SecretKind::CiSecrets);
    }
    kinds
}

/// Every snippet and path of one alert's evidence, lower-cased.
fn evidence_text(report: Option<&PackageReport>, id: AlertId) -> String {
    let Some(report) = report else {
        return String::new();
    };
    let mut text = String::new();
    for a in report.alerts.iter().filter(|a| a.alert.id == id) {
        text.push_str(&serde_json::to_string(&a.alert).unwrap_or_default());
    }
    text.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_at_install_time_means_nothing_to_rotate() {
        assert!(at_risk(&[AlertId::NetworkAccess, AlertId::WalletHijack], None).is_empty());
    }

    #[test]
    fn an_install_script_puts_ci_secrets_at_risk() {
        let kinds = at_risk(&[AlertId::InstallScript], None);
        assert_eq!(kinds, [SecretKind::CiSecrets].into());
    }

    #[test]
    fn env_exfiltration_puts_tokens_and_keys_at_risk() {
        let kinds = at_risk(&[AlertId::InstallScript, AlertId::EnvExfiltration], None);
        assert!(kinds.contains(&SecretKind::NpmTokens));
        assert!(kinds.contains(&SecretKind::CloudKeys));
        assert!(kinds.contains(&SecretKind::CiSecrets));
        assert!(!kinds.contains(&SecretKind::SshKeys));
    }

    #[test]
    fn credential_reads_without_evidence_assume_the_usual_files() {
        let kinds = at_risk(&[AlertId::CredentialFileRead], None);
        assert!(kinds.contains(&SecretKind::SshKeys));
        assert!(kinds.contains(&SecretKind::NpmTokens));
    }
}

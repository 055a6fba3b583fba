//! One rule per file, grouped by family (`capabilities/`, `threats/`), like ruff's rules: each
//! file documents what it detects, why it matters, an example (the malicious shape and its
//! benign look-alike) and the incident that motivated it, then holds the check and its
//! tests. [`JS_RULES`] is the registry the JavaScript engine runs after its single traversal;
//! rules read the recorded facts and data flows and never walk the tree themselves.

pub mod capabilities;
pub mod threats;

use crate::alert::AlertId;
use crate::js::context::{Ctx, Emitter};

/// A rule: the alert it raises and its check.
pub struct Rule {
    pub id: AlertId,
    pub check: fn(&Ctx<'_>, &mut Emitter<'_>),
}

/// Every JavaScript rule, capabilities first (threat rules may look at what was reported).
pub const JS_RULES: &[Rule] = &[
    Rule {
        id: AlertId::NetworkAccess,
        check: capabilities::network_access::check,
    },
    Rule {
        id: AlertId::ShellAccess,
        check: capabilities::shell_access::check,
    },
    Rule {
        id: AlertId::FilesystemAccess,
        check: capabilities::filesystem_access::check,
    },
    Rule {
        id: AlertId::EnvAccess,
        check: capabilities::env_access::check,
    },
    Rule {
        id: AlertId::DynamicCode,
        check: capabilities::dynamic_code::check,
    },
    Rule {
        id: AlertId::MinifiedCode,
        check: capabilities::minified_code::check,
    },
    Rule {
        id: AlertId::HighEntropyString,
        check: capabilities::high_entropy_string::check,
    },
    Rule {
        id: AlertId::UrlStrings,
        check: capabilities::url_strings::check,
    },
    Rule {
        id: AlertId::EnvExfiltration,
        check: threats::env_exfiltration::check,
    },
    Rule {
        id: AlertId::CredentialFileRead,
        check: threats::credential_file_read::check,
    },
    Rule {
        id: AlertId::DependencyConfusion,
        check: threats::dependency_confusion::check,
    },
    Rule {
        id: AlertId::ExfilEndpoint,
        check: threats::exfil_endpoint::check,
    },
    Rule {
        id: AlertId::InstallTimeNetwork,
        check: threats::install_time_network::check,
    },
    Rule {
        id: AlertId::DownloadExecute,
        check: threats::download_execute::check,
    },
    Rule {
        id: AlertId::EncodedEval,
        check: threats::encoded_eval::check,
    },
    Rule {
        id: AlertId::ObfuscatedCode,
        check: threats::obfuscated_code::check,
    },
    Rule {
        id: AlertId::WalletHijack,
        check: threats::wallet_hijack::check,
    },
    Rule {
        id: AlertId::SecretScanner,
        check: threats::secret_scanner::check,
    },
    Rule {
        id: AlertId::CiPersistence,
        check: threats::ci_persistence::check,
    },
    Rule {
        id: AlertId::SelfPropagation,
        check: threats::self_propagation::check,
    },
    Rule {
        id: AlertId::AiCliAbuse,
        check: threats::ai_cli_abuse::check,
    },
    Rule {
        id: AlertId::GeoTargeted,
        check: threats::geo_targeted::check,
    },
    Rule {
        id: AlertId::Destructive,
        check: threats::destructive::check,
    },
    Rule {
        id: AlertId::Protestware,
        check: threats::protestware::check,
    },
    Rule {
        id: AlertId::ReverseShell,
        check: threats::reverse_shell::check,
    },
];

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers for the rule tests: analyse a snippet and look at one alert.

    use crate::alert::{Alert, AlertId, AlertSeverity};
    use crate::js::analyse_file;

    pub fn alert(source: &str, install_time: bool, id: AlertId) -> Option<Alert> {
        let analysis = analyse_file("index.js", source, install_time);
        assert!(
            analysis.parse_error.is_none(),
            "fixture does not parse: {:?}",
            analysis.parse_error
        );
        analysis.alerts.into_iter().find(|a| a.id == id)
    }

    /// Asserts the alert fires (at least at `min`) and returns it.
    #[track_caller]
    pub fn fires(source: &str, install_time: bool, id: AlertId, min: AlertSeverity) -> Alert {
        match alert(source, install_time, id) {
            Some(a) => {
                assert!(
                    a.severity >= min,
                    "{id} fired at {:?}, expected at least {min:?}: {a:#?}",
                    a.severity
                );
                a
            }
            None => panic!("{id} did not fire on:\n{source}"),
        }
    }

    #[track_caller]
    pub fn silent(source: &str, install_time: bool, id: AlertId) {
        if let Some(a) = alert(source, install_time, id) {
            panic!("{id} fired on a benign look-alike:\n{source}\n{a:#?}");
        }
    }
}

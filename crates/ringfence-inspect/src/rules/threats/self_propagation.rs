//! ## What it does
//! Fires when package code publishes packages or infects other code:
//! - runs `npm publish` (or `pnpm`/`yarn publish`) from an install script, or from code that
//!   also writes install hooks (`scripts.postinstall = …`) into a manifest — critical;
//! - prepends code to the program that loaded it (`require.main.filename`,
//!   `process.mainModule.filename`) — high.
//!
//! ## Why is this bad?
//! That is a worm: with the victim's npm token it republishes the victim's packages with the
//! payload added, and every install spreads it further.
//!
//! ## Example
//! ```js
//! pkg.scripts.postinstall = 'node bundle.js';
//! fs.writeFileSync(dir + '/package.json', JSON.stringify(pkg));
//! execSync('npm publish', { cwd: dir });                     // self-propagation
//! ```
//! Benign look-alike: release tools (semantic-release, np, changesets) that run `npm publish`
//! when a maintainer asks, without adding install hooks and not from an install script.
//!
//! ## Motivated by
//! Shai-Hulud (September 2025: 500+ packages republished from stolen tokens) and its
//! November 2025 successor; discord-fix (injected a loader into the host program).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::FsKind;
use crate::js::strings::Family;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    let hooks_written = !ctx.facts.install_hook_keys.is_empty();
    for e in &ctx.facts.execs {
        let publishes =
            e.families.has(Family::Publish) || e.command.as_deref().is_some_and(is_publish_argv);
        if publishes && (ctx.install_time || hooks_written) {
            let why = if ctx.install_time {
                "from an install script"
            } else {
                "after writing install hooks into a manifest"
            };
            out.report(
                AlertId::SelfPropagation,
                AlertSeverity::Critical,
                e.span,
                format!("`{}` publishes packages {why}", e.callee),
                Vec::new(),
            );
        }
    }
    for op in &ctx.facts.fs {
        if op.kind == FsKind::Write && op.host_program {
            out.report(
                AlertId::SelfPropagation,
                AlertSeverity::High,
                op.span,
                format!("`{}` rewrites the program that loaded this code", op.callee),
                Vec::new(),
            );
        }
    }
}

/// `npm publish …` as a program and arguments (`spawn('npm', ['publish'])`).
fn is_publish_argv(command: &str) -> bool {
    let mut words = command.split_whitespace();
    let program = words.next().unwrap_or("");
    let base = program.rsplit(['/', '\\']).next().unwrap_or(program);
    matches!(base, "npm" | "npm.cmd" | "pnpm" | "yarn" | "bun") && words.next() == Some("publish")
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn publishing_with_injected_hooks_fires() {
        fires(
            "const fs = require('fs'), cp = require('child_process');\npkg.scripts.postinstall = 'node bundle.js';\nfs.writeFileSync(dir + '/package.json', JSON.stringify(pkg));\ncp.execSync('npm publish', { cwd: dir });",
            false,
            AlertId::SelfPropagation,
            AlertSeverity::Critical,
        );
        fires(
            "require('child_process').spawnSync('npm', ['publish', '--access', 'public']);",
            true,
            AlertId::SelfPropagation,
            AlertSeverity::Critical,
        );
        fires(
            "const fs = require('fs'); fs.writeFileSync(require.main.filename, loader + fs.readFileSync(require.main.filename));",
            false,
            AlertId::SelfPropagation,
            AlertSeverity::High,
        );
    }

    #[test]
    fn release_tools_do_not() {
        silent(
            "const execa = require('execa'); await execa('npm', ['publish', '--tag', tag], { cwd });",
            false,
            AlertId::SelfPropagation,
        );
        silent(
            "console.log('run npm publish when ready');",
            true,
            AlertId::SelfPropagation,
        );
    }
}

//! ## What it does
//! Reports code that changes files: `fs` writes, appends, copies, renames, deletes and
//! `chmod` (also through `fs/promises`, fs-extra, graceful-fs, rimraf, del, shelljs). Reads
//! are not reported: nearly every package reads files.
//!
//! ## Why is this bad?
//! Capability only. Dropping a payload, planting a workflow, wiping a home directory and
//! making a download executable all need it.
//!
//! ## Example
//! ```js
//! fs.writeFileSync(path.join(dir, 'out.json'), data); // filesystem-access
//! fs.readFileSync('package.json');                    // not reported
//! ```
//!
//! ## Motivated by
//! node-ipc 10.1.1 (overwrote files), Shai-Hulud (wrote `.github/workflows`), ua-parser-js
//! (dropped and chmod-ed a miner).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::FsKind;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for op in &ctx.facts.fs {
        let what = match op.kind {
            FsKind::Write => "writes",
            FsKind::Delete { recursive: true } => "deletes recursively",
            FsKind::Delete { recursive: false } => "deletes",
            FsKind::Chmod => "makes executable",
            FsKind::Read | FsKind::ReadDir => continue,
        };
        let target = op
            .path_text
            .as_deref()
            .map(|t| format!(" `{}`", super::shell_access::truncate(t, 80)))
            .unwrap_or_default();
        out.report(
            AlertId::FilesystemAccess,
            AlertSeverity::Low,
            op.span,
            format!("`{}` {what}{target}", op.callee),
            Vec::new(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn writes_deletes_and_chmod_fire() {
        fires(
            "const fs = require('fs'); fs.writeFileSync('a.txt', 'x');",
            false,
            AlertId::FilesystemAccess,
            AlertSeverity::Low,
        );
        fires(
            "import { rm } from 'fs/promises'; await rm('d', { recursive: true });",
            false,
            AlertId::FilesystemAccess,
            AlertSeverity::Low,
        );
        fires(
            "require('fs').chmodSync('bin', 0o755);",
            false,
            AlertId::FilesystemAccess,
            AlertSeverity::Low,
        );
    }

    #[test]
    fn reads_do_not() {
        silent(
            "const fs = require('fs'); fs.readFileSync('package.json', 'utf8'); fs.readdirSync('.');",
            false,
            AlertId::FilesystemAccess,
        );
        silent(
            "require('fs').chmodSync('data.txt', 0o644);",
            false,
            AlertId::FilesystemAccess,
        );
    }
}

//! ## What it does
//! Fires on code that destroys the user's files:
//! - `rm -rf`/`del /s`/`rmdir /s`/`format`/`shred`/`dd if=/dev/zero` commands aimed at the
//!   home directory, `~`, `$HOME`, `%USERPROFILE%`, `/` or a drive root;
//! - recursive deletes (`fs.rm(…, {recursive: true})`, `rimraf`, fs-extra `remove`) of the
//!   home directory, a top-level user folder (Desktop, Documents…) or `/`;
//! - deletes or writes in a loop over the entries of those folders (overwriting every file).
//!
//! ## Why is this bad?
//! No dependency has a reason to wipe or overwrite the user's own files.
//!
//! ## Example
//! ```js
//! fs.rmSync(os.homedir(), { recursive: true, force: true });              // destructive
//! fs.rmSync(path.join(os.homedir(), '.cache', 'mytool'), { recursive: true }); // not: own cache
//! ```
//!
//! ## Motivated by
//! node-ipc 10.1.1 (overwrote every file with ❤️), Shai-Hulud 2.0 (wiped the home directory
//! when it could not steal credentials).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::FsKind;
use crate::js::strings::Family;
use crate::js::taint::Taint;

/// A command line aimed at the home directory or a root.
fn targets_home_or_root(command: &str) -> bool {
    let c = command.to_ascii_lowercase();
    let words: Vec<&str> = c.split_whitespace().collect();
    words.iter().any(|w| {
        matches!(
            *w,
            "~" | "~/"
                | "~/*"
                | "/"
                | "/*"
                | "$home"
                | "$home/"
                | "$home/*"
                | "%userprofile%"
                | "c:\\"
                | "c:\\*"
                | "c:/"
                | "*"
        ) || w.starts_with("$home/") && w.len() <= 8
    }) || c.contains("--no-preserve-root")
}

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for e in &ctx.facts.execs {
        if !e.families.has(Family::DestructiveCommand) {
            continue;
        }
        let aimed = e.command.as_deref().is_some_and(targets_home_or_root)
            || ctx.taint(&e.command_flow).has(Taint::HOME_ROOT);
        if aimed {
            out.report(
                AlertId::Destructive,
                AlertSeverity::Critical,
                e.span,
                format!("`{}` wipes the home directory or a root", e.callee),
                Vec::new(),
            );
        }
    }
    for op in &ctx.facts.fs {
        let path = ctx.taint(&op.path);
        let root_text = op
            .path_text
            .as_deref()
            .is_some_and(|t| matches!(t, "/" | "~" | "C:\\" | "C:/" | "/*"));
        match op.kind {
            FsKind::Delete { recursive: true } if path.has(Taint::HOME_ROOT) || root_text => {
                out.report(
                    AlertId::Destructive,
                    AlertSeverity::Critical,
                    op.span,
                    format!(
                        "`{}` recursively deletes the home directory or a root",
                        op.callee
                    ),
                    Vec::new(),
                );
            }
            FsKind::Delete { .. } | FsKind::Write
                if op.in_loop && path.has(Taint::HOME_LISTING) =>
            {
                let what = if op.kind == FsKind::Write {
                    "overwrites"
                } else {
                    "deletes"
                };
                out.report(
                    AlertId::Destructive,
                    AlertSeverity::Critical,
                    op.span,
                    format!(
                        "`{}` {what} every file found in the user's folders",
                        op.callee
                    ),
                    Vec::new(),
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn wiping_home_fires() {
        fires(
            "const os = require('os'); require('fs').rmSync(os.homedir(), { recursive: true, force: true });",
            false,
            AlertId::Destructive,
            AlertSeverity::Critical,
        );
        fires(
            "require('child_process').exec('rm -rf ~/*');",
            false,
            AlertId::Destructive,
            AlertSeverity::Critical,
        );
        fires(
            "const fs = require('fs'), os = require('os'), path = require('path');\nconst desk = path.join(os.homedir(), 'Desktop');\nfor (const f of fs.readdirSync(desk)) fs.writeFileSync(path.join(desk, f), '❤️');",
            false,
            AlertId::Destructive,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn slashes_between_path_pieces_are_not_the_root() {
        silent(
            "const fs = require('fs');\nfunction clean(dir) { for (const f of fs.readdirSync(dir)) fs.rmSync(dir + '/' + f, { recursive: true }); }\nclean(tmp);",
            false,
            AlertId::Destructive,
        );
    }

    #[test]
    fn cleaning_own_folders_does_not() {
        silent(
            "const os = require('os'), path = require('path'); require('fs').rmSync(path.join(os.homedir(), '.cache', 'tool'), { recursive: true });",
            false,
            AlertId::Destructive,
        );
        silent(
            "require('child_process').execSync('rm -rf node_modules dist');",
            false,
            AlertId::Destructive,
        );
        silent(
            "const fs = require('fs'), os = require('os'), path = require('path');\nconst dir = path.join(os.homedir(), '.mytool');\nfor (const f of fs.readdirSync(dir)) fs.unlinkSync(path.join(dir, f));",
            false,
            AlertId::Destructive,
        );
    }
}

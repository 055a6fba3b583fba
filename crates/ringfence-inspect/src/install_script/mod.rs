//! What install scripts run. `preinstall`, `install`, `postinstall` and `prepare` are read as
//! shell: `node <file>` marks that file as install-time code (the report analyses it with
//! `install_time = true`), `npm run x` and `sh file.sh` are followed, and commands that reach
//! the network, decode payloads or run what they downloaded become threats.
//!
//! A bare `node install.js`, `node-gyp rebuild` or `husky` is only the `install-script`
//! capability: esbuild, sharp, bcrypt, puppeteer, cypress, electron, ngrok, husky and core-js
//! all do that. What benign install scripts never do is `curl … | sh`, `nslookup $(hostname).x`
//! or `curl --data @/etc/passwd`: the ua-parser-js 0.7.29 and coa/rc hijacks, and thousands of
//! dependency-confusion probes, did exactly that.

mod commands;
mod network;
mod resolve;
pub mod shell;

use std::collections::BTreeSet;

use crate::alert::{Alert, AlertId, AlertSeverity, Evidence, snippet};
use crate::archive::PackageContents;
use crate::manifest::{Manifest, line_col, script_evidence};

pub use resolve::{relative_requires, resolve_module};

/// Install scripts longer than this are not read (and make the package unanalysable): benign
/// ones are a few hundred bytes.
pub const MAX_SCRIPT_BYTES: usize = 64 << 10;
/// `bash -c "$(…)"` inside `npm run` inside … deeper than this is unanalysable.
const MAX_DEPTH: usize = 8;
/// Commands read per package, across every script and followed file.
const MAX_COMMANDS: usize = 10_000;

/// JavaScript given inline to `node -e`, analysed as install-time code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineCode {
    /// Where it came from, used as the file name in evidence: `package.json#scripts.postinstall`.
    pub label: String,
    pub code: String,
}

#[derive(Debug, Clone, Default)]
pub struct InstallAnalysis {
    /// Threats found in the scripts themselves (capabilities are the manifest's job).
    pub alerts: Vec<Alert>,
    /// Package files that install scripts run with Node.js.
    pub install_time_files: BTreeSet<String>,
    pub inline_code: Vec<InlineCode>,
}

/// Reads every install script of `manifest` (including npm's implicit `node-gyp rebuild`).
pub fn analyse(manifest: &Manifest, contents: &PackageContents) -> InstallAnalysis {
    let mut walker = Walker::new(manifest, contents);
    let scripts = manifest.install_scripts(contents.file("binding.gyp").is_some());
    for (key, command) in &scripts {
        walker.followed.insert(format!("scripts.{key}"));
        walker.script(key, command, 0);
    }
    walker.finish()
}

/// Where a command was written, for evidence.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    file: String,
    /// A script key (`postinstall`) when the text is a package.json script.
    key: Option<String>,
    /// The whole text when `file` is a shell script (line numbers come from offsets in it).
    text: Option<String>,
    /// Fixed position for text nested in another command (`bash -c "…"`).
    fixed: Option<(u32, u32)>,
}

pub(crate) struct Walker<'a> {
    pub(crate) manifest: &'a Manifest,
    pub(crate) contents: &'a PackageContents,
    alerts: Vec<Alert>,
    pub(crate) files: BTreeSet<String>,
    pub(crate) inline: Vec<InlineCode>,
    /// Scripts and files already read (cycle guard).
    pub(crate) followed: BTreeSet<String>,
    /// Files the scripts downloaded (base names), to catch running them afterwards.
    pub(crate) downloaded: BTreeSet<String>,
    budget: usize,
    exhausted: bool,
}

impl<'a> Walker<'a> {
    fn new(manifest: &'a Manifest, contents: &'a PackageContents) -> Walker<'a> {
        Walker {
            manifest,
            contents,
            alerts: Vec::new(),
            files: BTreeSet::new(),
            inline: Vec::new(),
            followed: BTreeSet::new(),
            downloaded: BTreeSet::new(),
            budget: MAX_COMMANDS,
            exhausted: false,
        }
    }

    /// Reads `scripts.<key>`.
    pub(crate) fn script(&mut self, key: &str, text: &str, depth: usize) {
        let place = Place {
            file: crate::manifest::MANIFEST_PATH.into(),
            key: Some(key.to_string()),
            text: None,
            fixed: None,
        };
        self.text(text, &place, depth);
    }

    /// Reads a shell script file of the package.
    pub(crate) fn shell_file(&mut self, path: &str, depth: usize) {
        if !self.followed.insert(format!("file:{path}")) {
            return;
        }
        let Some(file) = self.contents.file(path) else {
            return;
        };
        let text = file.text().into_owned();
        let place = Place {
            file: path.to_string(),
            key: None,
            text: Some(text.clone()),
            fixed: None,
        };
        self.text(&text, &place, depth);
    }

    /// Reads text nested in a command (`bash -c "…"`, `$(…)`): evidence points at the command.
    pub(crate) fn nested(&mut self, text: &str, outer: &Place, offset: usize, depth: usize) {
        let (line, column) = self.position(outer, offset);
        let place = Place {
            file: outer.file.clone(),
            key: outer.key.clone(),
            text: None,
            fixed: Some((line, column)),
        };
        self.text(text, &place, depth);
    }

    fn text(&mut self, text: &str, place: &Place, depth: usize) {
        if depth > MAX_DEPTH {
            self.give_up(
                place,
                format!("scripts nest more than {MAX_DEPTH} levels deep; the rest was not read"),
            );
            return;
        }
        if text.len() > MAX_SCRIPT_BYTES {
            self.give_up(
                place,
                format!(
                    "script is {} bytes, over the {MAX_SCRIPT_BYTES}-byte limit; not read",
                    text.len()
                ),
            );
            return;
        }
        for pipeline in shell::parse(text) {
            if self.budget < pipeline.commands.len() {
                let detail = format!(
                    "more than {MAX_COMMANDS} commands in install scripts; the rest was not read"
                );
                if !self.exhausted {
                    self.exhausted = true;
                    self.give_up(place, detail);
                }
                return;
            }
            self.budget -= pipeline.commands.len();
            commands::pipeline(self, &pipeline, place, depth);
        }
    }

    fn give_up(&mut self, place: &Place, detail: String) {
        let evidence = self.evidence(place, 0, String::new(), detail);
        self.alerts
            .push(Alert::new(AlertId::Unanalysable, vec![evidence]));
    }

    /// Records a threat found at `offset` of the text read in `place`. (Eight arguments: every
    /// call site has exactly these facts at hand, and a struct would only rename them.)
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn threat(
        &mut self,
        id: AlertId,
        severity: AlertSeverity,
        place: &Place,
        offset: usize,
        command: &str,
        detail: String,
        urls: Vec<String>,
    ) {
        let mut evidence = self.evidence(place, offset, command.to_string(), detail);
        evidence.urls = urls;
        self.alerts
            .push(Alert::new(id, vec![evidence]).with_severity(severity));
    }

    fn evidence(&self, place: &Place, offset: usize, command: String, detail: String) -> Evidence {
        let (line, column) = self.position(place, offset);
        Evidence {
            file: place.file.clone(),
            line,
            column,
            snippet: snippet(&command, 0, 120),
            detail,
            urls: Vec::new(),
        }
    }

    fn position(&self, place: &Place, offset: usize) -> (u32, u32) {
        if let Some(fixed) = place.fixed {
            return fixed;
        }
        if let Some(text) = &place.text {
            return line_col(text, offset);
        }
        match &place.key {
            Some(key) => {
                let e = script_evidence(self.manifest, key, "");
                (e.line, e.column)
            }
            None => (0, 0),
        }
    }

    fn finish(self) -> InstallAnalysis {
        InstallAnalysis {
            alerts: self.alerts,
            install_time_files: self.files,
            inline_code: self.inline,
        }
    }
}

#[cfg(test)]
mod tests;

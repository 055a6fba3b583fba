//! URLs and host names in literals, and what kind of service a host is.

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

/// This machine: loopback names and addresses.
pub fn is_local_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    matches!(h, "localhost" | "127.0.0.1" | "::1" | "0.0.0.0")
        || h.ends_with(".localhost")
        || h.starts_with("127.")
}

/// A connection target on this machine: a loopback host or a socket/pipe path.
pub fn is_local_target(text: &str) -> bool {
    is_local_host(text)
        || text.starts_with('/') && text.ends_with(".sock")
        || text.starts_with("\\\\.\\pipe\\")
}

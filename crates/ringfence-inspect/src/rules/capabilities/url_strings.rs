//! ## What it does
//! Lists hard-coded URLs and raw IP addresses found in string literals and templates (not in
//! comments). The list is evidence and goes into the file's IOC candidates.
//!
//! ## Why is this bad?
//! Capability only. Responders need the hosts a package may contact; the threat rules
//! (`exfil-endpoint`, `env-exfiltration`) decide whether a URL is actually requested.
//!
//! ## Example
//! `const API = 'https://api.example/v1'`: url-strings. `// see https://docs.example`: not
//! (comments are not code).
//!
//! ## Motivated by
//! Every incident write-up ends with a list of IOCs; ua-parser-js's were two download URLs.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::strings::HostClass;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    // Exfiltration hosts and raw IPs first: they are the evidence that matters.
    let mut urls: Vec<_> = ctx.facts.urls.iter().collect();
    urls.sort_by_key(|h| {
        (
            !matches!(h.what.class, HostClass::Exfil | HostClass::RawIp),
            h.span.start,
        )
    });
    for hit in urls {
        let what = match hit.what.class {
            HostClass::RawIp => "raw IP address",
            HostClass::Exfil => "URL of a data-capture service",
            _ => "URL",
        };
        out.report(
            AlertId::UrlStrings,
            AlertSeverity::Low,
            hit.span,
            format!("{what} `{}`", hit.what.text),
            vec![hit.what.text.clone()],
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::js::analyse_file;
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn literals_fire_and_go_into_the_url_list() {
        fires(
            "const u = 'https://api.example/v1';",
            false,
            AlertId::UrlStrings,
            AlertSeverity::Low,
        );
        let a = analyse_file(
            "a.js",
            "const h = { hostname: '45.9.148.3' }; const t = `http://${h}.example/x`;",
            false,
        );
        assert!(a.urls.contains(&"45.9.148.3".to_string()), "{:?}", a.urls);
        assert!(
            a.urls.iter().any(|u| u.starts_with("http://*.example")),
            "{:?}",
            a.urls
        );
    }

    #[test]
    fn comments_are_not_urls() {
        silent(
            "// see https://docs.example/guide\nconst x = 1;",
            false,
            AlertId::UrlStrings,
        );
    }
}

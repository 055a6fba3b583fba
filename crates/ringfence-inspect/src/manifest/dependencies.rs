//! `git-dependency` and `http-dependency`: dependencies that bypass the registry. Their code
//! is whatever the repository or URL serves on the day of the install, with no integrity
//! record the registry vouches for. Development dependencies are not installed for consumers
//! and are skipped.

use crate::alert::{Alert, AlertId};

use super::{Manifest, key_evidence};

/// Where a dependency spec points, following npm's own reading of specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DependencySource {
    Registry,
    Git,
    /// A tarball URL; `insecure` for plain `http://`.
    Url {
        insecure: bool,
    },
}

pub fn classify(spec: &str) -> DependencySource {
    let spec = spec.trim();
    let lower = spec.to_ascii_lowercase();
    const GIT_PREFIXES: [&str; 6] = [
        "git+",
        "git://",
        "github:",
        "gitlab:",
        "bitbucket:",
        "gist:",
    ];
    if GIT_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return DependencySource::Git;
    }
    if lower.starts_with("http://") || lower.starts_with("https://") {
        let without_fragment = lower.split('#').next().unwrap_or("");
        let repo_host = ["://github.com/", "://gitlab.com/", "://bitbucket.org/"]
            .iter()
            .any(|h| lower.contains(h));
        let tarball = [".tgz", ".tar.gz", ".tar"]
            .iter()
            .any(|e| without_fragment.ends_with(e));
        if without_fragment.ends_with(".git") || (repo_host && !tarball) {
            return DependencySource::Git;
        }
        return DependencySource::Url {
            insecure: lower.starts_with("http://"),
        };
    }
    // `user/repo` and `user/repo#ref` are GitHub shorthands.
    let base = spec.split('#').next().unwrap_or("");
    let shorthand = base.split('/').count() == 2
        && !base.starts_with(['.', '@', '/', '~'])
        && !base.contains(':')
        && base.split('/').all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        });
    if shorthand {
        DependencySource::Git
    } else {
        DependencySource::Registry
    }
}

pub(super) fn alerts(manifest: &Manifest) -> Vec<Alert> {
    let groups = [
        ("dependencies", &manifest.dependencies),
        ("optionalDependencies", &manifest.optional_dependencies),
        ("peerDependencies", &manifest.peer_dependencies),
    ];
    let mut git = Vec::new();
    let mut http = Vec::new();
    for (group, deps) in groups {
        for (name, spec) in deps {
            match classify(spec) {
                DependencySource::Registry => {}
                DependencySource::Git => {
                    let mut e = key_evidence(
                        manifest,
                        Some(group),
                        name,
                        format!("`{name}` comes from git: `{spec}`"),
                    );
                    e.urls = vec![spec.clone()];
                    git.push(e);
                }
                DependencySource::Url { insecure } => {
                    let how = if insecure {
                        "an unencrypted http:// URL"
                    } else {
                        "a URL outside the registry"
                    };
                    let mut e = key_evidence(
                        manifest,
                        Some(group),
                        name,
                        format!("`{name}` is downloaded from {how}: `{spec}`"),
                    );
                    e.urls = vec![spec.clone()];
                    http.push(e);
                }
            }
        }
    }
    let mut out = Vec::new();
    if !git.is_empty() {
        out.push(Alert::new(AlertId::GitDependency, git));
    }
    if !http.is_empty() {
        out.push(Alert::new(AlertId::HttpDependency, http));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_specs_the_way_npm_does() {
        assert_eq!(classify("^4.17.21"), DependencySource::Registry);
        assert_eq!(classify("npm:lodash@4"), DependencySource::Registry);
        assert_eq!(classify("file:../local"), DependencySource::Registry);
        assert_eq!(
            classify("git+ssh://git@host.example/x/y.git"),
            DependencySource::Git
        );
        assert_eq!(classify("github:user/repo#v1"), DependencySource::Git);
        assert_eq!(classify("user/repo"), DependencySource::Git);
        assert_eq!(
            classify("https://github.com/user/repo"),
            DependencySource::Git
        );
        assert_eq!(
            classify("https://cdn.example/pkg-1.0.0.tgz"),
            DependencySource::Url { insecure: false }
        );
        assert_eq!(
            classify("http://127.0.0.1/p.tgz"),
            DependencySource::Url { insecure: true }
        );
        assert_eq!(classify(">=1.0.0 <2"), DependencySource::Registry);
    }
}

//! Helpers shared by the npm-ecosystem lockfiles (package-lock.json, yarn.lock, bun.lock):
//! specs (`name@range`), git commits in resolved URLs, the package.json beside a lockfile,
//! and folding the several install locations of one package version into one record.

use std::collections::HashMap;
use std::path::Path;

use crate::Package;

/// How a dependency was declared, which decides the flags of a root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DepKind {
    Prod,
    Dev,
    Optional,
    Peer,
}

impl DepKind {
    /// `(dev, optional)` as [`crate::DependencyGraph::add_root`] takes them.
    pub(crate) fn root_flags(self) -> (bool, bool) {
        match self {
            DepKind::Prod | DepKind::Peer => (false, false),
            DepKind::Dev => (true, false),
            DepKind::Optional => (false, true),
        }
    }

    /// The package.json / lockfile field that declares this kind of dependency.
    pub(crate) const FIELDS: [(&'static str, DepKind); 4] = [
        ("dependencies", DepKind::Prod),
        ("devDependencies", DepKind::Dev),
        ("optionalDependencies", DepKind::Optional),
        ("peerDependencies", DepKind::Peer),
    ];
}

/// Splits `name@range` (the name may be scoped: `@babel/core@^7`). Without a range the
/// whole spec is the name and the range is empty.
pub(crate) fn split_spec(spec: &str) -> (&str, &str) {
    let spec = spec.trim();
    match spec.get(1..).and_then(|rest| rest.find('@')) {
        Some(i) => (&spec[..=i], &spec[i + 2..]),
        None => (spec, ""),
    }
}

/// For an alias range `npm:real-name@range`, the real name and its range.
pub(crate) fn alias_target(range: &str) -> Option<(&str, &str)> {
    let inner = range.trim().strip_prefix("npm:")?;
    let (name, range) = split_spec(inner);
    (!name.is_empty()).then_some((name, range))
}

/// Whether a lockfile's version field holds a plain version rather than a URL, a path or a
/// git reference (`file:…`, `github:user/repo#sha`, `git+ssh://…`).
pub(crate) fn is_plain_version(version: &str) -> bool {
    !version.is_empty() && !version.contains([':', '/', '#'])
}

/// The git commit a resolved reference pins, if it is a git reference: the hex after `#`
/// (`git+ssh://host/repo.git#<sha>`, `github:user/repo#<sha>`, berry's `#commit=<sha>`), or
/// the last segment of a codeload tarball (`…/tar.gz/<sha>`), or a GitLab archive's
/// `?ref=<sha>`. A hex fragment on a tarball
/// URL (`…/pkg-1.0.0.tgz#<sha1>`) is yarn's checksum, not a commit.
pub(crate) fn git_commit(reference: &str) -> Option<String> {
    let reference = reference.trim();
    if let Some((_, after)) = reference.split_once("/tar.gz/") {
        let sha = after.split(['#', '?', '/']).next().unwrap_or("");
        if is_commit_hash(sha) {
            return Some(sha.to_string());
        }
    }
    if let Some((_, query)) = reference.split_once('?') {
        let query = query.split('#').next().unwrap_or("");
        let sha = query.split('&').find_map(|p| p.strip_prefix("ref="));
        if let Some(sha) = sha.filter(|s| is_commit_hash(s)) {
            return Some(sha.to_string());
        }
    }
    let (base, fragment) = reference.split_once('#')?;
    let base = base.to_ascii_lowercase();
    if base.ends_with(".tgz") || base.ends_with(".tar.gz") || base.ends_with(".tar") {
        return None;
    }
    fragment
        .split('&')
        .map(|part| {
            part.strip_prefix("commit=")
                .or_else(|| part.strip_prefix("commit:"))
                .unwrap_or(part)
        })
        .find(|candidate| is_commit_hash(candidate))
        .map(str::to_string)
}

fn is_commit_hash(s: &str) -> bool {
    (7..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The dependencies a package.json declares, by kind, in file order.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    pub deps: Vec<(String, String, DepKind)>,
}

/// Files larger than this beside a lockfile are not read as its package.json.
const MAX_MANIFEST_BYTES: u64 = 16 * 1024 * 1024;

/// Reads the package.json beside `lockfile`, best effort: `None` when it is absent,
/// too large or not a JSON object. Used only to find the project's direct dependencies.
pub(crate) fn manifest_beside(lockfile: &Path) -> Option<Manifest> {
    let path = lockfile.parent()?.join("package.json");
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_MANIFEST_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    let object = value.as_object()?;
    let mut manifest = Manifest::default();
    for (field, kind) in DepKind::FIELDS {
        if kind == DepKind::Peer {
            continue;
        }
        if let Some(map) = object.get(field).and_then(|v| v.as_object()) {
            for (name, range) in map {
                let range = range.as_str().unwrap_or("").to_string();
                manifest.deps.push((name.clone(), range, kind));
            }
        }
    }
    Some(manifest)
}

/// Folds records of the same package version (same name, version and commit) into one:
/// npm installs one version in many `node_modules` folders, yarn and bun list it under
/// several specs. The merged record is dev (or optional) only if every copy is, direct
/// if any copy is, and keeps the shortest dependency path and the first line.
pub(crate) fn merge_duplicates(packages: Vec<Package>) -> Vec<Package> {
    // First copy of each identity, found without cloning names.
    let mut first: HashMap<(&str, &str, Option<&str>), usize> =
        HashMap::with_capacity(packages.len());
    let target: Vec<usize> = packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let key = (p.name.as_str(), p.version.as_str(), p.commit.as_deref());
            *first.entry(key).or_insert(i)
        })
        .collect();
    drop(first);
    let mut slot: Vec<Option<usize>> = vec![None; packages.len()];
    let mut out: Vec<Package> = Vec::with_capacity(packages.len());
    for (i, package) in packages.into_iter().enumerate() {
        let Some(at) = slot[target[i]] else {
            slot[i] = Some(out.len());
            out.push(package);
            continue;
        };
        let kept = &mut out[at];
        kept.dev &= package.dev;
        kept.optional &= package.optional;
        kept.direct |= package.direct;
        let shorter = !package.path.is_empty()
            && (kept.path.is_empty() || package.path.len() < kept.path.len());
        if shorter {
            kept.path = package.path;
        }
        kept.line = match (kept.line, package.line) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if kept.resolved.is_none() {
            kept.resolved = package.resolved;
        }
        if kept.integrity.is_none() {
            kept.integrity = package.integrity;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringfence_package::Ecosystem;

    #[test]
    fn specs_split_after_the_scope() {
        assert_eq!(split_spec("@babel/core@^7.0.0"), ("@babel/core", "^7.0.0"));
        assert_eq!(split_spec("lodash@npm:^4"), ("lodash", "npm:^4"));
        assert_eq!(split_spec("balanced-match"), ("balanced-match", ""));
        assert_eq!(split_spec("@scope/only"), ("@scope/only", ""));
        assert_eq!(
            alias_target("npm:@babel/code-frame@7.0.0"),
            Some(("@babel/code-frame", "7.0.0"))
        );
        assert_eq!(alias_target("^1.0.0"), None);
    }

    #[test]
    fn commits_come_from_git_references_not_tarball_checksums() {
        let sha = "af885e2e890b9ef0875edd2b117305119ee5bdc5";
        assert_eq!(
            git_commit(&format!("git+ssh://git@host.example/a/b.git#{sha}")).as_deref(),
            Some(sha)
        );
        assert_eq!(
            git_commit(&format!("https://codeload.example/a/b/tar.gz/{sha}")).as_deref(),
            Some(sha)
        );
        assert_eq!(
            git_commit(&format!("b@https://host.example/a/b.git#commit={sha}")).as_deref(),
            Some(sha)
        );
        assert_eq!(git_commit("github:a/b#527e8ce").as_deref(), Some("527e8ce"));
        assert_eq!(
            git_commit(&format!("https://git.example/a/archive.tar.gz?ref={sha}")).as_deref(),
            Some(sha)
        );
        assert_eq!(
            git_commit(&format!("https://registry.example/e/-/e-1.8.1.tgz#{sha}")),
            None
        );
        assert_eq!(git_commit("github:a/b#main"), None);
        assert_eq!(git_commit("https://registry.example/e/-/e-1.8.1.tgz"), None);
    }

    #[test]
    fn duplicates_merge_flags_conservatively() {
        let mut a = Package::new(Ecosystem::Npm, "ajv", "5.5.2");
        a.dev = true;
        a.path = vec!["x@1".into(), "ajv@5.5.2".into()];
        a.line = Some(20);
        let mut b = Package::new(Ecosystem::Npm, "ajv", "5.5.2");
        b.optional = true;
        b.direct = true;
        b.path = vec!["ajv@5.5.2".into()];
        b.line = Some(9);
        let other = Package::new(Ecosystem::Npm, "ajv", "6.0.0");
        let merged = merge_duplicates(vec![a, b, other]);
        assert_eq!(merged.len(), 2);
        assert!(!merged[0].dev && !merged[0].optional && merged[0].direct);
        assert_eq!(merged[0].path, vec!["ajv@5.5.2"]);
        assert_eq!(merged[0].line, Some(9));
    }
}

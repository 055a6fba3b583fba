//! Which package file `node <spec>` or `require('./spec')` loads, the way Node.js resolves a
//! relative path: the file itself, then with `.js`/`.cjs`/`.mjs`/`.json`, then the folder's
//! `index.js`. `node .` loads the package's `main` (or `index.js`). Only paths inside the
//! package resolve; this never touches the filesystem.

use crate::archive::PackageContents;
use crate::manifest::Manifest;

const EXTENSIONS: [&str; 4] = [".js", ".cjs", ".mjs", ".json"];

/// Resolves `spec` relative to folder `from` (`""` for the package root).
pub fn resolve_module(
    contents: &PackageContents,
    manifest: Option<&Manifest>,
    from: &str,
    spec: &str,
) -> Option<String> {
    let base = join(from, spec)?;
    if base.is_empty() {
        let main = manifest
            .and_then(|m| m.main.as_deref())
            .unwrap_or("index.js");
        let main_path = join("", main)?;
        return resolve_path(contents, &main_path).or_else(|| resolve_path(contents, "index"));
    }
    resolve_path(contents, &base)
}

fn resolve_path(contents: &PackageContents, base: &str) -> Option<String> {
    if !base.is_empty() && contents.file(base).is_some() {
        return Some(base.to_string());
    }
    let dir = if base.is_empty() {
        String::new()
    } else {
        format!("{base}/")
    };
    EXTENSIONS
        .iter()
        .map(|ext| format!("{base}{ext}"))
        .chain(EXTENSIONS[..3].iter().map(|ext| format!("{dir}index{ext}")))
        .find(|candidate| !base.is_empty() && contents.file(candidate).is_some())
}

/// `from` + `spec` as a package path with `.` and `..` applied; `None` when it leaves the
/// package. Absolute specs are outside the package.
pub(crate) fn join(from: &str, spec: &str) -> Option<String> {
    if spec.starts_with('/') || spec.contains('\\') && spec.contains(':') {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').filter(|p| !p.is_empty()).collect();
    for part in spec.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// Relative module specifiers in `require('./x')`, `import('./x')` and `from './x'` of a piece
/// of JavaScript: enough to follow install-time code into the files it loads. A text scan,
/// deliberately simple: the JS engine does the real analysis of each file.
pub fn relative_requires(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["require(", "import(", "from "] {
        let mut rest = code;
        while let Some(i) = rest.find(marker) {
            rest = &rest[i + marker.len()..];
            let trimmed = rest.trim_start();
            let Some(quote) = trimmed
                .chars()
                .next()
                .filter(|c| matches!(c, '\'' | '"' | '`'))
            else {
                continue;
            };
            let body = &trimmed[1..];
            let Some(end) = body.find(quote) else {
                continue;
            };
            let spec = &body[..end];
            if (spec.starts_with("./") || spec.starts_with("../") || spec == ".")
                && spec.len() < 512
                && !out.iter().any(|s| s == spec)
            {
                out.push(spec.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::PackageFile;

    fn package(paths: &[&str]) -> PackageContents {
        let files = paths
            .iter()
            .map(|p| PackageFile {
                path: p.to_string(),
                mode: 0o644,
                size: 0,
                bytes: Vec::new(),
                binary: false,
                streamed_sha256: None,
            })
            .collect();
        PackageContents {
            files,
            ..PackageContents::default()
        }
    }

    #[test]
    fn resolves_like_node() {
        let pkg = package(&["install.js", "lib/index.js", "build/app.js", "x"]);
        assert_eq!(
            resolve_module(&pkg, None, "", "./install.js").as_deref(),
            Some("install.js")
        );
        assert_eq!(
            resolve_module(&pkg, None, "", "install").as_deref(),
            Some("install.js")
        );
        assert_eq!(
            resolve_module(&pkg, None, "", "./lib").as_deref(),
            Some("lib/index.js")
        );
        assert_eq!(resolve_module(&pkg, None, "", "x").as_deref(), Some("x"));
        assert_eq!(
            resolve_module(&pkg, None, "lib", "../install").as_deref(),
            Some("install.js")
        );
        assert_eq!(resolve_module(&pkg, None, "", "../../etc/passwd"), None);
        assert_eq!(resolve_module(&pkg, None, "", "missing.js"), None);
        let manifest = Manifest {
            main: Some("build/app".into()),
            ..Manifest::default()
        };
        assert_eq!(
            resolve_module(&pkg, Some(&manifest), "", ".").as_deref(),
            Some("build/app.js")
        );
        assert_eq!(resolve_module(&pkg, None, "", ".").as_deref(), None);
    }

    #[test]
    fn finds_relative_requires() {
        let code = "try{require('./postinstall')}catch(e){}; const x = require(\"lodash\"); import(`../y.js`); import z from './z'";
        assert_eq!(
            relative_requires(code),
            vec!["./postinstall", "../y.js", "./z"]
        );
    }
}

//! `native-code`: bundled executables and libraries (ELF, PE, Mach-O by magic bytes, not by
//! name), `.node` addons, and node-gyp builds. A capability: sharp, esbuild and bcrypt all have
//! it; what the binary is for is for a responder to judge, with its hash in the IOCs.

use crate::alert::{Alert, AlertId, Evidence};
use crate::archive::PackageContents;
use crate::archive::magic::native_format;

use super::{Manifest, key_evidence, script_evidence};

/// Words in an install script that build or fetch a native addon.
const BUILDERS: [&str; 6] = [
    "node-gyp",
    "node-gyp-build",
    "prebuild-install",
    "node-pre-gyp",
    "cmake-js",
    "electron-rebuild",
];

pub(super) fn alert(
    contents: &PackageContents,
    manifest: &Manifest,
    scripts: &[(String, String)],
) -> Option<Alert> {
    let mut evidence = Vec::new();
    for file in &contents.files {
        let format = native_format(&file.bytes);
        let addon = file.path.ends_with(".node");
        if format.is_none() && !addon {
            continue;
        }
        let what = match (format, addon) {
            (Some(f), true) => format!("{} Node.js addon", f.as_str()),
            (Some(f), false) => format!("{} binary", f.as_str()),
            (None, _) => "Node.js addon (`.node`)".to_string(),
        };
        evidence.push(Evidence {
            file: file.path.clone(),
            line: 0,
            column: 0,
            snippet: String::new(),
            detail: format!("{what}, {} bytes, sha256 {}", file.size, file.sha256_hex()),
            urls: Vec::new(),
        });
    }
    if contents.file("binding.gyp").is_some() {
        evidence.push(Evidence {
            file: "binding.gyp".into(),
            line: 0,
            column: 0,
            snippet: String::new(),
            detail: "node-gyp build file: a native addon is compiled on install".into(),
            urls: Vec::new(),
        });
    }
    if manifest.gypfile {
        evidence.push(key_evidence(
            manifest,
            None,
            "gypfile",
            "`gypfile: true`: built with node-gyp".into(),
        ));
    }
    for (key, command) in scripts {
        let builds = command
            .split(|c: char| c.is_whitespace() || matches!(c, '&' | '|' | ';' | '(' | ')'))
            .any(|w| BUILDERS.contains(&w));
        if builds {
            let mut e = script_evidence(manifest, key, command);
            e.detail = format!("{}: builds or fetches a native addon", e.detail);
            evidence.push(e);
        }
    }
    (!evidence.is_empty()).then(|| Alert::new(AlertId::NativeCode, evidence))
}

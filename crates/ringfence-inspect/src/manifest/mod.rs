//! `package.json`: the fields inspection needs, and the metadata alerts read from it —
//! `install-script`, `native-code`, `git-dependency`, `http-dependency`. A package without a
//! readable manifest is `unanalysable`: npm itself would refuse it, and a scanner must not
//! call it clean.

mod dependencies;
mod native;
mod position;

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::alert::{Alert, AlertId, Evidence};
use crate::archive::PackageContents;

pub use position::{KeyPosition, line_col, locate_key};

/// The lifecycle scripts npm runs when a package is installed (`prepare` only for git and
/// local installs, but it runs arbitrary code all the same).
pub const INSTALL_SCRIPTS: [&str; 4] = ["preinstall", "install", "postinstall", "prepare"];

pub const MANIFEST_PATH: &str = "package.json";

/// The parts of package.json that inspection reads. Fields of an unexpected type are ignored,
/// as npm ignores them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub name: Option<String>,
    pub version: Option<String>,
    pub scripts: BTreeMap<String, String>,
    pub dependencies: BTreeMap<String, String>,
    pub dev_dependencies: BTreeMap<String, String>,
    pub optional_dependencies: BTreeMap<String, String>,
    pub peer_dependencies: BTreeMap<String, String>,
    /// Command name → file (a string `bin` is named after the package).
    pub bin: BTreeMap<String, String>,
    pub main: Option<String>,
    pub gypfile: bool,
    pub os: Vec<String>,
    pub cpu: Vec<String>,
    /// The text it was parsed from (BOM removed), for evidence positions.
    pub source: String,
}

impl Manifest {
    /// The install-time scripts present, in lifecycle order. When there is no `install` or
    /// `preinstall` script and a `binding.gyp` sits at the root, npm runs `node-gyp rebuild`:
    /// that implicit script is included when `has_binding_gyp` says so.
    pub fn install_scripts(&self, has_binding_gyp: bool) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = INSTALL_SCRIPTS
            .iter()
            .filter_map(|k| self.scripts.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        let explicit =
            self.scripts.contains_key("install") || self.scripts.contains_key("preinstall");
        if has_binding_gyp && !explicit {
            out.insert(0, ("install".to_string(), "node-gyp rebuild".to_string()));
        }
        out
    }
}

/// Why package.json could not be read, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("package.json:{line}:{column}: {message}")]
pub struct ManifestError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Parses package.json text (a leading BOM is ignored, as npm ignores it).
pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
    let source = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(source).map_err(|e| ManifestError {
        line: e.line() as u32,
        column: e.column() as u32,
        message: format!("not valid JSON: {e}"),
    })?;
    let Value::Object(obj) = value else {
        return Err(ManifestError {
            line: 1,
            column: 1,
            message: "the top level is not a JSON object".into(),
        });
    };
    let string = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
    let name = string("name");
    let bin = match obj.get("bin") {
        Some(Value::String(path)) => {
            let command = name
                .as_deref()
                .map(|n| n.rsplit('/').next().unwrap_or(n))
                .unwrap_or("");
            BTreeMap::from([(command.to_string(), path.clone())])
        }
        Some(Value::Object(map)) => string_map(map),
        _ => BTreeMap::new(),
    };
    Ok(Manifest {
        version: string("version"),
        scripts: object(&obj, "scripts"),
        dependencies: object(&obj, "dependencies"),
        dev_dependencies: object(&obj, "devDependencies"),
        optional_dependencies: object(&obj, "optionalDependencies"),
        peer_dependencies: object(&obj, "peerDependencies"),
        bin,
        main: string("main"),
        gypfile: obj.get("gypfile").and_then(Value::as_bool).unwrap_or(false),
        os: strings(&obj, "os"),
        cpu: strings(&obj, "cpu"),
        name,
        source: source.to_string(),
    })
}

fn object(obj: &Map<String, Value>, key: &str) -> BTreeMap<String, String> {
    obj.get(key)
        .and_then(Value::as_object)
        .map(string_map)
        .unwrap_or_default()
}

fn string_map(map: &Map<String, Value>) -> BTreeMap<String, String> {
    map.iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect()
}

fn strings(obj: &Map<String, Value>, key: &str) -> Vec<String> {
    match obj.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The manifest (when readable) and the metadata alerts it gives.
#[derive(Debug, Clone, Default)]
pub struct ManifestAnalysis {
    pub manifest: Option<Manifest>,
    pub alerts: Vec<Alert>,
}

/// Reads the root package.json of `contents` and raises the manifest alerts.
pub fn analyse(contents: &PackageContents) -> ManifestAnalysis {
    let Some(file) = contents.file(MANIFEST_PATH) else {
        let evidence = whole_file("no package.json at the package root");
        return ManifestAnalysis {
            manifest: None,
            alerts: vec![Alert::new(AlertId::Unanalysable, vec![evidence])],
        };
    };
    if !file.is_complete() {
        let evidence = whole_file("package.json is too large or binary to read");
        return ManifestAnalysis {
            manifest: None,
            alerts: vec![Alert::new(AlertId::Unanalysable, vec![evidence])],
        };
    }
    let manifest = match std::str::from_utf8(&file.bytes)
        .map_err(|e| e.to_string())
        .and_then(|t| parse(t).map_err(|e| e.to_string()))
    {
        Ok(manifest) => manifest,
        Err(message) => {
            let evidence = Evidence {
                detail: format!("package.json cannot be read: {message}"),
                ..whole_file("")
            };
            return ManifestAnalysis {
                manifest: None,
                alerts: vec![Alert::new(AlertId::Unanalysable, vec![evidence])],
            };
        }
    };
    let mut alerts = Vec::new();
    let has_binding_gyp = contents.file("binding.gyp").is_some();
    let scripts = manifest.install_scripts(has_binding_gyp);
    if !scripts.is_empty() {
        let evidence = scripts
            .iter()
            .map(|(key, command)| script_evidence(&manifest, key, command))
            .collect();
        alerts.push(Alert::new(AlertId::InstallScript, evidence));
    }
    alerts.extend(native::alert(contents, &manifest, &scripts));
    alerts.extend(dependencies::alerts(&manifest));
    ManifestAnalysis {
        manifest: Some(manifest),
        alerts,
    }
}

/// Evidence pointing at `scripts.<key>` in package.json.
pub fn script_evidence(manifest: &Manifest, key: &str, command: &str) -> Evidence {
    let detail = format!("`{key}` runs `{}`", crate::alert::snippet(command, 0, 200));
    key_evidence(manifest, Some("scripts"), key, detail)
}

/// Evidence at a key of package.json (position 0:0 when the key cannot be found, for
/// example for the implicit `node-gyp rebuild`).
pub fn key_evidence(
    manifest: &Manifest,
    parent: Option<&str>,
    key: &str,
    detail: String,
) -> Evidence {
    let (line, column, snippet) = match locate_key(&manifest.source, parent, key) {
        Some(pos) => (pos.line, pos.column, pos.snippet),
        None => (0, 0, String::new()),
    };
    Evidence {
        file: MANIFEST_PATH.into(),
        line,
        column,
        snippet,
        detail,
        urls: Vec::new(),
    }
}

fn whole_file(detail: &str) -> Evidence {
    Evidence {
        file: MANIFEST_PATH.into(),
        line: 0,
        column: 0,
        snippet: String::new(),
        detail: detail.to_string(),
        urls: Vec::new(),
    }
}

#[cfg(test)]
mod tests;

//! Writing a pin into package.json in the form the project's package manager reads: npm and
//! bun `overrides`, yarn `resolutions`, pnpm `pnpm.overrides`. The manager is told by the
//! lockfile the scan found, since that is what installs actually use.

use std::path::Path;

use serde::Serialize;

use super::json_edit::{self, Found, JsonEditError};

/// The dependency sections a project declares its own dependencies in.
pub const DEPENDENCY_SECTIONS: [&str; 3] =
    ["dependencies", "devDependencies", "optionalDependencies"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageManager {
    Npm,
    Yarn,
    Pnpm,
    Bun,
}

impl PackageManager {
    /// By the lockfile's name; None for lockfiles of other ecosystems.
    pub fn from_lockfile(lockfile: &Path) -> Option<PackageManager> {
        match lockfile.file_name()?.to_str()? {
            "package-lock.json" | "npm-shrinkwrap.json" => Some(PackageManager::Npm),
            "yarn.lock" => Some(PackageManager::Yarn),
            "pnpm-lock.yaml" => Some(PackageManager::Pnpm),
            "bun.lock" | "bun.lockb" => Some(PackageManager::Bun),
            _ => None,
        }
    }

    /// The package.json key the pin goes under, as people name it.
    pub fn mechanism(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm overrides",
            PackageManager::Yarn => "yarn resolutions",
            PackageManager::Pnpm => "pnpm.overrides",
            PackageManager::Bun => "bun overrides",
        }
    }

    fn pin_path(self) -> &'static [&'static str] {
        match self {
            PackageManager::Npm | PackageManager::Bun => &["overrides"],
            PackageManager::Yarn => &["resolutions"],
            PackageManager::Pnpm => &["pnpm", "overrides"],
        }
    }

    /// What updates the lockfile after the manifest changed.
    pub fn install_command(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm install",
            PackageManager::Yarn => "yarn install",
            PackageManager::Pnpm => "pnpm install",
            PackageManager::Bun => "bun install",
        }
    }
}

/// Where a project declares a package itself, and with which range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// The sections it appears in (`dependencies`, `devDependencies`, ...).
    pub sections: Vec<&'static str>,
    /// The range of the first of them.
    pub range: String,
}

/// The project's own declaration of `package`, if it is a direct dependency.
pub fn declared(manifest: &str, package: &str) -> Result<Option<Declared>, JsonEditError> {
    let mut sections = Vec::new();
    let mut range = None;
    for section in DEPENDENCY_SECTIONS {
        if let Some(Found::String(spec)) = json_edit::get(manifest, &[section, package])? {
            sections.push(section);
            range.get_or_insert(spec);
        }
    }
    Ok(range.map(|range| Declared { sections, range }))
}

/// One pin to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinEdit<'a> {
    pub package: &'a str,
    pub version: &'a str,
    /// Sections that declare the package directly (empty for a transitive dependency).
    pub direct_in: &'a [&'static str],
}

/// The manifest text with `pins` written in `manager`'s form; unchanged bytes elsewhere.
///
/// npm refuses an override of a direct dependency that differs from its declared spec
/// (EOVERRIDE), so for npm a direct dependency is set to the exact version and its override
/// refers to it (`"$debug"`), which pins the transitive copies too. bun applies overrides to
/// transitive copies only, so there the direct declaration is pinned as well.
pub fn write_pins(
    manifest: &str,
    manager: PackageManager,
    pins: &[PinEdit<'_>],
) -> Result<String, JsonEditError> {
    let mut text = manifest.to_string();
    for pin in pins {
        let direct = !pin.direct_in.is_empty();
        let pins_declaration =
            direct && matches!(manager, PackageManager::Npm | PackageManager::Bun);
        if pins_declaration {
            for section in pin.direct_in {
                text = json_edit::set_string(&text, &[section, pin.package], pin.version)?;
            }
        }
        let reference = format!("${}", pin.package);
        let value = if direct && manager == PackageManager::Npm {
            reference.as_str()
        } else {
            pin.version
        };
        let mut path: Vec<&str> = manager.pin_path().to_vec();
        path.push(pin.package);
        // npm's nested form (`"debug": {".": "4.4.1", ...}`) keeps its children.
        if manager == PackageManager::Npm && json_edit::get(&text, &path)? == Some(Found::Object) {
            path.push(".");
        }
        text = json_edit::set_string(&text, &path, value)?;
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const TWO: &str = "{\n  \"name\": \"shop\",\n  \"dependencies\": {\n    \"debug\": \"^4.3.7\",\n    \"ms\": \"^2.1.3\"\n  }\n}\n";

    fn json(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    fn transitive<'a>(package: &'a str, version: &'a str) -> PinEdit<'a> {
        PinEdit {
            package,
            version,
            direct_in: &[],
        }
    }

    #[test]
    fn managers_come_from_lockfile_names() {
        let pm = |p: &str| PackageManager::from_lockfile(Path::new(p));
        assert_eq!(pm("/x/package-lock.json"), Some(PackageManager::Npm));
        assert_eq!(pm("npm-shrinkwrap.json"), Some(PackageManager::Npm));
        assert_eq!(pm("/x/yarn.lock"), Some(PackageManager::Yarn));
        assert_eq!(pm("pnpm-lock.yaml"), Some(PackageManager::Pnpm));
        assert_eq!(pm("bun.lock"), Some(PackageManager::Bun));
        assert_eq!(pm("Cargo.lock"), None);
    }

    #[test]
    fn finds_direct_declarations_in_every_section() {
        let text =
            r#"{"dependencies": {"a": "^1.0.0"}, "devDependencies": {"a": "1.0.0", "b": "~2"}}"#;
        let a = declared(text, "a").unwrap().unwrap();
        assert_eq!(a.sections, vec!["dependencies", "devDependencies"]);
        assert_eq!(a.range, "^1.0.0");
        assert_eq!(declared(text, "b").unwrap().unwrap().range, "~2");
        assert_eq!(declared(text, "c").unwrap(), None);
    }

    #[test]
    fn npm_direct_dependency_is_pinned_and_referenced() {
        let sections = ["dependencies"];
        let out = write_pins(
            TWO,
            PackageManager::Npm,
            &[PinEdit {
                package: "debug",
                version: "4.4.1",
                direct_in: &sections,
            }],
        )
        .unwrap();
        assert_eq!(
            out,
            "{\n  \"name\": \"shop\",\n  \"dependencies\": {\n    \"debug\": \"4.4.1\",\n    \"ms\": \"^2.1.3\"\n  },\n  \"overrides\": {\n    \"debug\": \"$debug\"\n  }\n}\n"
        );
    }

    #[test]
    fn npm_transitive_pin_merges_into_existing_overrides() {
        let text = "{\n    \"name\": \"shop\",\n    \"overrides\": {\n        \"semver\": \"7.5.4\",\n        \"debug\": \"4.4.2\"\n    },\n    \"license\": \"MIT\"\n}\n";
        let out = write_pins(text, PackageManager::Npm, &[transitive("debug", "4.4.1")]).unwrap();
        assert_eq!(out, text.replace("\"4.4.2\"", "\"4.4.1\""));
        let out = write_pins(text, PackageManager::Npm, &[transitive("ms", "2.1.3")]).unwrap();
        assert!(
            out.contains(
                "        \"debug\": \"4.4.2\",\n        \"ms\": \"2.1.3\"\n    },\n    \"license\""
            ),
            "{out}"
        );
    }

    #[test]
    fn npm_nested_override_keeps_its_children() {
        let text = r#"{"overrides": {"debug": {"ms": "2.1.3"}}}"#;
        let out = write_pins(text, PackageManager::Npm, &[transitive("debug", "4.4.1")]).unwrap();
        let v = json(&out);
        assert_eq!(v["overrides"]["debug"]["."], "4.4.1");
        assert_eq!(v["overrides"]["debug"]["ms"], "2.1.3");
    }

    #[test]
    fn yarn_and_pnpm_shapes_leave_the_declaration_alone() {
        let sections = ["dependencies"];
        let pin = PinEdit {
            package: "debug",
            version: "4.4.1",
            direct_in: &sections,
        };
        let yarn =
            json(&write_pins(TWO, PackageManager::Yarn, std::slice::from_ref(&pin)).unwrap());
        assert_eq!(yarn["resolutions"]["debug"], "4.4.1");
        assert_eq!(yarn["dependencies"]["debug"], "^4.3.7");
        let pnpm =
            json(&write_pins(TWO, PackageManager::Pnpm, std::slice::from_ref(&pin)).unwrap());
        assert_eq!(pnpm["pnpm"]["overrides"]["debug"], "4.4.1");
        assert_eq!(pnpm["dependencies"]["debug"], "^4.3.7");
        let bun = json(&write_pins(TWO, PackageManager::Bun, &[pin]).unwrap());
        assert_eq!(bun["overrides"]["debug"], "4.4.1");
        assert_eq!(bun["dependencies"]["debug"], "4.4.1");
    }

    #[test]
    fn indentation_is_kept_for_two_four_and_tabs() {
        for unit in ["  ", "    ", "\t"] {
            let text = TWO.replace("  ", unit);
            let out =
                write_pins(&text, PackageManager::Yarn, &[transitive("debug", "4.4.1")]).unwrap();
            let expected = format!(
                "{u}}},\n{u}\"resolutions\": {{\n{u}{u}\"debug\": \"4.4.1\"\n{u}}}\n}}\n",
                u = unit
            );
            assert!(out.ends_with(&expected), "{unit:?}:\n{out}");
            assert!(out.starts_with(&text[..text.len() - 4]), "{out}");
        }
    }

    #[test]
    fn pnpm_section_is_added_to_an_existing_pnpm_object() {
        let text = "{\n  \"pnpm\": {\n    \"onlyBuiltDependencies\": [\"esbuild\"]\n  }\n}\n";
        let out = write_pins(text, PackageManager::Pnpm, &[transitive("debug", "4.4.1")]).unwrap();
        assert_eq!(
            out,
            "{\n  \"pnpm\": {\n    \"onlyBuiltDependencies\": [\"esbuild\"],\n    \"overrides\": {\n      \"debug\": \"4.4.1\"\n    }\n  }\n}\n"
        );
    }

    #[test]
    fn writing_the_same_pin_twice_changes_nothing_the_second_time() {
        let sections = ["dependencies"];
        let pin = PinEdit {
            package: "debug",
            version: "4.4.1",
            direct_in: &sections,
        };
        let once = write_pins(TWO, PackageManager::Npm, std::slice::from_ref(&pin)).unwrap();
        let twice = write_pins(&once, PackageManager::Npm, &[pin]).unwrap();
        assert_eq!(once, twice);
    }
}

//! Containment by pins: for each project an incident affects, the version to hold each bad
//! package at ([`pin`]), written into its package.json the way its package manager reads it
//! ([`manifest`], by minimal text edits: [`json_edit`]) and shown as a unified diff
//! ([`diff`]) before anything is written. Version lists come from [`versions`].

pub mod diff;
pub mod json_edit;
pub mod manifest;
pub mod pin;
pub mod versions;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ringfence_incident::{AffectedProject, Incident, ProjectStatus};
use serde::Serialize;

use manifest::{PackageManager, PinEdit};
use pin::{NoPin, PinOutcome, compute_pin};
use versions::VersionList;

/// What pinning means for one affected project: the pins, the diff, and what went wrong.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectPlan {
    pub project: String,
    pub lockfile: String,
    pub status: ProjectStatus,
    /// The package.json beside the lockfile.
    pub manifest: Option<String>,
    pub package_manager: Option<PackageManager>,
    pub outcomes: Vec<PinOutcome>,
    /// Unified diff of package.json; empty when the pins are already in place.
    pub diff: String,
    /// Whether the new package.json was written (`--apply`).
    pub applied: bool,
    /// Why this project could not be planned (or written).
    pub error: Option<String>,
    #[serde(skip)]
    pub new_text: Option<String>,
}

impl ProjectPlan {
    fn new(project: &AffectedProject) -> ProjectPlan {
        ProjectPlan {
            project: project.project.clone(),
            lockfile: project.lockfile.clone(),
            status: project.status,
            manifest: None,
            package_manager: None,
            outcomes: Vec::new(),
            diff: String::new(),
            applied: false,
            error: None,
            new_text: None,
        }
    }

    pub fn pins(&self) -> impl Iterator<Item = &pin::Pin> {
        self.outcomes.iter().filter_map(|o| match o {
            PinOutcome::Pin(p) => Some(p),
            PinOutcome::NoPin(_) => None,
        })
    }

    pub fn has_no_pin(&self) -> bool {
        self.outcomes
            .iter()
            .any(|o| matches!(o, PinOutcome::NoPin(_)))
    }

    pub fn manifest_path(&self) -> Option<&Path> {
        self.manifest.as_deref().map(Path::new)
    }
}

/// The npm packages of the incident that `project` resolved, with their affected versions
/// (every npm package of the incident when the record does not say which it resolved).
pub fn packages_of<'a>(
    incident: &'a Incident,
    project: &AffectedProject,
) -> Vec<(&'a str, &'a [String])> {
    let npm = || incident.packages.iter().filter(|p| p.ecosystem == "npm");
    let resolved: Vec<&str> = project
        .resolved
        .iter()
        .filter_map(|r| r.rfind('@').filter(|i| *i > 0).map(|i| &r[..i]))
        .collect();
    let matching: Vec<_> = npm()
        .filter(|p| resolved.contains(&p.name.as_str()))
        .map(|p| (p.name.as_str(), p.versions.as_slice()))
        .collect();
    if matching.is_empty() {
        npm()
            .map(|p| (p.name.as_str(), p.versions.as_slice()))
            .collect()
    } else {
        matching
    }
}

/// Version lists fetched so far, by package, so each is asked for once per run.
pub type VersionCache = BTreeMap<String, Result<VersionList, String>>;

/// Works out the pins of one project and the package.json they give. Nothing is written.
pub fn plan_project(
    incident: &Incident,
    project: &AffectedProject,
    lists: &mut dyn FnMut(&str) -> Result<VersionList, String>,
) -> ProjectPlan {
    let mut plan = ProjectPlan::new(project);
    let lockfile = PathBuf::from(&project.lockfile);
    let packages = packages_of(incident, project);
    let Some(manager) = PackageManager::from_lockfile(&lockfile) else {
        plan.outcomes = unsupported(incident, project, &lockfile);
        return plan;
    };
    plan.package_manager = Some(manager);
    let manifest_path = lockfile.with_file_name("package.json");
    plan.manifest = Some(manifest_path.display().to_string());
    let text = match std::fs::read_to_string(&manifest_path) {
        Ok(t) => t,
        Err(e) => {
            plan.error = Some(format!("cannot read {}: {e}", manifest_path.display()));
            return plan;
        }
    };
    let mut declarations = Vec::new();
    for (name, affected) in packages {
        let declared = match manifest::declared(&text, name) {
            Ok(d) => d,
            Err(e) => {
                plan.error = Some(format!("{}: {e}", manifest_path.display()));
                return plan;
            }
        };
        let list = match lists(name) {
            Ok(l) => l,
            Err(e) => {
                plan.error = Some(e);
                return plan;
            }
        };
        let range = declared.as_ref().map(|d| d.range.as_str());
        plan.outcomes
            .push(compute_pin(name, range, affected, &list.versions));
        declarations.push(declared.map(|d| d.sections).unwrap_or_default());
    }
    let edits: Vec<PinEdit<'_>> = plan
        .outcomes
        .iter()
        .zip(&declarations)
        .filter_map(|(outcome, sections)| match outcome {
            PinOutcome::Pin(p) => Some(PinEdit {
                package: &p.package,
                version: &p.to,
                direct_in: sections,
            }),
            PinOutcome::NoPin(_) => None,
        })
        .collect();
    match manifest::write_pins(&text, manager, &edits) {
        Ok(new_text) => {
            let label = crate::output::display_path(&manifest_path);
            let (old_label, new_label) = if Path::new(&label).is_absolute() {
                (label.clone(), label)
            } else {
                (format!("a/{label}"), format!("b/{label}"))
            };
            plan.diff = diff::unified_diff(&text, &new_text, &old_label, &new_label);
            plan.new_text = Some(new_text).filter(|t| *t != text);
        }
        Err(e) => plan.error = Some(format!("{}: {e}", manifest_path.display())),
    }
    plan
}

/// A project whose lockfile is not an npm-family one: no package.json pin can be written.
fn unsupported(incident: &Incident, project: &AffectedProject, lockfile: &Path) -> Vec<PinOutcome> {
    let name = lockfile
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let resolved = |package: &str| {
        project
            .resolved
            .iter()
            .any(|r| r.strip_prefix(package).is_some_and(|v| v.starts_with('@')))
    };
    let mut packages: Vec<_> = incident
        .packages
        .iter()
        .filter(|p| resolved(&p.name))
        .collect();
    if packages.is_empty() {
        packages = incident.packages.iter().collect();
    }
    packages
        .into_iter()
        .map(|p| {
            PinOutcome::NoPin(NoPin {
                package: p.name.clone(),
                from: p.versions.clone(),
                why: format!(
                    "pins are written into package.json for npm, yarn, pnpm and bun projects; this project's lockfile is {name}"
                ),
                suggestion: "pin it in the project's manifest by hand, or remove the dependency"
                    .to_string(),
            })
        })
        .collect()
}

/// The timeline note for an applied pin.
pub fn note_text(project: &str, pin: &pin::Pin, manager: PackageManager) -> String {
    format!(
        "pinned {} to {} in {project} ({})",
        pin.package,
        pin.to,
        manager.mechanism()
    )
}

//! `min-release-age`: a cool-down against fresh compromises. Hijacked releases are usually
//! found and pulled within hours or days; a version younger than the policy's minimum age is
//! the finding `too-new` (blocked by default) until it has aged. Publish times come from the
//! registry in the user's npm configuration, one version list per package, fetched in
//! parallel and kept for `contain --offline`.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use ringfence_config::Policy;
use ringfence_lockfile::Lockfile;
use ringfence_package::Ecosystem;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::blocked::BlockedHit;
use crate::contain::versions::{Source, VersionList, versions};
use crate::output::display_path;

/// Every resolved npm version younger than the minimum age, and problems that kept some from
/// being checked. Nothing when the policy sets no minimum age.
pub fn too_new(
    lockfiles: &[Lockfile],
    policy: &Policy,
    now: OffsetDateTime,
) -> (Vec<BlockedHit>, Vec<String>) {
    let Some(min_age) = policy.min_release_age() else {
        return (Vec::new(), Vec::new());
    };
    let names: BTreeSet<&str> = lockfiles
        .iter()
        .flat_map(|l| l.packages.iter())
        .filter(|p| p.ecosystem == Ecosystem::Npm)
        .map(|p| p.name.as_str())
        .collect();
    if names.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let client = match crate::npm::client() {
        Ok(c) => c,
        Err(e) => {
            return (
                Vec::new(),
                vec![format!("min-release-age not checked: {e:#}")],
            );
        }
    };
    let lists: BTreeMap<&str, Result<VersionList, String>> = names
        .par_iter()
        .map(|name| {
            let list = versions(&Source::Registry(&client), name).map_err(|e| format!("{e:#}"));
            (*name, list)
        })
        .collect();
    let mut warnings = Vec::new();
    for (name, list) in &lists {
        if let Err(e) = list {
            warnings.push(format!("min-release-age not checked for {name}: {e}"));
        }
    }
    let mut hits = Vec::new();
    for l in lockfiles {
        let location = display_path(&l.path);
        let mut seen = BTreeSet::new();
        for p in l.packages.iter().filter(|p| p.ecosystem == Ecosystem::Npm) {
            let Some(Ok(list)) = lists.get(p.name.as_str()) else {
                continue;
            };
            let Some(published) = list
                .versions
                .iter()
                .find(|v| v.version == p.version)
                .and_then(|v| v.published.as_deref())
                .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
            else {
                continue;
            };
            if !policy.too_new(published, now) || !seen.insert((&p.name, &p.version)) {
                continue;
            }
            let age = now - published;
            hits.push(BlockedHit {
                project: l.project.clone(),
                lockfile: location.clone(),
                line: p.line,
                ecosystem: "npm".into(),
                package: p.name.clone(),
                version: p.version.clone(),
                reason: format!(
                    "too new: published {} ago, under the policy's minimum release age of {}",
                    ringfence_config::format_age(age),
                    ringfence_config::format_age(min_age)
                ),
                incident: None,
                path: p.path.clone(),
                too_new: true,
            });
        }
    }
    (hits, warnings)
}

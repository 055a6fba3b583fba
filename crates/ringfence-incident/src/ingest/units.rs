//! Which incident each finding goes to: the one already holding its package, a closed one
//! that named the version (re-opened), an open one of the same campaign, or a new one shared
//! by the packages of one attack.

use std::collections::{BTreeMap, BTreeSet};

use super::{IncidentPolicy, RecordedFinding};
use crate::model::{Incident, IncidentId};

/// The findings that go into one incident: one package's, or a campaign's.
pub(super) struct Unit<'f, 'i> {
    pub packages: Vec<(&'f str, &'f str)>,
    pub findings: Vec<&'f RecordedFinding>,
    /// The incident they join (or re-open); `None` opens a new one.
    pub target: Option<&'i Incident>,
}

/// Groups the findings by the incident they belong to. A package keeps the incident that
/// already holds it (open, or closed and naming the version: re-opened). With campaign
/// grouping, a package that has none joins an open incident that shares a campaign key, and
/// packages that share keys with each other open one incident together.
pub(super) fn units<'f, 'i>(
    by_package: BTreeMap<(&'f str, &'f str), Vec<&'f RecordedFinding>>,
    open: &[&'i Incident],
    incidents: &'i [Incident],
    policy: &IncidentPolicy,
) -> Vec<Unit<'f, 'i>> {
    let mut joined: BTreeMap<IncidentId, Unit<'f, 'i>> = BTreeMap::new();
    fn join<'f, 'i>(
        joined: &mut BTreeMap<IncidentId, Unit<'f, 'i>>,
        incident: &'i Incident,
        package: (&'f str, &'f str),
        group: Vec<&'f RecordedFinding>,
    ) {
        let unit = joined.entry(incident.id).or_insert_with(|| Unit {
            packages: Vec::new(),
            findings: Vec::new(),
            target: Some(incident),
        });
        unit.packages.push(package);
        unit.findings.extend(group);
    }
    // First the packages that have an incident of their own.
    let mut homeless: Vec<((&'f str, &'f str), Vec<&'f RecordedFinding>)> = Vec::new();
    for ((ecosystem, name), group) in by_package {
        let holder = open
            .iter()
            .copied()
            .find(|i| i.package(ecosystem, name).is_some())
            .or_else(|| reopens(incidents, ecosystem, name, &group));
        match holder {
            Some(incident) => join(&mut joined, incident, (ecosystem, name), group),
            None => homeless.push(((ecosystem, name), group)),
        }
    }
    // Then those that share a campaign key with an open incident, or with what joined one.
    if policy.group_campaigns {
        let mut known: Vec<(&'i Incident, BTreeSet<&str>)> = open
            .iter()
            .map(|i| (*i, i.campaign.iter().map(String::as_str).collect()))
            .collect();
        for unit in joined.values() {
            let incident = unit.target.expect("joined units have a target");
            let keys = campaign_keys(&unit.findings);
            match known.iter_mut().find(|(i, _)| i.id == incident.id) {
                Some((_, k)) => k.extend(keys),
                None => known.push((incident, keys)),
            }
        }
        known.sort_by_key(|(i, _)| i.id);
        let mut rest = Vec::new();
        for (package, group) in homeless {
            let keys = campaign_keys(&group);
            match known.iter().find(|(_, k)| !k.is_disjoint(&keys)) {
                Some((incident, _)) => join(&mut joined, incident, package, group),
                None => rest.push((package, group)),
            }
        }
        homeless = rest;
    }
    let mut units: Vec<Unit<'f, 'i>> = joined.into_values().collect();
    // New incidents: one per package, or one per set of packages linked by shared keys.
    let mut component: Vec<usize> = (0..homeless.len()).collect();
    if policy.group_campaigns {
        let keys: Vec<BTreeSet<&str>> = homeless.iter().map(|(_, g)| campaign_keys(g)).collect();
        for i in 0..homeless.len() {
            for j in 0..i {
                if !keys[i].is_disjoint(&keys[j]) {
                    let (from, to) = (component[i], component[j]);
                    for c in component.iter_mut().filter(|c| **c == from) {
                        *c = to;
                    }
                }
            }
        }
    }
    let mut fresh: BTreeMap<usize, Unit<'f, 'i>> = BTreeMap::new();
    for (i, (package, group)) in homeless.into_iter().enumerate() {
        let unit = fresh.entry(component[i]).or_insert_with(|| Unit {
            packages: Vec::new(),
            findings: Vec::new(),
            target: None,
        });
        unit.packages.push(package);
        unit.findings.extend(group);
    }
    units.extend(fresh.into_values());
    units
}

fn campaign_keys<'f>(group: &[&'f RecordedFinding]) -> BTreeSet<&'f str> {
    group
        .iter()
        .flat_map(|f| f.campaign.iter().map(String::as_str))
        .collect()
}

/// The most recently closed incident that named one of the found versions of this package.
fn reopens<'a>(
    incidents: &'a [Incident],
    ecosystem: &str,
    name: &str,
    group: &[&RecordedFinding],
) -> Option<&'a Incident> {
    incidents
        .iter()
        .filter(|i| i.is_closed())
        .filter(|i| {
            i.package(ecosystem, name)
                .is_some_and(|p| group.iter().any(|f| p.versions.contains(&f.version)))
        })
        .max_by_key(|i| i.id)
}

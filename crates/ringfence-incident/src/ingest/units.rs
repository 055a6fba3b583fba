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
    // First the packages that have an incident of their own (each package is claimed by at
    // most one open incident).
    let holders: BTreeMap<(&str, &str), &'i Incident> = open
        .iter()
        .flat_map(|i| {
            i.packages
                .iter()
                .map(move |p| ((p.ecosystem.as_str(), p.name.as_str()), *i))
        })
        .collect();
    let mut homeless: Vec<((&'f str, &'f str), Vec<&'f RecordedFinding>)> = Vec::new();
    for ((ecosystem, name), group) in by_package {
        let holder = holders
            .get(&(ecosystem, name))
            .copied()
            .or_else(|| reopens(incidents, ecosystem, name, &group));
        match holder {
            Some(incident) => join(&mut joined, incident, (ecosystem, name), group),
            None => homeless.push(((ecosystem, name), group)),
        }
    }
    if !policy.group_campaigns {
        let fresh = homeless.into_iter().map(|(package, group)| Unit {
            packages: vec![package],
            findings: group,
            target: None,
        });
        return joined.into_values().chain(fresh).collect();
    }
    // Then those that share a campaign key with an open incident, or with what joined one;
    // the oldest such incident wins.
    let mut owner: BTreeMap<&str, &'i Incident> = BTreeMap::new();
    let mut claim = |key, incident: &'i Incident| {
        let current = owner.entry(key).or_insert(incident);
        if incident.id < current.id {
            *current = incident;
        }
    };
    for i in open {
        for key in &i.campaign {
            claim(key.as_str(), i);
        }
    }
    for unit in joined.values() {
        let incident = unit.target.expect("joined units have a target");
        for key in campaign_keys(&unit.findings) {
            claim(key, incident);
        }
    }
    let mut rest = Vec::new();
    for (package, group) in homeless {
        let found = campaign_keys(&group)
            .into_iter()
            .filter_map(|k| owner.get(k).copied())
            .min_by_key(|i| i.id);
        match found {
            Some(incident) => join(&mut joined, incident, package, group),
            None => rest.push((package, group)),
        }
    }
    let homeless = rest;
    let mut units: Vec<Unit<'f, 'i>> = joined.into_values().collect();
    // New incidents: one per set of packages linked by shared keys (union-find over the
    // first package that named each key).
    let mut parent: Vec<usize> = (0..homeless.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first_with: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (_, group)) in homeless.iter().enumerate() {
        for key in campaign_keys(group) {
            let j = *first_with.entry(key).or_insert(i);
            let (a, b) = (root(&mut parent, i), root(&mut parent, j));
            // The earlier package's group absorbs the later: units stay in package order.
            parent[a.max(b)] = a.min(b);
        }
    }
    let component: Vec<usize> = (0..homeless.len()).map(|i| root(&mut parent, i)).collect();
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

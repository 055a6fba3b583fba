//! What the incident touched and gathered: affected projects, indicators and evidence.

use crate::model::Incident;

use super::build::{lines, time};
use super::doc::{Doc, Inline, code, plain, text};

pub(crate) fn projects(doc: &mut Doc, incident: &Incident) {
    let rows = incident
        .projects
        .iter()
        .map(|p| {
            vec![
                plain(&p.project),
                vec![code(&p.lockfile)],
                plain(p.status.as_str()),
                plain(p.resolved.join(", ")),
                time(&p.first_seen),
                time(&p.last_seen),
                p.remediated_at.as_ref().map_or(plain("—"), time),
                p.commit.as_deref().map_or(plain("—"), |c| vec![code(c)]),
            ]
        })
        .collect();
    doc.heading(2, "Affected projects");
    doc.table_or(
        vec![
            "Project",
            "Lockfile",
            "Status",
            "Resolved",
            "First seen",
            "Last seen",
            "Remediated",
            "Commit",
        ],
        rows,
        "No project was recorded as exposed.",
    );
}

pub(crate) fn observables(doc: &mut Doc, incident: &Incident) {
    let rows = incident
        .observables
        .iter()
        .map(|o| {
            vec![
                plain(o.kind.as_str()),
                vec![code(&o.value)],
                plain(&o.source),
                plain(&o.added_by),
                time(&o.at),
            ]
        })
        .collect();
    doc.heading(2, "Indicators (observables)");
    doc.table_or(
        vec!["Type", "Value", "Source", "Added by", "At"],
        rows,
        "No observable was recorded.",
    );
}

pub(crate) fn evidence(doc: &mut Doc, incident: &Incident) {
    let rows = incident
        .evidence
        .iter()
        .map(|e| {
            let mut name = plain(&e.name);
            if let Some(d) = &e.description {
                name.extend([Inline::Break, text(d)]);
            }
            let custody = if e.custody.is_empty() {
                plain("none")
            } else {
                lines(
                    e.custody
                        .iter()
                        .map(|c| plain(format!("{} {}: {}", c.at, c.by, c.action))),
                )
            };
            vec![
                name,
                plain(e.size.to_string()),
                vec![code(&e.sha256)],
                plain(format!("by {} at {}", e.added_by, e.added_at)),
                custody,
            ]
        })
        .collect();
    doc.heading(2, "Evidence");
    doc.table_or(
        vec![
            "Name",
            "Size (bytes)",
            "SHA-256",
            "Added",
            "Chain of custody",
        ],
        rows,
        "No evidence was attached.",
    );
}

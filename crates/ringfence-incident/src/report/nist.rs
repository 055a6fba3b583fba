//! The lessons-learned questions of NIST SP 800-61 (rev. 2, section 3.4.1), each pre-filled
//! where the record answers it and left as a visible placeholder where only the team can.

use std::collections::BTreeMap;

use crate::metrics::Metric;
use crate::model::Stage;

use super::build::{Facts, metric_value};
use super::doc::{Doc, Line, code, plain, text};
use super::stages::{action_item_rows, title_case};

pub(crate) const QUESTIONS: [&str; 10] = [
    "Exactly what happened, and at what times?",
    "How well did staff and management perform in dealing with the incident?",
    "Were the documented procedures followed? Were they adequate?",
    "What information was needed sooner?",
    "Were any steps or actions taken that might have inhibited the recovery?",
    "What would the staff and management do differently the next time a similar incident occurs?",
    "How could information sharing with other organizations have been improved?",
    "What corrective actions can prevent similar incidents in the future?",
    "What precursors or indicators should be watched for in the future to detect similar incidents?",
    "What additional tools or resources are needed to detect, analyze, and mitigate future incidents?",
];

pub(crate) fn lessons_learned(doc: &mut Doc, facts: &Facts) {
    doc.heading(2, "Lessons learned (NIST SP 800-61)");
    doc.paragraph(plain(
        "Pre-filled from the record where it answers the question; the rest is for the \
         lessons-learned meeting.",
    ));
    let answers: [fn(&mut Doc, &Facts); 10] = [
        what_happened,
        how_well,
        procedures,
        needed_sooner,
        inhibited_recovery,
        |doc, _| doc.placeholder(),
        sharing,
        corrective_actions,
        precursors,
        |doc, _| doc.placeholder(),
    ];
    for (question, answer) in QUESTIONS.iter().zip(answers) {
        doc.heading(3, *question);
        answer(doc, facts);
    }
}

fn what_happened(doc: &mut Doc, facts: &Facts) {
    let i = facts.incident;
    let mut items: Vec<Line> = Vec::new();
    if let Some(since) = &i.detectable_since {
        items.push(plain(format!(
            "{since}: the threat became detectable (publish time)."
        )));
    }
    for (stage, at) in &i.stage_entered {
        items.push(plain(match stage {
            Stage::Identification => format!("{at}: {} opened: {}.", i.id, i.title),
            stage => format!("{at}: {} entered.", title_case(*stage)),
        }));
    }
    for p in &i.packages {
        items.push(plain(format!(
            "Affected: {}:{}@{} ({}).",
            p.ecosystem,
            p.name,
            p.versions.join(", "),
            p.sources.join(", ")
        )));
    }
    let exposed = i.projects.len();
    let remediated = i
        .projects
        .iter()
        .filter(|p| p.remediated_at.is_some())
        .count();
    items.push(plain(format!(
        "{exposed} project(s) resolved an affected version; {remediated} remediated."
    )));
    doc.list(items);
    doc.paragraph(plain(
        "Every event, with its time, is in the chronology above.",
    ));
}

fn how_well(doc: &mut Doc, facts: &Facts) {
    doc.list(
        Metric::ALL
            .iter()
            .map(|m| plain(format!("{}: {}", m.label(), metric_value(facts, *m))))
            .collect(),
    );
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &facts.entries {
        *counts.entry(e.actor.as_str()).or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
    // Most active first; ties by name, so the order never depends on anything else.
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let rows = counts
        .into_iter()
        .map(|(who, n)| {
            let role = facts.incident.participants.iter().find(|p| p.who == who);
            vec![
                plain(who),
                plain(role.map_or("—", |p| p.role.as_str())),
                plain(n.to_string()),
            ]
        })
        .collect();
    doc.table_or(
        vec!["Who", "Role", "Events recorded"],
        rows,
        "No events recorded.",
    );
    doc.placeholder();
}

fn procedures(doc: &mut Doc, facts: &Facts) {
    let overrides = &facts.incident.overrides;
    if overrides.is_empty() {
        doc.paragraph(plain("Every stage gate passed without override."));
    } else {
        doc.paragraph(plain("Stage gates overridden with --force:"));
        doc.list(
            overrides
                .iter()
                .map(|o| {
                    plain(format!(
                        "into {} by {} at {}: \"{}\"; unmet: {}",
                        o.to,
                        o.by,
                        o.at,
                        o.reason,
                        o.unmet.join("; ")
                    ))
                })
                .collect(),
        );
    }
    // Whether the procedures were adequate is a judgement the record cannot make.
    doc.placeholder();
}

fn needed_sooner(doc: &mut Doc, facts: &Facts) {
    let i = facts.incident;
    match &i.detectable_since {
        Some(since) => doc.paragraph(plain(format!(
            "The threat was detectable from {since} (publish time of the release or \
             advisory); the incident was opened {} later, at {}.",
            metric_value(facts, Metric::TimeToDetect),
            facts.metrics.opened_at
        ))),
        None => doc.paragraph(plain(
            "No publish time of the release or advisory was recorded, so time to detect \
             is unknown.",
        )),
    }
    doc.placeholder();
}

fn inhibited_recovery(doc: &mut Doc, facts: &Facts) {
    let notes = &facts.incident.notes;
    if notes.is_empty() {
        doc.placeholder();
        return;
    }
    doc.paragraph(plain(
        "Notes recorded during the response, for the team to review:",
    ));
    doc.list(
        notes
            .iter()
            .map(|n| vec![text(format!("{} {}: ", n.at, n.author)), text(&n.text)])
            .collect(),
    );
}

fn sharing(doc: &mut Doc, facts: &Facts) {
    let n = facts.incident.observables.len();
    doc.paragraph(plain(format!(
        "{n} observable(s) recorded in this incident could be shared with other \
         organizations (see the indicators above)."
    )));
    doc.placeholder();
}

fn corrective_actions(doc: &mut Doc, facts: &Facts) {
    let rows = action_item_rows(facts.incident);
    if rows.is_empty() {
        doc.placeholder();
    } else {
        doc.table(vec!["Task", "Action", "Owner", "Due", "Status"], rows);
    }
}

fn precursors(doc: &mut Doc, facts: &Facts) {
    let i = facts.incident;
    if i.observables.is_empty() && i.packages.is_empty() {
        doc.placeholder();
        return;
    }
    let mut items: Vec<Line> = i
        .observables
        .iter()
        .map(|o| vec![text(format!("{} ", o.kind)), code(&o.value)])
        .collect();
    items.extend(
        i.affected_versions()
            .map(|(e, n, v)| vec![text("package "), code(format!("{e}:{n}@{v}"))]),
    );
    doc.list(items);
}

//! What was done in each stage, and the action items that came out of the response.

use crate::metrics::human;
use crate::model::{Incident, Stage};

use super::build::{Facts, or_dash, task_status};
use super::doc::{Doc, Line, code, plain, strong, text};

/// For each stage reached, in order: when it was entered, how long it lasted, its tasks, and
/// the events recorded while the incident was in it. The event that moved the incident into
/// a stage is the first event of that stage.
pub(crate) fn by_stage(doc: &mut Doc, facts: &Facts) {
    let incident = facts.incident;
    doc.heading(2, "Response by stage");
    for &stage in Stage::ALL {
        let entered = incident.stage_entered.get(&stage);
        let events: Vec<Line> = facts
            .entries
            .iter()
            .filter(|e| e.stage == stage)
            .map(|e| {
                vec![
                    code(format!("#{}", e.seq)),
                    text(format!(" {} · {} · {}", e.at, e.actor, e.text)),
                ]
            })
            .collect();
        let tasks: Vec<Vec<Line>> = incident
            .tasks
            .iter()
            .filter(|t| t.stage == stage)
            .map(|t| {
                vec![
                    plain(format!("#{}", t.id)),
                    plain(&t.title),
                    or_dash(t.owner.as_deref()),
                    or_dash(t.due.as_deref()),
                    task_status(t),
                ]
            })
            .collect();
        // A closed section says nothing until the incident is closed.
        if stage == Stage::Closed && entered.is_none() && events.is_empty() {
            continue;
        }
        doc.heading(3, title_case(stage));
        doc.paragraph(stage_line(incident, stage));
        if let Some(o) = incident.overrides.iter().find(|o| o.to == stage) {
            doc.paragraph(vec![
                strong("Entered by overriding its gate."),
                text(format!(
                    " {} gave the reason \"{}\"; unmet: {}.",
                    o.by,
                    o.reason,
                    o.unmet.join("; ")
                )),
            ]);
        }
        if !tasks.is_empty() {
            doc.table(vec!["Task", "Title", "Owner", "Due", "Status"], tasks);
        } else if stage != Stage::Closed {
            doc.paragraph(plain(format!("No {stage} tasks.")));
        }
        if events.is_empty() {
            doc.paragraph(plain("No events in this stage."));
        } else {
            doc.list(events);
        }
    }
}

/// `Entered …; lasted 2h 5m.`, or why not.
fn stage_line(incident: &Incident, stage: Stage) -> Line {
    let Some(entered) = incident.stage_entered.get(&stage) else {
        return plain("Not reached.");
    };
    let left = stage.next().and_then(|n| incident.stage_entered.get(&n));
    let how_long = match left {
        Some(left) => format!("lasted {}", human((left.0 - entered.0).whole_seconds())),
        None if incident.stage == stage && stage != Stage::Closed => "current stage".into(),
        None => "end of the response".into(),
    };
    plain(format!("Entered {entered}; {how_long}."))
}

pub(crate) fn title_case(stage: Stage) -> String {
    let words = stage.as_str().replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

/// The tasks of the lessons-learned stage: what changes so that this does not happen again.
pub(crate) fn action_items(doc: &mut Doc, incident: &Incident) {
    doc.heading(2, "Action items");
    doc.table_or(
        vec!["Task", "Action", "Owner", "Due", "Status"],
        action_item_rows(incident),
        "No action item was recorded (action items are the tasks of the lessons-learned stage).",
    );
}

pub(crate) fn action_item_rows(incident: &Incident) -> Vec<Vec<Line>> {
    incident
        .action_items()
        .map(|t| {
            vec![
                plain(format!("#{}", t.id)),
                plain(&t.title),
                or_dash(t.owner.as_deref()),
                or_dash(t.due.as_deref()),
                task_status(t),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_titles_read_as_words() {
        assert_eq!(title_case(Stage::LessonsLearned), "Lessons learned");
        assert_eq!(title_case(Stage::Identification), "Identification");
    }
}

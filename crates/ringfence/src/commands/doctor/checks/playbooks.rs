//! `playbooks`: a playbook opens each incident type, so every alert starts a planned response.

use ringfence_config::{Config, Step};
use ringfence_incident::IncidentType;

use super::{Check, by_missing_types, count};

fn opens(step: &Step, t: IncidentType) -> bool {
    matches!(step, Step::OpenIncident { incident_type, .. } if *incident_type == t)
}

pub fn playbooks(config: &Config) -> Check {
    let missing: Vec<IncidentType> = IncidentType::ALL
        .iter()
        .copied()
        .filter(|t| {
            !config
                .playbooks
                .iter()
                .any(|p| p.steps.iter().any(|s| opens(s, *t)))
        })
        .collect();
    let pass = format!(
        "every incident type has a playbook ({})",
        count(config.playbooks.len(), "playbook", "playbooks")
    );
    let (status, summary) = by_missing_types(&missing, "playbook opens incidents", pass);
    let check = Check::new("playbooks", status, summary);
    match missing.first() {
        None => check,
        Some(t) => check.fix(format!(
            "add a [[playbooks]] with a trigger and an `action = \"open-incident\"` step of `type = \"{t}\"`{}; see examples/ringfence.toml",
            if missing.len() > 1 { " (and one per other missing type)" } else { "" }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::super::commanders::commanders;
    use super::super::test_support::parse;
    use super::*;

    #[test]
    fn a_missing_malicious_dependency_playbook_fails_other_types_warn() {
        let none = playbooks(&Config::default());
        assert_eq!(none.status, Status::Fail);
        assert!(
            none.summary.contains("malicious-dependency"),
            "{}",
            none.summary
        );

        let steps = |t: &str| {
            format!(
                "[[playbooks]]\nname = \"{t}\"\n[playbooks.trigger]\nfindings = [\"known-malware\"]\n\
                 [[playbooks.steps]]\naction = \"open-incident\"\ntype = \"{t}\"\ncommander = \"alice\"\n"
            )
        };
        let team = "[team]\nresponders = [{ name = \"alice\", contact = \"@alice\" }]\n";
        let partial = parse(&format!("{team}{}", steps("malicious-dependency")));
        let check = playbooks(&partial);
        assert_eq!(check.status, Status::Warn);
        assert!(
            !check.summary.contains("malicious-dependency"),
            "{}",
            check.summary
        );
        assert!(
            check.summary.contains("vulnerable-dependency"),
            "{}",
            check.summary
        );
        // The step names a commander, which counts for its type.
        let c = commanders(&partial);
        assert_eq!(c.status, Status::Warn, "{}", c.summary);
        assert!(c.summary.contains("other"), "{}", c.summary);

        let all: String = IncidentType::ALL
            .iter()
            .map(|t| steps(t.as_str()))
            .collect();
        let complete = parse(&format!("{team}{all}"));
        assert_eq!(playbooks(&complete).status, Status::Pass);
        assert_eq!(commanders(&complete).status, Status::Pass);
    }
}

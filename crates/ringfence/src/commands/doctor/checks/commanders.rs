//! `commanders`: each incident type has a default commander, so someone leads from minute one.

use ringfence_config::{Config, Step};
use ringfence_incident::IncidentType;

use super::{Check, by_missing_types};

pub fn commanders(config: &Config) -> Check {
    let named_by_step = |t: IncidentType| {
        config.playbooks.iter().flat_map(|p| &p.steps).any(|s| {
            matches!(s, Step::OpenIncident { incident_type, commander: Some(_), .. } if *incident_type == t)
        })
    };
    let missing: Vec<IncidentType> = IncidentType::ALL
        .iter()
        .copied()
        .filter(|t| config.team.commander_for(*t).is_none() && !named_by_step(*t))
        .collect();
    let pass = "every incident type has a default commander".to_string();
    let (status, summary) = by_missing_types(&missing, "default commander", pass);
    let check = Check::new("commanders", status, summary);
    let Some(t) = missing.first() else {
        return check;
    };
    let who = config
        .team
        .responders()
        .first()
        .map(|r| r.name.as_str())
        .unwrap_or("NAME");
    let first = if config.team.responders().is_empty() {
        "list the responders in [team] `responders = [{ name, contact }]`, then "
    } else {
        ""
    };
    check.fix(format!(
        "{first}name one per type in [team.commanders], e.g. `{t} = \"{who}\"`"
    ))
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::super::test_support::parse;
    use super::*;

    #[test]
    fn commanders_come_from_the_team_table() {
        let config = parse(
            "[team]\nresponders = [{ name = \"bob\", contact = \"b@example.com\" }]\n\
             [team.commanders]\nmalicious-dependency = \"bob\"\n",
        );
        let check = commanders(&config);
        assert_eq!(check.status, Status::Warn);
        assert_eq!(
            check.summary,
            "no default commander for vulnerable-dependency, compromised-credential, other"
        );
        assert!(check.fix.unwrap().contains("= \"bob\""));
        assert_eq!(commanders(&Config::default()).status, Status::Fail);
    }
}

//! `[team]`: who responds, how to reach them, and who commands each type of incident by
//! default, so an incident opened at 3 a.m. by a playbook already has an owner.

use std::collections::BTreeMap;
use std::str::FromStr;

use ringfence_incident::IncidentType;
use serde::Deserialize;
use toml::Spanned;
use toml_edit::{Item, Key};

use crate::source::{Source, did_you_mean};

/// A person on the response team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Responder {
    /// The name used in incidents (`--commander alice`), playbooks and task owners.
    pub name: String,
    /// How to reach them (`@alice (Slack)`, an email address).
    pub contact: String,
}

/// The `[team]` table, validated: names are unique and every commander is a responder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Team {
    responders: Vec<Responder>,
    commanders: BTreeMap<IncidentType, String>,
}

impl Team {
    pub fn responders(&self) -> &[Responder] {
        &self.responders
    }

    pub fn responder(&self, name: &str) -> Option<&Responder> {
        self.responders.iter().find(|r| r.name == name)
    }

    /// The default commander for incidents of this type, if the file names one.
    pub fn commander_for(&self, incident_type: IncidentType) -> Option<&str> {
        self.commanders.get(&incident_type).map(String::as_str)
    }

    /// Checks that `name` (at `span`) is a responder; `role` says what it was named as.
    pub(crate) fn check_member(
        &self,
        name: &Spanned<String>,
        role: &str,
        src: &mut Source,
    ) -> bool {
        if self.responder(name.get_ref()).is_some() {
            return true;
        }
        let hint = if self.responders.is_empty() {
            " ([team] lists no responders)".to_string()
        } else {
            did_you_mean(
                name.get_ref(),
                self.responders.iter().map(|r| r.name.as_str()),
            )
        };
        src.error(
            Some(name.span()),
            format!(
                "{role} `{}` is not a responder in [team]{hint}",
                name.get_ref()
            ),
        );
        false
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ResponderWire {
    name: Spanned<String>,
    contact: Spanned<String>,
}

pub(crate) fn read_team(item: &Item, src: &mut Source) -> Team {
    let mut team = Team::default();
    let Some(table) = src.table(item, "team") else {
        return team;
    };
    src.unknown_keys(table, &["responders", "commanders"], "[team]");
    if let Some(list) = table.get("responders") {
        for entry in src.tables(list, "team.responders") {
            let Some(wire) = src.decode::<ResponderWire>(&entry) else {
                continue;
            };
            let name = wire.name.get_ref().trim().to_string();
            let contact = wire.contact.get_ref().trim().to_string();
            if name.is_empty() {
                src.error(Some(wire.name.span()), "a responder needs a `name`");
                continue;
            }
            if team.responder(&name).is_some() {
                src.error(
                    Some(wire.name.span()),
                    format!("responder `{name}` is listed twice"),
                );
                continue;
            }
            if contact.is_empty() {
                src.error(
                    Some(wire.contact.span()),
                    format!("responder `{name}` needs a `contact`: how to reach them"),
                );
            }
            team.responders.push(Responder { name, contact });
        }
    }
    if let Some(commanders) = table.get("commanders") {
        let Some(map) = src.table(commanders, "team.commanders") else {
            return team;
        };
        for (key, value) in map.iter() {
            let key_span = map.key(key).and_then(Key::span);
            let incident_type = IncidentType::from_str(key)
                .map_err(|e| src.error(key_span, e.to_string()))
                .ok();
            let Some(name) = src.decode::<Spanned<String>>(value) else {
                continue;
            };
            if team.check_member(&name, "commander", src)
                && let Some(t) = incident_type
            {
                team.commanders.insert(t, name.into_inner());
            }
        }
    }
    team
}

//! Reading `[policy]`: each setting, action, exception and blocklist entry is checked on its
//! own, so every mistake is reported with its line.

use std::collections::BTreeMap;
use std::str::FromStr;

use ringfence_inspect::AlertId;
use serde::Deserialize;
use toml::Spanned;
use toml_edit::{Item, Key, TableLike};

use super::{Action, BlockedSpec, Exception, Policy};
use crate::duration::parse_age;
use crate::finding::FindingKind;
use crate::package::PackageSpec;
use crate::source::{Source, did_you_mean};

const POLICY_KEYS: &[&str] = &[
    "min-release-age",
    "incident-grouping",
    "findings",
    "alerts",
    "exceptions",
    "blocklist",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ExceptionWire {
    package: Spanned<String>,
    #[serde(default)]
    alerts: Vec<Spanned<String>>,
    reason: Spanned<String>,
    expires: Spanned<DateField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BlockWire {
    package: Spanned<String>,
    reason: Option<String>,
}

pub(crate) fn read_policy(item: &Item, src: &mut Source, today: time::Date) -> Policy {
    let mut policy = Policy::default();
    let Some(table) = src.table(item, "policy") else {
        return policy;
    };
    src.unknown_keys(table, POLICY_KEYS, "[policy]");
    if let Some(age) = table.get("min-release-age")
        && let Some(text) = src.decode::<Spanned<String>>(age)
    {
        match parse_age(text.get_ref()) {
            Ok(d) => policy.min_release_age = Some(d),
            Err(e) => src.error(Some(text.span()), e),
        }
    }
    if let Some(grouping) = table.get("incident-grouping")
        && let Some(text) = src.decode::<Spanned<String>>(grouping)
    {
        match text.get_ref().as_str() {
            "campaign" => policy.per_package_incidents = false,
            "package" => policy.per_package_incidents = true,
            other => src.error(
                Some(text.span()),
                format!("incident-grouping must be \"campaign\" or \"package\", not \"{other}\""),
            ),
        }
    }
    if let Some(findings) = table.get("findings") {
        policy.findings = read_actions(findings, "policy.findings", src, |key| {
            FindingKind::from_str(key)
                .map_err(|e| e + &did_you_mean(key, FindingKind::ALL.iter().map(|k| k.key())))
        });
    }
    if let Some(alerts) = table.get("alerts") {
        policy.alerts = read_actions(alerts, "policy.alerts", src, parse_alert_id);
    }
    if let Some(exceptions) = table.get("exceptions") {
        for entry in src.tables(exceptions, "policy.exceptions") {
            if let Some(e) = read_exception(&entry, src, today) {
                policy.exceptions.push(e);
            }
        }
    }
    if let Some(blocklist) = table.get("blocklist") {
        for entry in src.tables(blocklist, "policy.blocklist") {
            if let Some(b) = read_blocked(&entry, src) {
                policy.blocklist.push(b);
            }
        }
    }
    policy
}

/// An alert id from the catalogue, with a suggestion for a near miss.
pub(crate) fn parse_alert_id(text: &str) -> Result<AlertId, String> {
    AlertId::from_str(text)
        .map_err(|e| e + &did_you_mean(text, AlertId::ALL.iter().map(|a| a.as_str())))
}

/// A table of `key = "action"`; a bad key is reported at the key, a bad action at the value.
fn read_actions<K: Ord>(
    item: &Item,
    name: &str,
    src: &mut Source,
    parse_key: impl Fn(&str) -> Result<K, String>,
) -> BTreeMap<K, Action> {
    let mut actions = BTreeMap::new();
    let Some(table) = src.table(item, name) else {
        return actions;
    };
    for (key, value) in table.iter() {
        let key_span = table_key_span(table, key);
        let parsed_key = parse_key(key).map_err(|e| src.error(key_span, e)).ok();
        let Some(action) = src.decode::<Spanned<String>>(value) else {
            continue;
        };
        let parsed_action = Action::from_str(action.get_ref())
            .map_err(|e| src.error(Some(action.span()), e))
            .ok();
        if let (Some(k), Some(a)) = (parsed_key, parsed_action) {
            actions.insert(k, a);
        }
    }
    actions
}

fn table_key_span(table: &dyn TableLike, key: &str) -> Option<std::ops::Range<usize>> {
    table.key(key).and_then(Key::span)
}

fn read_exception(item: &Item, src: &mut Source, today: time::Date) -> Option<Exception> {
    let wire: ExceptionWire = src.decode(item)?;
    let package = parse_spec(&wire.package, src);
    let mut alerts = Vec::new();
    let mut alerts_ok = true;
    for a in &wire.alerts {
        match parse_alert_id(a.get_ref()) {
            Ok(id) => alerts.push(id),
            Err(e) => {
                src.error(Some(a.span()), e);
                alerts_ok = false;
            }
        }
    }
    let reason = wire.reason.get_ref().trim().to_string();
    if reason.is_empty() {
        src.error(
            Some(wire.reason.span()),
            "an exception needs a `reason`: say why the package is tolerated",
        );
    }
    let expires = match &wire.expires.get_ref().0 {
        Ok(date) => Some(*date),
        Err(e) => {
            src.error(Some(wire.expires.span()), e.clone());
            None
        }
    };
    let (package, expires) = (package?, expires?);
    if !alerts_ok || reason.is_empty() {
        return None;
    }
    let line = src.line_of(item.span().unwrap_or(wire.package.span()));
    if today > expires {
        src.warn(
            Some(wire.expires.span()),
            format!("the exception for {package} expired on {expires} and no longer applies"),
        );
    }
    Some(Exception {
        package,
        alerts,
        reason,
        expires,
        line,
    })
}

fn read_blocked(item: &Item, src: &mut Source) -> Option<BlockedSpec> {
    let wire: BlockWire = src.decode(item)?;
    let spec = parse_spec(&wire.package, src)?;
    let Some(version) = spec.version else {
        src.error(
            Some(wire.package.span()),
            format!(
                "a blocklist entry names one version, like `{}@1.2.3`",
                wire.package.get_ref().trim()
            ),
        );
        return None;
    };
    Some(BlockedSpec {
        ecosystem: spec.ecosystem,
        name: spec.name,
        version,
        reason: wire.reason.filter(|r| !r.trim().is_empty()),
        line: src.line_of(item.span().unwrap_or(wire.package.span())),
    })
}

fn parse_spec(text: &Spanned<String>, src: &mut Source) -> Option<PackageSpec> {
    PackageSpec::from_str(text.get_ref())
        .map_err(|e| src.error(Some(text.span()), e))
        .ok()
}

/// A date written as a string (`"2027-03-01"`) or as a TOML date (`2027-03-01`). A bad date
/// is kept as its message, so the error is reported at the value's position.
struct DateField(Result<time::Date, String>);

impl<'de> Deserialize<'de> for DateField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DateVisitor)
    }
}

struct DateVisitor;

impl<'de> serde::de::Visitor<'de> for DateVisitor {
    type Value = DateField;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a date like 2027-03-01")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DateField, E> {
        Ok(DateField(parse_date(v)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<DateField, A::Error> {
        let dt =
            toml_edit::Datetime::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(DateField(match (dt.date, dt.time, dt.offset) {
            (Some(_), None, None) => parse_date(&dt.to_string()),
            _ => Err(format!(
                "`{dt}` is not a date: expected a day like 2027-03-01, without a time"
            )),
        }))
    }
}

/// `YYYY-MM-DD`, checked against the calendar (no 2027-02-30).
fn parse_date(text: &str) -> Result<time::Date, String> {
    let bad = || format!("`{text}` is not a date: expected YYYY-MM-DD, like 2027-03-01");
    let mut parts = text.trim().splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let number = |s: &str| -> Result<u16, String> {
        if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().map_err(|_| bad())
        } else {
            Err(bad())
        }
    };
    let (y, m, d) = (number(y)?, number(m)?, number(d)?);
    let month = time::Month::try_from(u8::try_from(m).map_err(|_| bad())?).map_err(|_| bad())?;
    let day = u8::try_from(d).map_err(|_| bad())?;
    time::Date::from_calendar_date(i32::from(y), month, day)
        .map_err(|_| format!("`{text}` is not a day of the calendar"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(
            parse_date("2027-03-01"),
            Ok(time::Date::from_calendar_date(2027, time::Month::March, 1).unwrap())
        );
        assert!(parse_date("2027-02-30").unwrap_err().contains("calendar"));
        for bad in [
            "2027-3-1",
            "27-03-01",
            "2027/03/01",
            "next year",
            "2027-03-01T00:00",
        ] {
            assert!(parse_date(bad).unwrap_err().contains("YYYY-MM-DD"), "{bad}");
        }
    }
}

//! What a webhook receives: a generic JSON document, or a body Slack's incoming webhooks (and
//! the chat tools that copy their format) accept.
//!
//! Generic JSON:
//!
//! ```json
//! { "event": "stage.advanced",
//!   "incident": { "id": "INC-7", "title": "...", "type": "malicious-dependency",
//!                 "severity": "sev2", "stage": "containment", "commander": "alice" },
//!   "text": "INC-7 stage.advanced: debug@4.4.2 ... (sev2, containment)",
//!   "at": "2026-11-28T09:00:00Z",
//!   "details": { ... } }
//! ```

use ringfence_incident::Incident;
use serde::Serialize;
use serde_json::{Value, json};

/// The body format a webhook takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The generic JSON document.
    Json,
    /// `{ "text", "blocks" }` for Slack-compatible incoming webhooks.
    Slack,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Slack => "slack",
        }
    }
}

/// The incident fields every notification carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentSummary {
    pub id: String,
    pub title: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub severity: Option<String>,
    pub stage: String,
    pub commander: Option<String>,
}

impl From<&Incident> for IncidentSummary {
    fn from(i: &Incident) -> IncidentSummary {
        IncidentSummary {
            id: i.id.to_string(),
            title: i.title.clone(),
            kind: i.kind.as_str().to_string(),
            severity: i.severity.map(|s| s.as_str().to_string()),
            stage: i.stage.as_str().to_string(),
            commander: i.commander.clone(),
        }
    }
}

/// One notification, before it is rendered for a webhook.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    /// What happened: `incident.opened`, `stage.advanced`, `test`...
    pub event: String,
    pub incident: Option<IncidentSummary>,
    /// One line for people.
    pub text: String,
    /// RFC 3339.
    pub at: String,
    /// Anything else the event carries (a JSON object, or null).
    pub details: Value,
}

impl Notification {
    /// A notification about an incident. Without `text`, the line is
    /// `INC-7 <event>: <title> (<severity>, <stage>)`.
    pub fn about_incident(
        event: &str,
        incident: &Incident,
        text: Option<&str>,
        at: String,
        details: Value,
    ) -> Notification {
        let summary = IncidentSummary::from(incident);
        let text = match text {
            Some(t) => one_line(t),
            None => {
                let severity = summary.severity.as_deref().unwrap_or("unrated");
                one_line(&format!(
                    "{} {event}: {} ({severity}, {})",
                    summary.id, summary.title, summary.stage
                ))
            }
        };
        Notification {
            event: event.to_string(),
            incident: Some(summary),
            text,
            at,
            details,
        }
    }

    /// The body for a webhook of this format: the exact bytes that are signed and sent.
    pub fn body(&self, format: Format) -> String {
        let value = match format {
            Format::Json => self.json(),
            Format::Slack => self.slack(),
        };
        value.to_string()
    }

    fn json(&self) -> Value {
        json!({
            "event": self.event,
            "incident": self.incident,
            "text": self.text,
            "at": self.at,
            "details": self.details,
        })
    }

    fn slack(&self) -> Value {
        let mut lines = vec![format!("*{}*", slack_escape(&clip(&self.text, 1000)))];
        if let Some(i) = &self.incident {
            let mut facts = vec![
                format!("*{}*", slack_escape(&i.id)),
                format!("type {}", slack_escape(&i.kind)),
                format!(
                    "severity {}",
                    slack_escape(i.severity.as_deref().unwrap_or("unrated"))
                ),
                format!("stage {}", slack_escape(&i.stage)),
            ];
            if let Some(c) = &i.commander {
                facts.push(format!("commander {}", slack_escape(&clip(c, 100))));
            }
            lines.push(facts.join(" · "));
        }
        if let Value::Object(details) = &self.details {
            // Scalars only, and a few: the generic JSON body carries everything.
            for (key, value) in details.iter().take(10) {
                let shown = match value {
                    Value::String(s) => clip(s, 200),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => continue,
                };
                lines.push(format!(
                    "• {}: {}",
                    slack_escape(&clip(key, 50)),
                    slack_escape(&shown)
                ));
            }
        }
        json!({
            "text": slack_escape(&clip(&self.text, 1000)),
            "blocks": [
                { "type": "section", "text": { "type": "mrkdwn", "text": lines.join("\n") } }
            ],
        })
    }
}

/// Slack reads `&`, `<` and `>` as markup (links, mentions such as `<!channel>`); user text
/// must not be able to ping a channel or forge a link.
pub fn slack_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Newlines and runs of whitespace become single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters, with `…` when cut. (A Slack section holds 3,000.)
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringfence_incident::{Change, Event, IncidentId, IncidentType, Severity};

    fn incident(title: &str) -> Incident {
        let at = time::macros::datetime!(2026-11-28 09:00 UTC);
        let events = [
            Event::new(
                at,
                "scan",
                Change::Opened {
                    title: title.into(),
                    kind: IncidentType::MaliciousDependency,
                    severity: Some(Severity::Sev2),
                    source: "scan --record".into(),
                },
            ),
            Event::new(
                at,
                "alice",
                Change::CommanderAssigned {
                    who: "alice".into(),
                },
            ),
        ];
        Incident::replay(IncidentId(7), &events).unwrap()
    }

    #[test]
    fn the_json_body_has_the_documented_shape() {
        let n = Notification::about_incident(
            "incident.opened",
            &incident("debug@4.4.2:\n known malicious release"),
            None,
            "2026-11-28T09:00:00Z".into(),
            json!({ "package": "npm:debug@4.4.2" }),
        );
        let v: Value = serde_json::from_str(&n.body(Format::Json)).unwrap();
        assert_eq!(
            v,
            json!({
                "event": "incident.opened",
                "incident": {
                    "id": "INC-7",
                    "title": "debug@4.4.2:\n known malicious release",
                    "type": "malicious-dependency",
                    "severity": "sev2",
                    "stage": "identification",
                    "commander": "alice",
                },
                "text": "INC-7 incident.opened: debug@4.4.2: known malicious release (sev2, identification)",
                "at": "2026-11-28T09:00:00Z",
                "details": { "package": "npm:debug@4.4.2" },
            })
        );
    }

    #[test]
    fn the_slack_body_escapes_user_text() {
        let n = Notification::about_incident(
            "note.added",
            &incident("<!channel> & <https://evil.example|click>"),
            None,
            "2026-11-28T09:00:00Z".into(),
            json!({ "by": "<@U123>", "count": 3, "nested": { "skipped": true } }),
        );
        let v: Value = serde_json::from_str(&n.body(Format::Slack)).unwrap();
        let text = v["text"].as_str().unwrap();
        assert!(
            text.contains("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"),
            "{text}"
        );
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        let section = &v["blocks"][0];
        assert_eq!(section["type"], "section");
        assert_eq!(section["text"]["type"], "mrkdwn");
        let mrkdwn = section["text"]["text"].as_str().unwrap();
        assert!(!mrkdwn.contains('<') && !mrkdwn.contains('>'), "{mrkdwn}");
        assert!(mrkdwn.contains("*INC-7*"), "{mrkdwn}");
        assert!(mrkdwn.contains("commander alice"), "{mrkdwn}");
        assert!(mrkdwn.contains("• by: &lt;@U123&gt;"), "{mrkdwn}");
        assert!(mrkdwn.contains("• count: 3"), "{mrkdwn}");
        assert!(!mrkdwn.contains("skipped"), "{mrkdwn}");
    }

    #[test]
    fn long_text_is_clipped_on_a_character_boundary() {
        let title = "é".repeat(5000);
        let n = Notification::about_incident(
            "incident.opened",
            &incident(&title),
            Some(&title),
            "2026-11-28T09:00:00Z".into(),
            Value::Null,
        );
        let v: Value = serde_json::from_str(&n.body(Format::Slack)).unwrap();
        let section = v["blocks"][0]["text"]["text"].as_str().unwrap();
        assert!(section.chars().count() < 3000, "{}", section.len());
        assert!(v["text"].as_str().unwrap().ends_with('…'));
    }
}

//! The post-incident report, rendered from a realistic timeline sealed into a hash chain.

use ringfence_incident::report::{self, ReportContext, ReportFormat, html, markdown};
use ringfence_incident::{
    Change, Event, EventRecord, Forced, GENESIS, Incident, IncidentId, IncidentType,
    ObservableKind, Role, Severity, Stage,
};
use time::OffsetDateTime;
use time::macros::datetime;

const EVIDENCE_SHA: &str = "9a1f3c0d5e7b2a4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c";
const URL: &str = "https://evil.example/collect?d=1";

fn ev(at: OffsetDateTime, actor: &str, change: Change) -> Event {
    Event::new(at, actor, change)
}

/// Opened from a scan, contained, eradicated (forcing the gate into recovery), recovered,
/// with action items and a report already generated once.
fn events(title: &str) -> Vec<Event> {
    let advance = |from, to, forced| Change::StageAdvanced { from, to, forced };
    let task = |id, stage, title: &str, owner: Option<&str>, due: Option<&str>| Change::TaskAdded {
        id,
        stage,
        title: title.into(),
        owner: owner.map(Into::into),
        due: due.map(Into::into),
    };
    vec![
        ev(
            datetime!(2026-11-28 09:12 +01:00),
            "ringfence",
            Change::Opened {
                title: title.into(),
                kind: IncidentType::MaliciousDependency,
                severity: None,
                source: "scan --record".into(),
            },
        ),
        ev(
            datetime!(2026-11-28 09:12 +01:00),
            "ringfence",
            Change::PackageAffected {
                ecosystem: "npm".into(),
                name: "debug".into(),
                version: "4.4.2".into(),
                source: "MAL-2026-4711".into(),
                detectable_since: Some(datetime!(2026-11-28 06:45 UTC).into()),
                campaign: vec![],
            },
        ),
        ev(
            datetime!(2026-11-28 09:12 +01:00),
            "ringfence",
            Change::ProjectExposed {
                project: "web-shop".into(),
                lockfile: "apps/web/package-lock.json".into(),
                resolved: vec!["debug@4.4.2".into()],
                commit: Some("3f9c2e1".into()),
            },
        ),
        ev(
            datetime!(2026-11-28 09:20 +01:00),
            "alice",
            Change::SeveritySet {
                severity: Severity::Sev1,
            },
        ),
        ev(
            datetime!(2026-11-28 09:21 +01:00),
            "alice",
            Change::CommanderAssigned {
                who: "alice".into(),
            },
        ),
        ev(
            datetime!(2026-11-28 09:22 +01:00),
            "alice",
            Change::ParticipantAdded {
                who: "bob".into(),
                role: Role::Responder,
            },
        ),
        ev(
            datetime!(2026-11-28 09:30 +01:00),
            "bob",
            Change::ObservableAdded {
                kind: ObservableKind::Url,
                value: URL.into(),
                source: "inspection of debug@4.4.2".into(),
            },
        ),
        ev(
            datetime!(2026-11-28 09:31 +01:00),
            "bob",
            Change::ObservableAdded {
                kind: ObservableKind::Domain,
                value: "evil.example".into(),
                source: "manual".into(),
            },
        ),
        ev(
            datetime!(2026-11-28 09:35 +01:00),
            "bob",
            Change::EvidenceAdded {
                sha256: EVIDENCE_SHA.into(),
                size: 4812,
                name: "debug-4.4.2.tgz".into(),
                description: Some("the malicious tarball".into()),
            },
        ),
        ev(
            datetime!(2026-11-28 09:40 +01:00),
            "alice",
            advance(Stage::Identification, Stage::Containment, None),
        ),
        ev(
            datetime!(2026-11-28 09:45 +01:00),
            "bob",
            Change::Blocked {
                ecosystem: "npm".into(),
                name: "debug".into(),
                version: "4.4.2".into(),
            },
        ),
        ev(
            datetime!(2026-11-28 10:05 +01:00),
            "alice",
            advance(Stage::Containment, Stage::Eradication, None),
        ),
        ev(
            datetime!(2026-11-28 10:06 +01:00),
            "alice",
            task(
                1,
                Stage::Eradication,
                "Remove debug@4.4.2 from web-shop",
                Some("bob"),
                None,
            ),
        ),
        ev(
            datetime!(2026-11-28 11:30 +01:00),
            "bob",
            Change::TaskDone { id: 1 },
        ),
        ev(
            datetime!(2026-11-28 11:40 +01:00),
            "ringfence",
            Change::ProjectRemediated {
                project: "web-shop".into(),
                lockfile: "apps/web/package-lock.json".into(),
                commit: Some("8d1e0aa".into()),
            },
        ),
        ev(
            datetime!(2026-11-28 11:45 +01:00),
            "alice",
            task(
                2,
                Stage::Recovery,
                "Rotate the CI publish tokens",
                Some("carol"),
                Some("2026-12-01"),
            ),
        ),
        ev(
            datetime!(2026-11-28 11:50 +01:00),
            "alice",
            advance(
                Stage::Eradication,
                Stage::Recovery,
                Some(Forced {
                    reason: "fixed on main; inventory not recorded yet".into(),
                    unmet: vec!["apps/web/package-lock.json (no inventory recorded)".into()],
                }),
            ),
        ),
        // Recorded from another zone: the offset is kept.
        ev(
            datetime!(2026-11-29 08:10 -05:00),
            "carol",
            Change::TaskDone { id: 2 },
        ),
        ev(
            datetime!(2026-11-29 15:00 +01:00),
            "alice",
            advance(Stage::Recovery, Stage::LessonsLearned, None),
        ),
        ev(
            datetime!(2026-11-29 15:10 +01:00),
            "alice",
            task(
                3,
                Stage::LessonsLearned,
                "Verify package provenance in CI",
                Some("dave"),
                Some("2027-01-15"),
            ),
        ),
        ev(
            datetime!(2026-11-29 15:11 +01:00),
            "alice",
            task(
                4,
                Stage::LessonsLearned,
                "Subscribe to malware advisories",
                None,
                None,
            ),
        ),
        ev(
            datetime!(2026-11-29 16:00 +01:00),
            "alice",
            Change::EvidenceHandled {
                sha256: EVIDENCE_SHA.into(),
                action: "exported in bundle".into(),
            },
        ),
        ev(
            datetime!(2026-11-29 16:05 +01:00),
            "alice",
            Change::ReportGenerated {
                sha256: "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00".into(),
                format: "markdown".into(),
            },
        ),
    ]
}

fn seal(events: &[Event]) -> Vec<EventRecord> {
    let mut prev = GENESIS.to_string();
    events
        .iter()
        .zip(1..)
        .map(|(e, seq)| {
            let r = EventRecord::seal_event("INC-7", seq, e, &prev);
            prev = r.hash.clone();
            r
        })
        .collect()
}

fn ctx() -> ReportContext {
    ReportContext {
        generated_at: datetime!(2026-11-30 10:00 +01:00).into(),
        generated_by: "alice".into(),
        blocked: vec!["npm:debug@4.4.2".into()],
    }
}

/// The incident, its records, and the report in both formats.
fn reports(events: &[Event]) -> (Incident, Vec<EventRecord>, String, String) {
    let incident = Incident::replay(IncidentId(7), events).expect("a valid timeline");
    let records = seal(events);
    let md = report::render(&incident, &records, &ctx(), ReportFormat::Markdown);
    let html = report::render(&incident, &records, &ctx(), ReportFormat::Html);
    (incident, records, md, html)
}

/// The text between a heading and the next heading of the same or a higher level.
fn md_section<'a>(md: &'a str, heading: &str) -> &'a str {
    let start = md
        .find(heading)
        .unwrap_or_else(|| panic!("no heading {heading}"));
    let body = &md[start + heading.len()..];
    let level = heading.chars().take_while(|c| *c == '#').count();
    let end = (1..=level)
        .filter_map(|l| body.find(&format!("\n{} ", "#".repeat(l))))
        .min()
        .unwrap_or(body.len());
    &body[..end]
}

const QUESTIONS: [&str; 10] = [
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

const PLACEHOLDER: &str = "To be answered by the team.";

#[test]
fn every_event_appears_in_order_in_both_formats() {
    let events = events("debug 4.4.2 compromised");
    let (_, records, md, html) = reports(&events);
    let mut md_at = 0;
    let mut html_at = 0;
    for (record, event) in records.iter().zip(&events) {
        let text = event.change.describe();
        // In order: each event's text appears after the previous one's (in the chronology).
        let found = md[md_at..]
            .find(&markdown::escape_text(&text))
            .unwrap_or_else(|| panic!("markdown lacks event {}: {text}", record.seq));
        md_at += found;
        let found = html[html_at..]
            .find(&html::escape(&text))
            .unwrap_or_else(|| panic!("html lacks event {}: {text}", record.seq));
        html_at += found;
        let row = format!("| {} | {} | {} |", record.seq, record.at, record.actor);
        assert!(md.contains(&row), "{row}");
        assert!(md.contains(&format!("`{}`", &record.hash[..12])));
        assert!(html.contains(&format!("<code>{}</code>", &record.hash[..12])));
    }
    // The offset an event was recorded with is kept.
    assert!(md.contains("2026-11-29T08:10:00-05:00"));
    let head = &records.last().unwrap().hash;
    assert!(md.contains(&format!("23 events; chain head `{head}`")));
    assert!(html.contains(&format!("23 events; chain head <code>{head}</code>")));
}

#[test]
fn rendering_is_deterministic() {
    let events = events("debug 4.4.2 compromised");
    let (incident, records, md, html) = reports(&events);
    let again = |f| report::render(&incident, &records, &ctx(), f);
    assert_eq!(again(ReportFormat::Markdown), md);
    assert_eq!(again(ReportFormat::Html), html);
    let (_, _, md2, html2) = reports(&events);
    assert_eq!((md2, html2), (md, html));
}

#[test]
fn html_escapes_a_script_title_and_stays_self_contained() {
    let title = "<script>alert(1)</script> & 'quotes' \"too\"";
    let (_, _, _, html) = reports(&events(title));
    assert!(
        html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")
    );
    assert!(html.contains(
        "<h1>INC-7: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#39;quotes&#39; &quot;too&quot;</h1>"
    ));
    assert!(!html.to_ascii_lowercase().contains("<script"));
    for external in [
        "<link", "<img", "<iframe", "src=", "href=", "@import", "url(",
    ] {
        assert!(!html.contains(external), "{external}");
    }
    // The only URL is the observable's, escaped as user text.
    let without_user_text = html.replace(&html::escape(URL), "");
    assert!(html.len() > without_user_text.len());
    assert!(!without_user_text.contains("http://"));
    assert!(!without_user_text.contains("https://"));
}

#[test]
fn markdown_tables_survive_a_pipe_and_a_newline_in_user_text() {
    let (_, _, md, _) = reports(&events("debug | chalk\n| x | y |"));
    let mut header_cells = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            header_cells = None;
            continue;
        }
        let cells = unescaped_pipes(line);
        match header_cells {
            None => header_cells = Some(cells),
            Some(n) => assert_eq!(cells, n, "a row with a different cell count: {line}"),
        }
    }
    assert!(md.starts_with("# INC-7: debug \\| chalk<br>\\| x \\| y \\|\n"));
}

/// Cell separators: `|` not escaped with a backslash.
fn unescaped_pipes(line: &str) -> usize {
    let mut count = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => count += 1,
            _ => {}
        }
    }
    count
}

#[test]
fn the_nist_questions_are_answered_from_the_record_or_left_open() {
    let (_, _, md, html) = reports(&events("debug 4.4.2 compromised"));
    for q in QUESTIONS {
        assert!(md.contains(&format!("\n### {q}\n")), "{q}");
        assert!(
            html.contains(&format!("<h3>{}</h3>", html::escape(q))),
            "{q}"
        );
    }
    let answer = |i: usize| md_section(&md, &format!("### {}", QUESTIONS[i]));
    // No notes, no data: placeholders.
    for open in [4, 5, 9] {
        assert!(answer(open).contains(PLACEHOLDER), "{}", QUESTIONS[open]);
    }
    assert!(html.contains(&format!("<p class=\"placeholder\">{PLACEHOLDER}</p>")));
    // Pre-filled.
    assert!(answer(0).contains("2026-11-28T09:12:00+01:00: INC-7 opened"));
    assert!(answer(0).contains("2026-11-29T15:00:00+01:00: Lessons learned entered."));
    assert!(answer(1).contains("| alice | commander | 13 |"));
    assert!(answer(1).contains("| ringfence | — | 4 |"));
    assert!(answer(2).contains("into recovery by alice"));
    assert!(answer(3).contains("1h 27m (5220 s)"));
    assert!(answer(6).contains("2 observable(s)"));
    assert!(answer(7).contains("Verify package provenance in CI | dave | 2027-01-15"));
    assert!(answer(8).contains(&format!("url `{URL}`")));
    assert!(!answer(7).contains(PLACEHOLDER));
}

#[test]
fn notes_pre_fill_the_question_on_inhibited_recovery() {
    let mut events = events("debug 4.4.2 compromised");
    events.push(ev(
        datetime!(2026-11-29 16:30 +01:00),
        "bob",
        Change::NoteAdded {
            text: "cache kept serving 4.4.2\nfor an hour".into(),
        },
    ));
    let (_, _, md, _) = reports(&events);
    let answer = md_section(&md, &format!("### {}", QUESTIONS[4]));
    assert!(
        answer.contains("bob: cache kept serving 4.4.2<br>for an hour"),
        "{answer}"
    );
    assert!(!answer.contains(PLACEHOLDER));
}

#[test]
fn without_overrides_every_gate_is_said_to_have_passed() {
    let events: Vec<Event> = events("debug 4.4.2 compromised")
        .into_iter()
        .map(|mut e| {
            if let Change::StageAdvanced { forced, .. } = &mut e.change {
                *forced = None;
            }
            e
        })
        .collect();
    let (_, _, md, html) = reports(&events);
    assert!(md.contains("Every stage gate passed without override."));
    assert!(!md.contains("[!WARNING]"));
    assert!(!html.contains("class=\"warning\""));
}

#[test]
fn forced_gates_metrics_and_stage_work_are_shown() {
    let (_, _, md, html) = reports(&events("debug 4.4.2 compromised"));
    // The override is called out before the summary.
    let warning = md.find("> [!WARNING]").expect("a warning block");
    assert!(warning < md.find("## Summary").unwrap());
    assert!(md.contains("> - **Gate into recovery forced** by alice at 2026-11-28T11:50:00+01:00"));
    assert!(html.contains("<div class=\"warning\" role=\"note\">"));

    // Opened 08:12 UTC; detectable 06:45 UTC; eradication 09:05 UTC; recovery 10:50 UTC;
    // lessons learned 14:00 UTC the next day.
    for value in [
        "1h 27m (5220 s)",
        "53m (3180 s)",
        "2h 38m (9480 s)",
        "1d 5h (107280 s)",
    ] {
        assert!(md.contains(value), "{value}");
        assert!(html.contains(value), "{value}");
    }

    let recovery = md_section(&md, "### Recovery");
    assert!(recovery.contains("**Entered by overriding its gate.**"));
    assert!(recovery.contains("| #2 | Rotate the CI publish tokens | carol | 2026-12-01 | done by carol at 2026-11-29T08:10:00-05:00 |"));
    assert!(recovery.contains("stage eradication → recovery FORCED"));
    assert!(!recovery.contains("task #1 done"));
    let eradication = md_section(&md, "### Eradication");
    assert!(eradication.contains("Entered 2026-11-28T10:05:00+01:00; lasted 1h 45m."));
    assert!(eradication.contains("task #1 done"));
    assert!(md_section(&md, "### Lessons learned").contains("current stage"));
    assert!(!md.contains("### Closed"));

    let actions = md_section(&md, "## Action items");
    assert!(actions.contains("| #4 | Subscribe to malware advisories | — | — | **open** |"));
    assert!(!actions.contains("Rotate the CI"));

    let summary = md_section(&md, "## Summary");
    assert!(summary.contains("| **Severity** | SEV1 |"));
    assert!(summary.contains("npm:debug@4.4.2 (MAL-2026-4711)"));
    assert!(
        summary.contains("alice (commander, since 2026-11-28T09:21:00+01:00)<br>bob (responder")
    );
    assert!(md_section(&md, "## Affected packages").contains("blocked: 4.4.2"));
    let projects = md_section(&md, "## Affected projects");
    assert!(projects.contains("| web-shop | `apps/web/package-lock.json` | remediated |"));
    assert!(projects.contains("`8d1e0aa`"));
    let evidence = md_section(&md, "## Evidence");
    assert!(evidence.contains(&format!(
        "| debug-4.4.2.tgz<br>the malicious tarball | 4812 | `{EVIDENCE_SHA}` |"
    )));
    assert!(evidence.contains("2026-11-29T16:00:00+01:00 alice: exported in bundle"));
}

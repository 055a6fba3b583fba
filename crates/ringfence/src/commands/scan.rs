//! `ringfence scan`: lockfiles → inventory → advisory matches → findings, with a CI exit code.

use std::io::Write;

use owo_colors::{OwoColorize, Style};
use ringfence_advisory::{AdvisoryIndex, AdvisoryKind, Severity};
use ringfence_inspect::Verdict;
use ringfence_lockfile::Lockfile;
use serde::Serialize;

use crate::blocked::{BlockedHit, blocked_hits};
use crate::cli::{GlobalArgs, ScanArgs, ScanFormat};
use crate::commands::db::open_store;
use crate::identify::{Finding, identify};
use crate::load::load;
use crate::output::{display_path, print_json, sarif};
use crate::report_problems;
use ringfence_store::BlockEntry;

pub fn run(args: &ScanArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    // A configuration with errors stops the scan before anything is read or recorded.
    let config = crate::config::load(global)?;
    let loaded = load(&args.paths, global.quiet);
    report_problems(&loaded.warnings, &loaded.errors);

    let rt = crate::runtime()?;
    let mut warnings_extra = Vec::new();
    let store = if args.offline_snapshot {
        None
    } else {
        match rt.block_on(open_store(global)) {
            Ok(store) => Some(store),
            // No --db given and the default database cannot be opened: the built-in snapshot
            // still answers the famous cases, so say so and go on (unless asked to record).
            Err(e) if global.db.is_none() && !args.record => {
                warnings_extra.push(format!(
                    "{e:#}; matching against the built-in snapshot only"
                ));
                None
            }
            Err(e) => return Err(e),
        }
    };

    let (index, sources, mut index_warnings) =
        advisory_index(&loaded.lockfiles, store.as_ref(), &rt)?;
    index_warnings.extend(warnings_extra);
    report_problems(&index_warnings, &[]);
    let findings = identify(&loaded.lockfiles, &index);
    let mut blocklist = match &store {
        Some(store) => rt.block_on(store.blocklist())?,
        None => Vec::new(),
    };
    blocklist.extend(config.config.policy.blocklist().iter().map(|b| {
        BlockEntry {
            ecosystem: b.ecosystem.osv_name().to_string(),
            name: b.name.clone(),
            version: b.version.clone(),
            reason: b
                .reason
                .clone()
                .unwrap_or_else(|| "on the blocklist in ringfence.toml".into()),
            incident: None,
            added_by: "ringfence.toml".into(),
            added_at: String::new(),
        }
    }));
    let mut blocked = blocked_hits(&loaded.lockfiles, &blocklist);
    if !args.offline_snapshot {
        let (young, problems) = crate::cooldown::too_new(
            &loaded.lockfiles,
            &config.config.policy,
            time::OffsetDateTime::now_utc(),
        );
        report_problems(&problems, &[]);
        // `too-new` blocks unless the policy lowered it.
        let action = config
            .config
            .policy
            .finding_action(ringfence_config::FindingKind::TooNew);
        if action >= ringfence_config::Action::Block {
            blocked.extend(young);
        } else {
            let notes: Vec<String> = young
                .iter()
                .map(|h| {
                    format!(
                        "{}@{} in {}: {}",
                        h.package, h.version, h.lockfile, h.reason
                    )
                })
                .collect();
            report_problems(&notes, &[]);
        }
    }
    // The blocklist is an explicit decision: a blocked version always fails the scan.
    let mut failing = blocked.len()
        + findings
            .iter()
            .filter(|f| args.fail_on.fails(f.advisory.kind, f.advisory.severity))
            .count();
    // With a ringfence.toml, its policy can fail the scan too: `block` and `incident`.
    if config.path.is_some() {
        let today = crate::commands::incident::now().date();
        failing += findings
            .iter()
            .filter(|f| !args.fail_on.fails(f.advisory.kind, f.advisory.severity))
            .filter(|f| {
                let (facts, _) = crate::record::facts_of(f);
                config.config.policy.action(&facts, today).action >= ringfence_config::Action::Block
            })
            .count();
    }
    let deep = if args.deep {
        Some(crate::deep::inspect_inventory(
            &loaded.lockfiles,
            global.quiet,
        )?)
    } else {
        None
    };
    if let Some(deep) = &deep {
        let notes: Vec<String> = deep
            .not_inspected
            .iter()
            .map(|e| format!("not inspected: {e}"))
            .collect();
        report_problems(&notes, &[]);
        if args.fail_on.known_malware || args.fail_on.any {
            failing += deep
                .verdicts
                .iter()
                .filter(|v| v.verdict == Verdict::Malicious)
                .count();
        }
    }

    let recorded = match (&store, args.record) {
        (Some(store), true) => {
            let at = crate::commands::incident::now();
            let mut outcome = rt.block_on(crate::record::record(
                store,
                &config.config,
                &loaded.lockfiles,
                &findings,
                deep.as_ref(),
                &blocked,
                &crate::commands::incident::actor(global),
                at,
            ))?;
            // Playbooks reach the registry and webhooks: outside the runtime's async context.
            if !config.config.playbooks.is_empty() && !outcome.touched.is_empty() {
                outcome.playbooks = Some(crate::playbooks::run(
                    &rt,
                    store,
                    &config.config,
                    &outcome.touched,
                    at,
                    true,
                )?);
            }
            // Publish times the version lists fetched so far know (the pin step and
            // `contain --pin` fetch them).
            rt.block_on(crate::published::record(
                store,
                &crate::commands::incident::actor(global),
                at,
            ))?;
            Some(outcome)
        }
        _ => None,
    };
    if let Some(store) = &store {
        rt.block_on(store.close());
    }

    match args.format {
        ScanFormat::Json => {
            let lockfiles: Vec<LockfileSummary> = loaded
                .lockfiles
                .iter()
                .map(|l| LockfileSummary {
                    path: display_path(&l.path),
                    format: l.format,
                    project: &l.project,
                    packages: l.packages.len(),
                })
                .collect();
            print_json(&ScanOutput {
                findings: &findings,
                blocked: &blocked,
                lockfiles,
                errors: &loaded.errors,
                warnings: loaded.warnings.iter().chain(&index_warnings).collect(),
                advisory_sources: &sources,
                summary: Summary::new(&findings, &loaded.lockfiles, failing),
                deep: deep.as_ref().map(|d| DeepOutput {
                    verdicts: &d.verdicts,
                    not_inspected: &d.not_inspected,
                    from_cache: d.from_cache,
                }),
                recorded: recorded.as_ref(),
            })?
        }
        ScanFormat::Sarif => print_json(&sarif::sarif(&findings, &loaded.errors))?,
        ScanFormat::Table => {
            print_blocked(&blocked)?;
            print_table(&findings, &loaded.lockfiles, failing, global.quiet)?;
            if let Some(deep) = &deep {
                print_deep(deep)?;
            }
            if let Some(outcome) = &recorded {
                print_recorded(outcome)?;
            }
        }
    }

    Ok(if !loaded.errors.is_empty() {
        2
    } else if failing > 0 {
        1
    } else {
        0
    })
}

fn print_blocked(blocked: &[BlockedHit]) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    for b in blocked {
        let location = match b.line {
            Some(line) => format!("{}:{line}", b.lockfile),
            None => b.lockfile.clone(),
        };
        writeln!(
            out,
            "{} {}@{}  {}  {}",
            if b.too_new { " TOO NEW " } else { " BLOCKED " }
                .style(Style::new().white().on_red().bold()),
            b.package.bold(),
            b.version.bold(),
            b.incident.map(|i| i.to_string()).unwrap_or_default().cyan(),
            location.dimmed()
        )?;
        writeln!(out, "    {}", b.reason)?;
        writeln!(out)?;
    }
    Ok(())
}

fn print_recorded(outcome: &crate::record::RecordOutcome) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    writeln!(
        out,
        "recorded scan #{}: {} lockfiles, {} packages",
        outcome.scan, outcome.lockfiles, outcome.packages
    )?;
    for c in &outcome.opened {
        writeln!(
            out,
            "{} {} {}",
            "opened".red().bold(),
            c.incident.to_string().bold(),
            c.title
        )?;
    }
    for c in &outcome.updated {
        for change in &c.changes {
            writeln!(out, "{} {change}", c.incident.to_string().bold())?;
        }
    }
    if let Some(run) = &outcome.playbooks {
        for s in &run.steps {
            writeln!(
                out,
                "{} playbook {}: {}: {}",
                s.incident.to_string().bold(),
                s.playbook,
                s.step,
                s.outcome
            )?;
        }
        for p in &run.problems {
            writeln!(out, "{} {p}", "playbook problem:".yellow())?;
        }
        if run.notifications_pending > 0 {
            writeln!(
                out,
                "{} notifications waiting in the outbox (`ringfence notify status`)",
                run.notifications_pending
            )?;
        }
    }
    if !outcome.opened.is_empty() {
        writeln!(
            out,
            "next: `ringfence incident show {}`",
            outcome.opened[0].incident
        )?;
    }
    Ok(())
}

/// What `scan --format json` prints. Serialised directly (not through `serde_json::Value`):
/// a scan of a large monorepo can have thousands of findings.
#[derive(Serialize)]
struct ScanOutput<'a> {
    findings: &'a [Finding],
    /// Resolved versions that are on the blocklist (`ringfence block list`).
    blocked: &'a [BlockedHit],
    lockfiles: Vec<LockfileSummary<'a>>,
    errors: &'a [String],
    warnings: Vec<&'a String>,
    advisory_sources: &'a [String],
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    deep: Option<DeepOutput<'a>>,
    /// With `--record`: the scan's id and what it did to incidents.
    #[serde(skip_serializing_if = "Option::is_none")]
    recorded: Option<&'a crate::record::RecordOutcome>,
}

#[derive(Serialize)]
struct DeepOutput<'a> {
    verdicts: &'a [crate::deep::DeepVerdict],
    not_inspected: &'a [String],
    from_cache: usize,
}

#[derive(Serialize)]
struct LockfileSummary<'a> {
    path: String,
    format: ringfence_lockfile::Format,
    project: &'a str,
    packages: usize,
}

/// The advisories that can match these lockfiles: the built-in snapshot, plus every record in
/// the database for the (ecosystem, name) pairs the lockfiles contain.
fn advisory_index(
    lockfiles: &[Lockfile],
    store: Option<&ringfence_store::Store>,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<(AdvisoryIndex, Vec<String>, Vec<String>)> {
    let mut index = AdvisoryIndex::new();
    let mut warnings = Vec::new();
    for advisory in ringfence_advisory::snapshot() {
        index.insert(advisory);
    }
    let mut sources = vec!["built-in snapshot".to_string()];
    let Some(store) = store else {
        return Ok((index, sources, warnings));
    };
    let mut keys: Vec<(String, String)> = lockfiles
        .iter()
        .flat_map(|l| {
            l.packages
                .iter()
                .map(|p| (p.ecosystem.osv_name().to_string(), p.name.clone()))
        })
        .collect();
    keys.sort();
    keys.dedup();

    let records = rt.block_on(store.advisories_for(&keys))?;
    sources.push(format!("database ({} candidate records)", records.len()));
    for json in records {
        match ringfence_advisory::Advisory::from_raw_json(&json, "database") {
            Ok(advisory) => {
                index.insert(advisory);
            }
            Err(e) => warnings.push(format!("stored advisory does not parse: {e}")),
        }
    }
    warnings.extend(index.warnings().map(ToString::to_string));
    Ok((index, sources, warnings))
}

fn print_deep(deep: &crate::deep::DeepResults) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    let flagged: Vec<_> = deep
        .verdicts
        .iter()
        .filter(|v| v.verdict != Verdict::Ok)
        .collect();
    for v in &flagged {
        let ids: Vec<&str> = v.decided_by.iter().map(|i| i.as_str()).collect();
        writeln!(
            out,
            "{} {}@{}  decided by {}  (in {})",
            format!(" {} ", v.verdict.as_str().to_uppercase())
                .style(crate::commands::inspect::verdict_style(v.verdict)),
            v.name.bold(),
            v.version,
            ids.join(", "),
            v.projects.join(", ")
        )?;
    }
    writeln!(
        out,
        "deep inspection: {} packages inspected ({} from cache), {} flagged, {} could not be fetched",
        deep.verdicts.len(),
        deep.from_cache,
        flagged.len(),
        deep.not_inspected.len()
    )?;
    Ok(())
}

/// The counts both the table's last line and the JSON `summary` report.
#[derive(Serialize)]
struct Summary {
    findings: usize,
    known_malware: usize,
    failing: usize,
    affected_lockfiles: usize,
    lockfiles: usize,
    packages: usize,
}

impl Summary {
    fn new(findings: &[Finding], lockfiles: &[Lockfile], failing: usize) -> Summary {
        let mut affected: Vec<&str> = findings.iter().map(|f| f.lockfile.as_str()).collect();
        affected.sort();
        affected.dedup();
        Summary {
            findings: findings.len(),
            known_malware: findings
                .iter()
                .filter(|f| f.advisory.kind == AdvisoryKind::KnownMalware)
                .count(),
            failing,
            affected_lockfiles: affected.len(),
            lockfiles: lockfiles.len(),
            packages: lockfiles.iter().map(|l| l.packages.len()).sum(),
        }
    }
}

fn print_table(
    findings: &[Finding],
    lockfiles: &[Lockfile],
    failing: usize,
    quiet: bool,
) -> anyhow::Result<()> {
    let mut out = anstream::stdout().lock();
    for f in findings {
        let a = &f.advisory;
        let (label, style) = match (a.kind, a.severity) {
            (AdvisoryKind::KnownMalware, _) => ("MALWARE", Style::new().white().on_red().bold()),
            (_, Severity::Critical) => ("CRITICAL", Style::new().red().bold()),
            (_, Severity::High) => ("HIGH", Style::new().red()),
            (_, Severity::Medium) => ("MEDIUM", Style::new().yellow()),
            (_, Severity::Low) => ("LOW", Style::new().dimmed()),
            (_, Severity::Unknown) => ("UNRATED", Style::new().dimmed()),
        };
        let location = match f.line {
            Some(line) => format!("{}:{line}", f.lockfile),
            None => f.lockfile.clone(),
        };
        let scope = match (f.direct, f.dev) {
            (true, true) => " (direct, dev)",
            (true, false) => " (direct)",
            (false, true) => " (dev)",
            (false, false) => "",
        };
        writeln!(
            out,
            "{} {}@{}{}  {}  {}",
            format!(" {label} ").style(style),
            f.package.bold(),
            f.version.bold(),
            scope,
            a.id.cyan(),
            location.dimmed()
        )?;
        writeln!(out, "    {}", a.summary)?;
        if !a.aliases.is_empty() {
            writeln!(out, "    {} {}", "aliases:".dimmed(), a.aliases.join(", "))?;
        }
        writeln!(out, "    {} {}", "path:".dimmed(), f.path_display())?;
        for note in &f.notes {
            writeln!(out, "    {} {note}", "note:".yellow())?;
        }
        writeln!(out, "    {} {}", "fix:".dimmed(), f.remediation)?;
        writeln!(out)?;
    }
    if quiet {
        return Ok(());
    }
    let sum = Summary::new(findings, lockfiles, failing);
    let line = format!(
        "{} finding{} ({} known malware, {} failing) in {} of {} lockfile{}; {} packages checked",
        sum.findings,
        if sum.findings == 1 { "" } else { "s" },
        sum.known_malware,
        sum.failing,
        sum.affected_lockfiles,
        sum.lockfiles,
        if sum.lockfiles == 1 { "" } else { "s" },
        sum.packages
    );
    if failing > 0 {
        writeln!(out, "{}", line.red().bold())?;
    } else if findings.is_empty() {
        writeln!(out, "{}", line.green())?;
    } else {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

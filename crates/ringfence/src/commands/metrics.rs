//! `ringfence metrics`: how fast the team detects, contains, eradicates and recovers.

use std::io::Write;

use clap::Args;
use owo_colors::OwoColorize;
use ringfence_incident::metrics::{Aggregate, IncidentMetrics, Metric, human};
use serde::Serialize;
use time::OffsetDateTime;

use crate::cli::GlobalArgs;
use crate::commands::db::open_store;
use crate::output::print_json;

#[derive(Debug, Args)]
#[command(after_help = "Definitions:\n  \
time to detect     the bad release's (or its advisory's) publish time → incident opened\n  \
time to contain    opened → entered eradication (every affected version blocked)\n  \
time to eradicate  opened → entered recovery (no project resolves an affected version)\n  \
time to recover    opened → entered lessons-learned\n\n\
Examples:\n  ringfence metrics\n  ringfence metrics --since 90d --json\n  ringfence metrics --since 2026-01-01")]
pub struct MetricsArgs {
    /// Only incidents opened since: a date (`2026-01-01`) or an age (`30d`, `12w`).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct MetricsOutput {
    since: Option<String>,
    aggregate: Aggregate,
    incidents: Vec<IncidentMetrics>,
}

pub fn run(args: &MetricsArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let since = args.since.as_deref().map(parse_since).transpose()?;
    let rt = crate::runtime()?;
    let incidents = rt.block_on(async {
        let store = open_store(global).await?;
        let all = store.incidents(true).await;
        store.close().await;
        anyhow::Ok(all?)
    })?;
    let mut metrics: Vec<IncidentMetrics> = incidents
        .iter()
        .filter(|s| since.is_none_or(|t| s.incident.opened_at() >= t))
        .map(|s| IncidentMetrics::of(&s.incident))
        .collect();
    metrics.sort_by_key(|m| m.id);
    let aggregate = Aggregate::over(&metrics);
    if args.json {
        print_json(&MetricsOutput {
            since: args.since.clone(),
            aggregate,
            incidents: metrics,
        })?;
        return Ok(0);
    }
    let mut out = anstream::stdout().lock();
    let show = |v: Option<i64>| v.map(human).unwrap_or_else(|| "-".into());
    writeln!(
        out,
        "{:<8} {:<16} {:>9} {:>9} {:>9} {:>9}  title",
        "incident", "stage", "detect", "contain", "eradicate", "recover"
    )?;
    for m in &metrics {
        writeln!(
            out,
            "{:<8} {:<16} {:>9} {:>9} {:>9} {:>9}  {}",
            m.id.to_string(),
            m.stage.as_str(),
            show(m.get(Metric::TimeToDetect)),
            show(m.get(Metric::TimeToContain)),
            show(m.get(Metric::TimeToEradicate)),
            show(m.get(Metric::TimeToRecover)),
            m.title
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} over {} incidents{}:",
        "median / p90".bold(),
        aggregate.incidents,
        args.since
            .as_ref()
            .map(|s| format!(" since {s}"))
            .unwrap_or_default()
    )?;
    for metric in Metric::ALL {
        let s = aggregate.get(metric);
        writeln!(
            out,
            "  {:<18} {:>9} / {:<9} ({} incidents reached it)",
            metric.label(),
            show(s.median_secs),
            show(s.p90_secs),
            s.count
        )?;
    }
    Ok(0)
}

/// `2026-01-01` or `30d` / `12w` / `24h` ago.
fn parse_since(text: &str) -> anyhow::Result<OffsetDateTime> {
    let t = text.trim();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(date) = time::Date::parse(t, &format) {
        return Ok(date.midnight().assume_utc());
    }
    let (number, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = number.parse().map_err(|_| {
        anyhow::anyhow!("--since `{text}`: give a date (2026-01-01) or an age (30d, 12w, 24h)")
    })?;
    let span = match unit {
        "h" => time::Duration::hours(n),
        "d" => time::Duration::days(n),
        "w" => time::Duration::weeks(n),
        _ => anyhow::bail!("--since `{text}`: the age unit must be h, d or w"),
    };
    Ok(OffsetDateTime::now_utc() - span)
}

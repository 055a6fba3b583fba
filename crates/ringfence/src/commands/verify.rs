//! `ringfence verify bundle.tar`: checks an incident export offline, with nothing but the file.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use owo_colors::OwoColorize;
use ringfence_incident::bundle::{BundleLimits, verify_bundle};

use crate::output::print_json;

#[derive(Debug, Args)]
#[command(
    after_help = "Checks: the manifest lists every file with its SHA-256 and size; every evidence \
blob hashes to its name; the timeline's hash chain is unbroken; and the incident record is exactly \
what its timeline replays to.\n\nExit codes: 0 the bundle verifies, 1 it does not, 2 it cannot be read."
)]
pub struct VerifyArgs {
    /// The bundle written by `ringfence incident export`.
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &VerifyArgs) -> anyhow::Result<i32> {
    let file = std::fs::File::open(&args.bundle)
        .with_context(|| format!("cannot open {}", args.bundle.display()))?;
    let report = verify_bundle(std::io::BufReader::new(file), &BundleLimits::default())
        .with_context(|| {
            format!(
                "{} is not a readable incident bundle",
                args.bundle.display()
            )
        })?;
    if args.json {
        print_json(&report)?;
    } else {
        let mut out = anstream::stdout().lock();
        let clean = |s: &str| s.chars().filter(|c| !c.is_control()).collect::<String>();
        writeln!(
            out,
            "{}: {} exported {} by {}; {} timeline events, chain head {}; {} files, {} evidence",
            args.bundle.display(),
            clean(&report.incident),
            report.exported_at,
            clean(&report.exported_by),
            report.events,
            report.chain_head,
            report.files,
            report.evidence
        )?;
        writeln!(out, "manifest sha256 {}", report.manifest_sha256)?;
        for p in &report.problems {
            writeln!(out, "{} {p}", "problem:".red().bold())?;
        }
        if report.ok() {
            writeln!(
                out,
                "{}",
                "verified: the bundle is complete and untampered".green()
            )?;
        } else {
            writeln!(
                out,
                "{}",
                format!("NOT VERIFIED: {} problems", report.problems.len())
                    .red()
                    .bold()
            )?;
        }
    }
    Ok(if report.ok() { 0 } else { 1 })
}

//! `ringfence report INC-n`: the post-incident report, generated from the record. The report
//! is stored as evidence and its generation is a timeline event (the closing gate needs it).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use ringfence_incident::report::{ReportContext, ReportFormat, render};
use ringfence_incident::timeline::{sha256_hex, verify_chain};
use ringfence_incident::{Change, Event, IncidentId, Timestamp};

use crate::cli::GlobalArgs;
use crate::commands::db::open_store;
use crate::commands::incident::{actor, now};

#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  ringfence report INC-1                       # Markdown to stdout\n  \
ringfence report INC-1 --format html -o inc-1.html\n\n\
The report covers the summary, every timeline event, affected projects and their exposure, IOCs, \
evidence hashes, metrics, what was done in each stage, action items, and NIST SP 800-61's \
lessons-learned questions (pre-filled where the record answers them)."
)]
pub struct ReportArgs {
    #[arg(value_name = "INCIDENT")]
    pub id: IncidentId,
    /// `md` (Markdown) or `html` (one self-contained file).
    #[arg(long, short, default_value = "md", value_name = "FORMAT")]
    pub format: ReportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &ReportArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let rt = crate::runtime()?;
    let text = rt.block_on(async {
        let store = open_store(global).await?;
        let result = generate(&store, args, global).await;
        store.close().await;
        result
    })?;
    match &args.output {
        Some(path) => {
            crate::output::write_atomically(path, text.as_bytes())?;
            anstream::eprintln!(
                "wrote the {} report of {} to {} (sha256 {})",
                args.format,
                args.id,
                path.display(),
                sha256_hex(text.as_bytes())
            );
        }
        None => anstream::print!("{text}"),
    }
    Ok(0)
}

async fn generate(
    store: &ringfence_store::Store,
    args: &ReportArgs,
    global: &GlobalArgs,
) -> anyhow::Result<String> {
    let current = store.incident(args.id).await?;
    let timeline = store.timeline(args.id).await?;
    verify_chain(&args.id.to_string(), &timeline).with_context(|| {
        format!(
            "the timeline of {} does not verify; run `ringfence audit verify`",
            args.id
        )
    })?;
    let (who, at) = (actor(global), now());
    let blocked = store.blocklist().await?.iter().map(|e| e.spec()).collect();
    let ctx = ReportContext {
        generated_at: Timestamp(at),
        generated_by: who.clone(),
        blocked,
    };
    let text = render(&current.incident, &timeline, &ctx, args.format);
    let bytes = text.as_bytes();
    let sha256 = sha256_hex(bytes);
    let name = format!(
        "{}-report-{}.{}",
        args.id,
        current.incident.reports.len() + 1,
        args.format.extension()
    );
    let events = [
        Event::new(
            at,
            who.clone(),
            Change::EvidenceAdded {
                sha256: sha256.clone(),
                size: bytes.len() as u64,
                name,
                description: Some("post-incident report".into()),
            },
        ),
        Event::new(
            at,
            who,
            Change::ReportGenerated {
                sha256,
                format: args.format.as_str().to_string(),
            },
        ),
    ];
    store
        .append_with_blobs(args.id, current.version, &[bytes], &events)
        .await?;
    Ok(text)
}

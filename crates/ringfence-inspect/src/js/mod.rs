//! The JavaScript engine: one oxc parse, one semantic pass and one traversal per file; the
//! traversal (`visit`) records facts and data flows, and the rules in [`crate::rules`]
//! turn them into alerts.
//!
//! Contract with the rest of the crate:
//! `analyse_file(path, source, install_time) -> FileAnalysis`. Deterministic (alerts sorted by
//! id, evidence by position), bounded in time and stack on hostile input (see [`guard`]).
//!
//! Module map: [`guard`] (stack-depth pre-scan), `visit` (the traversal) over the state in
//! `collect`, `resolve` (what names and member chains denote, constant folding), `calls`
//! (what calls do), `flow` (data flow of expressions), `deferred` (flows evaluated on demand
//! at the end), [`known`] (the Node.js / library API tables), [`strings`] (literal
//! classification), [`taint`] (the flow graph), [`facts`], [`context`] (what rules see),
//! `lines` (positions and snippets).

mod calls;
mod collect;
pub mod context;
mod deferred;
pub mod facts;
mod flow;
pub mod guard;
pub mod known;
mod lines;
mod resolve;
pub mod strings;
pub mod taint;
mod visit;

use oxc_allocator::Allocator;
use oxc_ast_visit::Visit;
use oxc_parser::Parser;
use oxc_semantic::SemanticBuilder;
use oxc_span::SourceType;

use crate::alert::Alert;

use self::collect::Collector;
use self::context::{Ctx, Emitter};

/// What the engine found in one JS/TS file.
#[derive(Debug, Clone, Default)]
pub struct FileAnalysis {
    pub alerts: Vec<Alert>,
    /// Every URL, host or IP literal seen (IOC candidates), deduplicated.
    pub urls: Vec<String>,
    /// Set when the file did not parse; the caller raises `unanalysable` where it should parse.
    pub parse_error: Option<String>,
}

/// URLs kept per file in [`FileAnalysis::urls`].
const MAX_FILE_URLS: usize = 500;

/// Analyses one file. `install_time` is true when an install script runs this file: rules
/// weigh what it does more heavily.
pub fn analyse_file(path: &str, source: &str, install_time: bool) -> FileAnalysis {
    let shape = guard::scan(source.as_bytes());
    match guard::plan(shape) {
        guard::Plan::Inline => analyse(path, source, install_time, shape),
        guard::Plan::BigStack => std::thread::scope(|scope| {
            let worker = std::thread::Builder::new()
                .name("ringfence-js-deep".into())
                .stack_size(guard::BIG_STACK_BYTES)
                .spawn_scoped(scope, || analyse(path, source, install_time, shape));
            match worker {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|_| refused(path, "the analysis failed on this file")),
                Err(e) => refused(path, &format!("no thread for a deeply nested file: {e}")),
            }
        }),
        guard::Plan::Refuse { depth, chain } => refused(
            path,
            &format!(
                "nesting too deep to analyse safely (brackets {depth}, expression chain {chain}; limits {} and {})",
                guard::MAX_DEPTH,
                guard::MAX_CHAIN
            ),
        ),
    }
}

fn refused(path: &str, why: &str) -> FileAnalysis {
    FileAnalysis {
        alerts: Vec::new(),
        urls: Vec::new(),
        parse_error: Some(format!("{path}: {why}")),
    }
}

/// `.js` may hold JSX; `.ts`/`.mts`/`.cts` never do (`<T>x` is a cast there).
fn source_type(path: &str) -> SourceType {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "ts" | "mts" | "cts" => {
            SourceType::from_extension(&ext).unwrap_or_else(|_| SourceType::ts())
        }
        "tsx" => SourceType::tsx(),
        "mjs" => SourceType::mjs().with_jsx(true),
        "cjs" => SourceType::cjs().with_jsx(true),
        _ => SourceType::unambiguous().with_jsx(true),
    }
}

/// The semantic builder, with table sizes estimated from the pre-scan: without them it walks
/// the whole tree once just to count (the estimates only size allocations; tables still grow
/// if they are short).
fn semantic_builder<'a>(shape: guard::Depth) -> SemanticBuilder<'a> {
    let stats = oxc_semantic::Stats::new(
        shape.words.saturating_add(shape.chain),
        shape.braces.saturating_add(1),
        shape.words / 4,
        shape.words / 2,
    );
    SemanticBuilder::new().with_stats(stats)
}

/// Parses like Node.js does: CommonJS modules may `return` at top level. Files marked
/// `@flow` are read as TypeScript (the type syntax oxc knows), which covers most of them.
fn parse<'a>(
    allocator: &'a Allocator,
    path: &str,
    source: &'a str,
) -> oxc_parser::ParserReturn<'a> {
    let source_type = source_type(path);
    let options = oxc_parser::ParseOptions {
        allow_return_outside_function: !source_type.is_module(),
        ..oxc_parser::ParseOptions::default()
    };
    let parsed = Parser::new(allocator, source, source_type)
        .with_options(options)
        .parse();
    let flow = parsed
        .diagnostics
        .errors()
        .next()
        .is_some_and(|d| d.message.contains("Flow"));
    if flow {
        let ts = SourceType::tsx();
        let retry = Parser::new(allocator, source, ts)
            .with_options(oxc_parser::ParseOptions {
                allow_return_outside_function: true,
                ..options
            })
            .parse();
        if retry.diagnostics.errors().next().is_none() && !retry.panicked {
            return retry;
        }
    }
    parsed
}

fn analyse(path: &str, source: &str, install_time: bool, shape: guard::Depth) -> FileAnalysis {
    let allocator = Allocator::default();
    let parsed = parse(&allocator, path, source);
    let parse_error = parsed.diagnostics.errors().next().map(|d| {
        let offset = d.labels.first().map_or(0, |l| l.offset());
        let (line, column) = lines::Lines::new(source).position(offset);
        format!("{path}:{line}:{column}: {}", d.message)
    });
    let parse_error = if parse_error.is_none() && parsed.panicked {
        Some(format!("{path}: the parser gave up on this file"))
    } else {
        parse_error
    };
    // Without a clean parse, run the rules on what was recovered, names standing for
    // themselves (no semantic model).
    let semantic = if parse_error.is_none() {
        Some(semantic_builder(shape).build(&parsed.program))
    } else {
        None
    };
    let scoping = semantic.as_ref().map(|s| s.semantic.scoping());
    let mut collector = Collector::new(source, scoping);
    collector.visit_program(&parsed.program);
    let (facts, graph) = collector.finish();

    let ctx = Ctx::new(path, source, install_time, shape, &facts, &graph);
    let mut emitter = Emitter::new(path, source);
    for rule in crate::rules::JS_RULES {
        (rule.check)(&ctx, &mut emitter);
    }

    let mut urls: Vec<String> = facts.urls.iter().map(|h| h.what.text.clone()).collect();
    urls.sort();
    urls.dedup();
    urls.truncate(MAX_FILE_URLS);
    FileAnalysis {
        alerts: emitter.finish(),
        urls,
        parse_error,
    }
}

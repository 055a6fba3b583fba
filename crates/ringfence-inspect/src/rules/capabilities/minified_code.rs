//! ## What it does
//! Reports files that are minified or bundled (very long lines, little whitespace) outside
//! the places where built output is expected: not for `dist/`, `build/`, `umd/`, `bundle/`
//! directories or `*.min.js` / `*.bundle.js` names.
//!
//! ## Why is this bad?
//! A minified file where sources are expected cannot be reviewed by eye and is where
//! injected code hides (the compromised `chalk`/`debug` releases of September 2025 added
//! one long minified line to `index.js`).
//!
//! ## Example
//! `index.js` whose 40 kB sit on one line: minified-code. `dist/app.min.js`: not reported.
//!
//! ## Motivated by
//! The chalk/debug compromise (September 2025), event-stream's flatmap-stream (2018).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::guard::Depth;

/// Directory names and file-name parts that conventionally hold built output.
fn built_output_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let in_dir = lower.split('/').rev().skip(1).any(|d| {
        matches!(
            d,
            "dist"
                | "build"
                | "umd"
                | "bundle"
                | "bundles"
                | "cdn"
                | "browser"
                | "min"
                | "lib-dist"
                | "esm"
                | "cjs"
                | "out"
                | "vendor"
        )
    });
    in_dir
        || lower.contains(".min.")
        || lower.contains(".bundle.")
        || lower.contains("-min.")
        || lower.contains(".prod.")
}

/// Minified: long lines and little whitespace (from the pre-scan's counts of code).
pub fn looks_minified(source: &str, d: &Depth) -> bool {
    let bytes = source.len();
    if bytes < 2_000 {
        return false;
    }
    if d.longest_line < 1_000 {
        return false;
    }
    let average = bytes / d.lines.max(1) as usize;
    average >= 250 || {
        // Counted only for files with a long line (a loop that vectorises).
        let spaces = source.as_bytes().iter().filter(|&&b| b == b' ').count() + d.lines as usize;
        (spaces as f64) < 0.06 * bytes as f64
    }
}

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    if built_output_path(ctx.path) {
        return;
    }
    let d = ctx.shape;
    if looks_minified(ctx.source, &d) {
        out.report_file(
            AlertId::MinifiedCode,
            AlertSeverity::Low,
            format!(
                "{} bytes on {} lines (longest {} bytes) outside a build-output directory",
                ctx.source.len(),
                d.lines,
                d.longest_line
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::js::analyse_file;

    fn minified() -> String {
        "var a=function(b,c){return b+c};".repeat(200)
    }

    #[test]
    fn one_long_line_in_sources_fires_and_dist_does_not() {
        let src = minified();
        let a = analyse_file("index.js", &src, false);
        assert!(
            a.alerts.iter().any(|x| x.id == AlertId::MinifiedCode),
            "{:?}",
            a.alerts
        );
        let b = analyse_file("dist/index.js", &src, false);
        assert!(!b.alerts.iter().any(|x| x.id == AlertId::MinifiedCode));
        let c = analyse_file("lib/jquery.min.js", &src, false);
        assert!(!c.alerts.iter().any(|x| x.id == AlertId::MinifiedCode));
    }

    #[test]
    fn license_headers_and_multi_line_templates_are_not_long_lines() {
        let src = format!(
            "/*\n{}*/\nconst t = `\n{}`;\nfunction f() {{ return 1; }}\n",
            " * MIT licence text line\n".repeat(300),
            "text\n".repeat(300)
        );
        let a = analyse_file("index.js", &src, false);
        assert!(
            !a.alerts.iter().any(|x| x.id == AlertId::MinifiedCode),
            "{:?}",
            a.alerts
        );
    }

    #[test]
    fn ordinary_source_does_not() {
        let src = "function add(a, b) {\n  return a + b;\n}\n".repeat(200);
        let a = analyse_file("index.js", &src, false);
        assert!(!a.alerts.iter().any(|x| x.id == AlertId::MinifiedCode));
    }
}

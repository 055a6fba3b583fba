//! ## What it does
//! Fires on the fingerprints of javascript-obfuscator and similar tools: many `_0x1a2b`-style
//! identifiers, the string-array rotation loop (`arr.push(arr.shift())`) next to them, or
//! string literals written mostly as `\x`/`\u` escapes of plain ASCII. Minifiers (terser,
//! esbuild, UglifyJS) shorten names and strip whitespace but produce none of these. High at
//! run time, critical in code an install script runs.
//!
//! ## Why is this bad?
//! Open-source libraries have no secrets to protect from their users; obfuscation in a
//! package is there to hide what it does from review.
//!
//! ## Example
//! ```js
//! var _0x3f2a = ['\x68\x6f\x73\x74', …]; (function(_0x1b, _0x4c) { … _0x1b['push'](_0x1b['shift']()); })(_0x3f2a, 0x1a3);
//! ```
//! Benign look-alike: terser output (`function n(t,e){return t+e}`), escapes of non-ASCII
//! text (`"\u00e9"`).
//!
//! ## Motivated by
//! Shai-Hulud 2.0 (`bun_environment.js`), the coa/rc hijacks, the chalk/debug wallet drainer.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::{EvalKind, FsKind};

/// Distinct `_0x…` names from which a file counts as obfuscated.
const HEX_NAMES: usize = 20;
const ESCAPED_CHARS: u64 = 300;

/// What the obfuscated file can do: resolved calls, or API names in its string array.
fn reaches_something(ctx: &Ctx<'_>) -> Option<String> {
    let f = ctx.facts;
    let names = &f.stats.sensitive_names;
    if !names.is_empty() {
        let list: Vec<&str> = names.iter().copied().take(6).collect();
        return Some(format!("its strings name {}", list.join(", ")));
    }
    if !f.execs.is_empty() || !ctx.sends().is_empty() || !f.env_reads.is_empty() {
        return Some("it runs commands, reads the environment or uses the network".into());
    }
    if f.fs
        .iter()
        .any(|op| !matches!(op.kind, FsKind::Read | FsKind::ReadDir))
        || f.evals
            .iter()
            .any(|e| e.kind != EvalKind::ComputedModule && !e.constant)
    {
        return Some("it writes files or evaluates code".into());
    }
    None
}

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    let s = &ctx.facts.stats;
    let severity = super::by_stage(ctx.install_time, AlertSeverity::High);
    // Obfuscated code that touches nothing sensitive (a demo, a licence check on pure logic)
    // is left to the capability rules.
    let Some(reach) = reaches_something(ctx) else {
        return;
    };
    let hex = s.hex_names.len();
    if hex >= HEX_NAMES || (hex >= 5 && !s.rotations.is_empty()) {
        let span = s.first_hex_name.unwrap_or_default();
        let rotation = if s.rotations.is_empty() {
            ""
        } else {
            " and a string-array rotation loop"
        };
        out.report(
            AlertId::ObfuscatedCode,
            severity,
            span,
            format!("{hex} obfuscator-style `_0x…` identifiers{rotation}; {reach}"),
            Vec::new(),
        );
    }
    // Escaped ASCII: each `\xNN` is four source bytes for one character.
    if s.escaped_ascii >= ESCAPED_CHARS
        && s.escaped_literals >= 10
        && s.escaped_ascii * 4 * 3 >= s.literal_bytes
    {
        let span = s.first_escaped.unwrap_or_default();
        out.report(
            AlertId::ObfuscatedCode,
            severity,
            span,
            format!(
                "{} plain ASCII characters hidden as \\x/\\u escapes in {} literals; {reach}",
                s.escaped_ascii, s.escaped_literals
            ),
            Vec::new(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn obfuscator_output_fires() {
        let mut src = String::from(
            "var _0x5a1b = ['child_process', 'exec'];\n(function (_0x2d8f05, _0x4b81bb) { while (true) { _0x2d8f05['push'](_0x2d8f05['shift']()); if (--_0x4b81bb) break; } })(_0x5a1b, 0x1a3);\n",
        );
        for i in 0..6 {
            src.push_str(&format!("var _0x{:04x}a = _0x5a1b[{i}];\n", 0x1000 + i));
        }
        fires(&src, false, AlertId::ObfuscatedCode, AlertSeverity::High);
        let mut escaped: String = (0..40)
            .map(|_| "var s = '\\x68\\x74\\x74\\x70\\x73\\x3a\\x2f\\x2f\\x65\\x76';\n")
            .collect();
        escaped.push_str("var m = '\\x68\\x74\\x74\\x70\\x73';\n");
        fires(
            &escaped,
            true,
            AlertId::ObfuscatedCode,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn obfuscated_pure_logic_does_not() {
        let mut src = String::from(
            "var _0x5a1b = ['concat', 'forEach', 'keys'];\n(function (_0x2d8f05, _0x4b81bb) { while (true) { _0x2d8f05['push'](_0x2d8f05['shift']()); if (--_0x4b81bb) break; } })(_0x5a1b, 0x1a3);\n",
        );
        for i in 0..30 {
            src.push_str(&format!("var _0x{:04x}a = _0x5a1b[{i}];\n", 0x1000 + i));
        }
        silent(&src, false, AlertId::ObfuscatedCode);
    }

    #[test]
    fn minified_code_and_unicode_text_do_not() {
        silent(
            &"function n(t,e){return t+e}var r=n(1,2),o=[1,2,3].map(function(t){return t*r});"
                .repeat(100),
            false,
            AlertId::ObfuscatedCode,
        );
        silent(
            &"var s = '\\u00e9\\u00e8\\u4e2d\\u6587';\n".repeat(200),
            false,
            AlertId::ObfuscatedCode,
        );
    }
}

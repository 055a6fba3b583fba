//! ## What it does
//! Fires when `eval`, `Function`, `vm.run*`/`vm.Script` or `setTimeout("…")` runs a string
//! that was decoded at run time: `atob`, `Buffer.from(x, 'base64' | 'hex')`,
//! `String.fromCharCode` over arrays or XOR loops, `unescape`, `zlib` inflate,
//! `crypto.createDecipher*` — from a constant shipped in the code (a string of 16+ characters
//! or an array of 8+ elements), directly or through a local decoding function. Also
//! `module._compile` of such a payload, and `require`/`import()` of a module name decoded
//! that way.
//!
//! ## Why is this bad?
//! Decoding right before evaluating exists to keep the code out of sight of reviewers and
//! scanners. Bundlers evaluate constant strings (`Function('return this')`, webpack's
//! `eval` devtool with `//# sourceURL`); they do not decode them first.
//!
//! ## Example
//! ```js
//! eval(Buffer.from(payload, 'base64').toString());        // encoded-eval
//! eval("var x = 1;\n//# sourceURL=webpack://app/./x.js"); // not: constant code
//! ```
//!
//! ## Motivated by
//! flatmap-stream (AES-decrypted payload run with `module._compile`), node-ipc's
//! base64-wrapped payload, and the many typosquats that `eval(atob(…))`.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::EvalKind;
use crate::js::taint::Taint;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for ev in &ctx.facts.evals {
        // Decoding input the program was given (a source map, a data URI) and evaluating
        // part of it is what parsers do; decoding a constant shipped in the code is hiding.
        if !ctx.taint(&ev.arg).has(Taint::CONST_DECODED) {
            continue;
        }
        if ev.kind == EvalKind::ComputedModule {
            // No library spells a module name in base64 or hex except to hide it.
            out.report(
                AlertId::EncodedEval,
                AlertSeverity::Critical,
                ev.span,
                format!(
                    "`{}` loads a module whose name is decoded at run time",
                    ev.callee
                ),
                Vec::new(),
            );
        } else {
            out.report(
                AlertId::EncodedEval,
                AlertSeverity::Critical,
                ev.span,
                format!("`{}` evaluates a payload decoded at run time", ev.callee),
                Vec::new(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn decoded_payloads_fire() {
        fires(
            "const p = 'Y29uc29sZS5sb2coMSk=';\neval(Buffer.from(p, 'base64').toString());",
            false,
            AlertId::EncodedEval,
            AlertSeverity::Critical,
        );
        fires(
            "const blob = 'Y29uc29sZS5sb2coMSk=';\nconst s = atob(blob);\nconst run = new Function(s);\nrun();",
            false,
            AlertId::EncodedEval,
            AlertSeverity::Critical,
        );
        fires(
            "eval(String.fromCharCode(99, 111, 110, 115, 111, 108, 101, 46, 108, 111, 103));",
            false,
            AlertId::EncodedEval,
            AlertSeverity::Critical,
        );
        fires(
            "const blob = '\\x10\\x22\\x31\\x44\\x10\\x22\\x31\\x44\\x10\\x22\\x31\\x44\\x10\\x22\\x31\\x44';\nfunction d(a, k) { let o = ''; for (let i = 0; i < a.length; i++) o += String.fromCharCode(a.charCodeAt(i) ^ k); return o; }\neval(d(blob, 42));",
            false,
            AlertId::EncodedEval,
            AlertSeverity::Critical,
        );
        fires(
            "const data = 'a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6';\nconst c = require('crypto').createDecipheriv('aes-256-cbc', k, iv);\nlet code = c.update(data, 'hex', 'utf8') + c.final('utf8');\nrequire('vm').runInThisContext(code);",
            false,
            AlertId::EncodedEval,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn bundler_patterns_and_local_eval_do_not() {
        silent(
            "var g = Function('return this')();",
            false,
            AlertId::EncodedEval,
        );
        silent(
            "eval(\"var x = 1;\\n//# sourceURL=webpack://app/./x.js\");",
            false,
            AlertId::EncodedEval,
        );
        silent(
            "function eval(s) { return s; }\neval(atob(x));",
            false,
            AlertId::EncodedEval,
        );
        silent(
            "const img = Buffer.from(b64, 'base64'); fs.writeFileSync('a.png', img);",
            false,
            AlertId::EncodedEval,
        );
        // A byte-order mark is not a payload.
        silent(
            "const BOM = String.fromCharCode(65279);\nfunction strip(s) { return s.replace(BOM, ''); }\neval(strip(code));",
            false,
            AlertId::EncodedEval,
        );
        // A parser evaluating string tokens of code it was given (decoded from a data URI).
        silent(
            "function lex(code) { return tokens(code).map(t => (0, eval)(t)); }\nlex(Buffer.from(input, 'base64').toString());",
            false,
            AlertId::EncodedEval,
        );
    }
}

//! ## What it does
//! Reports code evaluated from strings built at run time: `eval` (also `window.eval`,
//! `globalThis['eval']`, `(0, eval)`), `Function`/`new Function`, `vm.runIn*Context`,
//! `vm.Script`, `setTimeout("code")`, and `require`/`import()` of a computed module name
//! (`require('ch' + 'ild_process')` — folded, but hidden on purpose). A local function named
//! `eval` is not `eval`; constant code (a bundler's `Function('return this')()`) is not built
//! at run time and is not reported.
//!
//! ## Why is this bad?
//! Dynamic code is how payloads hide from review; `encoded-eval` fires when what is evaluated
//! was decoded at run time.
//!
//! ## Example
//! ```js
//! eval(userSupplied);                  // dynamic-code
//! const g = Function('return this')(); // not: constant code
//! ```
//!
//! ## Motivated by
//! flatmap-stream (event-stream, 2018) and countless typosquats that `eval` a downloaded or
//! decoded string.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::EvalKind;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for e in &ctx.facts.evals {
        let what = match (e.kind, e.constant) {
            (EvalKind::ComputedModule, true) => {
                format!("`{}` of a module name assembled from pieces", e.callee)
            }
            (EvalKind::ComputedModule, false) => {
                format!("`{}` of a computed module name", e.callee)
            }
            (_, true) => continue,
            (_, false) => format!("`{}` evaluates code built at run time", e.callee),
        };
        out.report(
            AlertId::DynamicCode,
            AlertSeverity::Low,
            e.span,
            what,
            Vec::new(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn eval_function_vm_and_computed_require_fire() {
        fires("eval(x)", false, AlertId::DynamicCode, AlertSeverity::Low);
        fires(
            "window.eval(x)",
            false,
            AlertId::DynamicCode,
            AlertSeverity::Low,
        );
        fires(
            "globalThis['ev' + 'al'](x)",
            false,
            AlertId::DynamicCode,
            AlertSeverity::Low,
        );
        fires(
            "new Function('a', body)",
            false,
            AlertId::DynamicCode,
            AlertSeverity::Low,
        );
        fires(
            "require('vm').runInNewContext(code)",
            false,
            AlertId::DynamicCode,
            AlertSeverity::Low,
        );
        fires(
            "const cp = require('ch' + 'ild_process'); cp.exec('id');",
            false,
            AlertId::DynamicCode,
            AlertSeverity::Low,
        );
        fires(
            "require(name)",
            false,
            AlertId::DynamicCode,
            AlertSeverity::Low,
        );
    }

    #[test]
    fn local_eval_and_constant_code_do_not() {
        silent(
            "function eval(x) { return x; } eval(y);",
            false,
            AlertId::DynamicCode,
        );
        silent(
            "const g = Function('return this')();",
            false,
            AlertId::DynamicCode,
        );
        silent(
            "const require = (m) => m; require(name);",
            false,
            AlertId::DynamicCode,
        );
        silent("setTimeout(tick, 10);", false, AlertId::DynamicCode);
    }
}

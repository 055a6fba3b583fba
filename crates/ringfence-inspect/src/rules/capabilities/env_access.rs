//! ## What it does
//! Reports reads of `process.env` (also `process['env']`). Reading the whole object — passing
//! it around, serialising it, enumerating its keys — is reported at medium severity: it is
//! worth more than reading one named variable.
//!
//! ## Why is this bad?
//! CI and developer environments hold tokens (`NPM_TOKEN`, `GITHUB_TOKEN`, cloud keys). On
//! its own it is configuration; `env-exfiltration` fires when the environment reaches the
//! network.
//!
//! ## Example
//! ```js
//! const debug = process.env.DEBUG;               // env-access (low)
//! const all = JSON.stringify(process.env);       // env-access (medium)
//! ```
//!
//! ## Motivated by
//! eslint-scope 3.7.2 (2018) and the nx s1ngularity compromise (2025), which both started by
//! reading the environment.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for span in &ctx.facts.env_enumerated {
        out.report(
            AlertId::EnvAccess,
            AlertSeverity::Medium,
            *span,
            "serialises or enumerates the whole environment",
            Vec::new(),
        );
    }
    let mut whole_reported = false;
    for read in &ctx.facts.env_reads {
        if read.whole && !whole_reported {
            whole_reported = true;
            out.report(
                AlertId::EnvAccess,
                AlertSeverity::Low,
                read.span,
                "reads the whole environment object",
                Vec::new(),
            );
        }
    }
    if let Some(read) = ctx.facts.env_reads.iter().find(|r| !r.whole) {
        out.report(
            AlertId::EnvAccess,
            AlertSeverity::Low,
            read.span,
            "reads an environment variable",
            Vec::new(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{alert, fires, silent};

    #[test]
    fn whole_environment_is_worth_more() {
        let a = fires(
            "const s = JSON.stringify(process.env);",
            false,
            AlertId::EnvAccess,
            AlertSeverity::Medium,
        );
        assert_eq!(a.severity, AlertSeverity::Medium);
        let named =
            alert("const d = process.env.DEBUG;", false, AlertId::EnvAccess).expect("fires");
        assert_eq!(named.severity, AlertSeverity::Low);
    }

    #[test]
    fn a_local_process_is_not_the_global() {
        silent(
            "function f(process) { return process.env.X; }",
            false,
            AlertId::EnvAccess,
        );
    }
}

//! ## What it does
//! Fires on sabotage of the package's own users:
//! - a loop that never ends running when the module is loaded (top level or an IIFE there;
//!   no `break`, `return`, `throw`, `await` or `process.exit` inside);
//! - political payload text (Russia/Ukraine/Belarus/peace-not-war slogans, in English or
//!   Cyrillic) together with writes into the user's folders.
//!
//! ## Why is this bad?
//! A library that hangs or scribbles on its users' machines to make a point is sabotage,
//! whatever the point.
//!
//! ## Example
//! ```js
//! for (let i = 666; i < Infinity; i++) console.log('LIBERTY'.zalgo); // protestware
//! console.log('Stand with Ukraine');                                 // not: a banner
//! ```
//!
//! ## Motivated by
//! colors 1.4.44-liberty-2 and faker 6.6.6 (January 2022: endless loops and garbage output),
//! node-ipc's peacenotwar (March 2022: a message file on every Desktop).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::FsKind;
use crate::js::strings::Family;
use crate::js::taint::Taint;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for span in &ctx.facts.endless_loops {
        out.report(
            AlertId::Protestware,
            AlertSeverity::High,
            *span,
            "a loop that never ends runs when the module loads",
            Vec::new(),
        );
    }
    let Some(political) = ctx.first_string(Family::Political) else {
        return;
    };
    let writes_user_files = ctx.facts.fs.iter().any(|op| {
        op.kind == FsKind::Write && {
            let t = ctx.taint(&op.path);
            t.has(Taint::UNDER_HOME) || t.has(Taint::HOME_ROOT) || t.has(Taint::HOME_LISTING)
        }
    });
    if writes_user_files {
        out.report(
            AlertId::Protestware,
            AlertSeverity::High,
            political,
            "political message and writes into the user's folders",
            Vec::new(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn endless_loops_and_political_drops_fire() {
        fires(
            "for (let i = 666; i < Infinity; i++) { console.log('testing'.zalgo); }",
            false,
            AlertId::Protestware,
            AlertSeverity::High,
        );
        fires(
            "(function () { while (true) { spin(); } })();",
            false,
            AlertId::Protestware,
            AlertSeverity::High,
        );
        fires(
            "const fs = require('fs'), os = require('os'), path = require('path');\nfs.writeFileSync(path.join(os.homedir(), 'Desktop', 'WITH-LOVE-FROM-AMERICA.txt'), 'peacenotwar');",
            false,
            AlertId::Protestware,
            AlertSeverity::High,
        );
    }

    #[test]
    fn banners_and_loops_that_end_do_not() {
        silent(
            "console.log('Stand with Ukraine: https://donate.example');",
            true,
            AlertId::Protestware,
        );
        silent(
            "while (true) { const line = next(); if (!line) break; handle(line); }",
            false,
            AlertId::Protestware,
        );
        silent(
            "async function poll() { while (true) { await sleep(1000); tick(); } }",
            false,
            AlertId::Protestware,
        );
        silent(
            "function spin() { for (;;) { work(); } }",
            false,
            AlertId::Protestware,
        );
    }
}

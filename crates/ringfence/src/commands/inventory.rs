//! `ringfence inventory`: what the lockfiles resolve.

use std::io::Write;

use owo_colors::Style;
use serde_json::json;

use crate::cli::{GlobalArgs, InventoryArgs, InventoryFormat};
use crate::load::load;
use crate::output::table::{Table, plain, styled};
use crate::output::{cyclonedx, display_path, print_json};
use crate::report_problems;

pub fn run(args: &InventoryArgs, global: &GlobalArgs) -> anyhow::Result<i32> {
    let loaded = load(&args.paths, global.quiet);
    report_problems(&loaded.warnings, &loaded.errors);

    if args.sbom {
        let now = crate::now_rfc3339();
        let serial = format!("urn:uuid:{}", uuid::Uuid::new_v4());
        print_json(&cyclonedx::sbom(&loaded.lockfiles, &now, &serial))?;
    } else if args.format == InventoryFormat::Json {
        let lockfiles: Vec<_> = loaded
            .lockfiles
            .iter()
            .map(|l| {
                json!({
                    "path": display_path(&l.path),
                    "format": l.format,
                    "ecosystem": l.format.ecosystem(),
                    "project": l.project,
                    "packages": l.packages.iter().map(|p| {
                        let mut v = serde_json::to_value(p).unwrap_or_default();
                        v["purl"] = json!(p.purl());
                        v
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        print_json(&json!({ "lockfiles": lockfiles, "errors": loaded.errors }))?;
    } else {
        let mut out = anstream::stdout().lock();
        for lockfile in &loaded.lockfiles {
            writeln!(
                out,
                "{} ({}, {} packages)",
                display_path(&lockfile.path),
                lockfile.project,
                lockfile.packages.len()
            )?;
            let mut table = Table::new(&["package", "version", "scope", "via"]);
            let mut packages: Vec<_> = lockfile.packages.iter().collect();
            packages.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
            for p in packages {
                let scope = match (p.direct, p.dev, p.optional) {
                    (true, true, _) => "direct, dev",
                    (true, false, true) => "direct, optional",
                    (true, false, false) => "direct",
                    (false, true, _) => "dev",
                    (false, false, true) => "optional",
                    (false, false, false) => "",
                };
                let via = if p.path.len() > 1 {
                    p.path[..p.path.len() - 1].join(" → ")
                } else {
                    String::new()
                };
                table.row(vec![
                    plain(&p.name),
                    plain(&p.version),
                    plain(scope),
                    styled(via, Style::new().dimmed()),
                ]);
            }
            table.write(&mut out)?;
            writeln!(out)?;
        }
    }
    Ok(if loaded.errors.is_empty() { 0 } else { 2 })
}

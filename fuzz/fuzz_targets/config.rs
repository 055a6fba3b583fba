#![no_main]
//! Feeds arbitrary bytes, decoded lossily into text (`Config::load` reads the file as UTF-8),
//! as `ringfence.toml` to the configuration reader: it must return the configuration or every
//! error with a line and column inside the file, never panic, hang or overflow the stack.

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use ringfence_config::Config;
use time::macros::date;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let today = date!(2026 - 06 - 01);
    let lines = text.matches('\n').count() + 1;
    let check = |d: &ringfence_config::Diagnostic| {
        assert!(d.line >= 1 && d.line <= lines, "{d}");
        assert!(d.column >= 1, "{d}");
    };
    match Config::parse_at(&text, Path::new("ringfence.toml"), today) {
        Ok(loaded) => {
            loaded.warnings.iter().for_each(check);
            let _ = loaded.config.summary(today).to_string();
        }
        Err(err) => {
            assert!(!err.errors().is_empty(), "an invalid file names its errors");
            err.errors().iter().chain(err.warnings()).for_each(check);
            let _ = err.to_string();
        }
    }
});

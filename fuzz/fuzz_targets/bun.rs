#![no_main]
//! Feeds arbitrary bytes, decoded lossily into text (invalid UTF-8 never gets past
//! `read_lockfile`), to the bun parser: it must return Ok or Err, never panic,
//! hang or overflow the stack.

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use ringfence_lockfile::Format;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Format::Bun.parse(Path::new("fuzz"), &text);
});

#![no_main]
//! Feeds arbitrary bytes to the tarball reader (gzip or plain tar): it must return contents
//! with problems, never panic or hang, never keep more than the limits allow, and never yield
//! a path that climbs out of the package or starts at the filesystem root.

use libfuzzer_sys::fuzz_target;
use ringfence_inspect::archive::{Limits, read_tarball};

fuzz_target!(|data: &[u8]| {
    // Small limits so the fuzzer reaches them.
    let limits = Limits {
        max_total_bytes: 1 << 20,
        max_files: 64,
        max_file_bytes: 256 << 10,
        max_text_file_bytes: 64 << 10,
        binary_head_bytes: 1024,
        ratio_floor_bytes: 64 << 10,
        ..Limits::default()
    };
    let contents = read_tarball(data, &limits);
    assert!(contents.files.len() <= limits.max_files);
    assert!(contents.unpacked_bytes <= limits.max_total_bytes);
    for file in &contents.files {
        assert!(!file.path.is_empty());
        assert!(!file.path.starts_with('/'));
        assert!(file.path.split('/').all(|c| c != ".." && c != "." && !c.is_empty()));
        assert!(file.bytes.len() as u64 <= limits.max_text_file_bytes.max(limits.binary_head_bytes as u64));
    }
});

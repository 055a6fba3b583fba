//! Hostile input for every parser: a lockfile comes from the project being investigated,
//! which may be the attacker's. Whatever the bytes, `Format::parse` must return, Ok or an
//! error naming the file, quickly, without panicking or overflowing the stack.
//!
//! Each case runs on its own thread with a 2 MiB stack (what rayon and test threads get),
//! named after the case, so a stack overflow, which aborts the process, names its culprit.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ringfence_lockfile::{Format, read_lockfile};

/// The longest one parse of a small input may take in a debug build.
const BUDGET: Duration = Duration::from_secs(2);
/// The same for the inputs of tens of megabytes. A parser that is quadratic, or scans a
/// line once per character, takes hours on them; a linear one takes a few seconds in a
/// debug build, more on a machine busy with other builds, hence the slack.
const HUGE_BUDGET: Duration = Duration::from_secs(30);
const STACK: usize = 2 * 1024 * 1024;
const DEEP: usize = 200_000;

/// Parses `text` as `format` on a fresh thread and returns what went wrong, if anything.
fn check(format: Format, case: &str, path: &Path, text: &str, budget: Duration) -> Option<String> {
    let label = format!("{format:?} {case}");
    let thread = std::thread::Builder::new()
        .name(label.clone())
        .stack_size(STACK);
    let outcome = std::thread::scope(|scope| {
        let handle = thread
            .spawn_scoped(scope, || {
                let start = Instant::now();
                let result = format.parse(path, text);
                (result, start.elapsed())
            })
            .expect("spawn a parse thread");
        handle.join()
    });
    let (result, took) = match outcome {
        Ok(done) => done,
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            return Some(format!("{label}: panicked: {message}"));
        }
    };
    if took > budget {
        return Some(format!("{label}: took {took:?}, more than {budget:?}"));
    }
    if took > budget / 4 {
        eprintln!("slow: {label} took {took:?} of {budget:?}");
    }
    if let Err(err) = result {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if !err.to_string().contains(&*name) {
            return Some(format!("{label}: error does not name the file: {err}"));
        }
    }
    None
}

/// Runs every case against every format and fails with the whole list of problems.
fn check_all<'a>(cases: impl IntoIterator<Item = (String, &'a str)>, budget: Duration) -> usize {
    let mut failures = Vec::new();
    let mut count = 0;
    for (case, text) in cases {
        for format in Format::ALL {
            let path = Path::new("hostile").join(format.file_name());
            count += 1;
            failures.extend(check(format, &case, &path, text, budget));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} parses failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    count
}

/// Every conformance fixture with the format of its folder.
fn fixtures() -> Vec<(Format, PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let folders = [
        ("bun", Format::Bun),
        ("cargo", Format::Cargo),
        ("npm", Format::NpmPackageLock),
        ("pdm", Format::Pdm),
        ("pip", Format::Requirements),
        ("pipenv", Format::Pipfile),
        ("pnpm", Format::Pnpm),
        ("poetry", Format::Poetry),
        ("uv", Format::Uv),
        ("yarn", Format::Yarn),
    ];
    let mut out = Vec::new();
    for (folder, format) in folders {
        let mut stack = vec![root.join(folder)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixture folder") {
                let path = entry.expect("fixture entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if !path.to_string_lossy().ends_with(".expected.json") {
                    let bytes = std::fs::read(&path).expect("fixture");
                    out.push((format, path, String::from_utf8_lossy(&bytes).into_owned()));
                }
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    assert!(out.len() > 100, "fixtures missing: found {}", out.len());
    out
}

/// Marsaglia's xorshift64: a fixed seed makes every run mutate the same way.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that matter to the syntaxes we read.
const INTERESTING: &[u8] = b"{}[]()\"':,=@#\\\n\r\t -~^*\0\xff";

fn mutate(rng: &mut XorShift, original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 if at < bytes.len() => bytes[at] = rng.next() as u8,
            1 => bytes.insert(at, INTERESTING[rng.below(INTERESTING.len())]),
            2 if at < bytes.len() => {
                let end = (at + 1 + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 if at < bytes.len() => {
                let end = (at + 1 + rng.below(256)).min(bytes.len());
                let chunk = bytes[at..end].to_vec();
                bytes.splice(at..at, chunk);
            }
            _ => bytes.insert(at, b'\n'),
        }
    }
    bytes
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[test]
fn deeply_nested_structures_are_refused_not_recursed() {
    let open_close = |open: &str, middle: &str, close: &str| {
        format!("{}{middle}{}", open.repeat(DEEP), close.repeat(DEEP))
    };
    let json_arrays = open_close("[", "", "]");
    let json_objects = open_close("{\"a\":", "1", "}");
    let yaml_maps = open_close("{a: ", "1", "}");
    let yaml_block: String = (0..2_000)
        .map(|i| format!("{}a:\n", "  ".repeat(i)))
        .collect();
    let yaml_dashes = format!("{}a\n", "- ".repeat(DEEP));
    let toml_arrays = format!("a = {}", open_close("[", "", "]"));
    let toml_tables = format!("a = {}", open_close("{b = ", "1", "}"));
    let toml_dotted = format!("{} = 1\n", vec!["a"; DEEP].join("."));
    let toml_header = format!("[{}]\n", vec!["a"; DEEP].join("."));
    let payloads = [
        ("json arrays", json_arrays),
        ("json objects", json_objects),
        ("yaml flow maps", yaml_maps),
        ("yaml block maps", yaml_block),
        ("yaml sequences", yaml_dashes),
        ("toml arrays", toml_arrays),
        ("toml inline tables", toml_tables),
        ("toml dotted keys", toml_dotted),
        ("toml table header", toml_header),
    ];
    // The same payloads behind a plausible header, so a parser that checks the header
    // first still has to read them.
    let mut cases: Vec<(String, String)> = Vec::new();
    for (name, payload) in &payloads {
        let nested_json = payload.trim_start_matches("a = ");
        cases.push((name.to_string(), payload.clone()));
        cases.push((
            format!("{name} in a package-lock"),
            format!("{{\"lockfileVersion\": 3, \"packages\": {{\"\": {nested_json}}}}}"),
        ));
        cases.push((
            format!("{name} in a pnpm lock"),
            format!("lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {nested_json}\n"),
        ));
        cases.push((
            format!("{name} in a toml lock"),
            format!("version = 1\n\n[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = {nested_json}\n"),
        ));
    }
    let count = check_all(cases.iter().map(|(n, t)| (n.clone(), t.as_str())), BUDGET);
    assert_eq!(count, payloads.len() * 4 * Format::ALL.len());
}

#[test]
fn a_fifty_megabyte_line_is_read_in_time() {
    let plain = "a".repeat(50 * 1024 * 1024);
    let quoted = format!("{{\"name\": \"{}\"}}", &plain[..plain.len() - 12]);
    let pinned = format!("{}==1.0 --hash=sha256:{}", &plain[..1024], &plain[1024..]);
    let cases = [
        ("50 MB of one letter".to_string(), plain.as_str()),
        ("50 MB string in JSON".to_string(), quoted.as_str()),
        ("50 MB hash on a requirement".to_string(), pinned.as_str()),
    ];
    check_all(cases, HUGE_BUDGET);
}

#[test]
fn every_fixture_truncated_anywhere_is_handled() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (format, path, text) in fixtures() {
        let mut offsets: Vec<usize> = (0..20).map(|i| text.len() * i / 20).collect();
        offsets.push(text.len().saturating_sub(1));
        offsets.dedup();
        for at in offsets {
            let at = floor_char_boundary(&text, at);
            count += 1;
            let case = format!("{} cut at {at}", path.display());
            failures.extend(check(format, &case, &path, &text[..at], BUDGET));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn every_fixture_is_handled_by_every_format() {
    let mut failures = Vec::new();
    for (_, path, text) in fixtures() {
        for format in Format::ALL {
            let case = format!("{} read as {format}", path.display());
            failures.extend(check(format, &case, &path, &text, BUDGET));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn random_mutations_of_fixtures_are_handled() {
    let mut rng = XorShift(0x5eed_f00d_cafe_d00d);
    let mut failures = Vec::new();
    let mut count = 0;
    for (format, path, text) in fixtures() {
        for round in 0..12 {
            let mutated = mutate(&mut rng, text.as_bytes());
            let mutated = String::from_utf8_lossy(&mutated);
            count += 1;
            let case = format!("{} mutant {round}", path.display());
            failures.extend(check(format, &case, &path, &mutated, BUDGET));
        }
    }
    assert!(count > 1000, "only {count} mutants");
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn nul_bytes_surrogates_and_replacement_characters_are_handled() {
    let mut failures = Vec::new();
    for (format, path, text) in fixtures() {
        let with_nuls: String = text
            .char_indices()
            .flat_map(|(i, c)| if i % 7 == 0 { vec!['\0', c] } else { vec![c] })
            .collect();
        // What a lone UTF-16 surrogate (ED A0 80) becomes when the bytes are read lossily,
        // and the same surrogate written as a JSON escape inside the strings.
        let mut surrogate_bytes = Vec::with_capacity(text.len() * 2);
        for &b in text.as_bytes() {
            surrogate_bytes.push(b);
            if b == b'"' {
                surrogate_bytes.extend_from_slice(&[0xED, 0xA0, 0x80]);
            }
        }
        let lossy_surrogates = String::from_utf8_lossy(&surrogate_bytes).into_owned();
        let escaped_surrogates = text.replacen(": \"", ": \"\\ud800", 3);
        let with_bom = format!("\u{feff}{}", text.replace('a', "\u{fffd}"));
        let variants = [
            ("nuls", with_nuls),
            ("lossy surrogates", lossy_surrogates),
            ("escaped surrogates", escaped_surrogates),
            ("bom and replacement chars", with_bom),
        ];
        for (name, variant) in &variants {
            let case = format!("{} with {name}", path.display());
            failures.extend(check(format, &case, &path, variant, BUDGET));
        }
    }
    let nuls = "\0".repeat(100_000);
    let replacement = "\u{fffd}".repeat(100_000);
    let cases = [
        ("only NULs".to_string(), nuls.as_str()),
        ("only U+FFFD".to_string(), replacement.as_str()),
    ];
    check_all(cases, BUDGET);
    assert!(
        failures.is_empty(),
        "{} failed:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn invalid_utf8_is_an_error_naming_the_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    for format in Format::ALL {
        let path = dir.path().join(format.file_name());
        std::fs::write(&path, b"first line\nsecond line\nthird \xff\xfe line\n").expect("write");
        let err = read_lockfile(&path, format).expect_err("invalid UTF-8 must be refused");
        assert_eq!(err.file, path, "{format:?}");
        assert_eq!(err.line, Some(3), "{format:?}: {err}");
        let shown = err.to_string();
        assert!(
            shown.contains(&format!("{}:3", format.file_name())) && shown.contains("UTF-8"),
            "{format:?}: {shown}"
        );
    }
}

#[test]
fn the_mutator_changes_its_input_and_repeats_itself() {
    let input = b"{\"a\": [1, 2, 3]}".repeat(10);
    let first: Vec<Vec<u8>> = {
        let mut rng = XorShift(7);
        (0..50).map(|_| mutate(&mut rng, &input)).collect()
    };
    let again: Vec<Vec<u8>> = {
        let mut rng = XorShift(7);
        (0..50).map(|_| mutate(&mut rng, &input)).collect()
    };
    assert_eq!(first, again, "a fixed seed must give the same mutants");
    assert!(first.iter().filter(|m| **m != input).count() >= 45);
}

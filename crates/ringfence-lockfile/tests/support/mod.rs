//! Shared by the per-format tests: finding a package in a parse result, and timing for the
//! large-lockfile tests: the best of a few runs in this thread's CPU time
//! (from `/proc/thread-self/schedstat` where Linux has it), so a busy machine does not
//! decide the result.

#![allow(dead_code)] // each test binary uses a different part

use std::time::{Duration, Instant};

use ringfence_lockfile::{Package, Parsed};

/// The package called `name`; panics with the whole list when it is missing.
pub fn find<'a>(parsed: &'a Parsed, name: &str) -> &'a Package {
    parsed
        .packages
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} missing from {:?}", parsed.packages))
}

/// Runs `f` five times; returns its last result and the shortest time one run took.
pub fn best_of<T>(mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut best = Duration::MAX;
    let mut result = None;
    for _ in 0..5 {
        let (cpu, wall) = (thread_cpu_time(), Instant::now());
        let value = f();
        let took = match (cpu, thread_cpu_time()) {
            (Some(before), Some(after)) => after.saturating_sub(before),
            _ => wall.elapsed(),
        };
        best = best.min(took);
        // Dropping the previous run's result is not part of the timing.
        result = Some(value);
    }
    (result.expect("ran five times"), best)
}

/// Release builds must parse 10,000 packages well under 100 ms; unoptimised test builds
/// get slack.
pub fn budget() -> Duration {
    Duration::from_millis(if cfg!(debug_assertions) { 3_000 } else { 100 })
}

fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

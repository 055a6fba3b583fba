#![no_main]
//! Feeds arbitrary bytes as one OSV JSON record to the advisory parser, then matches the
//! versions the record itself names against it. Records come from public databases and
//! mirrors: parsing must return an advisory or an error, never panic, hang or overflow the
//! stack, and a parsed record must rebuild from the raw JSON a store keeps.

use libfuzzer_sys::fuzz_target;
use ringfence_advisory::{Advisory, AdvisoryIndex, parse_record};

fuzz_target!(|data: &[u8]| {
    let Ok(advisory) = parse_record(data, "fuzz.json") else {
        return;
    };
    let again =
        Advisory::from_raw_json(advisory.raw_json(), "fuzz.json").expect("raw JSON reparses");
    assert_eq!(again.id, advisory.id);
    assert_eq!(again.keys(), advisory.keys());

    // The versions the record names are the likeliest to reach every comparison.
    let mut queries = Vec::new();
    'records: for affected in &advisory.affected {
        let named = affected.versions.iter().map(String::as_str);
        let bounds = affected
            .ranges
            .iter()
            .flat_map(|r| r.events.iter().map(|e| e.version.as_str()));
        for version in named.chain(bounds).chain(["0.0.0", "1.0.0"]).take(16) {
            if queries.len() == 64 {
                break 'records;
            }
            queries.push((
                affected.ecosystem,
                affected.name.clone(),
                version.to_string(),
            ));
        }
    }
    let mut index = AdvisoryIndex::new();
    index.insert(advisory);
    for (ecosystem, name, version) in &queries {
        let _ = index.matches(*ecosystem, name, version);
    }
});

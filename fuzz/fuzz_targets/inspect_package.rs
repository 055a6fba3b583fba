#![no_main]
//! Feeds arbitrary bytes to the whole inspection of one package: the first byte picks whether
//! the rest is a package.json (up to a NUL; after it, `index.js`) or an install script wrapped
//! in a valid package.json, so the manifest reader, the shell reader and the report are all
//! reached. It must never panic, hang or overflow the stack, and its JSON must serialise.

use libfuzzer_sys::fuzz_target;
use ringfence_inspect::archive::PackageContents;
use ringfence_inspect::report::{InspectOptions, inspect};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let files = if mode % 2 == 0 {
        let (manifest, code) = match rest.iter().position(|b| *b == 0) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &[][..]),
        };
        vec![("package.json".to_string(), manifest.to_vec()), ("index.js".to_string(), code.to_vec())]
    } else {
        let script = String::from_utf8_lossy(rest);
        let manifest = serde_json::json!({ "name": "fuzz", "version": "1.0.0", "scripts": { "postinstall": script } });
        vec![("package.json".to_string(), manifest.to_string().into_bytes()), ("install.sh".to_string(), rest.to_vec())]
    };
    let contents = PackageContents::from_files(files);
    let report = inspect(&contents, &InspectOptions::default());
    let _ = serde_json::to_string(&report).expect("reports serialise");
});

//! Packages fetched and inspected during one playbook run, each at most once.

use std::collections::BTreeMap;

use ringfence_inspect::archive::{Limits, read_tarball};
use ringfence_inspect::report::InspectOptions;
use ringfence_inspect::{PackageReport, inspect};
use ringfence_registry::RegistryClient;

#[derive(Clone)]
pub struct Inspected {
    pub tarball: Vec<u8>,
    pub report: PackageReport,
}

#[derive(Default)]
pub struct Inspections {
    client: Option<Result<RegistryClient, String>>,
    done: BTreeMap<(String, String), Result<Inspected, String>>,
}

impl Inspections {
    /// The tarball and report of `name@version`, fetched from the registry in the user's npm
    /// configuration the first time it is asked for.
    pub fn get(&mut self, name: &str, version: &str) -> Result<&Inspected, String> {
        let key = (name.to_string(), version.to_string());
        if !self.done.contains_key(&key) {
            let client = self
                .client
                .get_or_insert_with(|| crate::npm::client().map_err(|e| format!("{e:#}")));
            let result = match client {
                Ok(c) => crate::npm::fetch_exact(c, name, version)
                    .map(|fetched| {
                        let contents = read_tarball(&fetched.tarball, &Limits::default());
                        let report = inspect(&contents, &InspectOptions::default());
                        Inspected {
                            tarball: fetched.tarball,
                            report,
                        }
                    })
                    .map_err(|e| format!("{e:#}")),
                Err(e) => Err(e.clone()),
            };
            self.done.insert(key.clone(), result);
        }
        match &self.done[&key] {
            Ok(i) => Ok(i),
            Err(e) => Err(e.clone()),
        }
    }
}

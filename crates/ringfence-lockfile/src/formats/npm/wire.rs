//! The top of a package-lock.json as serde reads it. Version 2 files carry both the
//! `packages` map and the old `dependencies` tree; the tree is skipped unread when
//! `packages` came first (as npm writes it), so such files are not decoded twice.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::packages::PackageWire;
use super::v1::DependencyV1Wire;

pub(super) struct LockWire {
    pub packages: Option<BTreeMap<String, PackageWire>>,
    pub dependencies: Option<BTreeMap<String, DependencyV1Wire>>,
}

impl<'de> Deserialize<'de> for LockWire {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(LockVisitor)
    }
}

struct LockVisitor;

impl<'de> Visitor<'de> for LockVisitor {
    type Value = LockWire;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a package-lock.json object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LockWire, A::Error> {
        let mut lock = LockWire {
            packages: None,
            dependencies: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "packages" => lock.packages = map.next_value()?,
                "dependencies" if lock.packages.is_none() => {
                    lock.dependencies = map.next_value()?
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(lock)
    }
}

/// The names of a dependency map (`{"name": "range"}`); the ranges are not needed because
/// npm records where each name was installed. `null` and `true` (old `requires`) are empty.
#[derive(Debug, Default)]
pub(crate) struct Names(pub Vec<String>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NamesVisitor)
    }
}

struct NamesVisitor;

impl<'de> Visitor<'de> for NamesVisitor {
    type Value = Names;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of dependency names")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Names, A::Error> {
        let mut names = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            names.push(name);
        }
        Ok(Names(names))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Names, E> {
        Ok(Names::default())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Names, E> {
        Ok(Names::default())
    }
}

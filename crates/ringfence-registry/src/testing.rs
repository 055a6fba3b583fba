//! A real npm registry for tests: [`FixtureRegistry`] serves packuments and tarballs over
//! HTTP on 127.0.0.1 (random port) from in-memory [`FixturePackage`]s or a directory of
//! `.tgz` files, computes the integrity hashes itself, logs every request (headers included,
//! to check where credentials went) and can inject failures: error statuses, slow answers,
//! dropped connections, and packuments that advertise the wrong integrity.
//!
//! Both ringfence's client and the real `npm` can be pointed at it. Enable the `testing`
//! feature from a `[dev-dependencies]` entry to use it in another crate's tests.

mod documents;
mod http;
mod package;
mod server;

pub use package::FixturePackage;
pub use server::{Fault, FixtureRegistry, FixtureRegistryBuilder, LoggedRequest};

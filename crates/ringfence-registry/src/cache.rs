//! Content-addressed tarball cache: `<root>/<algorithm>/<first two hex>/<hex digest>`. The key
//! is the integrity hash, so a hit is the right bytes by construction — and is hashed again
//! on read anyway, so a corrupted file is dropped rather than analysed. Files appear by
//! rename, so a crash leaves at most a stray temporary file, never half a tarball.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::RegistryError;
use crate::integrity::{Hash, Integrity};

#[derive(Debug, Clone)]
pub struct TarballCache {
    root: PathBuf,
}

impl TarballCache {
    /// A cache rooted at `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> TarballCache {
        TarballCache { root: root.into() }
    }

    /// `<user cache dir>/ringfence/tarballs`, where the platform has a cache directory.
    pub fn default_dir() -> Option<PathBuf> {
        Some(dirs::cache_dir()?.join("ringfence").join("tarballs"))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the tarball with this hash lives (whether or not it is cached).
    pub fn path_for(&self, hash: &Hash) -> PathBuf {
        let hex = hash.hex();
        self.root
            .join(hash.algorithm.name())
            .join(&hex[..2])
            .join(&hex)
    }

    /// The cached bytes matching `integrity`, verified. A file that no longer verifies, or
    /// is larger than `max_bytes`, is removed and reported as a miss.
    pub fn get(
        &self,
        integrity: &Integrity,
        max_bytes: u64,
    ) -> Result<Option<(Vec<u8>, Hash, PathBuf)>, RegistryError> {
        for hash in integrity.strongest() {
            let path = self.path_for(hash);
            let file = match fs::File::open(&path) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(cache_err(&path, e)),
            };
            let mut bytes = Vec::new();
            file.take(max_bytes + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| cache_err(&path, e))?;
            if bytes.len() as u64 <= max_bytes && Hash::compute(hash.algorithm, &bytes) == *hash {
                return Ok(Some((bytes, hash.clone(), path)));
            }
            fs::remove_file(&path).map_err(|e| cache_err(&path, e))?;
        }
        Ok(None)
    }

    /// Stores verified `bytes` under `hash`, atomically. Returns the final path.
    pub fn put(&self, hash: &Hash, bytes: &[u8]) -> Result<PathBuf, RegistryError> {
        let path = self.path_for(hash);
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir).map_err(|e| cache_err(dir, e))?;
        let temp = dir.join(temp_name());
        let written = (|| {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            fs::rename(&temp, &path)
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&temp);
            return Err(cache_err(&path, e));
        }
        Ok(path)
    }
}

/// Unique within this process (counter) and across processes (pid, clock).
fn temp_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(".tmp-{}-{n}-{nanos}", std::process::id())
}

fn cache_err(path: &Path, source: io::Error) -> RegistryError {
    RegistryError::Cache {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::Algorithm;

    #[test]
    fn put_get_and_self_healing() {
        let dir = tempfile::tempdir().unwrap();
        let cache = TarballCache::new(dir.path());
        let bytes = b"tarball bytes";
        let hash = Hash::compute(Algorithm::Sha512, bytes);
        let integrity = Integrity::parse(&hash.to_string()).unwrap();
        assert!(cache.get(&integrity, 1 << 20).unwrap().is_none());

        let path = cache.put(&hash, bytes).unwrap();
        assert!(path.starts_with(dir.path().join("sha512")));
        let (got, _, _) = cache.get(&integrity, 1 << 20).unwrap().unwrap();
        assert_eq!(got, bytes);
        // No temporary files are left next to the tarball.
        let siblings: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(siblings.len(), 1);

        // Too big for the caller's limit: dropped.
        assert!(cache.get(&integrity, 3).unwrap().is_none());
        assert!(!path.exists());

        cache.put(&hash, bytes).unwrap();
        fs::write(&path, b"corrupted").unwrap();
        assert!(cache.get(&integrity, 1 << 20).unwrap().is_none());
        assert!(!path.exists(), "a corrupted entry is removed");
    }
}

//! Subresource Integrity strings (`sha512-<base64>`, several allowed, space-separated) as
//! npm's `dist.integrity`, and the hex `dist.shasum` of older packuments. Verification uses
//! the strongest algorithm present, as SRI prescribes: a weak hash next to a strong one
//! proves nothing more.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// Hash algorithms, weakest first (the derived order is the strength order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha1 => "sha1",
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha384 => "sha384",
            Algorithm::Sha512 => "sha512",
        }
    }

    fn from_name(name: &str) -> Option<Algorithm> {
        match name.to_ascii_lowercase().as_str() {
            "sha1" => Some(Algorithm::Sha1),
            "sha256" => Some(Algorithm::Sha256),
            "sha384" => Some(Algorithm::Sha384),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }

    fn digest_len(self) -> usize {
        match self {
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
            Algorithm::Sha384 => 48,
            Algorithm::Sha512 => 64,
        }
    }
}

/// One digest with its algorithm. `Display` is the SRI form (`sha512-...`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hash {
    pub algorithm: Algorithm,
    pub digest: Vec<u8>,
}

impl Hash {
    pub fn compute(algorithm: Algorithm, bytes: &[u8]) -> Hash {
        let digest = match algorithm {
            Algorithm::Sha1 => Sha1::digest(bytes).to_vec(),
            Algorithm::Sha256 => Sha256::digest(bytes).to_vec(),
            Algorithm::Sha384 => Sha384::digest(bytes).to_vec(),
            Algorithm::Sha512 => Sha512::digest(bytes).to_vec(),
        };
        Hash { algorithm, digest }
    }

    /// Lowercase hex digest (file names in the cache).
    pub fn hex(&self) -> String {
        self.digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.algorithm.name(),
            STANDARD.encode(&self.digest)
        )
    }
}

/// A parsed integrity value: one or more hashes, never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integrity {
    hashes: Vec<Hash>,
}

impl Integrity {
    /// Parses an SRI string. Tokens with unknown algorithms or malformed digests are
    /// skipped, as SRI parsers do; at least one usable hash is required.
    pub fn parse(sri: &str) -> Result<Integrity, String> {
        let hashes: Vec<Hash> = sri
            .split_whitespace()
            .filter_map(|token| {
                let token = token.split_once('?').map_or(token, |(hash, _options)| hash);
                let (name, encoded) = token.split_once('-')?;
                let algorithm = Algorithm::from_name(name)?;
                let digest = STANDARD
                    .decode(encoded)
                    .or_else(|_| STANDARD_NO_PAD.decode(encoded))
                    .ok()?;
                (digest.len() == algorithm.digest_len()).then_some(Hash { algorithm, digest })
            })
            .collect();
        if hashes.is_empty() {
            let shown: String = sri.chars().take(120).collect();
            return Err(format!(
                "no usable sha1/sha256/sha384/sha512 hash in {shown:?}"
            ));
        }
        Ok(Integrity { hashes })
    }

    /// From a hex SHA-1 `shasum`.
    pub fn from_shasum(hex: &str) -> Result<Integrity, String> {
        let hex = hex.trim();
        let shown: String = hex.chars().take(80).collect();
        if hex.len() != 40 || !hex.is_ascii() {
            return Err(format!("shasum {shown:?} is not 40 hex digits"));
        }
        let digest = (0..40)
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| format!("shasum {shown:?} is not 40 hex digits"))?;
        Ok(Integrity {
            hashes: vec![Hash {
                algorithm: Algorithm::Sha1,
                digest,
            }],
        })
    }

    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The strongest algorithm present; only its hashes are checked.
    pub fn algorithm(&self) -> Algorithm {
        self.hashes
            .iter()
            .map(|h| h.algorithm)
            .max()
            .unwrap_or(Algorithm::Sha512)
    }

    /// The hashes of the strongest algorithm.
    pub fn strongest(&self) -> impl Iterator<Item = &Hash> {
        let algorithm = self.algorithm();
        self.hashes.iter().filter(move |h| h.algorithm == algorithm)
    }

    /// `Ok(expected hash that matched)`, or `Err(actual hash of the bytes)`.
    pub fn check(&self, bytes: &[u8]) -> Result<Hash, Hash> {
        let actual = Hash::compute(self.algorithm(), bytes);
        match self.strongest().find(|h| **h == actual) {
            Some(found) => Ok(found.clone()),
            None => Err(actual),
        }
    }
}

impl fmt::Display for Integrity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, hash) in self.hashes.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{hash}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_sri_and_shasum() {
        let bytes = b"hello tarball";
        let sri = Hash::compute(Algorithm::Sha512, bytes).to_string();
        let integrity = Integrity::parse(&sri).unwrap();
        assert_eq!(integrity.check(bytes).unwrap().to_string(), sri);
        let actual = integrity.check(b"other").unwrap_err();
        assert_ne!(actual.to_string(), sri);
        assert_eq!(actual.algorithm, Algorithm::Sha512);

        let shasum = Hash::compute(Algorithm::Sha1, bytes).hex();
        assert!(
            Integrity::from_shasum(&shasum)
                .unwrap()
                .check(bytes)
                .is_ok()
        );
        assert!(
            Integrity::from_shasum(&shasum.to_uppercase())
                .unwrap()
                .check(bytes)
                .is_ok()
        );
    }

    #[test]
    fn strongest_algorithm_decides() {
        let bytes = b"x";
        // A correct sha1 next to a wrong sha512 must fail: the sha512 is what counts.
        let wrong512 = Hash::compute(Algorithm::Sha512, b"y");
        let right1 = Hash::compute(Algorithm::Sha1, bytes);
        let integrity = Integrity::parse(&format!("{right1} {wrong512}?opt")).unwrap();
        assert_eq!(integrity.algorithm(), Algorithm::Sha512);
        assert!(integrity.check(bytes).is_err());
    }

    #[test]
    fn rejects_garbage() {
        assert!(Integrity::parse("").is_err());
        assert!(Integrity::parse("md5-AAAA").is_err());
        assert!(Integrity::parse("sha512-notbase64!!").is_err());
        assert!(
            Integrity::parse("sha512-AAAA").is_err(),
            "wrong digest length"
        );
        assert!(Integrity::from_shasum("xyz").is_err());
        assert!(Integrity::from_shasum(&"é".repeat(20)).is_err());
        assert!(Integrity::from_shasum(&"zz".repeat(20)).is_err());
    }
}

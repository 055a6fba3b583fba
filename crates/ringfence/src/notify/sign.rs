//! Signing webhook bodies with HMAC-SHA256 (RFC 2104 over SHA-256), so a receiver can tell a
//! notification from ringfence from a forged one.
//!
//! Every request carries two headers:
//!
//! - `X-Ringfence-Timestamp`: unix seconds at the moment of sending (each retry is signed
//!   afresh with its own time);
//! - `X-Ringfence-Signature`: `sha256=` and the lowercase hex HMAC-SHA256, keyed with the
//!   shared secret, of the string `<timestamp>.<body>` (the timestamp header's value, a dot,
//!   then the body bytes exactly as received).
//!
//! A receiver verifies by recomputing that HMAC with its copy of the secret, comparing it to
//! the header in constant time, and rejecting timestamps more than a few minutes from its own
//! clock (a captured request cannot be replayed later). Deliveries are at least once: the
//! `X-Ringfence-Delivery` header (the outbox id) lets a receiver drop a repeat.

use sha2::{Digest, Sha256};

pub const SIGNATURE_HEADER: &str = "X-Ringfence-Signature";
pub const TIMESTAMP_HEADER: &str = "X-Ringfence-Timestamp";

/// SHA-256 works on 64-byte blocks; RFC 2104 pads or hashes the key to that size.
const BLOCK: usize = 64;

/// HMAC-SHA256 of `message` under `key` (RFC 2104).
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block_key.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(block_key.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// The value of the signature header for a body sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut signed = Vec::with_capacity(body.len() + 21);
    signed.extend_from_slice(timestamp.to_string().as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    format!("sha256={}", hex(&hmac_sha256(secret, &signed)))
}

/// What a receiver does: true when `header` is the signature of `body` at `timestamp`.
/// Compares in constant time. (The freshness of `timestamp` is the receiver's to check.)
#[cfg_attr(not(test), allow(dead_code))]
pub fn verify(secret: &[u8], timestamp: i64, body: &[u8], header: &str) -> bool {
    let expected = signature(secret, timestamp, body);
    expected.len() == header.len()
        && expected
            .bytes()
            .zip(header.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 4231 section 4: test cases 1-4, 6 and 7 (5 truncates the output).
    #[test]
    fn rfc_4231_test_vectors() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 6] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                    .to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (i, (key, data, expected)) in cases.iter().enumerate() {
            assert_eq!(hex(&hmac_sha256(key, data)), *expected, "case {i}");
        }
    }

    /// Keys at the block boundary: 64 bytes are used as they are, 65 are hashed first.
    /// (Expected values from Python's `hmac` module.)
    #[test]
    fn keys_at_the_block_boundary() {
        assert_eq!(
            hex(&hmac_sha256(&[0x42; BLOCK], b"m")),
            "f1ae914dca1c21736c12bd901f5567e77ffeaa748cc053d7db96f4a75fc5c7d2"
        );
        assert_eq!(
            hex(&hmac_sha256(&[0x42; BLOCK + 1], b"m")),
            "af07e94574d0799d878e9501dedd1d266799b845b226045a5454d7254f3a6e15"
        );
    }

    #[test]
    fn the_signature_covers_timestamp_and_body() {
        let sig = signature(b"s3cret", 1_700_000_000, br#"{"event":"test"}"#);
        assert_eq!(
            sig,
            format!(
                "sha256={}",
                hex(&hmac_sha256(b"s3cret", br#"1700000000.{"event":"test"}"#))
            )
        );
        assert!(verify(
            b"s3cret",
            1_700_000_000,
            br#"{"event":"test"}"#,
            &sig
        ));
        assert!(!verify(
            b"s3cret",
            1_700_000_001,
            br#"{"event":"test"}"#,
            &sig
        ));
        assert!(!verify(
            b"s3cret",
            1_700_000_000,
            br#"{"event":"tesT"}"#,
            &sig
        ));
        assert!(!verify(
            b"other",
            1_700_000_000,
            br#"{"event":"test"}"#,
            &sig
        ));
        assert!(!verify(
            b"s3cret",
            1_700_000_000,
            br#"{"event":"test"}"#,
            &sig[..70]
        ));
    }
}

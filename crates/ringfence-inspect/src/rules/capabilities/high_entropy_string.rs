//! ## What it does
//! Reports long string literals that are encoded blobs: at least 200 characters of base64
//! (or a `data:` URI) with more than 5 bits of entropy per character, or hex with more than
//! 3.5.
//!
//! ## Why is this bad?
//! Capability only: fonts, images and WebAssembly are shipped this way. Encrypted or packed
//! payloads are too, and `encoded-eval` fires when one is decoded and evaluated.
//!
//! ## Example
//! `const payload = "UEsDBBQAAAAIA…"` (2 kB of base64): high-entropy-string.
//! `const text = "aaaaaaaa…"`: not (low entropy).
//!
//! ## Motivated by
//! flatmap-stream (AES-encrypted payload in a hex literal), the `coa`/`rc` hijacks (packed
//! loaders).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for span in &ctx.facts.stats.blobs {
        out.report(
            AlertId::HighEntropyString,
            AlertSeverity::Low,
            *span,
            format!("encoded blob of {} characters", span.size()),
            Vec::new(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn base64_blob_fires_and_repetitive_text_does_not() {
        let blob: String = (0..600u32)
            .map(|i| {
                char::from(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                        [(i * 37 % 64) as usize],
                )
            })
            .collect();
        fires(
            &format!("const p = '{blob}';"),
            false,
            AlertId::HighEntropyString,
            AlertSeverity::Low,
        );
        silent(
            &format!("const p = '{}';", "a".repeat(600)),
            false,
            AlertId::HighEntropyString,
        );
    }
}

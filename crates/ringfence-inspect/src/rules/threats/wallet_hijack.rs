//! ## What it does
//! Fires when a file both recognises crypto-wallet addresses — address regular expressions for
//! two or more chains (ETH, BTC, SOL, TRX, LTC…) or five or more hard-coded addresses — and
//! hooks the browser's traffic or wallet: replaces `fetch`, patches
//! `XMLHttpRequest.prototype.open/send`, or wraps `window.ethereum`.
//!
//! ## Why is this bad?
//! That combination exists to rewrite payment addresses in flight: the user signs a
//! transaction to the attacker's wallet.
//!
//! ## Example
//! ```js
//! const re = { eth: /\b0x[a-fA-F0-9]{40}\b/g, btc: /\b(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}\b/g };
//! const orig = window.fetch; window.fetch = async (...a) => swap(await orig(...a));
//! ```
//! Benign look-alikes: web3 libraries validating an address (`/^0x[0-9a-fA-F]{40}$/`) without
//! hooking anything; fetch polyfills and monitoring SDKs that patch `fetch` without any
//! address patterns.
//!
//! ## Motivated by
//! The chalk/debug/ansi-styles compromise (September 2025): 18 packages with a browser wallet
//! drainer.

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    let Some(hook) = ctx.facts.hooks.first() else {
        return;
    };
    let chains = ctx
        .facts
        .regexes
        .iter()
        .fold(0u8, |acc, r| acc | r.what.wallet_chains);
    let addresses = ctx.facts.stats.wallet_literals.len();
    if chains.count_ones() >= 2 || addresses >= 5 {
        out.report(
            AlertId::WalletHijack,
            AlertSeverity::Critical,
            hook.span,
            format!("hooks {:?} and matches wallet addresses ({} chain patterns, {addresses} hard-coded addresses)", hook.what, chains.count_ones()),
            Vec::new(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn address_patterns_with_a_fetch_hook_fire() {
        fires(
            "const eth = /\\b0x[a-fA-F0-9]{40}\\b/g, btc = /\\b(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}\\b/g;\nconst orig = window.fetch;\nwindow.fetch = async function (...a) { const r = await orig(...a); return swap(r, eth, btc); };",
            false,
            AlertId::WalletHijack,
            AlertSeverity::Critical,
        );
        fires(
            "const re = [/0x[a-fA-F0-9]{40}/, /T[A-Za-z1-9]{33}/];\nconst o = XMLHttpRequest.prototype.open;\nXMLHttpRequest.prototype.open = function () { return o.apply(this, arguments); };",
            false,
            AlertId::WalletHijack,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn validation_without_hooks_and_polyfills_without_patterns_do_not() {
        silent(
            "export const isAddress = (a) => /^0x[0-9a-fA-F]{40}$/.test(a) || /^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$/.test(a);",
            false,
            AlertId::WalletHijack,
        );
        silent(
            "if (!self.fetch) { self.fetch = polyfill; }",
            false,
            AlertId::WalletHijack,
        );
    }
}

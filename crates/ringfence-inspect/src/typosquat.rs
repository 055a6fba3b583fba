//! `typosquat`: names that imitate a popular package — one keystroke away (`lodashs`,
//! `electorn`), a separator away (`react_dom`), a scope away (`types-node` for `@types/node`, or a
//! popular name re-published under someone's scope), or the popular name with `-js`, `node-` or
//! `2` added. The list of popular names ships with the tool (`data/popular-npm.txt`, see its
//! README); a name on the list is never a typosquat.
//!
//! Candidates for an edit-distance match come from an index of character bigrams by name length:
//! a name within `k` edits of a popular name shares all but `3k` of its distinct bigrams (an edit
//! breaks at most two, a transposition three), so only the few names that share enough are
//! compared in full.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

const BUILTIN: &str = include_str!("../data/popular-npm.txt");
/// A popular name re-published under a scope is flagged only for this many top names.
const RESCOPED_TOP: u32 = 2_000;

/// How a name imitates the popular one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confusion {
    Case,
    Separator,
    /// `types-node` for `@types/node`.
    TypesScope,
    /// A popular unscoped name published under a scope: `@someone/react-router-dom`.
    Rescoped,
    Affix,
    Transposition,
    KeyboardSubstitution,
    Substitution,
    Insertion,
    Deletion,
    TwoEdits,
}

impl Confusion {
    pub fn describe(self) -> &'static str {
        match self {
            Confusion::Case => "differs only in letter case",
            Confusion::Separator => "differs only in `-`, `_` or `.` separators",
            Confusion::TypesScope => "drops the `@types/` scope",
            Confusion::Rescoped => "re-publishes the name under a scope",
            Confusion::Affix => "adds a prefix or suffix such as `-js`, `node-` or `2`",
            Confusion::Transposition => "swaps two adjacent characters",
            Confusion::KeyboardSubstitution => "replaces a character with its keyboard neighbour",
            Confusion::Substitution => "replaces one character",
            Confusion::Insertion => "adds one character",
            Confusion::Deletion => "drops one character",
            Confusion::TwoEdits => "is two edits away",
        }
    }
}

impl Confusion {
    /// Keystroke slips and separator games are strong signals; a popular name under a scope,
    /// an added `-js` or two edits also describe many legitimate forks and plugins.
    pub fn is_strong(self) -> bool {
        !matches!(
            self,
            Confusion::Rescoped | Confusion::Affix | Confusion::TwoEdits
        )
    }
}

/// A name that imitates `target`, the `rank`-th most downloaded package (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Typosquat {
    pub target: String,
    pub rank: usize,
    pub confusion: Confusion,
}

/// An index over a list of popular names, most popular first.
pub struct PopularNames {
    names: Vec<String>,
    exact: HashMap<String, u32>,
    /// Lower case, separators removed → best-ranked name.
    folded: HashMap<String, u32>,
    /// (bigram, name length) → names, so that only names of a plausible length are visited.
    bigrams: HashMap<u32, Vec<u32>>,
    /// Length of each name in characters, and how many distinct bigrams it has.
    lens: Vec<usize>,
    gram_counts: Vec<usize>,
}

/// The built-in list of the 10,000 most-downloaded npm packages.
pub fn builtin() -> &'static PopularNames {
    static NAMES: OnceLock<PopularNames> = OnceLock::new();
    NAMES.get_or_init(|| PopularNames::new(BUILTIN.lines()))
}

/// Checks `name` against the built-in list.
pub fn check(name: &str) -> Option<Typosquat> {
    builtin().check(name)
}

impl PopularNames {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> PopularNames {
        let mut index = PopularNames {
            names: Vec::new(),
            exact: HashMap::new(),
            folded: HashMap::new(),
            bigrams: HashMap::new(),
            lens: Vec::new(),
            gram_counts: Vec::new(),
        };
        for name in names
            .into_iter()
            .map(str::trim)
            .filter(|n| !n.is_empty() && !n.starts_with('#'))
        {
            if index.exact.contains_key(name) {
                continue;
            }
            let id = index.names.len() as u32;
            index.exact.insert(name.to_string(), id);
            index.folded.entry(fold(name)).or_insert(id);
            index.lens.push(name.chars().count());
            let grams = bigrams(name);
            for g in &grams {
                index
                    .bigrams
                    .entry(posting_key(*g, name.chars().count()))
                    .or_default()
                    .push(id);
            }
            index.gram_counts.push(grams.len());
            index.names.push(name.to_string());
        }
        index
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.exact.contains_key(name)
    }

    /// The most popular package `name` imitates, if any.
    pub fn check(&self, name: &str) -> Option<Typosquat> {
        let name = name.trim();
        if name.is_empty() || name.len() > 214 || self.contains(name) {
            return None;
        }
        let mut best: Option<(u32, Confusion)> = None;
        let mut consider = |id: Option<u32>, confusion: Confusion| {
            if let Some(id) = id
                && best.is_none_or(|(b, _)| id < b)
            {
                best = Some((id, confusion));
            }
        };
        let lower = name.to_ascii_lowercase();
        consider(self.exact.get(&lower).copied(), Confusion::Case);
        consider(
            self.folded
                .get(&fold(name))
                .copied()
                .filter(|id| self.names[*id as usize] != name),
            Confusion::Separator,
        );
        for (candidate, confusion) in scope_variants(name) {
            // Forks under a scope are common (`@someone/lru-cache`): only long names of the
            // most popular packages count.
            let id = self.long_enough(&candidate).filter(|id| {
                confusion != Confusion::Rescoped || (*id < RESCOPED_TOP && candidate.len() >= 8)
            });
            consider(id, confusion);
        }
        for candidate in affix_variants(name) {
            consider(self.long_enough(&candidate), Confusion::Affix);
        }
        let bound = best.map_or(u32::MAX, |(id, _)| id);
        if let Some((id, confusion)) = self.nearest(name, bound) {
            best = Some((id, confusion));
        }
        best.map(|(id, confusion)| Typosquat {
            target: self.names[id as usize].clone(),
            rank: id as usize + 1,
            confusion,
        })
    }

    /// Short popular names (`ms`, `qs`) have too many look-alikes to call any one a typosquat.
    fn long_enough(&self, name: &str) -> Option<u32> {
        let base = name.rsplit('/').next().unwrap_or(name);
        self.exact.get(name).copied().filter(|_| base.len() >= 4)
    }

    /// The best-ranked popular name within the allowed edit distance that ranks better than
    /// `bound` (a match already found by another rule).
    fn nearest(&self, name: &str, bound: u32) -> Option<(u32, Confusion)> {
        let len = name.chars().count();
        // Scoped names are judged by their base name: `@nx/nest` is not far from `@nx/jest`
        // just because both start with `@nx/`.
        let base_len = name.rsplit('/').next().unwrap_or(name).chars().count();
        let k = match base_len {
            0..=3 => return None,
            4..=13 => 1,
            _ => 2,
        };
        // A name within `k` edits keeps all but 3k of this name's distinct bigrams (an edit
        // breaks at most two, a transposition three): count shared bigrams over the names of a
        // plausible length, and compare in full only those that share enough.
        let own = bigrams(name);
        let mut counts = vec![0u8; self.names.len()];
        let mut touched: Vec<u32> = Vec::new();
        for g in &own {
            for l in len.saturating_sub(k)..=len + k {
                for &id in self
                    .bigrams
                    .get(&posting_key(*g, l))
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                {
                    let count = &mut counts[id as usize];
                    if *count == 0 {
                        touched.push(id);
                    }
                    *count = count.saturating_add(1);
                }
            }
        }
        touched.retain(|id| {
            let needed = own
                .len()
                .max(self.gram_counts[*id as usize])
                .saturating_sub(3 * k);
            *id < bound && usize::from(counts[*id as usize]) >= needed
        });
        touched.sort_unstable();
        for id in touched {
            let target = &self.names[id as usize];
            let target_len = self.lens[id as usize];
            if target_len < 4 {
                continue;
            }
            let Some(distance) = osa_distance(name, target, k) else {
                continue;
            };
            // Two edits only when both names are long; `uuidv4`/`uuidv7` are versions, not typos;
            // `rollup-plugin-x` and `@rollup/plugin-x` are the old and new name of one package.
            if (distance == 2 && target_len < 14)
                || digits_only_differ(name, target)
                || fold_scope(name) == fold_scope(target)
            {
                continue;
            }
            let confusion = classify(name, target, distance);
            // Four-letter names: only the slips people actually make.
            if base_len == 4
                && !matches!(
                    confusion,
                    Confusion::Transposition | Confusion::KeyboardSubstitution
                )
            {
                continue;
            }
            return Some((id, confusion));
        }
        None
    }
}

/// Lower case without separators: `react_dom`, `react.dom`, `reactdom` → `reactdom`.
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn bigrams(name: &str) -> Vec<u16> {
    let bytes: Vec<u8> = std::iter::once(2u8)
        .chain(name.bytes())
        .chain(std::iter::once(3u8))
        .collect();
    let mut out: Vec<u16> = bytes
        .windows(2)
        .map(|w| u16::from(w[0]) << 8 | u16::from(w[1]))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn posting_key(gram: u16, len: usize) -> u32 {
    u32::from(gram) << 8 | len.min(255) as u32
}

/// `@scope/lodash` → `lodash`; `types-node` → `@types/node`.
fn scope_variants(name: &str) -> Vec<(String, Confusion)> {
    if let Some((scope, base)) = name.strip_prefix('@').and_then(|s| s.split_once('/')) {
        // DefinitelyTyped's scope only holds types for the package of that name.
        return if scope == "types" {
            Vec::new()
        } else {
            vec![(base.to_string(), Confusion::Rescoped)]
        };
    }
    ["types-", "types.", "types_", "types"]
        .iter()
        .filter_map(|prefix| name.strip_prefix(prefix).filter(|r| !r.is_empty()))
        .map(|rest| (format!("@types/{rest}"), Confusion::TypesScope))
        .collect()
}

/// Lower case without separators or scope punctuation.
fn fold_scope(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | '@' | '/'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// True when the only characters that differ are digits (`store`/`store2`, `bip32`/`bip39`).
fn digits_only_differ(a: &str, b: &str) -> bool {
    let prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a.as_bytes()[prefix..], &b.as_bytes()[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    !(a.is_empty() && b.is_empty()) && a.iter().chain(b).all(u8::is_ascii_digit)
}

/// `lodash-js`, `node-lodash`, `lodash2` → `lodash`.
fn affix_variants(name: &str) -> Vec<String> {
    if name.starts_with('@') {
        return Vec::new();
    }
    const PREFIXES: [&str; 3] = ["node-", "nodejs-", "js-"];
    const SUFFIXES: [&str; 11] = [
        "-js",
        ".js",
        "js",
        "-node",
        "-nodejs",
        "2",
        "-2",
        "-lib",
        "-latest",
        "-official",
        "-dev",
    ];
    let mut out: Vec<String> = PREFIXES
        .iter()
        .filter_map(|p| name.strip_prefix(p))
        .map(str::to_string)
        .collect();
    out.extend(
        SUFFIXES
            .iter()
            .filter_map(|s| name.strip_suffix(s))
            .map(str::to_string),
    );
    out.retain(|s| !s.is_empty());
    out
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions) over bytes, or
/// `None` when it exceeds `max`. Banded: only cells within `max` of the diagonal are computed,
/// on the stack (npm names are at most 214 bytes; longer inputs are never within reach).
pub fn osa_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    const WIDTH: usize = 258;
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (n, m) = (a.len(), b.len());
    let max = max.min(250);
    if n.abs_diff(m) > max || n >= WIDTH - 1 || m >= WIDTH - 1 {
        return None;
    }
    let inf = (max + 1) as u8;
    let clamp = |d: usize| d.min(max + 1) as u8;
    let mut rows = [[inf; WIDTH]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(m + 1) {
        *cell = clamp(j);
    }
    for i in 1..=n {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        let lo = i.saturating_sub(max).max(1);
        let hi = (i + max).min(m);
        rows[cur][lo - 1] = if lo == 1 { clamp(i) } else { inf };
        let mut row_min = rows[cur][lo - 1];
        for j in lo..=hi {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[prev2][j - 2] + 1);
            }
            rows[cur][j] = d.min(inf);
            row_min = row_min.min(rows[cur][j]);
        }
        if hi < m {
            rows[cur][hi + 1] = inf;
        }
        if usize::from(row_min) > max {
            return None;
        }
    }
    let d = usize::from(rows[n % 3][m]);
    (d <= max).then_some(d)
}

fn classify(name: &str, target: &str, distance: usize) -> Confusion {
    if distance >= 2 {
        return Confusion::TwoEdits;
    }
    let a: Vec<char> = name.chars().collect();
    let b: Vec<char> = target.chars().collect();
    if a.len() > b.len() {
        return Confusion::Insertion;
    }
    if a.len() < b.len() {
        return Confusion::Deletion;
    }
    let diff: Vec<usize> = (0..a.len()).filter(|i| a[*i] != b[*i]).collect();
    match diff.as_slice() {
        [i] if keyboard_neighbours(a[*i], b[*i]) => Confusion::KeyboardSubstitution,
        [_] => Confusion::Substitution,
        _ => Confusion::Transposition,
    }
}

/// Neighbours on a QWERTY keyboard (rows staggered as on a real one).
fn keyboard_neighbours(a: char, b: char) -> bool {
    const ROWS: [(&str, f32); 4] = [
        ("1234567890-", 0.0),
        ("qwertyuiop", 0.5),
        ("asdfghjkl", 0.75),
        ("zxcvbnm", 1.25),
    ];
    let position = |c: char| {
        ROWS.iter().enumerate().find_map(|(row, (keys, offset))| {
            keys.find(c.to_ascii_lowercase())
                .map(|col| (row as f32, col as f32 + offset))
        })
    };
    match (position(a), position(b)) {
        (Some((ra, ca)), Some((rb, cb))) => {
            (ra - rb).abs() <= 1.0 && (ca - cb).abs() <= 1.0 && a != b
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;

//! Stack-depth guard. oxc's parser, its semantic builder and every AST visitor recurse once per
//! nesting level, so hostile input (`((((…` ten thousand deep, a 100,000-term `a+a+…` chain)
//! would overflow a 2 MiB worker stack and abort the whole process. Before parsing, one cheap
//! byte scan estimates how deep the tree can get; shallow files (nearly all) are analysed on the
//! caller's stack, deeper ones on a dedicated thread with a large stack, and absurd ones are
//! refused with a parse error (the caller reports them as unanalysable).

/// How to run the analysis of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Shallow: run on the current thread.
    Inline,
    /// Deep but bounded: run on a thread with [`BIG_STACK_BYTES`] of stack.
    BigStack,
    /// Deeper than any real program: refuse.
    Refuse { depth: u32, chain: u32 },
}

/// Stack reserved (not committed) for deep files.
pub const BIG_STACK_BYTES: usize = 256 << 20;

/// Bracket nesting (`(`, `[`, `{`, `${`) beyond which a file is refused.
pub const MAX_DEPTH: u32 = 1_000;
/// Estimated expression-chain depth beyond which a file is refused.
pub const MAX_CHAIN: u32 = 100_000;

// Measured with the probe in the crate's history: about 1.5 KiB of stack per bracket level in
// release builds (4 KiB unoptimised) and 150 B (2 KiB) per link of an operator chain.
#[cfg(debug_assertions)]
const INLINE_DEPTH: u32 = 48;
#[cfg(not(debug_assertions))]
const INLINE_DEPTH: u32 = 160;
#[cfg(debug_assertions)]
const INLINE_CHAIN: u32 = 160;
#[cfg(not(debug_assertions))]
const INLINE_CHAIN: u32 = 1_200;

/// The result of the pre-scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Depth {
    /// Deepest bracket nesting.
    pub brackets: u32,
    /// Deepest estimated tree depth: brackets plus the operator/word chains at every open level.
    pub chain: u32,
    /// Text shape, for the minified-code rule (code lines: comments and template text count
    /// as line breaks, not as long lines).
    pub lines: u32,
    pub longest_line: u32,
    /// Words (identifiers, keywords, numbers) and `{` in code: estimates that size the
    /// semantic model's tables up front, sparing it a counting pass over the tree.
    pub words: u32,
    pub braces: u32,
}

impl Depth {
    /// Line ends between `from` and `to` (skipped text): counts them and restarts the line.
    fn skipped(&mut self, src: &[u8], from: usize, to: usize, line_start: &mut usize) {
        let Some(part) = src.get(from..to) else {
            return;
        };
        if let Some(first) = memchr::memchr(b'\n', part) {
            self.longest_line = self
                .longest_line
                .max(u32::try_from(from + first - *line_start).unwrap_or(u32::MAX));
            self.lines +=
                u32::try_from(memchr::memchr_iter(b'\n', part).count()).unwrap_or(u32::MAX);
            if let Some(last) = memchr::memrchr(b'\n', part) {
                *line_start = from + last + 1;
            }
        }
    }
}

pub fn plan(depth: Depth) -> Plan {
    if depth.brackets > MAX_DEPTH || depth.chain > MAX_CHAIN {
        Plan::Refuse {
            depth: depth.brackets,
            chain: depth.chain,
        }
    } else if depth.brackets <= INLINE_DEPTH && depth.chain <= INLINE_CHAIN {
        Plan::Inline
    } else {
        Plan::BigStack
    }
}

/// Bytes that can change the nesting or end a run: everything else (identifiers, spaces,
/// operators) is skipped by the scanner's inner loop without bookkeeping.
static EVENT: [bool; 256] = {
    let mut t = [false; 256];
    let events = b"()[]{},;'\"`/\n";
    let mut i = 0;
    while i < events.len() {
        t[events[i] as usize] = true;
        i += 1;
    }
    t
};

/// One open bracket level.
#[derive(Clone, Copy)]
struct Level {
    /// Where the current run of this level started (its opening, or its last `,`/`;`/line
    /// break), shifted forward past skipped strings, comments and closed inner levels.
    start: usize,
    /// Where the bracket opening this level is.
    open: usize,
    /// The parent's run when this level opened (frozen while inside).
    parent_run: usize,
    /// Opened by `${` inside a template literal.
    template: bool,
}

/// One pass over the bytes. The chain estimate counts *bytes* of code (not tokens) since the
/// last `,` `;` or statement-ending line break at every open level, plus the depth: an upper
/// bound on the depth of operator chains (`a+b+…`, `!!…`, `a.b.c…`, `else if…`), since every
/// link takes at least one byte. Strings, comments, regular expressions and template text are
/// skipped. Over-estimates only move a file to the big-stack thread.
pub fn scan(src: &[u8]) -> Depth {
    let n = src.len();
    let mut best = Depth {
        lines: 1,
        ..Depth::default()
    };
    let mut stack: Vec<Level> = vec![Level {
        start: 0,
        open: 0,
        parent_run: 0,
        template: false,
    }];
    // Sum of the frozen runs of the levels below the current one: the chain at `pos` is
    // `frozen + (pos - top.start) + depth`.
    let mut frozen: usize = 0;
    let mut i = 0;
    let mut line_start = 0usize;
    let mut in_template = false;
    // The last significant byte of code before `seg_start` (events set it; comments and line
    // breaks do not), and where the bytes not yet looked at begin.
    let mut sig: u8 = b';';
    let mut seg_start = 0usize;
    macro_rules! top_run {
        ($pos:expr) => {
            stack
                .last()
                .map_or(0, |t| ($pos as usize).saturating_sub(t.start))
        };
    }
    macro_rules! chain_at {
        ($pos:expr) => {{
            let c = frozen + top_run!($pos) + (stack.len() - 1);
            let c = u32::try_from(c).unwrap_or(u32::MAX);
            if c > best.chain {
                best.chain = c;
            }
        }};
    }
    macro_rules! reset_run {
        ($pos:expr) => {{
            if let Some(top) = stack.last_mut() {
                top.start = $pos;
            }
        }};
    }
    // Skipped text does not count towards the current run.
    macro_rules! skip_run {
        ($len:expr) => {{
            if let Some(top) = stack.last_mut() {
                top.start += $len;
            }
        }};
    }
    macro_rules! open_level {
        ($open:expr, $start:expr, $template:expr) => {{
            let run = top_run!($open);
            frozen += run;
            stack.push(Level {
                start: $start,
                open: $open,
                parent_run: run,
                template: $template,
            });
            best.brackets = best.brackets.max((stack.len() - 1) as u32);
        }};
    }
    while i < n {
        if in_template {
            // Template text: up to the closing backtick or the next `${`.
            let from = i;
            let mut opened = false;
            loop {
                i = memchr::memchr3(b'\\', b'`', b'$', &src[i..]).map_or(n, |p| i + p);
                if i >= n {
                    break;
                }
                match src[i] {
                    b'\\' => i = (i + 2).min(n),
                    b'`' => {
                        in_template = false;
                        i += 1;
                        break;
                    }
                    b'$' if i + 1 < n && src[i + 1] == b'{' => {
                        in_template = false;
                        opened = true;
                        i += 2;
                        break;
                    }
                    _ => i += 1,
                }
            }
            let end = i.min(n);
            skip_run!(end - from);
            best.skipped(src, from, end, &mut line_start);
            sig = if opened { b'(' } else { b'"' };
            seg_start = end;
            if opened {
                chain_at!(end);
                open_level!(end - 2, end, true);
            }
            i = end;
            continue;
        }
        // The inner loop: skip bytes that are not events.
        while i < n && !EVENT[src[i] as usize] {
            i += 1;
        }
        if i >= n {
            break;
        }
        let b = src[i];
        // The significant byte just before this event, looking only at code.
        let prev = src[seg_start..i]
            .iter()
            .rev()
            .find(|c| !c.is_ascii_whitespace())
            .copied()
            .unwrap_or(sig);
        match b {
            b'\n' => {
                best.lines = best.lines.saturating_add(1);
                best.longest_line = best
                    .longest_line
                    .max(u32::try_from(i - line_start).unwrap_or(u32::MAX));
                line_start = i + 1;
                // A line break ends the statement unless an operator joins the lines.
                let next = next_significant(src, i + 1);
                if !is_operator(prev)
                    && !is_operator(next)
                    && next != b'.'
                    && next != b'('
                    && next != b'['
                {
                    chain_at!(i);
                    reset_run!(i + 1);
                }
                sig = prev;
                i += 1;
            }
            b'\'' | b'"' => {
                let from = i;
                i += 1;
                while i < n {
                    i = memchr::memchr3(b, b'\\', b'\n', &src[i..]).map_or(n, |p| i + p);
                    if i < n && src[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i = (i + 1).min(n);
                skip_run!(i - from);
                sig = b'"';
            }
            b'`' => {
                in_template = true;
                i += 1;
            }
            b'/' => {
                let next = src.get(i + 1).copied().unwrap_or(0);
                let from = i;
                if next == b'/' {
                    i = memchr::memchr(b'\n', &src[i..]).map_or(n, |p| i + p);
                    skip_run!(i - from);
                    sig = prev;
                } else if next == b'*' {
                    i = (find_comment_end(src, i + 2) + 1).min(n);
                    skip_run!(i - from);
                    best.skipped(src, from, i, &mut line_start);
                    sig = prev;
                } else if regex_can_start(prev) {
                    i = (skip_regex(src, i + 1) + 1).min(n);
                    skip_run!(i - from);
                    sig = b'a';
                } else {
                    sig = b'/';
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                if b == b'{' {
                    best.braces = best.braces.saturating_add(1);
                }
                chain_at!(i);
                open_level!(i, i + 1, false);
                sig = b;
                i += 1;
            }
            b')' | b']' | b'}' => {
                chain_at!(i);
                if stack.len() > 1
                    && let Some(child) = stack.pop()
                {
                    frozen -= child.parent_run;
                    // The parent's run resumes, without the bytes of the closed level.
                    if let Some(parent) = stack.last_mut() {
                        parent.start += (i + 1).saturating_sub(child.open);
                    }
                    if child.template && b == b'}' {
                        in_template = true;
                    }
                }
                sig = b;
                i += 1;
            }
            _ => {
                // `,` `;`
                chain_at!(i);
                reset_run!(i + 1);
                sig = b;
                i += 1;
            }
        }
        seg_start = i.min(n);
    }
    chain_at!(n);
    best.longest_line = best
        .longest_line
        .max(u32::try_from(n.saturating_sub(line_start)).unwrap_or(u32::MAX));
    // Estimates for the semantic tables: a word every six bytes.
    best.words = u32::try_from(n / 6).unwrap_or(u32::MAX);
    best
}

/// The next non-blank byte from `i` (`;` at the end).
fn next_significant(src: &[u8], i: usize) -> u8 {
    src.get(i..)
        .and_then(|s| {
            s.iter()
                .take(256)
                .find(|b| !b.is_ascii_whitespace())
                .copied()
        })
        .unwrap_or(b';')
}

/// Index just past the `*/` closing a block comment that starts before `from`.
fn find_comment_end(src: &[u8], from: usize) -> usize {
    match src.get(from..).and_then(|s| memchr::memmem::find(s, b"*/")) {
        Some(p) => from + p + 1,
        None => src.len(),
    }
}

/// Index of the `/` closing a regular expression literal (or of the line end).
fn skip_regex(src: &[u8], mut i: usize) -> usize {
    let mut in_class = false;
    while i < src.len() {
        match src[i] {
            b'\\' => i += 1,
            b'\n' => return i,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'/' if !in_class => return i,
            _ => {}
        }
        i += 1;
    }
    src.len()
}

fn is_operator(b: u8) -> bool {
    matches!(
        b,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'%'
            | b'&'
            | b'|'
            | b'^'
            | b'!'
            | b'~'
            | b'?'
            | b':'
            | b'='
            | b'<'
            | b'>'
            | b','
    )
}

/// After these, a `/` starts a regular expression rather than a division.
fn regex_can_start(prev: u8) -> bool {
    !(prev.is_ascii_alphanumeric()
        || matches!(prev, b')' | b']' | b'}' | b'"' | b'_' | b'$')
        || prev >= 0x80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_inside_strings_comments_and_regexes_do_not_count() {
        let d = scan(
            br#"a("((((", '[[[[', `{{{{`, /[(((]/g, /\(\(/); // ((((
        /* [[[[ */ x = 1 / (2) / 3;"#,
        );
        assert_eq!(d.brackets, 1, "{d:?}");
    }

    #[test]
    fn template_substitutions_nest() {
        let d = scan(b"x = `${ `${ `${ a }` }` }`;");
        assert_eq!(d.brackets, 3);
    }

    #[test]
    fn deep_nesting_is_refused_and_flat_code_is_inline() {
        let deep = "(".repeat(10_000);
        assert!(matches!(plan(scan(deep.as_bytes())), Plan::Refuse { .. }));
        let flat = "var a = 1;\n".repeat(50_000);
        assert_eq!(plan(scan(flat.as_bytes())), Plan::Inline);
    }

    #[test]
    fn long_operator_chains_leave_the_caller_stack() {
        let chain = format!("x = 1{};", "+1".repeat(5_000));
        assert_eq!(plan(scan(chain.as_bytes())), Plan::BigStack);
        let multi_line = format!("x = 'a'{}\n;", " +\n'a'".repeat(5_000));
        assert_eq!(plan(scan(multi_line.as_bytes())), Plan::BigStack);
    }

    #[test]
    fn comments_at_line_ends_do_not_hide_a_chain() {
        let src = format!("x = 1{}", " + // more\n1".repeat(5_000));
        assert_eq!(plan(scan(src.as_bytes())), Plan::BigStack);
        let src = format!("x = 1{}", " + /* more */\n1".repeat(5_000));
        assert_eq!(plan(scan(src.as_bytes())), Plan::BigStack);
    }

    #[test]
    fn semicolon_free_code_resets_at_line_breaks() {
        let src = "const a = require('a')\nlet b = a.c(1)\n".repeat(20_000);
        assert_eq!(plan(scan(src.as_bytes())), Plan::Inline);
    }
}

//! Unified diffs of small text files, so a pin can be reviewed (and applied with `patch` or
//! `git apply`) before it is written. Lines are matched by a longest common subsequence over
//! the part between the common prefix and suffix, which for a pin is a handful of lines.

/// Lines of context around each change, as `diff -u` uses.
const CONTEXT: usize = 3;

/// Above this many cells the middle part is treated as wholly replaced rather than matched
/// line by line (a package.json never gets near it).
const MAX_TABLE: usize = 4_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Keep,
    Delete,
    Insert,
}

/// The unified diff from `old` to `new`, labelled `--- old_label` / `+++ new_label`; empty
/// when the texts are equal.
pub fn unified_diff(old: &str, new: &str, old_label: &str, new_label: &str) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let script = edit_script(&a, &b);
    let mut out = format!("--- {old_label}\n+++ {new_label}\n");
    for hunk in hunks(&script) {
        write_hunk(&mut out, &script[hunk.0..hunk.1], &a, &b);
    }
    out
}

/// One entry per line of the diff: the operation and the line's index in `a` or `b`.
type Script = Vec<(Op, usize, usize)>;

fn edit_script(a: &[&str], b: &[&str]) -> Script {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut script: Script = (0..prefix).map(|i| (Op::Keep, i, i)).collect();
    for (op, i, j) in middle(am, bm) {
        script.push((op, prefix + i, prefix + j));
    }
    let (sa, sb) = (a.len() - suffix, b.len() - suffix);
    script.extend((0..suffix).map(|k| (Op::Keep, sa + k, sb + k)));
    script
}

/// The LCS edit script of two slices (deletions before insertions at each change).
fn middle(a: &[&str], b: &[&str]) -> Script {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_TABLE {
        let mut s: Script = (0..n).map(|i| (Op::Delete, i, 0)).collect();
        s.extend((0..m).map(|j| (Op::Insert, n, j)));
        return s;
    }
    // lcs[i][j]: length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut s = Script::new();
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            s.push((Op::Keep, i, j));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            s.push((Op::Delete, i, j));
            i += 1;
        } else {
            s.push((Op::Insert, i, j));
            j += 1;
        }
    }
    s
}

/// Script ranges `[start, end)` of each hunk: changes with up to `CONTEXT` kept lines around
/// them, merged when their context would touch.
fn hunks(script: &Script) -> Vec<(usize, usize)> {
    let changed: Vec<usize> = script
        .iter()
        .enumerate()
        .filter(|(_, (op, _, _))| *op != Op::Keep)
        .map(|(k, _)| k)
        .collect();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for k in changed {
        let start = k.saturating_sub(CONTEXT);
        let end = (k + 1 + CONTEXT).min(script.len());
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = end,
            _ => out.push((start, end)),
        }
    }
    out
}

fn write_hunk(out: &mut String, part: &[(Op, usize, usize)], a: &[&str], b: &[&str]) {
    let Some(&(_, first_a, first_b)) = part.first() else {
        return;
    };
    let old_count = part.iter().filter(|(op, _, _)| *op != Op::Insert).count();
    let new_count = part.iter().filter(|(op, _, _)| *op != Op::Delete).count();
    // An empty side is numbered by the line before it, as `diff -u` does.
    let start = |first: usize, count: usize| if count == 0 { first } else { first + 1 };
    out.push_str(&format!(
        "@@ -{} +{} @@\n",
        range(start(first_a, old_count), old_count),
        range(start(first_b, new_count), new_count)
    ));
    for &(op, i, j) in part {
        let (sign, line) = match op {
            Op::Keep => (' ', a[i]),
            Op::Delete => ('-', a[i]),
            Op::Insert => ('+', b[j]),
        };
        out.push(sign);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

fn range(start: usize, count: usize) -> String {
    if count == 1 {
        start.to_string()
    } else {
        format!("{start},{count}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified_diff("a\n", "a\n", "x", "y"), "");
    }

    #[test]
    fn one_changed_line_with_three_lines_of_context() {
        let old = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let new = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
        assert_eq!(
            unified_diff(old, new, "a/f", "b/f"),
            "--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks_and_near_ones_merge() {
        let lines = |changed: &[(usize, &str)]| -> String {
            (1..=20)
                .map(|i| match changed.iter().find(|(n, _)| *n == i) {
                    Some((_, text)) => format!("{text}\n"),
                    None => format!("{i}\n"),
                })
                .collect()
        };
        let old = lines(&[]);
        let far = lines(&[(2, "two"), (19, "nineteen")]);
        let diff = unified_diff(&old, &far, "a", "b");
        assert_eq!(diff.matches("@@ -").count(), 2, "{diff}");
        assert!(diff.contains("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n"), "{diff}");
        assert!(diff.contains("@@ -16,5 +16,5 @@\n"), "{diff}");
        let near = lines(&[(5, "five"), (11, "eleven")]);
        assert_eq!(
            unified_diff(&old, &near, "a", "b").matches("@@ -").count(),
            1
        );
        // Six unchanged lines between two changes still make one hunk, seven make two.
        let touching = lines(&[(5, "five"), (12, "twelve")]);
        assert_eq!(
            unified_diff(&old, &touching, "a", "b")
                .matches("@@ -")
                .count(),
            1
        );
        let apart = lines(&[(5, "five"), (13, "thirteen")]);
        assert_eq!(
            unified_diff(&old, &apart, "a", "b").matches("@@ -").count(),
            2
        );
    }

    #[test]
    fn insertions_number_the_hunk_like_diff_u() {
        let diff = unified_diff("a\nb\n", "a\nb\nc\n", "x", "y");
        assert_eq!(diff, "--- x\n+++ y\n@@ -1,2 +1,3 @@\n a\n b\n+c\n");
        let diff = unified_diff("", "new\n", "x", "y");
        assert_eq!(diff, "--- x\n+++ y\n@@ -0,0 +1 @@\n+new\n");
    }

    #[test]
    fn marks_a_missing_final_newline() {
        let diff = unified_diff("a\n}", "a\n},\n", "x", "y");
        assert!(
            diff.contains("-}\n\\ No newline at end of file\n+},\n"),
            "{diff}"
        );
    }

    #[test]
    fn a_pin_diff_shows_the_added_lines_in_place() {
        let old =
            "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"debug\": \"^4.3.7\"\n  }\n}\n";
        let new = "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"debug\": \"^4.3.7\"\n  },\n  \"overrides\": {\n    \"debug\": \"4.4.1\"\n  }\n}\n";
        let diff = unified_diff(old, new, "a/package.json", "b/package.json");
        assert_eq!(
            diff,
            // The shortest script: three lines inserted before the old closing brace.
            "--- a/package.json\n+++ b/package.json\n@@ -2,5 +2,8 @@\n   \"name\": \"x\",\n   \"dependencies\": {\n     \"debug\": \"^4.3.7\"\n+  },\n+  \"overrides\": {\n+    \"debug\": \"4.4.1\"\n   }\n }\n"
        );
    }
}

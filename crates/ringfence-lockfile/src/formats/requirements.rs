//! pip requirements files (`requirements.txt`, `requirements-dev.txt`, `requirements/*.txt`).
//!
//! They are not lockfiles: a line may pin a version (`name==1.2.3`), give only a range, or no
//! version at all. What we report, line by line, following pip's own reading of the file:
//! - `==`/`===` pins give the version; a lower bound (`>=`, `~=`, or a lone `<=`) gives that
//!   bound as the version, as the conformance peer does; anything else (`!=`, wildcards, no
//!   specifier) gives the empty version, meaning "some version of this package".
//! - `-r`/`--requirement` files are read relative to the including file, at most
//!   [`MAX_INCLUDE_DEPTH`] deep and [`MAX_FILES`] in all, and only inside the project (the
//!   git repository, else the parent of the file's folder); a loop, a missing file, a URL or
//!   a path elsewhere is a warning, never read.
//!   Their packages carry the line of the `-r` in the file that was parsed, because a
//!   [`Package`] has no field for another file.
//! - `-c`/`--constraint` files install nothing, so their packages are not reported; their
//!   exact pins fill in the version of a requirement that has none or only a range, because
//!   that pin is what pip installs.
//! - `${VAR}` is never expanded: the environment of the machine running the scan is not the
//!   one that installed the project. A requirement that needs it is skipped with a warning.
//! - `-e`, URLs, local paths and `name @ url` are not registry packages and are skipped.
//! - A line pip would reject (`foo==1.0 junk`, `asdf==`) is skipped with a warning: pip
//!   refuses the whole file, so nothing on that line was installed from it.
//! - A file named for development (`requirements-dev.txt`, `dev-requirements.txt`,
//!   `requirements/test.txt`) marks its packages dev, unless it was included by a file that
//!   is not: then they are installed with the production set.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use ringfence_package::{Ecosystem, normalize_name};

use crate::{Package, ParseError, Parsed};

/// How deep `-r` may nest; real projects use two or three levels.
pub const MAX_INCLUDE_DEPTH: usize = 16;
/// How many files one parse may read through `-r` and `-c`, counting the first.
pub const MAX_FILES: usize = 64;
/// Warnings kept per parse; a hostile file must not turn every line into one.
const MAX_WARNINGS: usize = 200;
/// A logical line longer than this is skipped. pip-compile's longest lines (a pin with a
/// few hundred `--hash` options, joined) are tens of kilobytes; a hostile one of 50 MB
/// must not be scanned character by character half a dozen times.
const MAX_LINE_BYTES: usize = 1024 * 1024;

/// `requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`, `requirements/base.txt`.
pub fn is_requirements_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if !name.ends_with(".txt") {
        return false;
    }
    name.starts_with("requirements")
        || name.ends_with("requirements.txt")
        || path
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|d| d == "requirements")
}

/// Whether the file's name says it is for development: a `dev` or `test` word in its stem.
pub fn is_dev_file(path: &Path) -> bool {
    let Some(stem) = path.file_stem().and_then(|n| n.to_str()) else {
        return false;
    };
    stem.split(['-', '_', '.']).any(|word| {
        matches!(
            word.to_ascii_lowercase().as_str(),
            "dev" | "devel" | "develop" | "development" | "test" | "tests" | "testing"
        )
    })
}

pub fn parse(path: &Path, text: &str) -> Result<Parsed, ParseError> {
    let mut reader = Reader {
        project: project_root(path),
        ..Reader::default()
    };
    if let Ok(canonical) = std::fs::canonicalize(path) {
        reader.seen.insert(canonical.clone());
        reader.stack.push(canonical);
    }
    let origin = Origin {
        depth: 0,
        dev: is_dev_file(path),
        line: None,
        constraint: false,
    };
    reader.files = 1;
    reader.read(path, text, origin);
    Ok(reader.finish())
}

/// Where the file being read sits in the chain of includes.
#[derive(Clone, Copy)]
struct Origin {
    depth: usize,
    dev: bool,
    /// The `-r` line in the first file, for packages of included files.
    line: Option<u32>,
    /// Read through `-c`: its pins constrain, they do not install.
    constraint: bool,
}

struct Requirement {
    name: String,
    version: String,
    /// The version is an exact pin, not a bound or nothing.
    exact: bool,
    integrity: Option<String>,
    line: u32,
    dev: bool,
}

#[derive(Default)]
struct Reader {
    /// Includes must stay inside this folder; `None` when it cannot be found.
    project: Option<PathBuf>,
    requirements: Vec<Requirement>,
    /// Normalised name → exact version pinned by a constraints file.
    constraints: HashMap<String, String>,
    warnings: Vec<ParseError>,
    suppressed: usize,
    /// Every file read so far, canonical, so a file included twice is read once.
    seen: HashSet<PathBuf>,
    /// The files currently being read, to tell a loop from a second include.
    stack: Vec<PathBuf>,
    files: usize,
}

impl Reader {
    fn warn(&mut self, file: &Path, line: u32, message: String) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings
                .push(ParseError::new(file, Some(line), message));
        } else {
            self.suppressed += 1;
        }
    }

    fn read(&mut self, file: &Path, text: &str, origin: Origin) {
        for_each_logical_line(text, |line, content| {
            if content.len() > MAX_LINE_BYTES {
                let msg = format!("line is longer than {MAX_LINE_BYTES} bytes; skipped");
                return self.warn(file, line, msg);
            }
            let content = strip_comment(content);
            if content.is_empty() {
                return;
            }
            let (args, options) = split_options(content);
            if args.is_empty() {
                self.option_line(file, line, options, origin);
            } else {
                self.requirement_line(file, line, &args, options, origin);
            }
        });
    }

    fn option_line(&mut self, file: &Path, line: u32, options: &str, origin: Origin) {
        let (flag, value) = match options.split_once(|c: char| c == '=' || c.is_whitespace()) {
            Some((flag, value)) => (flag, value.trim()),
            None => (options, ""),
        };
        let (include, value) = match flag {
            "-r" | "--requirement" => (Some(false), value),
            "-c" | "--constraint" => (Some(true), value),
            _ if flag.starts_with("-r") && !flag.starts_with("--") => (Some(false), &options[2..]),
            _ if flag.starts_with("-c") && !flag.starts_with("--") => (Some(true), &options[2..]),
            // -e, --index-url, --find-links and the rest install nothing from a registry
            // name we could report.
            _ => (None, value),
        };
        if let Some(constraint) = include {
            let target = unquote(value.trim());
            self.include(file, line, target, origin, constraint);
        }
    }

    fn include(&mut self, from: &Path, line: u32, target: &str, origin: Origin, constraint: bool) {
        let kind = if constraint {
            "constraints"
        } else {
            "requirements"
        };
        if target.is_empty() {
            return self.warn(from, line, format!("-r/-c without a {kind} file"));
        }
        if has_env_var(target) {
            let msg = format!(
                "{kind} file `{}` names an environment variable, which is not expanded",
                snippet(target)
            );
            return self.warn(from, line, msg);
        }
        if target.contains("://") {
            let msg = format!("{kind} file `{}` is a URL, not fetched", snippet(target));
            return self.warn(from, line, msg);
        }
        let relative = Path::new(target);
        if relative.is_absolute() {
            let msg = format!(
                "{kind} file `{}` is an absolute path, not read: only files of the project are",
                snippet(target)
            );
            return self.warn(from, line, msg);
        }
        if origin.depth + 1 > MAX_INCLUDE_DEPTH || self.files >= MAX_FILES {
            let msg = format!(
                "{kind} file `{}` not read: more than {MAX_INCLUDE_DEPTH} levels or {MAX_FILES} files of -r/-c",
                snippet(target)
            );
            return self.warn(from, line, msg);
        }
        let full = from.parent().unwrap_or(Path::new("")).join(relative);
        let canonical = match std::fs::canonicalize(&full) {
            Ok(c) => c,
            Err(e) => {
                let msg = format!("{kind} file {} cannot be read: {e}", full.display());
                return self.warn(from, line, msg);
            }
        };
        if !self
            .project
            .as_ref()
            .is_some_and(|root| canonical.starts_with(root))
        {
            let msg = format!(
                "{kind} file {} is outside the project folder, not read",
                full.display()
            );
            return self.warn(from, line, msg);
        }
        if self.stack.contains(&canonical) {
            let msg = format!(
                "{kind} file {} includes itself, not read again",
                full.display()
            );
            return self.warn(from, line, msg);
        }
        if !self.seen.insert(canonical.clone()) {
            return; // Already read through another include: its packages are in.
        }
        let text = match read_text(&full) {
            Ok(text) => text,
            Err(msg) => return self.warn(from, line, msg),
        };
        self.files += 1;
        let child = Origin {
            depth: origin.depth + 1,
            dev: origin.dev && is_dev_file(&full),
            line: origin.line.or(Some(line)),
            constraint: origin.constraint || constraint,
        };
        self.stack.push(canonical);
        self.read(&full, &text, child);
        self.stack.pop();
    }

    fn requirement_line(
        &mut self,
        file: &Path,
        line: u32,
        args: &str,
        options: &str,
        origin: Origin,
    ) {
        let spec = match parse_requirement(args) {
            Ok(Some(spec)) => spec,
            Ok(None) => return, // a path, URL or direct reference
            Err(why) => return self.warn(file, line, format!("`{}`: {why}", snippet(args))),
        };
        if origin.constraint {
            if spec.exact {
                let name = normalize_name(Ecosystem::PyPI, &spec.name);
                self.constraints.entry(name).or_insert(spec.version);
            }
            return;
        }
        self.requirements.push(Requirement {
            name: spec.name,
            version: spec.version,
            exact: spec.exact,
            integrity: first_hash(options),
            line: origin.line.unwrap_or(line),
            dev: origin.dev,
        });
    }

    fn finish(mut self) -> Parsed {
        if self.suppressed > 0 && !self.warnings.is_empty() {
            let first = self.warnings[0].file.clone();
            let msg = format!("{} more problems not shown", self.suppressed);
            self.warnings.push(ParseError::new(&first, None, msg));
        }
        let mut packages: Vec<Package> = Vec::new();
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        for req in self.requirements {
            let mut package = Package::new(Ecosystem::PyPI, &req.name, &req.version);
            if !req.exact
                && let Some(pinned) = self.constraints.get(&package.name)
            {
                package.version = pinned.clone();
            }
            match index.get(&(package.name.clone(), package.version.clone())) {
                Some(&i) => {
                    let earlier = &mut packages[i];
                    earlier.dev &= req.dev;
                    earlier.integrity = earlier.integrity.take().or(req.integrity);
                }
                None => {
                    package.dev = req.dev;
                    package.direct = true;
                    package.path = vec![package.id()];
                    package.integrity = req.integrity;
                    package.line = Some(req.line);
                    index.insert(
                        (package.name.clone(), package.version.clone()),
                        packages.len(),
                    );
                    packages.push(package);
                }
            }
        }
        Parsed {
            packages,
            warnings: self.warnings,
        }
    }
}

/// The folder includes may be read from: the nearest one above the file that holds `.git`,
/// else the parent of the file's folder (`requirements/dev.txt` may include
/// `../requirements.txt`). A hostile `-r ../../../home/me/.env` must not put another file's
/// lines into the report.
fn project_root(first: &Path) -> Option<PathBuf> {
    let dir = first.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = std::fs::canonicalize(dir.unwrap_or(Path::new("."))).ok()?;
    let repository = dir.ancestors().find(|a| a.join(".git").exists());
    Some(repository.or(dir.parent()).unwrap_or(&dir).to_path_buf())
}

/// Reads an included file under the same limits as the first one.
fn read_text(path: &Path) -> Result<String, String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("{} cannot be read: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    if meta.len() > crate::MAX_LOCKFILE_BYTES {
        return Err(format!(
            "{} is larger than the lockfile limit",
            path.display()
        ));
    }
    let bytes =
        std::fs::read(path).map_err(|e| format!("{} cannot be read: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let line = crate::LineIndex::new(&String::from_utf8_lossy(e.as_bytes()))
            .line_of_offset(e.utf8_error().valid_up_to());
        format!("{}:{line} is not valid UTF-8", path.display())
    })
}

/// Joins lines ending in `\\` with the next, as pip does, and hands each result to `f`
/// with the number of the line it starts on. A comment line ends a continuation instead of
/// joining it. Lines are handed over one by one: a file of millions of lines is not copied.
fn for_each_logical_line(text: &str, mut f: impl FnMut(u32, &str)) {
    let mut pending: Option<(u32, String)> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let is_comment = raw.trim_ascii_start().starts_with('#');
        match raw.strip_suffix('\\') {
            Some(head) if !is_comment => match &mut pending {
                // Past the limit the line is skipped anyway: stop copying it.
                Some((_, joined)) if joined.len() > MAX_LINE_BYTES => {}
                Some((_, joined)) => joined.push_str(head),
                None => pending = Some((number, head.to_string())),
            },
            _ => match pending.take() {
                Some((start, mut joined)) => {
                    if is_comment {
                        joined.push(' ');
                    }
                    if joined.len() <= MAX_LINE_BYTES {
                        joined.push_str(raw);
                    }
                    f(start, &joined);
                }
                None => f(number, raw),
            },
        }
    }
    if let Some((start, joined)) = pending {
        f(start, &joined);
    }
}

/// Drops a `#` comment: one at the start of the line or after whitespace (`pkg==1 #c`), but
/// not one inside a token (`--hash=sha256:ab#c`).
fn strip_comment(line: &str) -> &str {
    // Bytes, not chars: this runs over every byte of the file, and must stay quick in debug
    // builds too. `#` and ASCII whitespace are single bytes in UTF-8.
    let bytes = line.as_bytes();
    let mut previous_is_space = true;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && previous_is_space {
            return line[..i].trim_ascii();
        }
        previous_is_space = b.is_ascii_whitespace();
    }
    line.trim_ascii()
}

/// pip's split of a line into the requirement and its options: the options start at the
/// first whitespace-separated word that starts with `-`.
fn split_options(line: &str) -> (String, &str) {
    let mut args: Vec<&str> = Vec::new();
    let mut rest = line.trim_ascii_start();
    while !rest.is_empty() {
        if rest.starts_with('-') {
            return (args.join(" "), rest);
        }
        let end = rest
            .bytes()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        args.push(&rest[..end]);
        rest = rest[end..].trim_ascii_start();
    }
    (args.join(" "), "")
}

/// The first `--hash=alg:digest` among a requirement's options, as `alg:digest`.
fn first_hash(options: &str) -> Option<String> {
    let mut words = options.split_whitespace();
    while let Some(word) = words.next() {
        let value = match word.strip_prefix("--hash") {
            Some("") => words.next(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some((alg, digest)) = value.and_then(|v| v.split_once(':'))
            && matches!(alg, "sha256" | "sha384" | "sha512")
            && !digest.is_empty()
        {
            return Some(format!("{alg}:{digest}"));
        }
    }
    None
}

/// A requirement's name and the version we report for it.
#[derive(Debug, PartialEq)]
struct Spec {
    name: String,
    version: String,
    exact: bool,
}

/// Reads a PEP 508 requirement. `Ok(None)` for what is not a registry package (a path, a URL,
/// `name @ url`); `Err` for what pip would reject.
fn parse_requirement(text: &str) -> Result<Option<Spec>, &'static str> {
    let text = text.trim();
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(text.len());
    let name = &text[..name_end];
    let rest = text[name_end..].trim_start();
    if looks_like_location(text, name, rest) {
        return Ok(None);
    }
    if has_env_var(text) {
        return Err("uses an environment variable, which is not expanded; line skipped");
    }
    if !is_valid_name(name) {
        return Err("not a valid requirement: no package name");
    }
    let rest = match rest.strip_prefix('[') {
        Some(extras) => match extras.split_once(']') {
            Some((_, after)) => after.trim_start(),
            None => return Err("not a valid requirement: `[` of extras is not closed"),
        },
        None => rest,
    };
    if rest.starts_with('@') {
        return Ok(None);
    }
    let specifiers = rest.split_once(';').map_or(rest, |(s, _marker)| s).trim();
    let specifiers = specifiers
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(specifiers);
    let mut clauses = Vec::new();
    if !specifiers.trim().is_empty() {
        for clause in specifiers.split(',') {
            clauses.push(parse_clause(clause)?);
        }
    }
    let (version, exact) = chosen_version(&clauses);
    Ok(Some(Spec {
        name: name.to_string(),
        version: version.to_string(),
        exact,
    }))
}

/// One `op version` clause of a specifier list.
fn parse_clause(clause: &str) -> Result<(&str, &str), &'static str> {
    let clause = clause.trim();
    let op = ["===", "==", "!=", "<=", ">=", "~=", "<", ">"]
        .into_iter()
        .find(|op| clause.starts_with(op))
        .ok_or("not a valid requirement: expected a version specifier such as `==1.0`")?;
    let version = clause[op.len()..].trim();
    if version.is_empty() {
        return Err("not a valid requirement: version missing after the operator");
    }
    let valid = version
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '!' | '*'));
    if !valid {
        return Err("not a valid requirement: unexpected text in the version");
    }
    Ok((op, version))
}

/// The exact pin if there is one; else the lower bound (or a lone `<=`), like the
/// conformance peer; else nothing. Wildcards give nothing: no single version is meant.
fn chosen_version<'a>(clauses: &[(&str, &'a str)]) -> (&'a str, bool) {
    let exact = clauses.iter().find(|(op, _)| matches!(*op, "==" | "==="));
    let bound = clauses.iter().find(|(op, _)| matches!(*op, ">=" | "~="));
    let chosen = match (exact, bound, clauses) {
        (Some((_, v)), _, _) => Some((*v, true)),
        (None, Some((_, v)), _) => Some((*v, false)),
        (None, None, [("<=", v)]) => Some((*v, false)),
        _ => None,
    };
    match chosen {
        Some((v, exact)) if !v.contains('*') => (v, exact),
        _ => ("", false),
    }
}

/// PEP 508: letters, digits, `.`, `_`, `-`, starting and ending with a letter or digit.
fn is_valid_name(name: &str) -> bool {
    let first_last_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    first_last_ok(name.chars().next()) && first_last_ok(name.chars().last())
}

/// A local path, URL or archive, which pip installs without a registry name and version.
fn looks_like_location(text: &str, name: &str, rest: &str) -> bool {
    const ARCHIVES: [&str; 6] = [".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar"];
    let first_word = text.split_whitespace().next().unwrap_or("");
    text.starts_with(['.', '/', '~', '\\'])
        || first_word.contains("://")
        || (rest.starts_with(':') && name.len() == 1) // a Windows drive letter
        || rest.starts_with(['/', '\\'])
        || (rest.is_empty() && ARCHIVES.iter().any(|a| name.ends_with(a)))
}

/// pip's `${NAME}` syntax, with NAME in capitals, digits and `_`. One pass: a line of
/// megabytes of `${` must not be scanned once per occurrence.
fn has_env_var(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 2 < bytes.len() {
        if bytes[i] == b'$' && bytes[i + 1] == b'{' {
            let mut j = i + 2;
            while j < bytes.len() && matches!(bytes[j], b'A'..=b'Z' | b'0'..=b'9' | b'_') {
                j += 1;
            }
            if j > i + 2 && bytes.get(j) == Some(&b'}') {
                return true;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    false
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// At most 60 characters of input, for messages.
fn snippet(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/pip")
            .join(name)
    }

    fn parse_file(path: &Path) -> Parsed {
        parse(path, &fs::read_to_string(path).unwrap()).unwrap()
    }

    fn rows(parsed: &Parsed) -> Vec<(String, String, bool, Option<u32>)> {
        parsed
            .packages
            .iter()
            .map(|p| (p.name.clone(), p.version.clone(), p.dev, p.line))
            .collect()
    }

    fn row(name: &str, version: &str, dev: bool, line: u32) -> (String, String, bool, Option<u32>) {
        (name.to_string(), version.to_string(), dev, Some(line))
    }

    /// The conformance case we diverge on: everything but `foo7`, which pip rejects.
    #[test]
    fn per_requirement_options_are_read_like_pip() {
        let parsed = parse_file(&fixture("per_req_options.txt"));
        let names: Vec<&str> = parsed.packages.iter().map(|p| p.name.as_str()).collect();
        let want = [
            "foo1",
            "foo2",
            "foo3",
            "foo4",
            "foo5",
            "foo6",
            "foo8",
            "foo9",
            "foo11",
            "foo12",
            "foo13",
            "foo14",
            "foo16-client",
            "foo17-hash",
            "foo18-client",
        ];
        assert_eq!(names, want);
        assert!(parsed.packages.iter().all(|p| p.version == "1.0"));
        let lines: Vec<Option<u32>> = parsed.warnings.iter().map(|w| w.line).collect();
        assert_eq!(
            lines,
            [Some(13), Some(20), Some(30)],
            "{:?}",
            parsed.warnings
        );
        assert!(
            parsed.warnings[0]
                .to_string()
                .contains("per_req_options.txt:13")
        );
        let foo13 = parsed.packages.iter().find(|p| p.name == "foo13").unwrap();
        assert_eq!(foo13.integrity.as_deref(), Some("sha256:123"));
    }

    #[test]
    fn first_hash_becomes_integrity() {
        let text =
            "a==1 --hash=sha256:ab --hash=sha256:cd\nb==2 --hash sha512:ef\nc==3 --hash=md5:00\n";
        let parsed = parse(Path::new("requirements.txt"), text).unwrap();
        let integrity: Vec<Option<&str>> = parsed
            .packages
            .iter()
            .map(|p| p.integrity.as_deref())
            .collect();
        assert_eq!(integrity, [Some("sha256:ab"), Some("sha512:ef"), None]);
    }

    #[test]
    fn continued_lines_keep_their_first_line_number() {
        let text = "# c\n\npkgA==1.0 \\\n  --hash=sha256:123\r\n# x \\\npkgB==2.0\r\nlast==3 \\";
        let parsed = parse(Path::new("requirements.txt"), text).unwrap();
        assert_eq!(
            rows(&parsed),
            [
                row("pkga", "1.0", false, 3),
                row("pkgb", "2.0", false, 6),
                row("last", "3", false, 7)
            ]
        );
        assert_eq!(parsed.packages[0].integrity.as_deref(), Some("sha256:123"));
        assert!(
            parsed
                .packages
                .iter()
                .all(|p| p.direct && p.path == [p.id()])
        );
    }

    #[test]
    fn versions_come_from_pins_and_lower_bounds() {
        let cases = [
            ("a==1.0", "1.0", true),
            ("a===1.0", "1.0", true),
            ("a [x,y] == 2.0 ; python_version < '3'", "2.0", true),
            ("a(>=1.0,<2)", "1.0", false),
            ("a~=1.4", "1.4", false),
            ("a<=3", "3", false),
            ("a<3", "", false),
            ("a!=3", "", false),
            ("a==2.*", "", false),
            ("a", "", false),
        ];
        for (line, version, exact) in cases {
            let spec = parse_requirement(line).unwrap().unwrap();
            assert_eq!(
                (spec.name.as_str(), spec.version.as_str(), spec.exact),
                ("a", version, exact),
                "{line}"
            );
        }
        for bad in ["a==", "==1", "a 1.0", "a==1 b", "a[x==1", "a=1"] {
            assert!(parse_requirement(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn locations_and_global_options_are_skipped_quietly() {
        let text = "-e .\n-e git+https://git.example/r.git#egg=r\n./local/pkg\n/abs/pkg\n\
                    pkg-1.0-py3-none-any.whl\nhttps://files.example/p-1.0.tar.gz\n\
                    git+https://git.example/r.git@v1#egg=r\nname @ https://files.example/n.zip\n\
                    --index-url https://index.example/simple\n--require-hashes\nC:\\pkgs\\p.whl\n";
        let parsed = parse(Path::new("requirements.txt"), text).unwrap();
        assert!(parsed.packages.is_empty(), "{:?}", parsed.packages);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    }

    #[test]
    fn environment_variables_are_not_expanded() {
        let parsed = parse_file(&fixture("env_var.txt"));
        assert_eq!(
            rows(&parsed),
            [
                row("asdf", "1.2", false, 1),
                row("another", "1.0", false, 3)
            ]
        );
        assert_eq!(parsed.warnings.len(), 1);
        let warning = parsed.warnings[0].to_string();
        assert!(
            warning.contains("env_var.txt:2") && warning.contains("environment variable"),
            "{warning}"
        );
    }

    #[test]
    fn includes_are_read_relative_with_their_own_dev_status() {
        let dir = tempfile::tempdir().unwrap();
        let reqs = dir.path().join("requirements");
        fs::create_dir(&reqs).unwrap();
        fs::write(reqs.join("base.txt"), "flask==2.0\n").unwrap();
        fs::write(reqs.join("test.txt"), "-r base.txt\npytest==7.0\n").unwrap();
        fs::write(
            reqs.join("dev.txt"),
            "# dev\n-r test.txt\n--requirement=base.txt\nblack==24.1\n",
        )
        .unwrap();
        // dev.txt: base is production, test and dev are development.
        let parsed = parse_file(&reqs.join("dev.txt"));
        assert_eq!(
            rows(&parsed),
            [
                row("flask", "2.0", false, 2),
                row("pytest", "7.0", true, 2),
                row("black", "24.1", true, 4)
            ]
        );
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        // A production file that includes a test file installs it in production.
        fs::write(
            dir.path().join("requirements.txt"),
            "-rrequirements/test.txt\n",
        )
        .unwrap();
        let parsed = parse_file(&dir.path().join("requirements.txt"));
        assert_eq!(
            rows(&parsed),
            [
                row("flask", "2.0", false, 1),
                row("pytest", "7.0", false, 1)
            ]
        );
    }

    #[test]
    fn include_loops_and_missing_files_are_warnings() {
        let parsed = parse_file(&fixture("loop.txt"));
        assert!(parsed.packages.is_empty());
        assert_eq!(parsed.warnings.len(), 1);
        let warning = parsed.warnings[0].to_string();
        assert!(
            warning.contains("other-loop.txt:2") && warning.contains("includes itself"),
            "{warning}"
        );

        let parsed = parse_file(&fixture("example.txt"));
        let missing: Vec<String> = parsed.warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].contains("example.txt:22") && missing[0].contains("constraints.txt"));
        let pandas = parsed.packages.iter().find(|p| p.name == "pandas").unwrap();
        assert_eq!(
            pandas.line,
            Some(21),
            "the -r line in the file that was parsed"
        );
    }

    #[test]
    fn includes_outside_the_tree_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.txt");
        fs::write(&other, "secret==1\n").unwrap();
        let text = format!(
            "-r {}\n-r https://files.example/r.txt\n-c ${{CONSTRAINTS}}\n-r\n",
            other.display()
        );
        let parsed = parse(&dir.path().join("requirements.txt"), &text).unwrap();
        assert!(parsed.packages.is_empty());
        let lines: Vec<Option<u32>> = parsed.warnings.iter().map(|w| w.line).collect();
        assert_eq!(
            lines,
            [Some(1), Some(2), Some(3), Some(4)],
            "{:?}",
            parsed.warnings
        );
    }

    #[test]
    fn includes_stay_inside_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a/b");
        fs::create_dir_all(&nested).unwrap();
        fs::write(dir.path().join("secret.txt"), "token==s3cr3t\n").unwrap();
        fs::write(dir.path().join("a/base.txt"), "six==1\n").unwrap();
        let text = "-r ../../secret.txt\n-r ../base.txt\n";
        let first = nested.join("requirements.txt");
        // No repository: the parent of the file's folder is the limit.
        let parsed = parse(&first, text).unwrap();
        assert_eq!(rows(&parsed), [row("six", "1", false, 2)]);
        assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
        assert!(parsed.warnings[0].message.contains("outside the project"));
        // In a repository, its root is.
        fs::create_dir(dir.path().join(".git")).unwrap();
        let parsed = parse(&first, text).unwrap();
        assert_eq!(
            rows(&parsed),
            [row("token", "s3cr3t", false, 1), row("six", "1", false, 2)]
        );
    }

    #[test]
    fn include_depth_is_limited() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..30 {
            let text = format!("p{i}==1\n-r r{}.txt\n", i + 1);
            fs::write(dir.path().join(format!("r{i}.txt")), text).unwrap();
        }
        let parsed = parse_file(&dir.path().join("r0.txt"));
        assert_eq!(parsed.packages.len(), MAX_INCLUDE_DEPTH + 1);
        assert_eq!(parsed.warnings.len(), 1, "{:?}", parsed.warnings);
        assert!(parsed.warnings[0].message.contains("levels"));
    }

    #[test]
    fn constraints_pin_what_requirements_leave_open() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("constraints.txt"),
            "requests==2.31.0\nFlask==2.3.0\nclick==9\nunused==1\n",
        )
        .unwrap();
        let text = "requests\nflask>=2\nclick==8.0\n-c constraints.txt\n";
        let parsed = parse(&dir.path().join("requirements.txt"), text).unwrap();
        assert_eq!(
            rows(&parsed),
            [
                row("requests", "2.31.0", false, 1),
                row("flask", "2.3.0", false, 2),
                row("click", "8.0", false, 3)
            ]
        );
    }

    #[test]
    fn a_package_listed_twice_is_reported_once_and_production_wins() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("requirements.txt"), "six==1.16\n").unwrap();
        let text = "six==1.16 --hash=sha256:aa\n-r requirements.txt\n";
        let parsed = parse(&dir.path().join("requirements-dev.txt"), text).unwrap();
        assert_eq!(rows(&parsed), [row("six", "1.16", false, 1)]);
        assert_eq!(parsed.packages[0].integrity.as_deref(), Some("sha256:aa"));
    }

    #[test]
    fn dev_files_are_told_by_name() {
        for dev in [
            "requirements-dev.txt",
            "dev-requirements.txt",
            "requirements/dev.txt",
            "requirements_test.txt",
            "test-requirements.txt",
        ] {
            assert!(is_dev_file(Path::new(dev)), "{dev}");
        }
        for prod in [
            "requirements.txt",
            "requirements/base.txt",
            "requirements-prod.txt",
            "requirements/latest.txt",
        ] {
            assert!(!is_dev_file(Path::new(prod)), "{prod}");
        }
        let parsed = parse(Path::new("requirements/test.txt"), "x==1\n").unwrap();
        assert!(parsed.packages[0].dev);
    }

    #[test]
    fn warnings_are_capped() {
        let text = "==1\n".repeat(10_000);
        let parsed = parse(Path::new("requirements.txt"), &text).unwrap();
        assert_eq!(parsed.warnings.len(), MAX_WARNINGS + 1);
        assert!(parsed.warnings[MAX_WARNINGS].message.contains("9800 more"));
    }

    #[test]
    fn overlong_lines_are_skipped_but_long_hash_lists_are_read() {
        let hashes: String = (0..300)
            .map(|i| format!(" \\\n    --hash=sha256:{i:064x}"))
            .collect();
        let text = format!("a==1{hashes}\nb=={}\nc==3\n", "9".repeat(MAX_LINE_BYTES));
        let parsed = parse(Path::new("requirements.txt"), &text).unwrap();
        assert_eq!(
            rows(&parsed),
            [row("a", "1", false, 1), row("c", "3", false, 303)]
        );
        assert_eq!(
            parsed.packages[0].integrity.as_deref(),
            Some(&*format!("sha256:{:064x}", 0))
        );
        assert_eq!(parsed.warnings.len(), 1);
        assert_eq!(parsed.warnings[0].line, Some(302));
    }

    #[test]
    fn env_var_detection_is_exact() {
        assert!(has_env_var("a==${VER_1}"));
        assert!(!has_env_var("a==${lower}"));
        assert!(!has_env_var("a==${}"));
        assert!(!has_env_var("${A"));
        assert!(!has_env_var(&"${".repeat(100_000)));
    }
}

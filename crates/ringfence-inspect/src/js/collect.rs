//! The state of the one traversal per file. [`Collector`] keeps the bindings (what each name
//! resolves to), records typed events in [`Facts`] and defers data flows for the graph. Its
//! `Visit` implementation is in `visit`, the deferred flows in `deferred`. Rules run
//! afterwards on the facts and never walk the tree.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use oxc_ast::ast::{
    BindingPattern, Expression, FormalParameters, IdentifierReference, MemberExpression,
};
use oxc_semantic::Scoping;
use oxc_span::Span;
use oxc_syntax::symbol::SymbolId;

use super::deferred::{Deferred, RetKey};
use super::facts::{Facts, GeoGate, Hit};
use super::resolve::{Path, Ref};
use super::strings::{self, is_location_literal};
use super::taint::{Flow, Graph, Node};

/// What a binding stands for, as far as the rules care.
#[derive(Debug, Clone, Default)]
pub enum Binding {
    #[default]
    None,
    /// A global or module path (`const cp = require('child_process')`).
    Path(Path),
    /// A `require` function (`createRequire(…)`, a bundler's `__require`).
    Require,
    /// A constant string.
    Text(Box<str>),
    /// A constant that does not fold to a short string: a long literal, an array or object
    /// of literals (a payload blob, an obfuscator's string array).
    Constant,
}

/// A function being walked.
pub(super) struct Frame {
    pub(super) ret: RetKey,
    pub(super) end: u32,
    /// Loops (and iteration callbacks) open inside this function.
    pub(super) loops: u32,
    /// Runs when the module loads: top level, or an IIFE called from there.
    pub(super) at_load: bool,
}

/// Caps on recorded events: a 5 MB bundle must not make the fact lists explode.
pub(super) const MAX_HITS: usize = 4_000;
pub(super) const MAX_URLS: usize = 2_000;
/// Literals longer than this are only checked for being blobs.
pub(super) const MAX_SCANNED_LITERAL: usize = 64 * 1024;

pub struct Collector<'a, 'b> {
    pub source: &'a str,
    pub scoping: Option<&'b Scoping>,
    pub bindings: Vec<Binding>,
    pub graph: Graph,
    /// Pseudo-symbols by name when there is no semantic model.
    pub names: HashMap<&'a str, u32>,
    /// Parameters of local functions, by the binding that names the function.
    pub params_of: HashMap<u32, Vec<Option<u32>>>,
    pub(super) ret_of_binding: HashMap<u32, Node>,
    pub(super) ret_of_function: HashMap<u32, Node>,
    /// Local functions whose own body calls a decoder (`atob`, `String.fromCharCode` …).
    pub(super) decoder_fns: HashSet<u32>,
    /// Names of bindings that resolve to something (paths, `require`, constants): other local
    /// names need no lookup in the semantic tables when resolving paths.
    pub(super) bound_names: HashSet<&'a str>,
    /// Function expressions bound to a name (`const f = function () {}`), by start.
    pub(super) fn_binding: HashMap<u32, u32>,
    pub(super) deferred: Vec<Deferred<'a>>,
    /// Return nodes back to their function.
    pub(super) ret_key_of_node: HashMap<Node, RetKey>,
    /// Deferred returns by function (see [`ret_key_id`]).
    pub(super) returns_by_key: HashMap<u64, Vec<usize>>,
    /// Functions passed to `forEach`/`map`…: their bodies run in a loop.
    pub(super) loop_callbacks: HashSet<u32>,
    /// Functions called where they are defined.
    pub(super) iifes: HashSet<u32>,
    pub(super) frames: Vec<Frame>,
    pub(super) top_loops: u32,
    /// `const x = call()`: the call's start and the binding that receives its result.
    pub(super) declared_from_call: Option<(u32, u32)>,
    /// Bindings holding a child process (for `.unref()`), to the exec fact.
    pub(super) exec_of_binding: HashMap<u32, usize>,
    /// Bindings holding `fs.createWriteStream(p)`: the path.
    pub(super) stream_of_binding: HashMap<u32, usize>,
    /// URLs found in a binding's initialiser (`const options = { hostname: … }`).
    pub(super) urls_of_binding: HashMap<u32, Vec<strings::FoundUrl>>,
    pub(super) skip_env_at: u32,
    /// `fs.createWriteStream(p)` calls recorded early (inside `.pipe(…)`), by start.
    pub(super) recorded_fs_calls: HashSet<u32>,
    pub facts: Facts,
}

impl<'a, 'b> Collector<'a, 'b> {
    pub fn new(source: &'a str, scoping: Option<&'b Scoping>) -> Collector<'a, 'b> {
        let n = scoping.map_or(0, Scoping::symbols_len);
        Collector {
            source,
            scoping,
            bindings: vec![Binding::None; n],
            graph: Graph::with_nodes(n),
            names: HashMap::default(),
            params_of: HashMap::default(),
            ret_of_binding: HashMap::default(),
            ret_of_function: HashMap::default(),
            fn_binding: HashMap::default(),
            bound_names: HashSet::default(),
            decoder_fns: HashSet::default(),
            deferred: Vec::new(),
            ret_key_of_node: HashMap::default(),
            returns_by_key: HashMap::default(),
            loop_callbacks: HashSet::default(),
            iifes: HashSet::default(),
            frames: Vec::new(),
            top_loops: 0,
            declared_from_call: None,
            exec_of_binding: HashMap::default(),
            stream_of_binding: HashMap::default(),
            urls_of_binding: HashMap::default(),
            skip_env_at: u32::MAX,
            recorded_fs_calls: HashSet::default(),
            facts: Facts::default(),
        }
    }

    pub fn new_node(&mut self) -> Node {
        let n = self.graph.add_node();
        self.bindings.resize(self.graph.len(), Binding::None);
        n
    }

    /// Records what binding `n` (named `name`) stands for.
    pub fn set_binding(&mut self, n: u32, name: &'a str, b: Binding) {
        if matches!(
            b,
            Binding::Path(_) | Binding::Require | Binding::Text(_) | Binding::Constant
        ) {
            self.bound_names.insert(name);
        }
        if let Some(slot) = self.bindings.get_mut(n as usize) {
            *slot = b;
        }
    }

    pub fn return_node_of_binding(&mut self, n: u32) -> Node {
        if let Some(&r) = self.ret_of_binding.get(&n) {
            return r;
        }
        let r = self.new_node();
        self.ret_of_binding.insert(n, r);
        self.ret_key_of_node.insert(r, RetKey::Binding(n));
        r
    }

    pub fn return_node_of_function(&mut self, start: u32) -> Node {
        if let Some(&r) = self.ret_of_function.get(&start) {
            return r;
        }
        let r = self.new_node();
        self.ret_of_function.insert(start, r);
        self.ret_key_of_node.insert(r, RetKey::Function(start));
        r
    }

    /// Parameter bindings of a function or arrow expression.
    pub fn function_params(&mut self, e: &Expression<'a>) -> Option<Vec<Option<u32>>> {
        match e.get_inner_expression() {
            Expression::FunctionExpression(f) => Some(self.params(&f.params)),
            Expression::ArrowFunctionExpression(f) => Some(self.params(&f.params)),
            _ => None,
        }
    }

    pub(super) fn params(&mut self, params: &FormalParameters<'a>) -> Vec<Option<u32>> {
        let mut out: Vec<Option<u32>> = Vec::with_capacity(params.items.len());
        for p in &params.items {
            out.push(self.pattern_node(&p.pattern));
        }
        out
    }

    /// The node of a simple binding pattern (`x`, `x = 1`); destructuring patterns get a
    /// fresh node whose flow reaches every name inside.
    pub(super) fn pattern_node(&mut self, p: &BindingPattern<'a>) -> Option<u32> {
        match p {
            BindingPattern::BindingIdentifier(id) => self.binding_node(id),
            BindingPattern::AssignmentPattern(ap) => self.pattern_node(&ap.left),
            BindingPattern::ObjectPattern(_) | BindingPattern::ArrayPattern(_) => {
                let n = self.new_node();
                let flow = Flow::node(n).property();
                self.bind_pattern_flow(p, &flow, None);
                Some(n)
            }
        }
    }

    /// Every name in a pattern receives `flow`; with a `base` path, destructured names
    /// resolve to `base.key`.
    pub(super) fn bind_pattern_flow(
        &mut self,
        p: &BindingPattern<'a>,
        flow: &Flow,
        base: Option<&Path>,
    ) {
        match p {
            BindingPattern::BindingIdentifier(id) => {
                if let Some(n) = self.binding_node(id) {
                    self.graph.assign(n, flow);
                    if let Some(b) = base {
                        self.set_binding(n, id.name.as_str(), Binding::Path(b.clone()));
                    }
                }
            }
            BindingPattern::AssignmentPattern(ap) => self.bind_pattern_flow(&ap.left, flow, base),
            BindingPattern::ObjectPattern(obj) => {
                for prop in &obj.properties {
                    let key = prop.key.static_name();
                    let child = match (base, key.as_deref()) {
                        (Some(b), Some(k)) => Some(b.child_path(k)),
                        _ => None,
                    };
                    self.bind_pattern_flow(&prop.value, &flow.clone().property(), child.as_ref());
                }
                if let Some(rest) = &obj.rest {
                    self.bind_pattern_flow(&rest.argument, flow, None);
                }
            }
            BindingPattern::ArrayPattern(arr) => {
                for el in arr.elements.iter().flatten() {
                    self.bind_pattern_flow(el, flow, None);
                }
                if let Some(rest) = &arr.rest {
                    self.bind_pattern_flow(&rest.argument, flow, None);
                }
            }
        }
    }

    /// Destructured names get their paths now (`const { exec } = require('child_process')`);
    /// their flows are deferred.
    pub(super) fn bind_pattern_paths(&mut self, p: &BindingPattern<'a>, base: &Path) {
        match p {
            BindingPattern::BindingIdentifier(id) => {
                if let Some(n) = self.binding_node(id) {
                    self.set_binding(n, id.name.as_str(), Binding::Path(base.clone()));
                }
            }
            BindingPattern::AssignmentPattern(ap) => self.bind_pattern_paths(&ap.left, base),
            BindingPattern::ObjectPattern(obj) => {
                for prop in &obj.properties {
                    if let Some(k) = prop.key.static_name() {
                        let child = base.child_path(&k);
                        self.bind_pattern_paths(&prop.value, &child);
                    }
                }
            }
            BindingPattern::ArrayPattern(_) => {}
        }
    }

    pub(super) fn is_mutated(&self, n: u32) -> bool {
        match self.scoping {
            Some(s) if (n as usize) < s.symbols_len() => {
                s.symbol_is_mutated(SymbolId::from_usize(n as usize))
            }
            _ => true,
        }
    }

    /// `const x = init` (and `x = init`).
    pub(super) fn declare(&mut self, id: &'a BindingPattern<'a>, init: &'a Expression<'a>) {
        match id {
            BindingPattern::BindingIdentifier(b) => {
                let Some(n) = self.binding_node(b) else {
                    return;
                };
                self.bind_value(n, b.name.as_str(), init, true);
            }
            BindingPattern::AssignmentPattern(ap) => self.declare(&ap.left, init),
            _ => {
                if let Some(base) = self.path_of(init) {
                    self.bind_pattern_paths(id, &base);
                }
                self.deferred.push(Deferred::Pattern(id, init));
            }
        }
    }

    pub(super) fn bind_value(
        &mut self,
        n: u32,
        name: &'a str,
        init: &'a Expression<'a>,
        declaration: bool,
    ) {
        let inner = init.get_inner_expression();
        match inner {
            Expression::FunctionExpression(f) => {
                let params = self.params(&f.params);
                self.params_of.insert(n, params);
                self.fn_binding.insert(f.span.start, n);
                return;
            }
            Expression::ArrowFunctionExpression(f) => {
                let params = self.params(&f.params);
                self.params_of.insert(n, params);
                self.fn_binding.insert(f.span.start, n);
                return;
            }
            Expression::CallExpression(c) => {
                self.declared_from_call = Some((c.span.start, n));
            }
            Expression::NewExpression(c) => {
                self.declared_from_call = Some((c.span.start, n));
            }
            Expression::ObjectExpression(_) => {
                let found = self.urls_in(init);
                if !found.is_empty() {
                    self.urls_of_binding.entry(n).or_default().extend(found);
                }
            }
            Expression::StringLiteral(lit) if lit.value.contains('.') => {
                let found = strings::urls(lit.value.as_str());
                if !found.is_empty() {
                    self.urls_of_binding.entry(n).or_default().extend(found);
                }
            }
            _ => {}
        }
        if matches!(self.binding(n), Binding::None) || declaration {
            if let Some(p) = self.path_of(init) {
                self.set_binding(n, name, Binding::Path(p));
            } else if self.is_create_require(inner) {
                self.set_binding(n, name, Binding::Require);
            } else if declaration && may_fold(inner) && !self.is_mutated(n) {
                if let Some(t) = self.fold(init) {
                    self.set_binding(n, name, Binding::Text(t.into_boxed_str()));
                } else if matches!(
                    inner,
                    Expression::StringLiteral(_) | Expression::TemplateLiteral(_)
                ) && self.is_constant(inner)
                {
                    self.set_binding(n, name, Binding::Constant);
                }
            } else if declaration
                && matches!(
                    inner,
                    Expression::ArrayExpression(_) | Expression::ObjectExpression(_)
                )
                && !self.is_mutated(n)
                && let Expression::ArrayExpression(arr) = inner
                && !arr.elements.is_empty()
                && self.is_constant(inner)
            {
                self.set_binding(n, name, Binding::Constant);
            }
        }
        self.deferred.push(Deferred::Value(n, init));
    }

    pub(super) fn is_create_require(&mut self, e: &Expression<'a>) -> bool {
        let Expression::CallExpression(c) = e else {
            return false;
        };
        self.path_of(&c.callee)
            .is_some_and(|p| p.is("module.createRequire") || p.is("createRequire"))
    }

    pub(super) fn in_loop(&self) -> bool {
        self.frames
            .last()
            .map_or(self.top_loops > 0, |f| f.loops > 0)
    }

    pub(super) fn in_loop_now(&self) -> bool {
        self.in_loop()
    }

    pub(super) fn at_load(&self) -> bool {
        self.frames.last().is_none_or(|f| f.at_load)
    }

    pub(super) fn enter_loop(&mut self) {
        match self.frames.last_mut() {
            Some(f) => f.loops += 1,
            None => self.top_loops += 1,
        }
    }

    pub(super) fn leave_loop(&mut self) {
        match self.frames.last_mut() {
            Some(f) => f.loops = f.loops.saturating_sub(1),
            None => self.top_loops = self.top_loops.saturating_sub(1),
        }
    }

    pub(super) fn push_frame(&mut self, span: Span, ret: RetKey) {
        let at_load = self.iifes.contains(&span.start) && self.at_load();
        let loops = u32::from(self.loop_callbacks.contains(&span.start));
        self.frames.push(Frame {
            ret,
            end: span.end,
            loops,
            at_load,
        });
    }

    pub(super) fn on_string(&mut self, value: &str, span: Span) {
        let stats = &mut self.facts.stats;
        stats.literal_bytes += u64::from(span.size());
        let raw = self
            .source
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        if raw.contains('\\') {
            let n = super::visit::count_escaped_ascii(raw);
            if n > 0 {
                stats.escaped_ascii += n;
                stats.escaped_literals += 1;
                stats.first_escaped.get_or_insert(span);
            }
        }
        if value.len() <= 24
            && let Some(name) = sensitive_name(value)
        {
            stats.sensitive_names.insert(name);
        }
        if value.len() < 4 {
            return;
        }
        if value.len() >= 200 && stats.blobs.len() < 100 && strings::is_encoded_blob(value) {
            stats.blobs.push(span);
        }
        if value.len() > MAX_SCANNED_LITERAL {
            return;
        }
        if strings::is_wallet_address(value) && stats.wallet_literals.len() < 200 {
            stats.wallet_literals.push(span);
        }
        let fam = self.literal_families(value, span);
        self.record_text(value, span, fam);
    }

    /// Keyword families of a string literal.
    pub(super) fn literal_families(&self, value: &str, _span: Span) -> strings::Families {
        strings::literal_families(value)
    }

    pub(super) fn classify_text(&mut self, value: &str, span: Span) {
        let fam = strings::literal_families(value);
        self.record_text(value, span, fam);
    }

    pub(super) fn record_text(&mut self, value: &str, span: Span, fam: strings::Families) {
        if !fam.is_empty() && self.facts.strings.len() < MAX_HITS {
            self.facts.strings.push(Hit { span, what: fam });
        }
        if (value.contains("://") || value.contains('.')) && self.facts.urls.len() < MAX_URLS {
            for u in strings::urls(value) {
                self.facts.urls.push(Hit { span, what: u });
            }
        }
    }

    pub(super) fn note_argv_string(&mut self, s: &str, span: Span) {
        const AI_CLIS: &[&str] = &["claude", "gemini", "codex", "q", "cursor-agent", "copilot"];
        if self.facts.argv_strings.len() >= 200 || s.len() > 64 {
            return;
        }
        if AI_CLIS.contains(&s)
            || s.starts_with("--") && strings::families(s).has(strings::Family::AiBypassFlag)
        {
            self.facts.argv_strings.push(Hit {
                span,
                what: s.to_string(),
            });
        }
    }

    /// Records a comparison with a location literal; returns whether it was one.
    pub(super) fn location_compare(
        &mut self,
        value_side: &Expression<'a>,
        literal_side: &Expression<'a>,
        span: Span,
    ) -> bool {
        let lit = match literal_side.get_inner_expression() {
            Expression::StringLiteral(s) => s.value.as_str(),
            _ => return false,
        };
        if !is_location_literal(lit) {
            return false;
        }
        let test = self.flow_of(value_side);
        self.facts.geo_gates.push(GeoGate {
            span,
            test,
            region: (0, 0),
        });
        true
    }
}

/// API and module names that obfuscated malware reaches through its string array.
fn sensitive_name(s: &str) -> Option<&'static str> {
    Some(match s {
        "child_process" => "child_process",
        "exec" => "exec",
        "execSync" => "execSync",
        "spawn" => "spawn",
        "spawnSync" => "spawnSync",
        "execFile" => "execFile",
        "http" => "http",
        "https" => "https",
        "net" => "net",
        "dns" => "dns",
        "dgram" => "dgram",
        "tls" => "tls",
        "vm" => "vm",
        "request" => "request",
        "fetch" => "fetch",
        "WebSocket" => "WebSocket",
        "XMLHttpRequest" => "XMLHttpRequest",
        "env" => "env",
        "hostname" => "hostname",
        "homedir" => "homedir",
        "userInfo" => "userInfo",
        "networkInterfaces" => "networkInterfaces",
        "writeFileSync" => "writeFileSync",
        "writeFile" => "writeFile",
        "appendFileSync" => "appendFileSync",
        "unlinkSync" => "unlinkSync",
        "rmSync" => "rmSync",
        "eval" => "eval",
        "Function" => "Function",
        "runInThisContext" => "runInThisContext",
        "runInNewContext" => "runInNewContext",
        "readFileSync" => "readFileSync",
        "readdirSync" => "readdirSync",
        "ethereum" => "ethereum",
        _ => return None,
    })
}

/// Expressions that can fold to a constant string (cheap syntactic check before folding).
fn may_fold(e: &Expression<'_>) -> bool {
    match e {
        Expression::StringLiteral(_) | Expression::TemplateLiteral(_) => true,
        Expression::BinaryExpression(b) => {
            b.operator == oxc_syntax::operator::BinaryOperator::Addition
        }
        Expression::CallExpression(c) => match c.callee.get_inner_expression() {
            Expression::StaticMemberExpression(m) => {
                matches!(
                    m.property.name.as_str(),
                    "join"
                        | "toString"
                        | "trim"
                        | "from"
                        | "fromCharCode"
                        | "concat"
                        | "reverse"
                        | "toLowerCase"
                        | "toUpperCase"
                )
            }
            Expression::Identifier(id) => matches!(
                id.name.as_str(),
                "atob" | "decodeURIComponent" | "unescape" | "String"
            ),
            _ => false,
        },
        Expression::NewExpression(_) => true,
        _ => false,
    }
}

impl Path {
    pub fn child_path(&self, prop: &str) -> Path {
        let mut p = self.clone();
        if p.text == "global" {
            return Path {
                text: prop.to_string(),
                module: false,
            };
        }
        if p.module && prop == "default" && !p.text.contains('.') {
            return p;
        }
        p.text.push('.');
        p.text.push_str(prop);
        p.module = false;
        p
    }
}

/// `a` in `a.b.c`.
pub fn root_identifier<'x, 'a>(e: &'x Expression<'a>) -> Option<&'x IdentifierReference<'a>> {
    let mut e = e.get_inner_expression();
    for _ in 0..64 {
        match e {
            Expression::Identifier(id) => return Some(id),
            Expression::StaticMemberExpression(m) => e = m.object.get_inner_expression(),
            Expression::ComputedMemberExpression(m) => e = m.object.get_inner_expression(),
            _ => return None,
        }
    }
    None
}

impl<'a> Collector<'a, '_> {
    /// The path of a member expression used as an assignment target.
    pub fn member_path(&mut self, m: &MemberExpression<'a>) -> Option<Path> {
        let base = self.path_of(m.object())?;
        let prop = match m {
            MemberExpression::StaticMemberExpression(s) => s.property.name.as_str().to_string(),
            MemberExpression::ComputedMemberExpression(c) => self.fold(&c.expression)?,
            MemberExpression::PrivateFieldExpression(_) => return None,
        };
        Some(base.child_path(&prop))
    }

    /// URLs in an expression's constant parts (object literal values included).
    pub fn urls_in(&mut self, e: &Expression<'a>) -> Vec<strings::FoundUrl> {
        let mut out = Vec::new();
        match e.get_inner_expression() {
            Expression::ObjectExpression(obj) => {
                let mut host = None;
                let mut path = String::new();
                for p in &obj.properties {
                    let oxc_ast::ast::ObjectPropertyKind::ObjectProperty(p) = p else {
                        continue;
                    };
                    let Some(key) = p.key.static_name() else {
                        continue;
                    };
                    match key.as_ref() {
                        "host" | "hostname" => host = self.fold_partial(&p.value),
                        "path" => path = self.fold_partial(&p.value).unwrap_or_default(),
                        "url" | "uri" | "baseURL" | "baseUrl" | "href" => {
                            if let Some(t) = self.fold_partial(&p.value) {
                                out.extend(strings::urls(&t));
                            }
                        }
                        _ => {}
                    }
                }
                if let Some(h) = host {
                    out.extend(strings::urls(&format!("https://{h}{path}")));
                }
            }
            Expression::Identifier(id) => {
                if let Ref::Local(n) = self.reference(id)
                    && let Some(found) = self.urls_of_binding.get(&n)
                {
                    out.extend(found.iter().cloned());
                }
            }
            other => {
                if let Some(t) = self.fold_partial(other) {
                    out.extend(strings::urls(&t));
                }
            }
        }
        out
    }
}

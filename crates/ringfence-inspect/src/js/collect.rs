//! The one traversal per file. [`Collector`] implements oxc's `Visit`: it keeps the bindings
//! (what each name resolves to), feeds the flow graph, and records typed events in
//! [`Facts`]. Rules run afterwards on the facts and never walk the tree.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use oxc_ast::ast::{
    Argument, ArrayExpression, ArrayExpressionElement, ArrowFunctionExpression,
    AssignmentExpression, AssignmentTarget, BinaryExpression, BindingIdentifier, BindingPattern,
    CallExpression, ComputedMemberExpression, ConditionalExpression, DoWhileStatement, Expression,
    ForInStatement, ForOfStatement, ForStatement, ForStatementLeft, FormalParameters, Function,
    IdentifierReference, IfStatement, ImportDeclaration, ImportDeclarationSpecifier,
    ImportExpression, LogicalExpression, LogicalOperator, MemberExpression, NewExpression,
    ObjectProperty, RegExpLiteral, ReturnStatement, Statement, StaticMemberExpression,
    StringLiteral, TemplateLiteral, WhileStatement,
};
use oxc_ast_visit::{Visit, walk};
use oxc_semantic::Scoping;
use oxc_span::{GetSpan, Span};
use oxc_syntax::scope::ScopeFlags;
use oxc_syntax::symbol::SymbolId;

use super::facts::{EnvRead, Facts, GeoGate, Hit, HookKind};
use super::flow::template_shape;
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

/// Where a function's return values go: the node of the binding that names it, or of the
/// function itself (by its start offset).
#[derive(Debug, Clone, Copy)]
pub(super) enum RetKey {
    Binding(u32),
    Function(u32),
}

/// Data flow recorded during the walk and evaluated only if the file has something for the
/// flow graph to explain (a network call, a process, a file operation, `eval`): most files
/// have none, and evaluating their flows would double the cost of the traversal.
pub(super) enum Deferred<'a> {
    /// `node ← expr`.
    Value(u32, &'a Expression<'a>),
    /// Every name in the pattern `← expr`.
    Pattern(&'a BindingPattern<'a>, &'a Expression<'a>),
    LoopLeft(&'a ForStatementLeft<'a>, &'a Expression<'a>),
    Return(RetKey, &'a Expression<'a>),
    /// A call of a local binding: its parameters receive the arguments.
    CallSite(u32, &'a [Argument<'a>]),
    /// `(function (a) { … })(x)`.
    Iife(&'a Expression<'a>, &'a [Argument<'a>]),
    /// Callbacks among the arguments receive what the callee gives them.
    Callbacks(&'a Expression<'a>, &'a [Argument<'a>]),
    /// `list.push(x)`: the receiver's binding collects the arguments.
    Mutator(u32, &'a [Argument<'a>]),
}

/// Deferred items by the node they assign to: sorted pairs, looked up by binary search.
struct DeferredIndex {
    pairs: Vec<(Node, u32)>,
}

impl DeferredIndex {
    fn of(&self, node: Node) -> impl Iterator<Item = usize> + '_ {
        let from = self.pairs.partition_point(|p| p.0 < node);
        self.pairs[from..]
            .iter()
            .take_while(move |p| p.0 == node)
            .map(|p| p.1 as usize)
    }
}

/// One number per return key (bindings and function starts apart).
fn ret_key_id(k: RetKey) -> u64 {
    match k {
        RetKey::Binding(n) => u64::from(n),
        RetKey::Function(s) => (1 << 32) | u64::from(s),
    }
}

/// A function being walked.
struct Frame {
    ret: RetKey,
    end: u32,
    /// Loops (and iteration callbacks) open inside this function.
    loops: u32,
    /// Runs when the module loads: top level, or an IIFE called from there.
    at_load: bool,
}

/// Caps on recorded events: a 5 MB bundle must not make the fact lists explode.
const MAX_HITS: usize = 4_000;
const MAX_URLS: usize = 2_000;
/// Literals longer than this are only checked for being blobs.
const MAX_SCANNED_LITERAL: usize = 64 * 1024;

pub struct Collector<'a, 'b> {
    pub source: &'a str,
    pub scoping: Option<&'b Scoping>,
    pub bindings: Vec<Binding>,
    pub graph: Graph,
    /// Pseudo-symbols by name when there is no semantic model.
    pub names: HashMap<&'a str, u32>,
    /// Parameters of local functions, by the binding that names the function.
    pub params_of: HashMap<u32, Vec<Option<u32>>>,
    ret_of_binding: HashMap<u32, Node>,
    ret_of_function: HashMap<u32, Node>,
    /// Local functions whose own body calls a decoder (`atob`, `String.fromCharCode` …).
    pub(super) decoder_fns: HashSet<u32>,
    /// Names of bindings that resolve to something (paths, `require`, constants): other local
    /// names need no lookup in the semantic tables when resolving paths.
    pub(super) bound_names: HashSet<&'a str>,
    /// Function expressions bound to a name (`const f = function () {}`), by start.
    fn_binding: HashMap<u32, u32>,
    pub(super) deferred: Vec<Deferred<'a>>,
    /// Return nodes back to their function.
    ret_key_of_node: HashMap<Node, RetKey>,
    /// Deferred returns by function (see [`ret_key_id`]).
    returns_by_key: HashMap<u64, Vec<usize>>,
    /// Functions passed to `forEach`/`map`…: their bodies run in a loop.
    pub(super) loop_callbacks: HashSet<u32>,
    /// Functions called where they are defined.
    pub(super) iifes: HashSet<u32>,
    frames: Vec<Frame>,
    top_loops: u32,
    /// `const x = call()`: the call's start and the binding that receives its result.
    pub(super) declared_from_call: Option<(u32, u32)>,
    /// Bindings holding a child process (for `.unref()`), to the exec fact.
    pub(super) exec_of_binding: HashMap<u32, usize>,
    /// Bindings holding `fs.createWriteStream(p)`: the path.
    pub(super) stream_of_binding: HashMap<u32, usize>,
    /// URLs found in a binding's initialiser (`const options = { hostname: … }`).
    pub(super) urls_of_binding: HashMap<u32, Vec<strings::FoundUrl>>,
    skip_env_at: u32,
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

    /// Whether any fact needs the flow graph.
    fn needs_flows(&self) -> bool {
        let f = &self.facts;
        !f.net.is_empty()
            || !f.execs.is_empty()
            || !f.fs.is_empty()
            || !f.evals.is_empty()
            || !f.pipes.is_empty()
            || !f.geo_gates.is_empty()
    }

    /// Evaluates the deferred flows the facts depend on and solves the flow graph.
    ///
    /// Demand-driven: starting from the bindings the facts' flows read, only the assignments
    /// into those bindings are evaluated, then the assignments into what they read, and so
    /// on. A bundle with one `fetch` does not pay for the flows of its other 10,000 functions.
    pub fn finish(mut self) -> (Facts, Graph) {
        if self.needs_flows() {
            let deferred = std::mem::take(&mut self.deferred);
            let index = self.index_deferred(&deferred);
            let mut done = vec![false; deferred.len()];
            let mut seen: HashSet<Node> = HashSet::default();
            let mut work: Vec<Node> = self.fact_reads();
            self.graph.trace = Some(Vec::new());
            while let Some(node) = work.pop() {
                if !seen.insert(node) {
                    continue;
                }
                let mut items: Vec<usize> = index.of(node).collect();
                if let Some(key) = self.ret_key_of_node.get(&node).copied() {
                    items.extend(self.returns_of(&deferred, key));
                }
                for i in items {
                    if std::mem::replace(&mut done[i], true) {
                        continue;
                    }
                    self.evaluate(&deferred[i]);
                    if let Some(trace) = &mut self.graph.trace {
                        work.append(trace);
                    }
                }
            }
            self.graph.trace = None;
        }
        self.graph.solve();
        (self.facts, self.graph)
    }

    /// Nodes read by the flows recorded in facts.
    fn fact_reads(&self) -> Vec<Node> {
        let f = &self.facts;
        let mut out = Vec::new();
        let mut add = |flow: &Flow| out.extend(flow.reads.iter().map(|r| r.0));
        for n in &f.net {
            add(&n.payload);
            if let Some(r) = &n.receiver {
                add(r);
            }
        }
        for e in &f.execs {
            add(&e.flow);
            add(&e.command_flow);
        }
        for op in &f.fs {
            add(&op.path);
            add(&op.data);
        }
        for e in &f.evals {
            add(&e.arg);
        }
        for p in &f.pipes {
            add(&p.from);
            add(&p.to);
        }
        for g in &f.geo_gates {
            add(&g.test);
        }
        out
    }

    /// Which deferred items assign to which node.
    fn index_deferred(&mut self, deferred: &[Deferred<'a>]) -> DeferredIndex {
        let mut pairs: Vec<(Node, u32)> = Vec::with_capacity(deferred.len());
        let mut targets: Vec<Node> = Vec::new();
        for (i, d) in deferred.iter().enumerate() {
            targets.clear();
            match d {
                Deferred::Value(n, _) | Deferred::Mutator(n, _) => targets.push(*n),
                Deferred::Pattern(p, _) => self.pattern_nodes(p, &mut targets),
                Deferred::LoopLeft(left, _) => match left {
                    ForStatementLeft::VariableDeclaration(decl) => {
                        for d in &decl.declarations {
                            self.pattern_nodes(&d.id, &mut targets);
                        }
                    }
                    ForStatementLeft::AssignmentTargetIdentifier(id) => {
                        if let Ref::Local(n) = self.reference(id) {
                            targets.push(n);
                        }
                    }
                    _ => {}
                },
                // Found through the return node (see `ret_key_of_node`).
                Deferred::Return(..) => {}
                Deferred::CallSite(n, _) => match self.params_of.get(n) {
                    Some(params) => targets.extend(params.iter().flatten().copied()),
                    None => targets.push(*n),
                },
                Deferred::Iife(callee, _) => targets.extend(
                    self.function_params(callee)
                        .unwrap_or_default()
                        .into_iter()
                        .flatten(),
                ),
                Deferred::Callbacks(_, args) => {
                    for a in args.iter() {
                        let params = match a.as_expression().map(Expression::get_inner_expression) {
                            Some(Expression::FunctionExpression(f)) => &f.params,
                            Some(Expression::ArrowFunctionExpression(f)) => &f.params,
                            _ => continue,
                        };
                        for p in &params.items {
                            self.pattern_nodes(&p.pattern, &mut targets);
                        }
                    }
                }
            }
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            pairs.extend(targets.iter().map(|&t| (t, i)));
        }
        pairs.sort_unstable();
        DeferredIndex { pairs }
    }

    fn returns_of(&self, deferred: &[Deferred<'a>], key: RetKey) -> Vec<usize> {
        let same = |k: &RetKey| match (k, key) {
            (RetKey::Binding(a), RetKey::Binding(b))
            | (RetKey::Function(a), RetKey::Function(b)) => *a == b,
            _ => false,
        };
        self.returns_by_key
            .get(&ret_key_id(key))
            .map_or_else(Vec::new, |v| {
                v.iter()
                    .copied()
                    .filter(|&i| matches!(&deferred[i], Deferred::Return(k, _) if same(k)))
                    .collect()
            })
    }

    fn pattern_nodes(&mut self, p: &BindingPattern<'a>, out: &mut Vec<Node>) {
        match p {
            BindingPattern::BindingIdentifier(id) => {
                if let Some(n) = self.binding_node(id) {
                    out.push(n);
                }
            }
            BindingPattern::AssignmentPattern(ap) => self.pattern_nodes(&ap.left, out),
            BindingPattern::ObjectPattern(obj) => {
                for prop in &obj.properties {
                    self.pattern_nodes(&prop.value, out);
                }
                if let Some(rest) = &obj.rest {
                    self.pattern_nodes(&rest.argument, out);
                }
            }
            BindingPattern::ArrayPattern(arr) => {
                for el in arr.elements.iter().flatten() {
                    self.pattern_nodes(el, out);
                }
                if let Some(rest) = &arr.rest {
                    self.pattern_nodes(&rest.argument, out);
                }
            }
        }
    }

    fn evaluate(&mut self, d: &Deferred<'a>) {
        match *d {
            Deferred::Value(n, e) => {
                let f = self.flow_of(e);
                self.graph.assign(n, &f);
            }
            Deferred::Pattern(p, e) => {
                let f = self.flow_of(e);
                self.bind_pattern_flow(p, &f, None);
            }
            Deferred::LoopLeft(left, right) => {
                let f = self.flow_of(right);
                self.bind_loop_left(left, &f);
            }
            Deferred::Return(key, e) => {
                let f = self.flow_of(e);
                let ret = self.ret_node(key);
                self.graph.assign(ret, &f);
            }
            Deferred::CallSite(callee, args) => {
                let flows: Vec<Flow> = args.iter().map(|a| self.arg_flow(a)).collect();
                match self.params_of.get(&callee).cloned() {
                    Some(params) => {
                        for (p, a) in params.iter().zip(flows.iter()) {
                            if let Some(p) = p {
                                self.graph.assign(*p, a);
                            }
                        }
                    }
                    None => {
                        // A callback (`resolve(x)`, `cb(null, data)`): its node collects what
                        // it is called with, which `new Promise` hands on.
                        let mut all = Flow::default();
                        for a in flows {
                            all.merge(a);
                        }
                        self.graph.assign(callee, &all);
                    }
                }
            }
            Deferred::Iife(callee, args) => {
                let params = self.function_params(callee).unwrap_or_default();
                self.bind_args(&params, args);
            }
            Deferred::Callbacks(callee, args) => {
                let path = self.path_of(callee);
                self.link_callbacks(callee, path.as_ref(), args);
            }
            Deferred::Mutator(n, args) => {
                let f = self.data_args_flow(args);
                self.graph.assign(n, &f);
            }
        }
    }

    pub(super) fn ret_node(&mut self, key: RetKey) -> Node {
        match key {
            RetKey::Binding(n) => self.return_node_of_binding(n),
            RetKey::Function(start) => self.return_node_of_function(start),
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

    fn params(&mut self, params: &FormalParameters<'a>) -> Vec<Option<u32>> {
        let mut out: Vec<Option<u32>> = Vec::with_capacity(params.items.len());
        for p in &params.items {
            out.push(self.pattern_node(&p.pattern));
        }
        out
    }

    /// The node of a simple binding pattern (`x`, `x = 1`); destructuring patterns get a
    /// fresh node whose flow reaches every name inside.
    fn pattern_node(&mut self, p: &BindingPattern<'a>) -> Option<u32> {
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
    fn bind_pattern_paths(&mut self, p: &BindingPattern<'a>, base: &Path) {
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

    fn is_mutated(&self, n: u32) -> bool {
        match self.scoping {
            Some(s) if (n as usize) < s.symbols_len() => {
                s.symbol_is_mutated(SymbolId::from_usize(n as usize))
            }
            _ => true,
        }
    }

    /// `const x = init` (and `x = init`).
    fn declare(&mut self, id: &'a BindingPattern<'a>, init: &'a Expression<'a>) {
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

    fn bind_value(&mut self, n: u32, name: &'a str, init: &'a Expression<'a>, declaration: bool) {
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

    fn is_create_require(&mut self, e: &Expression<'a>) -> bool {
        let Expression::CallExpression(c) = e else {
            return false;
        };
        self.path_of(&c.callee)
            .is_some_and(|p| p.is("module.createRequire") || p.is("createRequire"))
    }

    fn in_loop(&self) -> bool {
        self.frames
            .last()
            .map_or(self.top_loops > 0, |f| f.loops > 0)
    }

    pub(super) fn in_loop_now(&self) -> bool {
        self.in_loop()
    }

    fn at_load(&self) -> bool {
        self.frames.last().is_none_or(|f| f.at_load)
    }

    fn enter_loop(&mut self) {
        match self.frames.last_mut() {
            Some(f) => f.loops += 1,
            None => self.top_loops += 1,
        }
    }

    fn leave_loop(&mut self) {
        match self.frames.last_mut() {
            Some(f) => f.loops = f.loops.saturating_sub(1),
            None => self.top_loops = self.top_loops.saturating_sub(1),
        }
    }

    fn push_frame(&mut self, span: Span, ret: RetKey) {
        let at_load = self.iifes.contains(&span.start) && self.at_load();
        let loops = u32::from(self.loop_callbacks.contains(&span.start));
        self.frames.push(Frame {
            ret,
            end: span.end,
            loops,
            at_load,
        });
    }

    fn on_string(&mut self, value: &str, span: Span) {
        let stats = &mut self.facts.stats;
        stats.literal_bytes += u64::from(span.size());
        let raw = self
            .source
            .get(span.start as usize..span.end as usize)
            .unwrap_or("");
        if raw.contains('\\') {
            let n = count_escaped_ascii(raw);
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

    fn classify_text(&mut self, value: &str, span: Span) {
        let fam = strings::literal_families(value);
        self.record_text(value, span, fam);
    }

    fn record_text(&mut self, value: &str, span: Span, fam: strings::Families) {
        if !fam.is_empty() && self.facts.strings.len() < MAX_HITS {
            self.facts.strings.push(Hit { span, what: fam });
        }
        if (value.contains("://") || value.contains('.')) && self.facts.urls.len() < MAX_URLS {
            for u in strings::urls(value) {
                self.facts.urls.push(Hit { span, what: u });
            }
        }
    }

    fn note_argv_string(&mut self, s: &str, span: Span) {
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
    fn location_compare(
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

/// Printable ASCII characters written as `\xNN`, `\uNNNN` or `\u{…}` in a literal's source.
fn count_escaped_ascii(raw: &str) -> u64 {
    let b = raw.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        let value = match b[i + 1] {
            b'x' if i + 4 <= b.len() => raw
                .get(i + 2..i + 4)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .map(|v| (v, 4)),
            b'u' if b.get(i + 2) == Some(&b'{') => raw[i + 3..].find('}').and_then(|e| {
                u32::from_str_radix(&raw[i + 3..i + 3 + e], 16)
                    .ok()
                    .map(|v| (v, e + 4))
            }),
            b'u' if i + 6 <= b.len() => raw
                .get(i + 2..i + 6)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .map(|v| (v, 6)),
            _ => None,
        };
        match value {
            Some((v, len)) => {
                if (0x20..0x7f).contains(&v) {
                    n += 1;
                }
                i += len;
            }
            None => i += 2,
        }
    }
    n
}

/// `if (x) return;` / `throw` / `process.exit()`: the rest of the function is the branch.
fn is_early_exit(s: &Statement<'_>) -> bool {
    match s {
        Statement::ReturnStatement(_) | Statement::ThrowStatement(_) => true,
        Statement::BlockStatement(b) => b.body.last().is_some_and(is_early_exit),
        Statement::ExpressionStatement(e) => match &e.expression {
            Expression::CallExpression(c) => c.callee.is_specific_member_access("process", "exit"),
            _ => false,
        },
        _ => false,
    }
}

/// A loop condition that is always true: absent, `true`, `1`, `!0`, `i < Infinity`.
fn always_true(test: Option<&Expression<'_>>) -> bool {
    let Some(t) = test else { return true };
    match t.get_inner_expression() {
        Expression::BooleanLiteral(b) => b.value,
        Expression::NumericLiteral(n) => n.value != 0.0,
        Expression::UnaryExpression(u) => {
            u.operator == oxc_syntax::operator::UnaryOperator::LogicalNot
                && matches!(u.argument.get_inner_expression(), Expression::NumericLiteral(n) if n.value == 0.0)
        }
        Expression::BinaryExpression(b) => b.right.is_specific_id("Infinity"),
        _ => false,
    }
}

/// Whether a loop body can leave the loop or yield to the event loop: `break`, `return`,
/// `throw`, `await`, `yield`, `process.exit`. Unknown (too big) counts as yes.
fn loop_can_exit(body: &Statement<'_>) -> bool {
    struct Exit {
        found: bool,
        budget: u32,
        depth: u32,
    }
    impl<'a> Visit<'a> for Exit {
        fn enter_node(&mut self, _kind: oxc_ast::AstKind<'a>) {
            self.budget = self.budget.saturating_sub(1);
            if self.budget == 0 {
                self.found = true;
            }
        }
        fn visit_break_statement(&mut self, _it: &oxc_ast::ast::BreakStatement<'a>) {
            self.found = true;
        }
        fn visit_return_statement(&mut self, _it: &ReturnStatement<'a>) {
            self.found = true;
        }
        fn visit_throw_statement(&mut self, _it: &oxc_ast::ast::ThrowStatement<'a>) {
            self.found = true;
        }
        fn visit_await_expression(&mut self, _it: &oxc_ast::ast::AwaitExpression<'a>) {
            self.found = true;
        }
        fn visit_yield_expression(&mut self, _it: &oxc_ast::ast::YieldExpression<'a>) {
            self.found = true;
        }
        fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
            if it.callee.is_specific_member_access("process", "exit") {
                self.found = true;
            }
            if !self.found && self.depth < 64 {
                self.depth += 1;
                walk::walk_call_expression(self, it);
                self.depth -= 1;
            }
        }
        fn visit_function(&mut self, _it: &Function<'a>, _flags: ScopeFlags) {}
        fn visit_arrow_function_expression(&mut self, _it: &ArrowFunctionExpression<'a>) {}
        fn visit_statement(&mut self, it: &Statement<'a>) {
            if !self.found && self.depth < 64 {
                self.depth += 1;
                walk::walk_statement(self, it);
                self.depth -= 1;
            } else {
                self.found = true;
            }
        }
    }
    let mut v = Exit {
        found: false,
        budget: 5_000,
        depth: 0,
    };
    v.visit_statement(body);
    v.found
}

impl<'a> Visit<'a> for Collector<'a, '_> {
    fn visit_variable_declarator(&mut self, it: &oxc_ast::ast::VariableDeclarator<'a>) {
        let it: &'a oxc_ast::ast::VariableDeclarator<'a> = self.alloc(it);
        if let Some(init) = &it.init {
            self.declare(&it.id, init);
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        let it: &'a AssignmentExpression<'a> = self.alloc(it);
        self.on_assignment(it);
        walk::walk_assignment_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let it: &'a CallExpression<'a> = self.alloc(it);
        self.on_call(it);
        walk::walk_call_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        let it: &'a NewExpression<'a> = self.alloc(it);
        self.on_new(it);
        walk::walk_new_expression(self, it);
    }

    fn visit_function(&mut self, it: &Function<'a>, flags: ScopeFlags) {
        let ret = match it.id.as_ref().and_then(|id| self.binding_node(id)) {
            Some(n) if it.r#type == oxc_ast::ast::FunctionType::FunctionDeclaration => {
                let params = self.params(&it.params);
                self.params_of.insert(n, params);
                RetKey::Binding(n)
            }
            _ => self.ret_key(it.span.start),
        };
        self.push_frame(it.span, ret);
        walk::walk_function(self, it, flags);
        self.frames.pop();
    }

    fn visit_arrow_function_expression(&mut self, it: &ArrowFunctionExpression<'a>) {
        let it: &'a ArrowFunctionExpression<'a> = self.alloc(it);
        let ret = self.ret_key(it.span.start);
        if let Some(e) = it.body.as_expression() {
            self.defer_return(ret, e);
        }
        self.push_frame(it.span, ret);
        walk::walk_arrow_function_expression(self, it);
        self.frames.pop();
    }

    fn visit_return_statement(&mut self, it: &ReturnStatement<'a>) {
        let it: &'a ReturnStatement<'a> = self.alloc(it);
        if let (Some(arg), Some(ret)) = (&it.argument, self.frames.last().map(|f| f.ret)) {
            self.defer_return(ret, arg);
        }
        walk::walk_return_statement(self, it);
    }

    fn visit_while_statement(&mut self, it: &WhileStatement<'a>) {
        if self.at_load() && always_true(Some(&it.test)) && !loop_can_exit(&it.body) {
            self.facts.endless_loops.push(it.span);
        }
        self.enter_loop();
        walk::walk_while_statement(self, it);
        self.leave_loop();
    }

    fn visit_do_while_statement(&mut self, it: &DoWhileStatement<'a>) {
        if self.at_load() && always_true(Some(&it.test)) && !loop_can_exit(&it.body) {
            self.facts.endless_loops.push(it.span);
        }
        self.enter_loop();
        walk::walk_do_while_statement(self, it);
        self.leave_loop();
    }

    fn visit_for_statement(&mut self, it: &ForStatement<'a>) {
        if self.at_load() && always_true(it.test.as_ref()) && !loop_can_exit(&it.body) {
            self.facts.endless_loops.push(it.span);
        }
        self.enter_loop();
        walk::walk_for_statement(self, it);
        self.leave_loop();
    }

    fn visit_for_in_statement(&mut self, it: &ForInStatement<'a>) {
        let it: &'a ForInStatement<'a> = self.alloc(it);
        if self.path_of(&it.right).is_some_and(|p| p.is("process.env")) {
            self.facts.env_enumerated.push(it.span);
        }
        self.deferred.push(Deferred::LoopLeft(&it.left, &it.right));
        self.enter_loop();
        walk::walk_for_in_statement(self, it);
        self.leave_loop();
    }

    fn visit_for_of_statement(&mut self, it: &ForOfStatement<'a>) {
        let it: &'a ForOfStatement<'a> = self.alloc(it);
        self.deferred.push(Deferred::LoopLeft(&it.left, &it.right));
        self.enter_loop();
        walk::walk_for_of_statement(self, it);
        self.leave_loop();
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        if it.property.name == "env" {
            if let Expression::Identifier(id) = it.object.get_inner_expression()
                && id.name == "process"
                && matches!(self.reference(id), Ref::Global(_))
                && it.span.start != self.skip_env_at
            {
                self.facts.env_reads.push(EnvRead {
                    span: it.span,
                    whole: true,
                });
            }
        } else if is_process_env(&it.object) && self.process_is_global(&it.object) {
            self.facts.env_reads.push(EnvRead {
                span: it.span,
                whole: false,
            });
            self.skip_env_at = it.object.span().start;
        }
        walk::walk_static_member_expression(self, it);
    }

    fn visit_computed_member_expression(&mut self, it: &ComputedMemberExpression<'a>) {
        if is_process_env(&it.object) && self.process_is_global(&it.object) {
            self.facts.env_reads.push(EnvRead {
                span: it.span,
                whole: false,
            });
            self.skip_env_at = it.object.span().start;
        } else if it
            .static_property_name()
            .is_some_and(|p| p.as_str() == "env")
            && let Expression::Identifier(id) = it.object.get_inner_expression()
            && id.name == "process"
            && matches!(self.reference(id), Ref::Global(_))
            && it.span.start != self.skip_env_at
        {
            self.facts.env_reads.push(EnvRead {
                span: it.span,
                whole: true,
            });
        }
        walk::walk_computed_member_expression(self, it);
    }

    fn visit_string_literal(&mut self, it: &StringLiteral<'a>) {
        self.on_string(it.value.as_str(), it.span);
    }

    fn visit_template_literal(&mut self, it: &TemplateLiteral<'a>) {
        let shape = template_shape(it);
        self.facts.stats.literal_bytes += u64::from(it.span.size());
        if shape.len() <= MAX_SCANNED_LITERAL {
            let raw_has_escape = it.quasis.iter().any(|q| q.value.raw.contains('\\'));
            if raw_has_escape {
                let n: u64 = it
                    .quasis
                    .iter()
                    .map(|q| count_escaped_ascii(q.value.raw.as_str()))
                    .sum();
                if n > 0 {
                    self.facts.stats.escaped_ascii += n;
                    self.facts.stats.escaped_literals += 1;
                }
            }
            self.classify_text(&shape, it.span);
        }
        walk::walk_template_literal(self, it);
    }

    fn visit_reg_exp_literal(&mut self, it: &RegExpLiteral<'a>) {
        let shape = strings::regex_shape(it.regex.pattern.text.as_str());
        if shape != strings::RegexShape::default() && self.facts.regexes.len() < MAX_HITS {
            self.facts.regexes.push(Hit {
                span: it.span,
                what: shape,
            });
        }
    }

    fn visit_binding_identifier(&mut self, it: &BindingIdentifier<'a>) {
        note_hex_name(&mut self.facts, it.name.as_str(), it.span);
    }

    fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
        note_hex_name(&mut self.facts, it.name.as_str(), it.span);
    }

    fn visit_if_statement(&mut self, it: &IfStatement<'a>) {
        let before = self.facts.geo_gates.len();
        self.visit_expression(&it.test);
        let region = if is_early_exit(&it.consequent) {
            (
                it.span.end,
                self.frames
                    .last()
                    .map_or(self.source.len() as u32, |f| f.end),
            )
        } else {
            (it.consequent.span().start, it.consequent.span().end)
        };
        for g in &mut self.facts.geo_gates[before..] {
            g.region = region;
        }
        self.visit_statement(&it.consequent);
        if let Some(alt) = &it.alternate {
            self.visit_statement(alt);
        }
    }

    fn visit_conditional_expression(&mut self, it: &ConditionalExpression<'a>) {
        let before = self.facts.geo_gates.len();
        self.visit_expression(&it.test);
        for g in &mut self.facts.geo_gates[before..] {
            g.region = (it.consequent.span().start, it.alternate.span().end);
        }
        self.visit_expression(&it.consequent);
        self.visit_expression(&it.alternate);
    }

    fn visit_logical_expression(&mut self, it: &LogicalExpression<'a>) {
        let before = self.facts.geo_gates.len();
        self.visit_expression(&it.left);
        if matches!(it.operator, LogicalOperator::And | LogicalOperator::Or) {
            for g in &mut self.facts.geo_gates[before..] {
                if g.region == (0, 0) {
                    g.region = (it.right.span().start, it.right.span().end);
                }
            }
        }
        self.visit_expression(&it.right);
    }

    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        if it.operator.is_equality() && !self.location_compare(&it.left, &it.right, it.span) {
            self.location_compare(&it.right, &it.left, it.span);
        }
        walk::walk_binary_expression(self, it);
    }

    fn visit_object_property(&mut self, it: &ObjectProperty<'a>) {
        if let Some(name) = it.key.static_name() {
            if matches!(name.as_ref(), "preinstall" | "postinstall" | "install")
                && matches!(
                    it.value.get_inner_expression(),
                    Expression::StringLiteral(_)
                        | Expression::TemplateLiteral(_)
                        | Expression::BinaryExpression(_)
                )
            {
                self.facts.install_hook_keys.push(it.span);
            }
            if matches!(name.as_ref(), "cmd" | "command" | "bin" | "program")
                && let Expression::StringLiteral(s) = it.value.get_inner_expression()
            {
                self.note_argv_string(s.value.as_str(), s.span);
            }
        }
        walk::walk_object_property(self, it);
    }

    fn visit_array_expression(&mut self, it: &ArrayExpression<'a>) {
        for e in &it.elements {
            if let ArrayExpressionElement::StringLiteral(s) = e {
                self.note_argv_string(s.value.as_str(), s.span);
            }
        }
        if it.elements.len() >= 50 {
            let strings = it
                .elements
                .iter()
                .filter(|e| matches!(e, ArrayExpressionElement::StringLiteral(_)))
                .count();
            if strings * 10 >= it.elements.len() * 9 && self.facts.stats.string_arrays.len() < 100 {
                self.facts.stats.string_arrays.push(it.span);
            }
        }
        walk::walk_array_expression(self, it);
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let module = it.source.value.as_str();
        let base = Path::module(module);
        self.facts.imports.push(Hit {
            span: it.span,
            what: base.text.clone(),
        });
        if let Some(specs) = &it.specifiers {
            for s in specs {
                let (local, path) = match s {
                    ImportDeclarationSpecifier::ImportSpecifier(sp) => {
                        (&sp.local, base.child_path(sp.imported.name().as_str()))
                    }
                    ImportDeclarationSpecifier::ImportDefaultSpecifier(sp) => {
                        (&sp.local, base.clone())
                    }
                    ImportDeclarationSpecifier::ImportNamespaceSpecifier(sp) => {
                        (&sp.local, base.clone())
                    }
                };
                if let Some(n) = self.binding_node(local) {
                    self.set_binding(n, local.name.as_str(), Binding::Path(path));
                }
            }
        }
        walk::walk_import_declaration(self, it);
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        self.on_dynamic_import(it);
        walk::walk_import_expression(self, it);
    }
}

impl<'a> Collector<'a, '_> {
    fn defer_return(&mut self, key: RetKey, e: &'a Expression<'a>) {
        self.returns_by_key
            .entry(ret_key_id(key))
            .or_default()
            .push(self.deferred.len());
        self.deferred.push(Deferred::Return(key, e));
    }

    /// The walk is inside a local function that calls a decoder: remember the function.
    pub(super) fn note_decoder_call(&mut self) {
        if let Some(Frame {
            ret: RetKey::Binding(n),
            ..
        }) = self.frames.last()
        {
            let n = *n;
            self.decoder_fns.insert(n);
        }
    }

    fn ret_key(&self, start: u32) -> RetKey {
        match self.fn_binding.get(&start) {
            Some(&n) => RetKey::Binding(n),
            None => RetKey::Function(start),
        }
    }

    /// `process` in `process.env` is the global, not a parameter or local.
    fn process_is_global(&mut self, env: &Expression<'a>) -> bool {
        match root_identifier(env) {
            Some(id) => matches!(self.reference(id), Ref::Global(_)),
            None => false,
        }
    }

    pub(super) fn bind_loop_left(&mut self, left: &ForStatementLeft<'a>, flow: &Flow) {
        match left {
            ForStatementLeft::VariableDeclaration(d) => {
                for decl in &d.declarations {
                    self.bind_pattern_flow(&decl.id, flow, None);
                }
            }
            ForStatementLeft::AssignmentTargetIdentifier(id) => {
                if let Ref::Local(n) = self.reference(id) {
                    self.graph.assign(n, flow);
                }
            }
            _ => {}
        }
    }

    fn on_assignment(&mut self, it: &'a AssignmentExpression<'a>) {
        match &it.left {
            AssignmentTarget::AssignmentTargetIdentifier(id) => match self.reference(id) {
                Ref::Local(n) => self.bind_value(n, id.name.as_str(), &it.right, false),
                Ref::Global(name) => {
                    if name == "fetch" {
                        self.facts.hooks.push(Hit {
                            span: it.span,
                            what: HookKind::Fetch,
                        });
                    }
                }
            },
            target => {
                let Some(m) = target
                    .as_simple_assignment_target()
                    .and_then(|t| t.as_member_expression())
                else {
                    return;
                };
                if let Some(p) = self.member_path(m) {
                    let hook = match p.text.as_str() {
                        "fetch" => Some(HookKind::Fetch),
                        "XMLHttpRequest.prototype.open"
                        | "XMLHttpRequest.prototype.send"
                        | "XMLHttpRequest.prototype.setRequestHeader" => {
                            Some(HookKind::XhrPrototype)
                        }
                        t if t == "ethereum" || t.starts_with("ethereum.") => {
                            Some(HookKind::Ethereum)
                        }
                        _ => None,
                    };
                    if let Some(h) = hook {
                        self.facts.hooks.push(Hit {
                            span: it.span,
                            what: h,
                        });
                    }
                }
                if let Some(name) = m.static_property_name()
                    && matches!(name, "preinstall" | "postinstall" | "install")
                    && let Some(obj) = m.object().get_member_expr()
                    && obj.static_property_name() == Some("scripts")
                {
                    self.facts.install_hook_keys.push(it.span);
                }
                // `obj.x = data`: the object now carries the data.
                if let Some(root) = root_identifier(m.object())
                    && let Ref::Local(n) = self.reference(root)
                {
                    self.deferred.push(Deferred::Value(n, &it.right));
                }
            }
        }
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

fn note_hex_name(facts: &mut Facts, name: &str, span: Span) {
    if name.len() >= 6
        && name.starts_with("_0x")
        && name[3..].bytes().all(|b| b.is_ascii_hexdigit())
    {
        let stats = &mut facts.stats;
        if stats.hex_names.len() < 10_000 && !stats.hex_names.contains(name) {
            stats.hex_names.insert(name.to_string());
        }
        stats.first_hex_name.get_or_insert(span);
    }
}

/// `process.env` with `process` the global.
fn is_process_env(e: &Expression<'_>) -> bool {
    match e.get_inner_expression() {
        Expression::StaticMemberExpression(m) => {
            m.property.name == "env" && m.object.is_specific_id("process")
        }
        Expression::ComputedMemberExpression(m) => {
            m.static_property_name()
                .is_some_and(|p| p.as_str() == "env")
                && m.object.is_specific_id("process")
        }
        _ => false,
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

//! Deferred data flow: assignments recorded during the walk and evaluated at the end, on
//! demand, only for the bindings the facts depend on.

use rustc_hash::FxHashSet as HashSet;

use oxc_ast::ast::{Argument, BindingPattern, Expression, ForStatementLeft};

use super::collect::Collector;
use super::facts::Facts;
use super::resolve::Ref;
use super::taint::{Flow, Graph, Node};

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
pub(super) struct DeferredIndex {
    pairs: Vec<(Node, u32)>,
}

impl DeferredIndex {
    pub(super) fn of(&self, node: Node) -> impl Iterator<Item = usize> + '_ {
        let from = self.pairs.partition_point(|p| p.0 < node);
        self.pairs[from..]
            .iter()
            .take_while(move |p| p.0 == node)
            .map(|p| p.1 as usize)
    }
}

/// One number per return key (bindings and function starts apart).
pub(super) fn ret_key_id(k: RetKey) -> u64 {
    match k {
        RetKey::Binding(n) => u64::from(n),
        RetKey::Function(s) => (1 << 32) | u64::from(s),
    }
}

impl<'a> Collector<'a, '_> {
    /// Whether any fact needs the flow graph.
    pub(super) fn needs_flows(&self) -> bool {
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
    pub(super) fn fact_reads(&self) -> Vec<Node> {
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
    pub(super) fn index_deferred(&mut self, deferred: &[Deferred<'a>]) -> DeferredIndex {
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

    pub(super) fn returns_of(&self, deferred: &[Deferred<'a>], key: RetKey) -> Vec<usize> {
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

    pub(super) fn pattern_nodes(&mut self, p: &BindingPattern<'a>, out: &mut Vec<Node>) {
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

    pub(super) fn evaluate(&mut self, d: &Deferred<'a>) {
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
}

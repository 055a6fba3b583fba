//! The traversal itself: oxc's `Visit` for [`Collector`], one method per node kind that
//! matters, each recording facts and deferring flows.

use oxc_ast::ast::{
    ArrayExpression, ArrayExpressionElement, ArrowFunctionExpression, AssignmentExpression,
    AssignmentTarget, BinaryExpression, BindingIdentifier, CallExpression,
    ComputedMemberExpression, ConditionalExpression, DoWhileStatement, Expression, ForInStatement,
    ForOfStatement, ForStatement, ForStatementLeft, Function, IdentifierReference, IfStatement,
    ImportDeclaration, ImportDeclarationSpecifier, ImportExpression, LogicalExpression,
    LogicalOperator, NewExpression, ObjectProperty, RegExpLiteral, ReturnStatement, Statement,
    StaticMemberExpression, StringLiteral, TemplateLiteral, WhileStatement,
};
use oxc_ast_visit::{Visit, walk};
use oxc_span::{GetSpan, Span};
use oxc_syntax::scope::ScopeFlags;

use super::collect::{Binding, Collector, Frame, MAX_HITS, MAX_SCANNED_LITERAL, root_identifier};
use super::deferred::{Deferred, RetKey, ret_key_id};
use super::facts::{EnvRead, Facts, Hit, HookKind};
use super::flow::template_shape;
use super::resolve::{Path, Ref};
use super::strings;
use super::taint::Flow;

/// Printable ASCII characters written as `\xNN`, `\uNNNN` or `\u{…}` in a literal's source.
pub(super) fn count_escaped_ascii(raw: &str) -> u64 {
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
    pub(super) fn defer_return(&mut self, key: RetKey, e: &'a Expression<'a>) {
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

    pub(super) fn ret_key(&self, start: u32) -> RetKey {
        match self.fn_binding.get(&start) {
            Some(&n) => RetKey::Binding(n),
            None => RetKey::Function(start),
        }
    }

    /// `process` in `process.env` is the global, not a parameter or local.
    pub(super) fn process_is_global(&mut self, env: &Expression<'a>) -> bool {
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

    pub(super) fn on_assignment(&mut self, it: &'a AssignmentExpression<'a>) {
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

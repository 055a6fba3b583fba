//! The data flow of an expression: the taint bits it carries itself and the bindings it reads
//! (see [`super::taint`]). Evaluated at assignments, returns, call arguments and sinks; stops
//! at function boundaries (a function value carries nothing; its calls do).

use oxc_ast::ast::{
    Argument, ArrayExpressionElement, BinaryOperator, CallExpression, ChainElement, Expression,
    NewExpression, ObjectPropertyKind, UnaryOperator,
};

use super::collect::Collector;
use super::known;
use super::resolve::{Path, Ref, first_arg};
use super::strings::{is_root_path, is_user_folder, literal_taint, literal_taint_with};
use super::taint::{Flow, Taint, Transform};

const MAX_DEPTH: u32 = 40;

impl<'a> Collector<'a, '_> {
    pub fn flow_of(&mut self, expr: &Expression<'a>) -> Flow {
        self.flow_at(expr, 0)
    }

    pub(super) fn flow_at(&mut self, expr: &Expression<'a>, depth: u32) -> Flow {
        if depth > MAX_DEPTH {
            return Flow::default();
        }
        let d = depth + 1;
        match expr.get_inner_expression() {
            Expression::StringLiteral(s) => {
                let v = s.value.as_str();
                if v.len() > 4096 || v.len() < 2 {
                    return Flow::default();
                }
                let fam = self.literal_families(v, s.span);
                Flow::bits(literal_taint_with(v, fam))
            }
            Expression::TemplateLiteral(t) => {
                let mut f = Flow::bits(literal_taint(&template_shape(t)));
                for (i, e) in t.expressions.iter().enumerate() {
                    let ef = self.flow_at(e, d);
                    let next = t
                        .quasis
                        .get(i + 1)
                        .and_then(|q| q.value.cooked)
                        .map_or("", |c| c.as_str());
                    f.merge(if continues_path(next) {
                        ef.through(Transform::DEEPER)
                    } else {
                        ef
                    });
                }
                f
            }
            Expression::Identifier(id) => match self.reference(id) {
                Ref::Local(n) => Flow::node(n),
                Ref::Global("__dirname" | "__filename") => Flow::bits(Taint::ID_PATH),
                Ref::Global(_) => Flow::default(),
            },
            Expression::StaticMemberExpression(_) | Expression::ComputedMemberExpression(_) => {
                self.member_flow(expr, d)
            }
            Expression::ChainExpression(c) => match &c.expression {
                ChainElement::CallExpression(call) => self.call_flow(call, d),
                _ => self.member_flow(expr, d),
            },
            Expression::CallExpression(call) => self.call_flow(call, d),
            Expression::NewExpression(new) => self.new_flow(new, d),
            Expression::BinaryExpression(b) => {
                if b.operator.is_equality()
                    || b.operator.is_compare()
                    || matches!(b.operator, BinaryOperator::In | BinaryOperator::Instanceof)
                {
                    Flow::default()
                } else {
                    // A `'/'` or `'~'` between other pieces is a separator, not the root.
                    let piece = |this: &mut Self, e: &Expression<'a>| {
                        let mut f = this.flow_at(e, d);
                        if matches!(e.get_inner_expression(), Expression::StringLiteral(_)) {
                            f.bits = f.bits.without(Taint::HOME_ROOT);
                        }
                        f
                    };
                    let mut f = piece(self, &b.left);
                    // `home + '/.cache/x'` is a path under home, not home itself.
                    if let Expression::StringLiteral(r) = b.right.get_inner_expression()
                        && continues_path(r.value.as_str())
                    {
                        f = f.through(Transform::DEEPER);
                    }
                    f.merge(piece(self, &b.right));
                    f
                }
            }
            Expression::LogicalExpression(l) => {
                let mut f = self.flow_at(&l.left, d);
                f.merge(self.flow_at(&l.right, d));
                f
            }
            Expression::ConditionalExpression(c) => {
                let mut f = self.flow_at(&c.consequent, d);
                f.merge(self.flow_at(&c.alternate, d));
                f
            }
            Expression::SequenceExpression(s) => s
                .expressions
                .last()
                .map(|e| self.flow_at(e, d))
                .unwrap_or_default(),
            Expression::AssignmentExpression(a) => self.flow_at(&a.right, d),
            Expression::AwaitExpression(a) => self.flow_at(&a.argument, d),
            Expression::YieldExpression(y) => y
                .argument
                .as_ref()
                .map(|e| self.flow_at(e, d))
                .unwrap_or_default(),
            Expression::ArrayExpression(arr) => {
                let mut f = Flow::default();
                for el in &arr.elements {
                    match el {
                        ArrayExpressionElement::SpreadElement(s) => {
                            f.merge(self.flow_at(&s.argument, d))
                        }
                        ArrayExpressionElement::Elision(_) => {}
                        other => {
                            if let Some(e) = other.as_expression() {
                                f.merge(self.flow_at(e, d));
                            }
                        }
                    }
                }
                f
            }
            Expression::ObjectExpression(obj) => {
                let mut f = Flow::default();
                for p in &obj.properties {
                    match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            if !p.method
                                && !matches!(
                                    p.value,
                                    Expression::FunctionExpression(_)
                                        | Expression::ArrowFunctionExpression(_)
                                )
                            {
                                f.merge(self.flow_at(&p.value, d));
                            }
                        }
                        ObjectPropertyKind::SpreadProperty(s) => {
                            f.merge(self.flow_at(&s.argument, d))
                        }
                    }
                }
                f
            }
            Expression::UnaryExpression(u) => match u.operator {
                UnaryOperator::Typeof
                | UnaryOperator::Void
                | UnaryOperator::Delete
                | UnaryOperator::LogicalNot => Flow::default(),
                _ => self.flow_at(&u.argument, d),
            },
            Expression::TaggedTemplateExpression(t) => {
                let mut f = Flow::default();
                for e in &t.quasi.expressions {
                    f.merge(self.flow_at(e, d));
                }
                f
            }
            _ => Flow::default(),
        }
    }

    fn member_flow(&mut self, expr: &Expression<'a>, d: u32) -> Flow {
        if let Some(p) = self.path_of(expr) {
            let t = member_source(&p);
            if !t.is_empty() {
                return Flow::bits(t);
            }
        }
        let inner = match expr.get_inner_expression() {
            Expression::ChainExpression(c) => match c.expression.member_expression() {
                Some(m) => m,
                None => return Flow::default(),
            },
            other => match other.get_member_expr() {
                Some(m) => m,
                None => return Flow::default(),
            },
        };
        let mut f = self.flow_at(inner.object(), d).property();
        if let oxc_ast::ast::MemberExpression::ComputedMemberExpression(c) = inner
            && !matches!(
                c.expression,
                Expression::StringLiteral(_) | Expression::NumericLiteral(_)
            )
        {
            f.merge(self.flow_at(&c.expression, d));
        }
        f
    }

    fn call_flow(&mut self, call: &CallExpression<'a>, d: u32) -> Flow {
        let callee = call.callee.get_inner_expression();
        if let Some(path) = self.path_of(&call.callee)
            && let Some(f) = self.known_call_flow(&path, &call.arguments, d)
        {
            return f;
        }
        match callee {
            Expression::Identifier(id) => {
                if let Ref::Local(n) = self.reference(id) {
                    let ret = self.return_node_of_binding(n);
                    // `decode(BLOB, 42)`: what a local decoder makes of constants is a payload.
                    let decodes_constants =
                        self.decoder_fns.contains(&n) && self.constant_args(&call.arguments);
                    return if decodes_constants {
                        Flow::node(ret).through(Transform::CONST_CALL)
                    } else {
                        Flow::node(ret)
                    };
                }
                self.args_flow(&call.arguments, d)
            }
            Expression::FunctionExpression(f) => {
                Flow::node(self.return_node_of_function(f.span.start))
            }
            Expression::ArrowFunctionExpression(f) => {
                Flow::node(self.return_node_of_function(f.span.start))
            }
            Expression::StaticMemberExpression(_) | Expression::ComputedMemberExpression(_) => {
                let Some(m) = callee.get_member_expr() else {
                    return Flow::default();
                };
                let method = m.static_property_name().unwrap_or("");
                let mut f = self.flow_at(m.object(), d);
                match method {
                    "then" | "catch" | "finally" => {
                        for a in &call.arguments {
                            match a.as_expression().map(Expression::get_inner_expression) {
                                Some(Expression::FunctionExpression(func)) => f.merge(Flow::node(
                                    self.return_node_of_function(func.span.start),
                                )),
                                Some(Expression::ArrowFunctionExpression(func)) => {
                                    f.merge(Flow::node(
                                        self.return_node_of_function(func.span.start),
                                    ));
                                }
                                _ => {}
                            }
                        }
                    }
                    "getTimezoneOffset" | "resolvedOptions" => f.bits |= Taint::GEO,
                    // A decipher fed a constant yields the embedded payload.
                    "update" | "final" => {
                        let constant = self.constant_args(&call.arguments);
                        f.merge(self.args_flow(&call.arguments, d));
                        if constant {
                            f = f.through(Transform::CONST_CALL);
                        }
                    }
                    // Positions, lengths and patterns select from the receiver; they are not
                    // part of the result.
                    "slice" | "substring" | "substr" | "charAt" | "charCodeAt" | "codePointAt"
                    | "at" | "indexOf" | "lastIndexOf" | "includes" | "startsWith" | "endsWith"
                    | "padStart" | "padEnd" | "repeat" | "split" | "toFixed" | "toString"
                    | "search" | "match" | "matchAll" | "test" | "subarray" | "fill" | "trim"
                    | "toLowerCase" | "toUpperCase" | "readUInt8" | "readUInt16LE"
                    | "readUInt32LE" | "readInt32LE" | "get" | "has" | "keys" | "values"
                    | "entries" => {}
                    _ => f.merge(self.args_flow(&call.arguments, d)),
                }
                f
            }
            _ => self.args_flow(&call.arguments, d),
        }
    }

    /// Arguments that are data (not callbacks).
    fn args_flow(&mut self, args: &[Argument<'a>], d: u32) -> Flow {
        let mut f = Flow::default();
        for a in args {
            let e = match a {
                Argument::SpreadElement(s) => &s.argument,
                other => match other.as_expression() {
                    Some(e) => e,
                    None => continue,
                },
            };
            if matches!(
                e.get_inner_expression(),
                Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
            ) {
                continue;
            }
            f.merge(self.flow_at(e, d));
        }
        f
    }

    fn known_call_flow(&mut self, path: &Path, args: &[Argument<'a>], d: u32) -> Option<Flow> {
        let p = path.text.as_str();
        if !known::relevant(p) {
            return None;
        }
        let source = known::source_call(p);
        if !source.is_empty() {
            let mut f = self.args_flow(args, d);
            f.bits |= source;
            if source.has(Taint::DECODED) {
                f.bits |= self.folded_call_bits(args, p);
                if self.constant_args(args) {
                    f.bits |= Taint::CONST_DECODED;
                }
            }
            return Some(f);
        }
        if p == "Buffer.from" || p == "Buffer" {
            let mut f = self.args_flow(args, d);
            let enc = args
                .get(1)
                .and_then(Argument::as_expression)
                .and_then(|e| self.fold(e));
            if matches!(enc.as_deref(), Some("base64" | "hex" | "base64url")) {
                f.bits |= Taint::DECODED | self.folded_call_bits(args, p);
                if self.constant_args(args.get(..1).unwrap_or(&[])) {
                    f.bits |= Taint::CONST_DECODED;
                }
            }
            return Some(f);
        }
        if known::passes_through(p) {
            return Some(self.args_flow(args, d));
        }
        // Compiling WebAssembly from bytes is not evaluating JavaScript: the module's exports
        // carry nothing of its bytes.
        if p.starts_with("WebAssembly.") {
            return Some(Flow::default());
        }
        if known::path_join(p) {
            return Some(self.join_flow(args, d));
        }
        if let Some((handle, _)) = known::network_request(p) {
            let sent = self.args_flow(args, d);
            return Some(if handle {
                let mut f = sent;
                f.bits |= Taint::NET_HANDLE;
                f
            } else {
                let mut f = sent.through(Transform::FETCH);
                f.bits |= Taint::NET_RESPONSE;
                f
            });
        }
        if let Some(raw) = known::connect(p) {
            let mut f = self.args_flow(args, d);
            f.bits |= Taint::NET_HANDLE;
            if raw {
                f.bits |= Taint::RAW_SOCKET;
            }
            return Some(f);
        }
        if let Some(fs) = known::fs_call(p) {
            let path_flow = first_arg(args)
                .map(|e| self.flow_at(e, d))
                .unwrap_or_default();
            return Some(match fs {
                known::FsCall::Read => path_flow.through(Transform::READ_FILE),
                known::FsCall::ReadDir => path_flow.through(Transform::LIST_DIR),
                _ => Flow::default(),
            });
        }
        if known::exec(p).is_some() {
            return Some(Flow::bits(self.exec_output(p, args)));
        }
        if matches!(p, "require" | "module.require") {
            return Some(Flow::default());
        }
        None
    }

    /// Bits of what a decoder call folds to (a base64 string hiding a URL).
    fn folded_call_bits(&mut self, args: &[Argument<'a>], path: &str) -> Taint {
        let folded = match path {
            "atob" => first_arg(args).and_then(|e| self.fold(e)).and_then(|s| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD
                    .decode(s.trim())
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            }),
            "Buffer.from" | "Buffer" => self.fold_buffer_args(args),
            _ => None,
        };
        // A root spelled in base64 (`Buffer.from('Lw==', 'base64')`) is a hidden target.
        folded
            .map(|s| {
                if is_root_path(&s) {
                    Taint::HOME_ROOT
                } else {
                    literal_taint(&s)
                }
            })
            .unwrap_or_default()
    }

    /// `path.join(home, "Desktop")` stays the user's folder; `path.join(home, ".cache/x")` does not.
    fn join_flow(&mut self, args: &[Argument<'a>], d: u32) -> Flow {
        let mut shape = String::new();
        let mut rest_are_user_folders = args.len() > 1;
        let mut f = Flow::default();
        for (i, a) in args.iter().enumerate() {
            let Some(e) = a.as_expression() else { continue };
            let folded = self.fold(e);
            if i > 0 {
                shape.push('/');
                if !folded.as_deref().is_some_and(is_user_folder) {
                    rest_are_user_folders = false;
                }
            }
            shape.push_str(folded.as_deref().unwrap_or("*"));
            f.merge(self.flow_at(e, d));
        }
        if args.len() > 1 && !rest_are_user_folders {
            f = f.through(Transform::DEEPER);
        }
        f.bits |= literal_taint(&shape).without(Taint::HOME_ROOT);
        f
    }

    fn new_flow(&mut self, new: &NewExpression<'a>, d: u32) -> Flow {
        let path = self.path_of(&new.callee);
        if let Some(p) = &path {
            if p.is("Promise") {
                // `new Promise(resolve => resolve(x))`: the value passed to `resolve`.
                if let Some(params) =
                    first_arg(&new.arguments).and_then(|e| self.function_params(e))
                    && let Some(Some(resolve)) = params.first()
                {
                    return Flow::node(*resolve);
                }
                return Flow::default();
            }
            if let Some(f) = self.known_call_flow(p, &new.arguments, d) {
                return f;
            }
        }
        self.args_flow(&new.arguments, d)
    }
}

impl<'a> Collector<'a, '_> {
    /// The flow of a path argument: a literal `/` or `~` standing alone is a root.
    pub(super) fn path_arg_flow(&mut self, e: &Expression<'a>, d: u32) -> Flow {
        match e.get_inner_expression() {
            Expression::StringLiteral(s) if is_root_path(s.value.as_str()) => {
                Flow::bits(Taint::HOME_ROOT)
            }
            _ => self.flow_at(e, d),
        }
    }
}

/// Taint of a member path read: `process.env`, `process.env.X`, `navigator.language`.
fn member_source(p: &Path) -> Taint {
    let t = p.text.as_str();
    if t == "process.env" {
        return Taint::ENV_WHOLE;
    }
    if let Some(name) = t.strip_prefix("process.env.") {
        return known::env_var(name);
    }
    match t {
        "navigator.language" | "navigator.languages" | "navigator.userLanguage" => Taint::GEO,
        "os.EOL" | "process.platform" | "process.arch" => Taint::NONE,
        _ => Taint::NONE,
    }
}

/// Text that appends path components (`/.cache/x`), other than a top-level user folder.
fn continues_path(next: &str) -> bool {
    (next.starts_with('/') || next.starts_with('\\')) && {
        let rest = next.trim_matches(['/', '\\']);
        !rest.is_empty() && !is_user_folder(rest) && !rest.starts_with('*')
    }
}

/// The constant text of a template literal with `*` for each substitution.
pub fn template_shape(t: &oxc_ast::ast::TemplateLiteral<'_>) -> String {
    let mut out = String::new();
    for (i, q) in t.quasis.iter().enumerate() {
        if i > 0 {
            out.push('*');
        }
        out.push_str(q.value.cooked.map_or(q.value.raw.as_str(), |c| c.as_str()));
    }
    out
}

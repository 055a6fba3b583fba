//! What an expression *is*: `cp.exec` after `const cp = require('child_process')` is
//! `child_process.exec`; `window.eval` is `eval`; a local named `eval` is nothing global.
//! Also constant folding of strings (`'ch' + 'ild_process'`, `Buffer.from(b64, 'base64')`).
//!
//! Identifiers are resolved through oxc's semantic model: a reference without a symbol is a
//! global. Without a semantic model (the file had syntax errors) names stand for themselves.

use base64::Engine;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, BinaryOperator, BindingIdentifier, Expression,
    IdentifierReference, MemberExpression,
};
use oxc_syntax::reference::ReferenceId;

use super::collect::{Binding, Collector};

/// A resolved global or module path, dot-separated: `child_process.exec`, `process.env.HOME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub text: String,
    /// Rooted at a `require`/`import`: a following `.default` is the module itself.
    pub module: bool,
}

impl Path {
    fn global(name: &str) -> Path {
        Path {
            text: name.to_string(),
            module: false,
        }
    }

    pub fn module(name: &str) -> Path {
        Path {
            text: normalize_module(name),
            module: true,
        }
    }

    pub fn is(&self, s: &str) -> bool {
        self.text == s
    }
}

/// An identifier reference: a local binding (node id) or a global by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ref<'a> {
    Local(u32),
    Global(&'a str),
}

/// Globals worth resolving. Anything else (`console`, `Math`) resolves to nothing, which
/// keeps path building off the hot path of big bundles.
fn interesting_global(name: &str) -> bool {
    matches!(
        name,
        "process"
            | "require"
            | "eval"
            | "Function"
            | "fetch"
            | "Buffer"
            | "atob"
            | "btoa"
            | "String"
            | "JSON"
            | "Object"
            | "Array"
            | "Reflect"
            | "Promise"
            | "window"
            | "globalThis"
            | "global"
            | "self"
            | "navigator"
            | "Intl"
            | "Date"
            | "XMLHttpRequest"
            | "WebSocket"
            | "EventSource"
            | "module"
            | "setTimeout"
            | "setInterval"
            | "setImmediate"
            | "escape"
            | "unescape"
            | "decodeURIComponent"
            | "decodeURI"
            | "encodeURIComponent"
            | "encodeURI"
            | "Bun"
            | "Deno"
            | "__dirname"
            | "__filename"
            | "__non_webpack_require__"
            | "crypto"
            | "URL"
            | "URLSearchParams"
            | "RegExp"
            | "WebAssembly"
    )
}

/// `node:fs` → `fs`, `fs/promises` → `fs.promises`, `fs-extra` → `fs`, fetch polyfills → `node-fetch`.
pub fn normalize_module(name: &str) -> String {
    let name = name.strip_prefix("node:").unwrap_or(name);
    let canonical = match name {
        "fs-extra" | "graceful-fs" | "promise-fs" | "mz/fs" | "fs-extra/esm" | "original-fs"
        | "fs.realpath" => "fs",
        "fs/promises" | "mz/fs/promises" => "fs.promises",
        "dns/promises" => "dns.promises",
        "mz/child_process" | "child-process-promise" => "child_process",
        "cross-fetch" | "isomorphic-fetch" | "isomorphic-unfetch" | "make-fetch-happen"
        | "minipass-fetch" | "node-fetch-native" => "node-fetch",
        "request-promise" | "request-promise-native" | "requestretry" => "request",
        "ws" | "isomorphic-ws" => "ws",
        other => other,
    };
    canonical.to_string()
}

/// Names of module-interop helpers emitted by TypeScript, Babel and esbuild: they return (a
/// wrapper of) their argument.
fn is_interop_helper(name: &str) -> bool {
    [
        "importDefault",
        "importStar",
        "interopRequireDefault",
        "interopRequireWildcard",
        "toESM",
        "interopNamespace",
        "interopDefault",
    ]
    .iter()
    .any(|h| name.ends_with(h))
}

/// Folded strings longer than this are not built (bounded memory on hostile input).
const MAX_FOLD: usize = 64 * 1024;
const MAX_DEPTH: u32 = 48;

impl<'a> Collector<'a, '_> {
    /// Resolves an identifier reference.
    pub fn reference(&mut self, id: &IdentifierReference<'a>) -> Ref<'a> {
        let name = id.name.as_str();
        match self.scoping {
            Some(scoping) => {
                let symbol = id
                    .reference_id
                    .get()
                    .and_then(|r: ReferenceId| scoping.get_reference(r).symbol_id());
                match symbol {
                    Some(s) => Ref::Local(u32::try_from(s.index()).unwrap_or(u32::MAX)),
                    None => Ref::Global(name),
                }
            }
            None => match self.names.get(name) {
                Some(&n) => Ref::Local(n),
                None if interesting_global(name) => Ref::Global(name),
                None => Ref::Local(self.pseudo_symbol(name)),
            },
        }
    }

    /// The node of a declared binding.
    pub fn binding_node(&mut self, id: &BindingIdentifier<'a>) -> Option<u32> {
        match self.scoping {
            Some(_) => id
                .symbol_id
                .get()
                .map(|s| u32::try_from(s.index()).unwrap_or(u32::MAX)),
            None => Some(self.pseudo_symbol(id.name.as_str())),
        }
    }

    fn pseudo_symbol(&mut self, name: &'a str) -> u32 {
        if let Some(&n) = self.names.get(name) {
            return n;
        }
        let n = self.new_node();
        self.names.insert(name, n);
        n
    }

    /// The global or module path an expression denotes, if any.
    pub fn path_of(&mut self, expr: &Expression<'a>) -> Option<Path> {
        self.path_at(expr, 0)
    }

    fn path_at(&mut self, expr: &Expression<'a>, depth: u32) -> Option<Path> {
        if depth > MAX_DEPTH {
            return None;
        }
        match expr.get_inner_expression() {
            Expression::Identifier(id)
                if !interesting_global(id.name.as_str())
                    && !self.bound_names.contains(id.name.as_str()) =>
            {
                None
            }
            Expression::Identifier(id) => match self.reference(id) {
                Ref::Global(name) => {
                    if matches!(name, "window" | "globalThis" | "global" | "self") {
                        Some(Path::global("global"))
                    } else if interesting_global(name) {
                        Some(Path::global(if name == "__non_webpack_require__" {
                            "require"
                        } else {
                            name
                        }))
                    } else {
                        None
                    }
                }
                Ref::Local(n) => match self.binding(n) {
                    Binding::Path(p) => Some(p.clone()),
                    Binding::Require => Some(Path::global("require")),
                    _ => None,
                },
            },
            Expression::StaticMemberExpression(m) => {
                let base = self.path_at(&m.object, depth + 1)?;
                Some(base.child_path(m.property.name.as_str()))
            }
            Expression::ComputedMemberExpression(m) => {
                let base = self.path_at(&m.object, depth + 1)?;
                let key = self.fold(&m.expression)?;
                Some(base.child_path(&key))
            }
            Expression::ChainExpression(c) => match c.expression.member_expression() {
                Some(MemberExpression::StaticMemberExpression(m)) => {
                    let base = self.path_at(&m.object, depth + 1)?;
                    Some(base.child_path(m.property.name.as_str()))
                }
                _ => None,
            },
            Expression::SequenceExpression(s) => s
                .expressions
                .last()
                .and_then(|e| self.path_at(e, depth + 1)),
            Expression::AwaitExpression(a) => self.path_at(&a.argument, depth + 1),
            Expression::ImportExpression(i) => self.fold(&i.source).map(|s| Path::module(&s)),
            Expression::CallExpression(call) => {
                // `require('x')`, interop wrappers, `util.promisify(f)`, `f.bind(x)`.
                if let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression() {
                    if m.property.name == "bind" {
                        return self.path_at(&m.object, depth + 1);
                    }
                    if is_interop_helper(m.property.name.as_str()) {
                        return first_arg(&call.arguments).and_then(|a| self.path_at(a, depth + 1));
                    }
                }
                if let Expression::Identifier(id) = call.callee.get_inner_expression()
                    && is_interop_helper(id.name.as_str())
                {
                    return first_arg(&call.arguments).and_then(|a| self.path_at(a, depth + 1));
                }
                let callee = self.path_at(&call.callee, depth + 1)?;
                if self.is_require_path(&callee) {
                    let name = first_arg(&call.arguments).and_then(|a| self.fold(a))?;
                    return Some(Path::module(&name));
                }
                if callee.is("util.promisify") || callee.is("promisify") {
                    return first_arg(&call.arguments).and_then(|a| self.path_at(a, depth + 1));
                }
                None
            }
            _ => None,
        }
    }

    /// Whether every argument is a constant and one of them is big enough to hide code (a
    /// string of 16+ characters or an array of 8+ elements): `String.fromCharCode(65279)`
    /// and `decode(x, 42)` are not payloads.
    pub fn constant_args(&mut self, args: &[Argument<'a>]) -> bool {
        if args.is_empty() {
            return false;
        }
        let mut substantial = args.len() >= 8;
        for a in args {
            let e = match a {
                Argument::SpreadElement(s) => &s.argument,
                other => match other.as_expression() {
                    Some(e) => e,
                    None => return false,
                },
            };
            if !self.is_constant(e) {
                return false;
            }
            substantial = substantial || self.is_substantial(e);
        }
        substantial
    }

    fn is_substantial(&mut self, e: &Expression<'a>) -> bool {
        match e.get_inner_expression() {
            Expression::StringLiteral(s) => s.value.len() >= 16,
            Expression::ArrayExpression(arr) => arr.elements.len() >= 8,
            Expression::Identifier(id) => match self.reference(id) {
                Ref::Local(n) => match self.binding(n) {
                    Binding::Text(t) => t.len() >= 16,
                    Binding::Constant => true,
                    _ => false,
                },
                Ref::Global(_) => false,
            },
            other => self.fold(other).is_some_and(|t| t.len() >= 16),
        }
    }

    /// A value written in the code: literals, arrays and objects of literals, names bound to
    /// them, and concatenations or members of those.
    pub fn is_constant(&mut self, e: &Expression<'a>) -> bool {
        self.constant_at(e, 0)
    }

    fn constant_at(&mut self, e: &Expression<'a>, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        match e.get_inner_expression() {
            Expression::StringLiteral(_)
            | Expression::NumericLiteral(_)
            | Expression::BooleanLiteral(_)
            | Expression::NullLiteral(_) => true,
            Expression::TemplateLiteral(t) => {
                t.expressions.iter().all(|x| self.constant_at(x, depth + 1))
            }
            Expression::UnaryExpression(u) => self.constant_at(&u.argument, depth + 1),
            Expression::BinaryExpression(b) => {
                self.constant_at(&b.left, depth + 1) && self.constant_at(&b.right, depth + 1)
            }
            Expression::ArrayExpression(arr) => {
                arr.elements.len() <= 100_000
                    && arr.elements.iter().all(|el| {
                        el.as_expression()
                            .is_some_and(|x| self.constant_at(x, depth + 1))
                    })
            }
            Expression::Identifier(id) if !self.bound_names.contains(id.name.as_str()) => false,
            Expression::Identifier(id) => match self.reference(id) {
                Ref::Local(n) => matches!(self.binding(n), Binding::Text(_) | Binding::Constant),
                Ref::Global(_) => false,
            },
            Expression::StaticMemberExpression(m) => self.constant_at(&m.object, depth + 1),
            Expression::ComputedMemberExpression(m) => self.constant_at(&m.object, depth + 1),
            Expression::CallExpression(c) => match c.callee.get_inner_expression() {
                Expression::StaticMemberExpression(m) => {
                    matches!(
                        m.property.name.as_str(),
                        "join"
                            | "split"
                            | "reverse"
                            | "trim"
                            | "toString"
                            | "slice"
                            | "concat"
                            | "replace"
                    ) && self.constant_at(&m.object, depth + 1)
                        && c.arguments.iter().all(|a| {
                            a.as_expression()
                                .is_some_and(|x| self.constant_at(x, depth + 1))
                        })
                }
                _ => false,
            },
            _ => false,
        }
    }

    pub fn is_require_path(&self, p: &Path) -> bool {
        matches!(
            p.text.as_str(),
            "require" | "module.require" | "process.mainModule.require"
        )
    }

    pub fn binding(&self, n: u32) -> &Binding {
        self.bindings.get(n as usize).unwrap_or(&Binding::None)
    }

    /// Constant string value of an expression, if it folds.
    pub fn fold(&mut self, expr: &Expression<'a>) -> Option<String> {
        let mut budget = 512u32;
        self.fold_at(expr, 0, &mut budget)
            .filter(|s| s.len() <= MAX_FOLD)
    }

    /// Like [`Collector::fold`], with `*` for the parts that do not fold: `"curl " + url +
    /// " | sh"` gives `curl * | sh`. `None` only when nothing at all is constant.
    pub fn fold_partial(&mut self, expr: &Expression<'a>) -> Option<String> {
        let mut budget = 512u32;
        let s = self.fold_partial_at(expr, 0, &mut budget);
        if s.len() > MAX_FOLD || s.bytes().all(|b| b == b'*') {
            None
        } else {
            Some(s)
        }
    }

    fn fold_partial_at(&mut self, expr: &Expression<'a>, depth: u32, budget: &mut u32) -> String {
        if let Some(s) = self.fold_at(expr, depth, budget) {
            return s;
        }
        if depth > MAX_DEPTH || *budget == 0 {
            return "*".to_string();
        }
        match expr.get_inner_expression() {
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                let mut l = self.fold_partial_at(&b.left, depth + 1, budget);
                l.push_str(&self.fold_partial_at(&b.right, depth + 1, budget));
                l
            }
            Expression::TemplateLiteral(t) => {
                let mut out = String::new();
                for (i, q) in t.quasis.iter().enumerate() {
                    out.push_str(q.value.cooked.map_or("", |c| c.as_str()));
                    if let Some(e) = t.expressions.get(i) {
                        out.push_str(&self.fold_partial_at(e, depth + 1, budget));
                    }
                    if out.len() > MAX_FOLD {
                        break;
                    }
                }
                out
            }
            _ => "*".to_string(),
        }
    }

    fn fold_at(&mut self, expr: &Expression<'a>, depth: u32, budget: &mut u32) -> Option<String> {
        if depth > MAX_DEPTH || *budget == 0 {
            return None;
        }
        *budget -= 1;
        match expr.get_inner_expression() {
            Expression::StringLiteral(s) => Some(s.value.as_str().to_string()),
            Expression::NumericLiteral(n) => {
                if n.value.fract() == 0.0 && n.value.abs() < 1e15 {
                    Some(format!("{}", n.value as i64))
                } else {
                    None
                }
            }
            Expression::TemplateLiteral(t) => {
                let mut out = String::new();
                for (i, q) in t.quasis.iter().enumerate() {
                    out.push_str(q.value.cooked.map_or("", |c| c.as_str()));
                    if let Some(e) = t.expressions.get(i) {
                        out.push_str(&self.fold_at(e, depth + 1, budget)?);
                    }
                    if out.len() > MAX_FOLD {
                        return None;
                    }
                }
                Some(out)
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                let l = self.fold_at(&b.left, depth + 1, budget)?;
                let r = self.fold_at(&b.right, depth + 1, budget)?;
                if l.len() + r.len() > MAX_FOLD {
                    return None;
                }
                Some(l + &r)
            }
            Expression::Identifier(id) if !self.bound_names.contains(id.name.as_str()) => None,
            Expression::Identifier(id) => match self.reference(id) {
                Ref::Local(n) => match self.binding(n) {
                    Binding::Text(t) => Some(t.to_string()),
                    _ => None,
                },
                Ref::Global(_) => None,
            },
            Expression::CallExpression(call) => self.fold_call(call, depth, budget),
            Expression::NewExpression(new) => {
                // `new Buffer.from(x, 'base64')` (sic) behaves like the call.
                let callee = self.path_of(&new.callee)?;
                if callee.is("Buffer.from") || callee.is("Buffer") {
                    self.fold_buffer(&new.arguments, depth, budget)
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    fn fold_call(
        &mut self,
        call: &oxc_ast::ast::CallExpression<'a>,
        depth: u32,
        budget: &mut u32,
    ) -> Option<String> {
        let args = &call.arguments;
        if let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression() {
            let method = m.property.name.as_str();
            match method {
                "trim" | "toString" | "valueOf" | "toLowerCase" | "toUpperCase" | "concat"
                | "join" | "reverse" | "split" => {
                    // Receiver-based string methods; `join` and `reverse` also on array literals.
                    if method == "join"
                        && let Some(parts) = self.fold_array(&m.object, depth + 1, budget)
                    {
                        let sep = match first_arg(args) {
                            Some(a) => self.fold_at(a, depth + 1, budget)?,
                            None => ",".to_string(),
                        };
                        return Some(parts.join(&sep));
                    }
                    let recv = self.fold_at(&m.object, depth + 1, budget)?;
                    return match method {
                        "trim" => Some(recv.trim().to_string()),
                        "toString" | "valueOf" => Some(recv),
                        "toLowerCase" => Some(recv.to_lowercase()),
                        "toUpperCase" => Some(recv.to_uppercase()),
                        "concat" => {
                            let mut out = recv;
                            for a in args.iter() {
                                out.push_str(&self.fold_at(
                                    a.as_expression()?,
                                    depth + 1,
                                    budget,
                                )?);
                            }
                            Some(out)
                        }
                        _ => None,
                    };
                }
                _ => {}
            }
        }
        let callee = self.path_of(&call.callee)?;
        match callee.text.as_str() {
            "Buffer.from" => self.fold_buffer(args, depth, budget),
            "atob" => {
                let s = self.fold_at(first_arg(args)?, depth + 1, budget)?;
                decode_base64(&s)
            }
            "String.fromCharCode" => {
                let mut out = String::new();
                for a in args.iter() {
                    let Expression::NumericLiteral(n) = a.as_expression()?.get_inner_expression()
                    else {
                        return None;
                    };
                    out.push(char::from_u32(n.value as u32)?);
                }
                Some(out)
            }
            "decodeURIComponent" | "unescape" | "decodeURI" => {
                let s = self.fold_at(first_arg(args)?, depth + 1, budget)?;
                percent_decode(&s)
            }
            "String" => self.fold_at(first_arg(args)?, depth + 1, budget),
            _ => None,
        }
    }

    /// `Buffer.from(s, 'base64' | 'hex')` (then usually `.toString()`).
    /// The text of `Buffer.from(args…)` when it folds (a decoded constant).
    pub fn fold_buffer_args(&mut self, args: &[Argument<'a>]) -> Option<String> {
        let mut budget = 512u32;
        self.fold_buffer(args, 0, &mut budget)
            .filter(|s| s.len() <= MAX_FOLD)
    }

    fn fold_buffer(
        &mut self,
        args: &[Argument<'a>],
        depth: u32,
        budget: &mut u32,
    ) -> Option<String> {
        let data = self.fold_at(first_arg(args)?, depth + 1, budget)?;
        let enc = match args.get(1).and_then(Argument::as_expression) {
            Some(e) => self.fold_at(e, depth + 1, budget)?,
            None => "utf8".to_string(),
        };
        match enc.to_ascii_lowercase().as_str() {
            "base64" | "base64url" => decode_base64(&data),
            "hex" => decode_hex(&data),
            "utf8" | "utf-8" | "ascii" | "latin1" | "binary" => Some(data),
            _ => None,
        }
    }

    fn fold_array(
        &mut self,
        expr: &Expression<'a>,
        depth: u32,
        budget: &mut u32,
    ) -> Option<Vec<String>> {
        match expr.get_inner_expression() {
            Expression::ArrayExpression(arr) => {
                let mut out = Vec::with_capacity(arr.elements.len());
                for el in &arr.elements {
                    let e = match el {
                        ArrayExpressionElement::SpreadElement(_)
                        | ArrayExpressionElement::Elision(_) => return None,
                        other => other.as_expression()?,
                    };
                    out.push(self.fold_at(e, depth + 1, budget)?);
                }
                Some(out)
            }
            Expression::CallExpression(call) => {
                let Expression::StaticMemberExpression(m) = call.callee.get_inner_expression()
                else {
                    return None;
                };
                match m.property.name.as_str() {
                    "reverse" => {
                        let mut v = self.fold_array(&m.object, depth + 1, budget)?;
                        v.reverse();
                        Some(v)
                    }
                    "split" => {
                        let s = self.fold_at(&m.object, depth + 1, budget)?;
                        let sep = self.fold_at(first_arg(&call.arguments)?, depth + 1, budget)?;
                        if sep.is_empty() {
                            Some(s.chars().map(String::from).collect())
                        } else {
                            Some(s.split(sep.as_str()).map(str::to_string).collect())
                        }
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

pub fn first_arg<'x, 'a>(args: &'x [Argument<'a>]) -> Option<&'x Expression<'a>> {
    args.first().and_then(Argument::as_expression)
}

fn decode_base64(s: &str) -> Option<String> {
    let cleaned: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines
        .iter()
        .find_map(|e| e.decode(cleaned.as_bytes()).ok())?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

fn decode_hex(s: &str) -> Option<String> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    Some(String::from_utf8_lossy(&bytes?).into_owned())
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 3 <= b.len() {
            let hex = s.get(i + 1..i + 3)?;
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_are_normalised() {
        assert_eq!(normalize_module("node:child_process"), "child_process");
        assert_eq!(normalize_module("fs/promises"), "fs.promises");
        assert_eq!(normalize_module("fs-extra"), "fs");
        assert_eq!(normalize_module("lodash"), "lodash");
    }

    #[test]
    fn decoders() {
        assert_eq!(
            decode_base64("aHR0cHM6Ly9leGFtcGxlLmNvbQ==").as_deref(),
            Some("https://example.com")
        );
        assert_eq!(decode_hex("6869").as_deref(), Some("hi"));
        assert_eq!(percent_decode("%68%69!").as_deref(), Some("hi!"));
        assert_eq!(percent_decode("100%").as_deref(), Some("100%"));
    }
}

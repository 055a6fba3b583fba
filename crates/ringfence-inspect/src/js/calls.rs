//! Calls and `new` expressions: what they do (network, processes, files, code evaluation),
//! recorded as facts, and how data flows into callbacks and local functions.

use oxc_ast::ast::{
    Argument, CallExpression, Expression, ImportExpression, NewExpression, ObjectPropertyKind,
};
use oxc_span::{GetSpan, Span};

use super::collect::Collector;
use super::deferred::Deferred;
use super::facts::{
    EvalCall, EvalKind, ExecCall, FsKind, FsOp, Hit, HookKind, NetCall, NetKind, PathKey,
};
use super::known::{self, ExecStyle, FsCall};
use super::resolve::{Path, Ref, first_arg};
use super::strings;
use super::taint::{Flow, Taint, Transform};

impl<'a> Collector<'a, '_> {
    pub fn on_call(&mut self, call: &'a CallExpression<'a>) {
        let path = self.path_of(&call.callee);
        self.note_callbacks(&call.callee, &call.arguments);
        match call.callee.get_inner_expression() {
            Expression::Identifier(id) => {
                if let Ref::Local(n) = self.reference(id)
                    && !call.arguments.is_empty()
                {
                    self.deferred.push(Deferred::CallSite(n, &call.arguments));
                }
            }
            Expression::FunctionExpression(f) => {
                self.iifes.insert(f.span.start);
                self.deferred
                    .push(Deferred::Iife(&call.callee, &call.arguments));
            }
            Expression::ArrowFunctionExpression(f) => {
                self.iifes.insert(f.span.start);
                self.deferred
                    .push(Deferred::Iife(&call.callee, &call.arguments));
            }
            _ => {}
        }
        match path {
            Some(p) => self.classify(&p, &call.arguments, call.span, false),
            None => self.on_method_call(call),
        }
    }

    pub fn on_new(&mut self, new: &'a NewExpression<'a>) {
        let path = self.path_of(&new.callee);
        self.note_callbacks(&new.callee, &new.arguments);
        if let Some(p) = path {
            if p.is("RegExp") {
                if let Some(src) = first_arg(&new.arguments).and_then(|e| self.fold(e)) {
                    let shape = strings::regex_shape(&src);
                    if shape != strings::RegexShape::default() {
                        self.facts.regexes.push(Hit {
                            span: new.span,
                            what: shape,
                        });
                    }
                }
                return;
            }
            self.classify(&p, &new.arguments, new.span, true);
        }
    }

    pub fn on_dynamic_import(&mut self, it: &ImportExpression<'a>) {
        match &it.source {
            Expression::StringLiteral(s) => {
                let m = Path::module(s.value.as_str()).text;
                self.facts.imports.push(Hit {
                    span: it.span,
                    what: m,
                });
            }
            other => {
                let folded = self.fold(other);
                if let Some(m) = &folded {
                    self.facts.imports.push(Hit {
                        span: it.span,
                        what: Path::module(m).text,
                    });
                }
                let arg = self.flow_of(other);
                self.facts.evals.push(EvalCall {
                    kind: EvalKind::ComputedModule,
                    span: it.span,
                    callee: "import".into(),
                    arg,
                    constant: folded.is_some(),
                });
            }
        }
    }

    /// Iteration callbacks are loops (known now, for the walk); what callbacks receive is a
    /// deferred flow.
    fn note_callbacks(&mut self, callee: &'a Expression<'a>, args: &'a [Argument<'a>]) {
        let mut any = false;
        let method = callee
            .get_inner_expression()
            .get_member_expr()
            .and_then(|m| m.static_property_name())
            .unwrap_or("");
        let iteration = known::is_iteration_method(method);
        for a in args {
            if let Some(
                e @ (Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)),
            ) = a.as_expression().map(Expression::get_inner_expression)
            {
                any = true;
                if iteration {
                    self.loop_callbacks.insert(e.span().start);
                }
            }
        }
        if any {
            self.deferred.push(Deferred::Callbacks(callee, args));
        }
    }

    pub(super) fn arg_flow(&mut self, a: &Argument<'a>) -> Flow {
        match a {
            Argument::SpreadElement(s) => self.flow_of(&s.argument),
            other => other
                .as_expression()
                .map(|e| self.flow_of(e))
                .unwrap_or_default(),
        }
    }

    fn params_of_fn(&mut self, e: &Expression<'a>) -> Vec<Option<u32>> {
        self.function_params(e).unwrap_or_default()
    }

    pub(super) fn bind_args(&mut self, params: &[Option<u32>], args: &[Argument<'a>]) {
        for (p, a) in params.iter().zip(args.iter()) {
            if let Some(p) = p {
                let f = self.arg_flow(a);
                self.graph.assign(*p, &f);
            }
        }
    }

    /// Callbacks receive data: a request callback the response, `fs.readFile` the contents,
    /// a method callback its receiver (`list.forEach(x => …)`, `res.on('data', d => …)`).
    pub(super) fn link_callbacks(
        &mut self,
        callee: &Expression<'a>,
        path: Option<&Path>,
        args: &[Argument<'a>],
    ) {
        let callbacks: Vec<usize> = args
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                matches!(
                    a.as_expression().map(Expression::get_inner_expression),
                    Some(
                        Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
                    )
                )
            })
            .map(|(i, _)| i)
            .collect();
        if callbacks.is_empty() {
            return;
        }
        let member = callee.get_inner_expression().get_member_expr();
        // (parameter index, flow) pairs for each callback.
        let given: Vec<(usize, Flow)> = match path.map(|p| p.text.as_str()) {
            Some(p) if !known::relevant(p) => Vec::new(),
            Some(p) if known::network_request(p).is_some() || known::connect(p).is_some() => {
                let mut f = self.data_args_flow(args).through(Transform::FETCH);
                f.bits |= Taint::NET_RESPONSE;
                vec![(0, f)]
            }
            Some(p) if known::fs_call(p) == Some(FsCall::Read) => {
                let f = first_arg(args)
                    .map(|e| self.path_arg_flow(e, 0))
                    .unwrap_or_default()
                    .through(Transform::READ_FILE);
                vec![(1, f)]
            }
            Some(p) if known::fs_call(p) == Some(FsCall::ReadDir) => {
                let f = first_arg(args)
                    .map(|e| self.path_arg_flow(e, 0))
                    .unwrap_or_default()
                    .through(Transform::LIST_DIR);
                vec![(1, f)]
            }
            Some(p) if known::exec(p).is_some() => {
                let bits = self.exec_output(p, args);
                vec![(1, Flow::bits(bits))]
            }
            Some(_) => Vec::new(),
            None => match member {
                Some(m) => {
                    let recv = self.flow_of(m.object());
                    (0..4).map(|i| (i, recv.clone())).collect()
                }
                None => Vec::new(),
            },
        };
        if given.is_empty() {
            return;
        }
        for &i in &callbacks {
            let Some(e) = args[i].as_expression() else {
                continue;
            };
            let params = self.params_of_fn(e);
            for (pi, f) in &given {
                if let Some(Some(p)) = params.get(*pi) {
                    self.graph.assign(*p, f);
                }
            }
        }
    }

    /// Flow of the arguments that are data (callbacks excluded).
    pub(super) fn data_args_flow(&mut self, args: &[Argument<'a>]) -> Flow {
        let mut f = Flow::default();
        for a in args {
            if matches!(
                a.as_expression().map(Expression::get_inner_expression),
                Some(Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_))
            ) {
                continue;
            }
            f.merge(match a {
                Argument::SpreadElement(s) => self.flow_of(&s.argument),
                other => other
                    .as_expression()
                    .map(|e| self.flow_of(e))
                    .unwrap_or_default(),
            });
        }
        f
    }

    fn classify(&mut self, path: &Path, args: &[Argument<'a>], span: Span, is_new: bool) {
        let p = path.text.as_str();
        if !known::relevant(p) {
            return;
        }
        if known::source_call(p).has(Taint::DECODED) || p == "Buffer.from" || p == "Buffer" {
            self.note_decoder_call();
        }
        if self.is_require_path(path) && !is_new {
            self.on_require(args, span);
            return;
        }
        if let Some(kind) = known::eval(p) {
            self.on_eval(kind, p, args, span);
            return;
        }
        if known::network_request(p).is_some() || p == "navigator.sendBeacon" {
            self.net_fact(NetKind::Request, p, args, span, None);
            return;
        }
        if known::dns_lookup(p) {
            self.net_fact(NetKind::Dns, p, args, span, None);
            return;
        }
        if known::connect(p).is_some() {
            self.net_fact(NetKind::Connect, p, args, span, None);
            return;
        }
        if let Some(style) = known::exec(p) {
            self.exec_fact(style, p, args, span);
            return;
        }
        if let Some(fs) = known::fs_call(p) {
            self.fs_fact(fs, p, args, span);
            return;
        }
        match p {
            "Object.defineProperty" | "Reflect.defineProperty" => {
                let target = first_arg(args).and_then(|e| self.path_of(e));
                let prop = args
                    .get(1)
                    .and_then(Argument::as_expression)
                    .and_then(|e| self.fold(e));
                let hook = match (target.as_ref().map(|t| t.text.as_str()), prop.as_deref()) {
                    (Some("global"), Some("ethereum")) => Some(HookKind::Ethereum),
                    (Some("global"), Some("fetch")) => Some(HookKind::Fetch),
                    (Some("XMLHttpRequest.prototype"), Some("open" | "send")) => {
                        Some(HookKind::XhrPrototype)
                    }
                    _ => None,
                };
                if let Some(h) = hook {
                    self.facts.hooks.push(Hit { span, what: h });
                }
            }
            "Intl.DateTimeFormat" => self.facts.locale_reads.push(span),
            _ => {}
        }
        if known::enumerates(p)
            && first_arg(args)
                .and_then(|e| self.path_of(e))
                .is_some_and(|a| a.is("process.env"))
        {
            self.facts.env_enumerated.push(span);
        }
    }

    fn on_require(&mut self, args: &[Argument<'a>], span: Span) {
        let Some(arg) = first_arg(args) else { return };
        if let Expression::StringLiteral(s) = arg.get_inner_expression() {
            let m = Path::module(s.value.as_str()).text;
            self.facts.imports.push(Hit { span, what: m });
            return;
        }
        let folded = self.fold(arg);
        if let Some(m) = &folded {
            self.facts.imports.push(Hit {
                span,
                what: Path::module(m).text,
            });
        }
        let flow = self.flow_of(arg);
        self.facts.evals.push(EvalCall {
            kind: EvalKind::ComputedModule,
            span,
            callee: "require".into(),
            arg: flow,
            constant: folded.is_some(),
        });
    }

    fn on_eval(&mut self, kind: known::EvalCallee, p: &str, args: &[Argument<'a>], span: Span) {
        let kind = match kind {
            known::EvalCallee::Eval => EvalKind::Eval,
            known::EvalCallee::Function => EvalKind::Function,
            known::EvalCallee::Vm => EvalKind::Vm,
            known::EvalCallee::Timer => {
                // Only strings are evaluated; functions are just scheduled.
                let code_like = first_arg(args).is_some_and(|e| {
                    matches!(
                        e.get_inner_expression(),
                        Expression::StringLiteral(_)
                            | Expression::TemplateLiteral(_)
                            | Expression::BinaryExpression(_)
                            | Expression::CallExpression(_)
                    )
                });
                if !code_like {
                    return;
                }
                EvalKind::Timer
            }
        };
        let relevant: &[Argument<'a>] = if kind == EvalKind::Function {
            args
        } else {
            args.get(..1).unwrap_or(&[])
        };
        let mut constant = !relevant.is_empty();
        let mut flow = Flow::default();
        for a in relevant {
            let Some(e) = a.as_expression() else {
                constant = false;
                continue;
            };
            if self.fold(e).is_none() {
                constant = false;
            }
            flow.merge(self.flow_of(e));
        }
        if relevant.is_empty() && kind == EvalKind::Function {
            constant = true;
        }
        self.facts.evals.push(EvalCall {
            kind,
            span,
            callee: p.to_string(),
            arg: flow,
            constant,
        });
    }

    fn net_fact(
        &mut self,
        kind: NetKind,
        p: &str,
        args: &[Argument<'a>],
        span: Span,
        receiver: Option<Flow>,
    ) {
        let payload = self.data_args_flow(args);
        let mut urls = Vec::new();
        let mut local_target = false;
        for a in args {
            if let Some(e) = a.as_expression() {
                urls.extend(self.urls_in(e));
                if kind != NetKind::HandleSend {
                    local_target |= self.fold(e).is_some_and(|t| strings::is_local_target(&t));
                }
            }
        }
        let local = (local_target || !urls.is_empty())
            && urls.iter().all(|u| strings::is_local_host(&u.host));
        self.facts.net.push(NetCall {
            kind,
            span,
            callee: p.to_string(),
            payload,
            receiver,
            urls,
            local,
        });
    }

    /// Text of an exec call: the shell command, or the program and its arguments.
    pub fn command_text(&mut self, p: &str, args: &[Argument<'a>]) -> Option<String> {
        match known::exec(p)? {
            ExecStyle::Shell => first_arg(args).and_then(|e| self.fold_partial(e)),
            ExecStyle::Binding => None,
            ExecStyle::Program => {
                let mut out = first_arg(args)
                    .and_then(|e| self.fold_partial(e))
                    .unwrap_or_else(|| "*".into());
                if let Some(Expression::ArrayExpression(arr)) = args
                    .get(1)
                    .and_then(Argument::as_expression)
                    .map(Expression::get_inner_expression)
                {
                    for el in &arr.elements {
                        out.push(' ');
                        let t = el.as_expression().and_then(|e| self.fold_partial(e));
                        out.push_str(t.as_deref().unwrap_or("*"));
                    }
                }
                Some(out)
            }
        }
    }

    fn exec_fact(&mut self, style: ExecStyle, p: &str, args: &[Argument<'a>], span: Span) {
        if style == ExecStyle::Binding {
            let what = first_arg(args).and_then(|e| self.fold(e));
            if what.as_deref() != Some("spawn_sync") {
                return;
            }
        }
        let command = self.command_text(p, args);
        let mut families = command
            .as_deref()
            .map(strings::families)
            .unwrap_or_default();
        // Constant pieces that did not join into the command (options objects, nested arrays).
        for a in args.iter().skip(1) {
            if let Some(e) = a.as_expression()
                && let Some(t) = self.fold_partial(e)
            {
                families = families | strings::families(&t);
            }
        }
        let mut probe_only = false;
        let mut runs_shell_binary = false;
        let mut program = None;
        if style == ExecStyle::Program {
            program = first_arg(args).and_then(|e| self.path_key(e));
            if let Some(c) = &command {
                let mut words = c.split(' ');
                let prog = words.next().unwrap_or("");
                let rest: Vec<&str> = words.collect();
                probe_only = !rest.is_empty() && rest.iter().all(|a| known::is_probe_argument(a));
                runs_shell_binary = known::is_shell_program(prog)
                    && !rest
                        .iter()
                        .any(|a| matches!(*a, "-c" | "/c" | "/C" | "-Command" | "-command"));
            }
        }
        let detached = args.iter().any(|a| self.has_true_option(a, "detached"));
        let hidden = args.iter().any(|a| {
            self.has_true_option(a, "windowsHide") || self.has_string_option(a, "stdio", "ignore")
        });
        let flow = self.data_args_flow(args);
        let command_args = if style == ExecStyle::Program { 2 } else { 1 };
        let command_flow =
            self.data_args_flow(args.get(..command_args.min(args.len())).unwrap_or(&[]));
        let program_text = first_arg(args).and_then(|e| self.program_text(e));
        let index = self.facts.execs.len();
        if let Some((start, n)) = self.declared_from_call
            && start == span.start
        {
            self.exec_of_binding.insert(n, index);
        }
        self.facts.execs.push(ExecCall {
            span,
            callee: p.to_string(),
            command,
            families,
            flow,
            program,
            probe_only,
            detached,
            runs_shell_binary,
            hidden,
            command_flow,
            program_text,
        });
    }

    fn has_true_option(&self, a: &Argument<'a>, key: &str) -> bool {
        let Some(Expression::ObjectExpression(obj)) =
            a.as_expression().map(Expression::get_inner_expression)
        else {
            return false;
        };
        obj.properties.iter().any(|p| match p {
            ObjectPropertyKind::ObjectProperty(p) => {
                p.key.static_name().is_some_and(|k| k == key) && matches!(p.value.get_inner_expression(), Expression::BooleanLiteral(b) if b.value)
            }
            ObjectPropertyKind::SpreadProperty(_) => false,
        })
    }

    fn has_string_option(&self, a: &Argument<'a>, key: &str, value: &str) -> bool {
        let Some(Expression::ObjectExpression(obj)) =
            a.as_expression().map(Expression::get_inner_expression)
        else {
            return false;
        };
        obj.properties.iter().any(|p| match p {
            ObjectPropertyKind::ObjectProperty(p) => {
                p.key.static_name().is_some_and(|k| k == key) && matches!(p.value.get_inner_expression(), Expression::StringLiteral(s) if s.value == value)
            }
            ObjectPropertyKind::SpreadProperty(_) => false,
        })
    }

    /// Constant text of a program path, looking inside `path.join`/`path.resolve`.
    fn program_text(&mut self, e: &Expression<'a>) -> Option<String> {
        if let Expression::CallExpression(c) = e.get_inner_expression()
            && self
                .path_of(&c.callee)
                .is_some_and(|p| known::path_join(&p.text))
        {
            let parts: Vec<String> = c
                .arguments
                .iter()
                .map(|a| {
                    a.as_expression()
                        .and_then(|x| self.fold_partial(x))
                        .unwrap_or_else(|| "*".into())
                })
                .collect();
            return Some(parts.join("/"));
        }
        self.fold_partial(e)
    }

    /// Executable bits in a `mode` option (`{ mode: 0o755 }`) or a chmod mode argument.
    fn sets_exec_mode(&mut self, a: &Argument<'a>) -> bool {
        let e = match a.as_expression().map(Expression::get_inner_expression) {
            Some(Expression::ObjectExpression(obj)) => {
                let found = obj.properties.iter().find_map(|p| match p {
                    ObjectPropertyKind::ObjectProperty(p)
                        if p.key.static_name().is_some_and(|k| k == "mode") =>
                    {
                        Some(&p.value)
                    }
                    _ => None,
                });
                match found {
                    Some(v) => v,
                    None => return false,
                }
            }
            Some(e) => e,
            None => return false,
        };
        match e.get_inner_expression() {
            Expression::NumericLiteral(n) => (n.value as u32) & 0o111 != 0,
            Expression::StringLiteral(s) => {
                let v = s.value.as_str();
                u32::from_str_radix(v, 8).is_ok_and(|m| m & 0o111 != 0) || v.contains('x')
            }
            _ => false,
        }
    }

    pub fn path_key(&mut self, e: &Expression<'a>) -> Option<PathKey> {
        if let Expression::Identifier(id) = e.get_inner_expression()
            && let Ref::Local(n) = self.reference(id)
        {
            return Some(PathKey::Binding(n));
        }
        self.fold(e).map(PathKey::Text)
    }

    /// What running a command yields: `whoami` the user name, `hostname` the host name; a
    /// bare shell program is a shell process.
    pub fn exec_output(&mut self, p: &str, args: &[Argument<'a>]) -> Taint {
        let mut bits = Taint::NONE;
        let Some(c) = self.command_text(p, args) else {
            return bits;
        };
        let lower = c.to_ascii_lowercase();
        for w in lower.split(|ch: char| !ch.is_ascii_alphanumeric() && ch != '-' && ch != '_') {
            bits |= match w {
                "whoami" | "id" => Taint::ID_USER,
                "hostname" => Taint::ID_HOST,
                "ipconfig" | "ifconfig" => Taint::ID_NET,
                "pwd" => Taint::ID_PATH,
                _ => Taint::NONE,
            };
        }
        let mut words = c.split_whitespace();
        let program = words.next().unwrap_or("");
        let interactive =
            !words.any(|a| matches!(a, "-c" | "/c" | "/C" | "-Command" | "-command" | "-e"));
        if known::is_shell_program(program) && interactive {
            bits |= Taint::SHELL_PROC;
        }
        bits
    }

    fn fs_fact(&mut self, fs: FsCall, p: &str, args: &[Argument<'a>], span: Span) {
        if self.recorded_fs_calls.contains(&span.start) {
            return;
        }
        let (kind, path_index, data_index) = match fs {
            FsCall::Write { path_arg, data_arg } => (FsKind::Write, path_arg, Some(data_arg)),
            FsCall::Delete { always_recursive } => {
                let mut recursive =
                    always_recursive || args.iter().any(|a| self.has_true_option(a, "recursive"));
                let mut index = 0;
                if p == "shelljs.rm"
                    && let Some(flags) = first_arg(args).and_then(|e| self.fold(e))
                    && flags.starts_with('-')
                {
                    recursive = flags.contains('r') || flags.contains('R');
                    index = 1;
                }
                (FsKind::Delete { recursive }, index, None)
            }
            FsCall::Chmod => (FsKind::Chmod, usize::from(p == "shelljs.chmod"), None),
            FsCall::Read => (FsKind::Read, 0, None),
            FsCall::ReadDir => (FsKind::ReadDir, 0, None),
        };
        let Some(path_expr) = args.get(path_index).and_then(Argument::as_expression) else {
            return;
        };
        let path = self.path_arg_flow(path_expr, 0);
        let path_key = self.path_key(path_expr);
        let path_text = self.fold_partial(path_expr);
        let host_program = self.path_of(path_expr).is_some_and(|hp| {
            matches!(
                hp.text.as_str(),
                "require.main.filename"
                    | "process.mainModule.filename"
                    | "process.argv.1"
                    | "module.parent.filename"
            )
        });
        let (data, data_text) = match data_index
            .and_then(|i| args.get(i))
            .and_then(Argument::as_expression)
        {
            Some(d) => (self.flow_of(d), self.fold(d)),
            None => (Flow::default(), None),
        };
        let exec_mode =
            matches!(kind, FsKind::Write) && args.iter().skip(1).any(|a| self.sets_exec_mode(a));
        let in_loop = self.in_loop_now();
        let op = FsOp {
            kind,
            span,
            callee: p.to_string(),
            path,
            path_key,
            path_text,
            data,
            data_text,
            in_loop,
            host_program,
        };
        if exec_mode {
            self.facts.fs.push(FsOp {
                kind: FsKind::Chmod,
                ..op.clone()
            });
        }
        if p.ends_with("createWriteStream")
            && let Some((start, n)) = self.declared_from_call
            && start == span.start
        {
            self.stream_of_binding.insert(n, self.facts.fs.len());
        }
        if kind == FsKind::Chmod
            && !args.get(1).is_some_and(|a| self.sets_exec_mode(a))
            && args.len() > 1
        {
            // `chmod(p, 0o644)`: not making anything executable.
            return;
        }
        self.facts.fs.push(op);
    }

    /// Method calls on receivers that do not resolve to a known module: `.write()` on a
    /// request, `.pipe()`, `.unref()`, mutators that move data into a local.
    fn on_method_call(&mut self, call: &'a CallExpression<'a>) {
        let Some(m) = call.callee.get_inner_expression().get_member_expr() else {
            return;
        };
        let Some(method) = m.static_property_name() else {
            return;
        };
        let object = m.object();
        match method {
            "write" | "end" | "send" | "emit" | "open" | "connect" | "sendMessage" => {
                // `this.emit(…)` is every EventEmitter; a request is a local or a member.
                if call.arguments.is_empty()
                    || matches!(object.get_inner_expression(), Expression::ThisExpression(_))
                {
                    return;
                }
                let recv = self.flow_of(object);
                let callee = format!(".{method}()");
                self.net_fact(
                    NetKind::HandleSend,
                    &callee,
                    &call.arguments,
                    call.span,
                    Some(recv),
                );
            }
            "pipe" => {
                let recv = self.flow_of(object);
                let Some(dest) = first_arg(&call.arguments) else {
                    return;
                };
                // `res.pipe(fs.createWriteStream(p))` or via a stream binding: a file write.
                let stream_op = match dest.get_inner_expression() {
                    Expression::Identifier(id) => match self.reference(id) {
                        Ref::Local(n) => self.stream_of_binding.get(&n).copied(),
                        Ref::Global(_) => None,
                    },
                    Expression::CallExpression(c) => {
                        let before = self.facts.fs.len();
                        if self
                            .path_of(&c.callee)
                            .is_some_and(|p| p.text.ends_with("createWriteStream"))
                        {
                            // The inner call is visited later; record it now and remember it.
                            self.on_call_fs_only(c);
                            (self.facts.fs.len() > before).then_some(before)
                        } else {
                            None
                        }
                    }
                    _ => None,
                };
                if let Some(i) = stream_op
                    && let Some(op) = self.facts.fs.get_mut(i)
                {
                    op.data.merge(recv.clone());
                }
                let to = self.flow_of(dest);
                self.facts.pipes.push(super::facts::Pipe {
                    span: call.span,
                    from: recv,
                    to,
                });
            }
            "unref" => {
                let idx = match object.get_inner_expression() {
                    Expression::Identifier(id) => match self.reference(id) {
                        Ref::Local(n) => self.exec_of_binding.get(&n).copied(),
                        Ref::Global(_) => None,
                    },
                    Expression::CallExpression(c) => {
                        self.facts.execs.iter().position(|e| e.span == c.span)
                    }
                    _ => None,
                };
                if let Some(e) = idx.and_then(|i| self.facts.execs.get_mut(i)) {
                    e.detached = true;
                }
            }
            "push" | "unshift" | "set" | "append" | "add" | "concat" | "assign" | "splice" => {
                if let Some(root) = super::collect::root_identifier(object)
                    && let Ref::Local(n) = self.reference(root)
                {
                    self.deferred.push(Deferred::Mutator(n, &call.arguments));
                }
                if method == "push"
                    && let Some(Expression::CallExpression(inner)) =
                        first_arg(&call.arguments).map(Expression::get_inner_expression)
                {
                    let shifts = inner
                        .callee
                        .get_inner_expression()
                        .get_member_expr()
                        .and_then(|m| m.static_property_name())
                        == Some("shift");
                    if shifts && self.facts.stats.rotations.len() < 100 {
                        self.facts.stats.rotations.push(call.span);
                    }
                }
            }
            "includes" | "indexOf" | "startsWith" | "endsWith" | "match" | "test" => {
                self.location_method(call, object)
            }
            "getTimezoneOffset" | "resolvedOptions" => self.facts.locale_reads.push(call.span),
            "json" | "text" | "arrayBuffer" | "blob" | "buffer" => {
                self.facts.body_reads.push(call.span)
            }
            "on" | "once" | "addListener" => {
                if let Some(ev) = first_arg(&call.arguments).and_then(|e| self.fold(e))
                    && (ev == "data" || ev == "end" || ev == "readable")
                {
                    self.facts.body_reads.push(call.span);
                }
            }
            // `module._compile(code, filename)`: how loaders run source text as a module.
            "_compile" => self.on_eval(
                known::EvalCallee::Vm,
                "module._compile",
                &call.arguments,
                call.span,
            ),
            "constructor" => {
                // `(function(){}).constructor(code)` / `x.constructor.constructor(code)`: Function.
                let is_function_ctor = matches!(
                    object.get_inner_expression(),
                    Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)
                ) || object
                    .get_inner_expression()
                    .get_member_expr()
                    .and_then(|m| m.static_property_name())
                    == Some("constructor");
                if is_function_ctor {
                    self.on_eval(
                        known::EvalCallee::Function,
                        "Function",
                        &call.arguments,
                        call.span,
                    );
                }
            }
            _ => {}
        }
    }

    fn on_call_fs_only(&mut self, c: &CallExpression<'a>) {
        if let Some(p) = self.path_of(&c.callee)
            && let Some(fs) = known::fs_call(&p.text)
        {
            let marker = self.facts.fs.len();
            self.fs_fact(fs, &p.text, &c.arguments, c.span);
            // The walk will visit this call again; remember not to record it twice.
            if self.facts.fs.len() > marker {
                self.recorded_fs_calls.insert(c.span.start);
            }
        }
    }

    /// `['ru-RU', 'be-BY'].includes(locale)`, `tz.startsWith('Europe/')`.
    fn location_method(&mut self, call: &CallExpression<'a>, object: &Expression<'a>) {
        let Some(arg) = first_arg(&call.arguments) else {
            return;
        };
        let list_has_location = match object.get_inner_expression() {
            Expression::ArrayExpression(arr) => arr.elements.iter().any(|e| {
                matches!(e.as_expression().map(Expression::get_inner_expression), Some(Expression::StringLiteral(s)) if strings::is_location_literal(s.value.as_str()))
            }),
            _ => false,
        };
        // The literal may be hidden (`u.includes(Buffer.from('cnVzc2lh', 'base64').toString())`).
        let arg_is_location = match arg.get_inner_expression() {
            Expression::StringLiteral(s) => strings::is_location_literal(s.value.as_str()),
            other => self
                .fold(other)
                .is_some_and(|t| t.len() <= 40 && strings::is_location_literal(&t)),
        };
        let test = if list_has_location {
            self.flow_of(arg)
        } else if arg_is_location {
            self.flow_of(object)
        } else {
            return;
        };
        self.facts.geo_gates.push(super::facts::GeoGate {
            span: call.span,
            test,
            region: (0, 0),
        });
    }
}

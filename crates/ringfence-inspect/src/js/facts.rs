//! What the single traversal records for the rules: typed events with positions and data
//! flows. Rules read these after the flow graph is solved; none of them walks the AST.

use std::collections::HashSet;

use oxc_span::Span;

use super::strings::{Families, FoundUrl, RegexShape};
use super::taint::Flow;

/// Identifies a file path across calls: the same binding, or the same constant text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathKey {
    Binding(u32),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetKind {
    /// `http.request`, `fetch`, `axios.post` …: every argument is sent.
    Request,
    /// `dns.lookup` and friends: the host name is sent to the resolver.
    Dns,
    /// `net.connect`, `new WebSocket`, `new XMLHttpRequest` …: opens a channel.
    Connect,
    /// `.write()`/`.send()`/`.end()`/`.open()` on some object: a send if the receiver turns out
    /// to be a network handle.
    HandleSend,
}

#[derive(Debug, Clone)]
pub struct NetCall {
    pub kind: NetKind,
    pub span: Span,
    /// What was called, for the evidence text (`https.request`, `req.write`).
    pub callee: String,
    /// Everything sent: the arguments (functions excluded).
    pub payload: Flow,
    /// The receiver of a [`NetKind::HandleSend`].
    pub receiver: Option<Flow>,
    /// Constant URLs and hosts among the arguments.
    pub urls: Vec<FoundUrl>,
    /// Goes to this machine only: `localhost`/`127.0.0.1`/`::1`, or a socket path.
    pub local: bool,
}

#[derive(Debug, Clone)]
pub struct ExecCall {
    pub span: Span,
    pub callee: String,
    /// The command line as far as it folds to constants (`exec`) or the program and its
    /// constant arguments joined with spaces (`spawn`).
    pub command: Option<String>,
    /// Keyword families of the command and of every constant argument.
    pub families: Families,
    /// Flow of all arguments (options included: `stdio`, `env`).
    pub flow: Flow,
    /// Flow of the command line only (`exec`'s string; `spawn`'s program and argument list).
    pub command_flow: Flow,
    /// The program's constant text (`x.exe`, also inside `path.join(__dirname, 'x.exe')`).
    pub program_text: Option<String>,
    /// The program, when it is a path binding or a constant (for download-then-run).
    pub program: Option<PathKey>,
    /// Only asks the program for its version or help (`--version`, `-v`, `help`).
    pub probe_only: bool,
    /// `{ detached: true }` or `.unref()` on the result: outlives the caller.
    pub detached: bool,
    /// The program is a shell (`sh`, `bash`, `cmd.exe`, `powershell`).
    pub runs_shell_binary: bool,
    /// `stdio: 'ignore'` or `windowsHide: true`: nothing of it is seen.
    pub hidden: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsKind {
    Write,
    Delete { recursive: bool },
    Chmod,
    Read,
    ReadDir,
}

#[derive(Debug, Clone)]
pub struct FsOp {
    pub kind: FsKind,
    pub span: Span,
    pub callee: String,
    pub path: Flow,
    pub path_key: Option<PathKey>,
    /// The folded path text, when constant.
    pub path_text: Option<String>,
    /// The data written (writes only).
    pub data: Flow,
    /// Folded data text, when constant (writes only).
    pub data_text: Option<String>,
    /// Inside a loop or an iteration callback (`forEach`, `map`).
    pub in_loop: bool,
    /// The path is `require.main.filename` or similar: the program that loaded this code.
    pub host_program: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalKind {
    Eval,
    Function,
    Vm,
    /// `setTimeout("code")`.
    Timer,
    /// `require(x)` / `import(x)` with a computed argument.
    ComputedModule,
}

#[derive(Debug, Clone)]
pub struct EvalCall {
    pub kind: EvalKind,
    pub span: Span,
    pub callee: String,
    pub arg: Flow,
    /// The code (or module name) is a constant.
    pub constant: bool,
}

#[derive(Debug, Clone)]
pub struct EnvRead {
    pub span: Span,
    /// The whole object, not one variable.
    pub whole: bool,
}

#[derive(Debug, Clone)]
pub struct Hit<T> {
    pub span: Span,
    pub what: T,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookKind {
    Fetch,
    XhrPrototype,
    Ethereum,
}

/// `a.pipe(b)`.
#[derive(Debug, Clone)]
pub struct Pipe {
    pub span: Span,
    pub from: Flow,
    pub to: Flow,
}

/// A condition that compares something with a location literal (`'ru-RU'`, `'Europe/Moscow'`).
#[derive(Debug, Clone)]
pub struct GeoGate {
    pub span: Span,
    /// The compared values.
    pub test: Flow,
    /// Bytes guarded by the condition (the branch, or the rest of the function after an early
    /// return).
    pub region: (u32, u32),
}

/// Per-file counts for the obfuscation and blob rules.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Distinct `_0x…` identifier names (javascript-obfuscator's naming).
    pub hex_names: HashSet<String>,
    pub first_hex_name: Option<Span>,
    /// `arr.push(arr.shift())`: the string-array rotation loop.
    pub rotations: Vec<Span>,
    /// Array literals of many strings.
    pub string_arrays: Vec<Span>,
    /// Printable ASCII characters written as `\xNN` / `\uNNNN` escapes.
    pub escaped_ascii: u64,
    pub escaped_literals: u32,
    pub first_escaped: Option<Span>,
    /// Sensitive API and module names among the string literals (`child_process`, `exec`,
    /// `hostname` …): what an obfuscator's string array gives away.
    pub sensitive_names: std::collections::BTreeSet<&'static str>,
    /// Characters of string literal source text.
    pub literal_bytes: u64,
    pub blobs: Vec<Span>,
    pub wallet_literals: Vec<Span>,
}

#[derive(Debug, Default)]
pub struct Facts {
    /// Modules required or imported (normalised names).
    pub imports: Vec<Hit<String>>,
    pub net: Vec<NetCall>,
    pub execs: Vec<ExecCall>,
    pub fs: Vec<FsOp>,
    pub evals: Vec<EvalCall>,
    pub env_reads: Vec<EnvRead>,
    /// `JSON.stringify(process.env)`, `Object.keys(process.env)`, `for (k in process.env)`.
    pub env_enumerated: Vec<Span>,
    /// String literals with keyword families (capped per family).
    pub strings: Vec<Hit<Families>>,
    pub urls: Vec<Hit<FoundUrl>>,
    pub regexes: Vec<Hit<RegexShape>>,
    pub hooks: Vec<Hit<HookKind>>,
    /// Loops at module top level that never end.
    pub endless_loops: Vec<Span>,
    pub geo_gates: Vec<GeoGate>,
    /// `scripts.postinstall = …` or `{ preinstall: … }` built in code.
    pub install_hook_keys: Vec<Span>,
    pub pipes: Vec<Pipe>,
    /// Reads of a response body or stream data (`.json()`, `.on('data')`).
    pub body_reads: Vec<Span>,
    /// Strings in argument lists (array elements, `cmd:` values) that are AI CLI names or
    /// permission-bypass flags.
    pub argv_strings: Vec<Hit<String>>,
    /// Timezone / locale reads (`Intl…resolvedOptions()`, `getTimezoneOffset`).
    pub locale_reads: Vec<Span>,
    pub stats: Stats,
}

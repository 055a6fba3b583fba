//! What well-known functions do, by resolved path: the Node.js standard library and the
//! common client libraries. One table per concern keeps the rules free of API trivia.

use super::taint::Taint;

/// Whether any table below can know this path (one cheap check on the root before the
/// tables' string comparisons: most resolved calls are `Object.keys`, `path.join` and alike).
pub fn relevant(path: &str) -> bool {
    let root = path.split_once('.').map_or(path, |(r, _)| r);
    matches!(
        root,
        "http"
            | "https"
            | "http2"
            | "fetch"
            | "node-fetch"
            | "undici"
            | "axios"
            | "got"
            | "request"
            | "needle"
            | "superagent"
            | "phin"
            | "bent"
            | "ky"
            | "wretch"
            | "simple-get"
            | "tiny-json-http"
            | "navigator"
            | "socket"
            | "dns"
            | "net"
            | "tls"
            | "dgram"
            | "WebSocket"
            | "ws"
            | "XMLHttpRequest"
            | "EventSource"
            | "discord"
            | "child_process"
            | "shelljs"
            | "execa"
            | "cross-spawn"
            | "Bun"
            | "process"
            | "fs"
            | "rimraf"
            | "del"
            | "glob"
            | "fast-glob"
            | "globby"
            | "readdirp"
            | "recursive-readdir"
            | "eval"
            | "Function"
            | "vm"
            | "setTimeout"
            | "setInterval"
            | "setImmediate"
            | "Object"
            | "Reflect"
            | "Intl"
            | "require"
            | "module"
            | "os"
            | "atob"
            | "String"
            | "unescape"
            | "zlib"
            | "crypto"
            | "Buffer"
            | "JSON"
            | "Array"
            | "querystring"
            | "encodeURIComponent"
            | "encodeURI"
            | "decodeURIComponent"
            | "decodeURI"
            | "escape"
            | "btoa"
            | "util"
            | "structuredClone"
            | "url"
            | "URL"
            | "URLSearchParams"
            | "path"
            | "WebAssembly"
    )
}

/// Network calls whose arguments are sent. `handle` says the result is a request or socket
/// (data is sent with `.write()`); otherwise the result is the response.
pub fn network_request(path: &str) -> Option<(bool, &'static str)> {
    let (root, rest) = path.split_once('.').unwrap_or((path, ""));
    let handle = match (root, rest) {
        ("http" | "https", "request" | "get") => true,
        ("http2", "connect") => true,
        ("fetch", "")
        | ("node-fetch", "" | "fetch" | "default")
        | ("undici", "fetch" | "request" | "stream") => false,
        (
            "axios",
            "" | "get" | "post" | "put" | "patch" | "delete" | "request" | "head" | "options"
            | "postForm" | "putForm",
        ) => false,
        ("got", "" | "get" | "post" | "put" | "patch" | "delete" | "stream" | "head") => false,
        ("request", "" | "get" | "post" | "put" | "patch" | "del" | "head") => false,
        ("needle", "" | "get" | "post" | "put" | "request") => false,
        ("superagent", "" | "get" | "post" | "put" | "patch" | "del") => false,
        ("phin" | "bent" | "ky" | "wretch" | "simple-get" | "tiny-json-http", _) => false,
        ("navigator", "sendBeacon") => false,
        ("socket.io-client", "" | "io" | "connect") => true,
        _ => return None,
    };
    Some((handle, "request"))
}

pub fn dns_lookup(path: &str) -> bool {
    let rest = path
        .strip_prefix("dns.promises.")
        .or_else(|| path.strip_prefix("dns."));
    matches!(
        rest,
        Some(
            "lookup"
                | "resolve"
                | "resolve4"
                | "resolve6"
                | "resolveAny"
                | "resolveTxt"
                | "resolveCname"
                | "resolveMx"
                | "resolveNs"
                | "resolveSrv"
                | "reverse"
                | "lookupService"
        )
    )
}

/// Opens a raw channel: `(network handle, raw socket)`.
pub fn connect(path: &str) -> Option<bool> {
    match path {
        "net.connect" | "net.createConnection" | "tls.connect" | "net.Socket" | "tls.TLSSocket" => {
            Some(true)
        }
        "dgram.createSocket"
        | "WebSocket"
        | "ws"
        | "ws.WebSocket"
        | "XMLHttpRequest"
        | "EventSource"
        | "discord.js.WebhookClient" => Some(false),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecStyle {
    /// One command line for a shell: `exec("a | b")`.
    Shell,
    /// A program and an argument array: `spawn("ls", ["-l"])`.
    Program,
    /// `process.binding('spawn_sync')`: the raw binding.
    Binding,
}

pub fn exec(path: &str) -> Option<ExecStyle> {
    Some(match path {
        "child_process.exec"
        | "child_process.execSync"
        | "shelljs.exec"
        | "execa.command"
        | "execa.commandSync"
        | "execa.execaCommand"
        | "execa.execaCommandSync" => ExecStyle::Shell,
        "child_process.spawn"
        | "child_process.spawnSync"
        | "child_process.execFile"
        | "child_process.execFileSync"
        | "child_process.fork"
        | "execa"
        | "execa.execa"
        | "execa.sync"
        | "execa.execaSync"
        | "execa.node"
        | "execa.execaNode"
        | "cross-spawn"
        | "cross-spawn.sync"
        | "cross-spawn.spawn"
        | "Bun.spawn"
        | "Bun.spawnSync" => ExecStyle::Program,
        "process.binding" => ExecStyle::Binding,
        _ => return None,
    })
}

/// Shell programs: a bare shell with a socket on its streams is a reverse shell.
pub fn is_shell_program(program: &str) -> bool {
    let base = program
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(program)
        .to_ascii_lowercase();
    matches!(
        base.as_str(),
        "sh" | "bash"
            | "zsh"
            | "dash"
            | "ksh"
            | "cmd"
            | "cmd.exe"
            | "powershell"
            | "powershell.exe"
            | "pwsh"
            | "pwsh.exe"
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsCall {
    /// Writes `args[path_arg]`, with the data (or source path) in `args[data_arg]`.
    Write {
        path_arg: usize,
        data_arg: usize,
    },
    Delete {
        always_recursive: bool,
    },
    Chmod,
    Read,
    ReadDir,
}

pub fn fs_call(path: &str) -> Option<FsCall> {
    let (root, method) = path.rsplit_once('.').unwrap_or(("", path));
    let fs_root = matches!(root, "fs" | "fs.promises");
    if fs_root {
        let m = method.strip_suffix("Sync").unwrap_or(method);
        return Some(match m {
            "writeFile" | "appendFile" | "outputFile" | "outputJson" | "outputJSON"
            | "writeJson" | "writeJSON" | "createWriteStream" | "truncate" | "ensureFile"
            | "createFile" => FsCall::Write {
                path_arg: 0,
                data_arg: 1,
            },
            "copyFile" | "cp" | "rename" | "move" | "copy" | "symlink" | "link" => FsCall::Write {
                path_arg: 1,
                data_arg: 0,
            },
            "unlink" | "rmdir" => FsCall::Delete {
                always_recursive: false,
            },
            "rm" => FsCall::Delete {
                always_recursive: false,
            },
            "remove" | "emptyDir" | "emptydir" => FsCall::Delete {
                always_recursive: true,
            },
            "chmod" | "lchmod" => FsCall::Chmod,
            "readFile" | "createReadStream" | "readJson" | "readJSON" => FsCall::Read,
            "readdir" | "opendir" | "walk" => FsCall::ReadDir,
            _ => return None,
        });
    }
    Some(match path {
        "rimraf" | "rimraf.sync" | "rimraf.rimraf" | "rimraf.rimrafSync" | "rimraf.native"
        | "del" | "del.sync" | "del.deleteAsync" | "del.deleteSync" => FsCall::Delete {
            always_recursive: true,
        },
        "shelljs.rm" => FsCall::Delete {
            always_recursive: false,
        },
        "shelljs.chmod" => FsCall::Chmod,
        "glob" | "glob.sync" | "glob.glob" | "glob.globSync" | "fast-glob" | "fast-glob.sync"
        | "fast-glob.glob" | "globby" | "globby.sync" | "globby.globby" | "globby.globbySync"
        | "readdirp" | "recursive-readdir" => FsCall::ReadDir,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalCallee {
    Eval,
    Function,
    Vm,
    Timer,
}

pub fn eval(path: &str) -> Option<EvalCallee> {
    Some(match path {
        "eval" => EvalCallee::Eval,
        "Function" | "Function.prototype.constructor" => EvalCallee::Function,
        "vm.runInThisContext"
        | "vm.runInNewContext"
        | "vm.runInContext"
        | "vm.compileFunction"
        | "vm.Script"
        | "vm.SourceTextModule" => EvalCallee::Vm,
        "setTimeout" | "setInterval" | "setImmediate" => EvalCallee::Timer,
        _ => return None,
    })
}

/// Taint a call's result carries by itself: host identity, locale, decoders.
pub fn source_call(path: &str) -> Taint {
    match path {
        "os.hostname" => Taint::ID_HOST,
        "os.userInfo" => Taint::ID_USER | Taint::ID_HOME,
        "os.homedir" => Taint::ID_HOME | Taint::HOME_ROOT,
        "os.networkInterfaces" | "dns.getServers" => Taint::ID_NET,
        "process.cwd" => Taint::ID_PATH,
        "Intl.DateTimeFormat" | "Intl.NumberFormat" | "Intl.Collator" => Taint::GEO,
        "atob" | "String.fromCharCode" | "String.fromCodePoint" | "unescape" => Taint::DECODED,
        "zlib.inflateSync"
        | "zlib.gunzipSync"
        | "zlib.inflateRawSync"
        | "zlib.brotliDecompressSync"
        | "zlib.unzipSync"
        | "zlib.inflate"
        | "zlib.gunzip"
        | "zlib.brotliDecompress"
        | "zlib.unzip"
        | "crypto.createDecipher"
        | "crypto.createDecipheriv"
        | "crypto.privateDecrypt"
        | "crypto.publicDecrypt" => Taint::DECODED,
        _ => Taint::NONE,
    }
}

/// Functions that return (a serialisation of) their arguments, keeping the whole-environment
/// bit: `JSON.stringify(process.env)` is still the whole environment.
pub fn passes_through(path: &str) -> bool {
    matches!(
        path,
        "JSON.stringify"
            | "JSON.parse"
            | "Object.keys"
            | "Object.values"
            | "Object.entries"
            | "Object.assign"
            | "Object.fromEntries"
            | "Object.getOwnPropertyNames"
            | "Reflect.ownKeys"
            | "Array.from"
            | "Array.of"
            | "String"
            | "Buffer.from"
            | "Buffer.concat"
            | "querystring.stringify"
            | "querystring.encode"
            | "querystring.escape"
            | "encodeURIComponent"
            | "encodeURI"
            | "decodeURIComponent"
            | "decodeURI"
            | "escape"
            | "btoa"
            | "util.inspect"
            | "util.format"
            | "structuredClone"
            | "url.format"
            | "URL"
            | "URLSearchParams"
    )
}

/// `Object.keys(process.env)` and friends enumerate the whole environment.
pub fn enumerates(path: &str) -> bool {
    matches!(
        path,
        "JSON.stringify"
            | "Object.keys"
            | "Object.values"
            | "Object.entries"
            | "Object.assign"
            | "Object.getOwnPropertyNames"
            | "Reflect.ownKeys"
            | "util.inspect"
    )
}

/// `path.join` and friends.
pub fn path_join(path: &str) -> bool {
    matches!(
        path,
        "path.join"
            | "path.resolve"
            | "path.normalize"
            | "path.posix.join"
            | "path.win32.join"
            | "path.posix.resolve"
            | "path.win32.resolve"
    )
}

/// Taint of `process.env.NAME`.
pub fn env_var(name: &str) -> Taint {
    let up = name.to_ascii_uppercase();
    let mut t = Taint::ENV_NAMED;
    let secret = [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
        "AUTH",
    ]
    .iter()
    .any(|k| up.contains(k))
        || up.starts_with("AWS_");
    if secret {
        t |= Taint::ENV_SECRET;
    }
    t |= match up.as_str() {
        "USER" | "USERNAME" | "LOGNAME" => Taint::ID_USER,
        "HOSTNAME" | "COMPUTERNAME" | "USERDOMAIN" => Taint::ID_HOST,
        "HOME" | "USERPROFILE" => Taint::ID_HOME | Taint::HOME_ROOT,
        "LANG" | "LC_ALL" | "LANGUAGE" | "LC_MESSAGES" | "TZ" => Taint::GEO,
        "PWD" | "INIT_CWD" => Taint::ID_PATH,
        _ => Taint::NONE,
    };
    t
}

/// Methods that iterate: their callbacks run in a loop.
pub fn is_iteration_method(name: &str) -> bool {
    matches!(
        name,
        "forEach"
            | "map"
            | "filter"
            | "reduce"
            | "some"
            | "every"
            | "flatMap"
            | "find"
            | "forEachSeries"
            | "eachSeries"
            | "each"
    )
}

/// Asks a program for its version or help only.
pub fn is_probe_argument(arg: &str) -> bool {
    matches!(
        arg,
        "--version" | "-v" | "-V" | "version" | "--help" | "-h" | "help" | "-version"
    )
}

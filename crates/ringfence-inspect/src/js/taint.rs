//! Intra-file data flow, flow-insensitive: every binding (and every local function's return
//! value) is a node; an assignment `x = <expr>` adds the bits `<expr>` carries directly plus
//! edges from the nodes it reads. After the traversal, [`Graph::solve`] propagates bits along
//! the edges to a fixed point (at most 32 rounds per node: bits only grow), so rules can ask
//! what reached a sink regardless of the order the code was written in.

use std::ops::{BitOr, BitOrAssign};

/// What a value may carry. One bit per source or kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Taint(pub u32);

impl Taint {
    pub const NONE: Taint = Taint(0);
    /// The whole environment: `process.env`, its serialisation, its keys.
    pub const ENV_WHOLE: Taint = Taint(1 << 0);
    /// One named environment variable.
    pub const ENV_NAMED: Taint = Taint(1 << 1);
    /// A named environment variable that holds a secret (`*_TOKEN`, `*_SECRET`, `AWS_*` …).
    pub const ENV_SECRET: Taint = Taint(1 << 2);
    /// Host identity, one bit per kind so that a fingerprint (several kinds) can be told from a
    /// lone hostname in a log line.
    pub const ID_HOST: Taint = Taint(1 << 3);
    pub const ID_USER: Taint = Taint(1 << 4);
    pub const ID_HOME: Taint = Taint(1 << 5);
    pub const ID_NET: Taint = Taint(1 << 6);
    pub const ID_PATH: Taint = Taint(1 << 7);
    /// Data decoded at run time (base64, hex, char codes, XOR, decipher, inflate).
    pub const DECODED: Taint = Taint(1 << 8);
    /// A network response body (or the response object).
    pub const NET_RESPONSE: Taint = Taint(1 << 9);
    /// A request, socket or client object: `.write`/`.send`/`.end` on it send data.
    pub const NET_HANDLE: Taint = Taint(1 << 10);
    /// A path string naming a credential store (`~/.npmrc`, `~/.ssh`, wallet and browser data).
    pub const CRED_PATH: Taint = Taint(1 << 11);
    /// The contents of a credential file.
    pub const CRED_DATA: Taint = Taint(1 << 12);
    /// The user's home directory itself (or a top-level user folder, or `/`).
    pub const HOME_ROOT: Taint = Taint(1 << 13);
    /// Entries listed from [`Taint::HOME_ROOT`] (a walk of the user's files).
    pub const HOME_LISTING: Taint = Taint(1 << 14);
    /// Location signals: timezone, locale, geolocation API answers.
    pub const GEO: Taint = Taint(1 << 15);
    /// A URL of a known exfiltration service or a raw public IP.
    pub const EXFIL_URL: Taint = Taint(1 << 16);
    /// A URL of an IP-geolocation service.
    pub const GEO_URL: Taint = Taint(1 << 17);
    /// A URL of a "what is my IP" service.
    pub const IP_ECHO_URL: Taint = Taint(1 << 18);
    /// A child process running a shell.
    pub const SHELL_PROC: Taint = Taint(1 << 19);
    /// A socket from `net`/`tls` (the reverse-shell kind of handle).
    pub const RAW_SOCKET: Taint = Taint(1 << 20);
    /// A registry tarball URL (`…/-/name-1.2.3.tgz`): what package managers download.
    pub const REGISTRY_URL: Taint = Taint(1 << 21);
    /// A path under `.github/workflows`, a shell start-up file or an autostart location.
    pub const PERSIST_PATH: Taint = Taint(1 << 22);
    /// A path naming a package manifest (`package.json`).
    pub const MANIFEST_PATH: Taint = Taint(1 << 23);
    /// A path somewhere under the user's home directory (`path.join(os.homedir(), …)`).
    pub const UNDER_HOME: Taint = Taint(1 << 24);
    /// Data decoded at run time from a constant shipped in the code: a hidden payload (as
    /// opposed to decoding whatever input the program is given).
    pub const CONST_DECODED: Taint = Taint(1 << 25);

    pub const IDENTITY: Taint = Taint(
        Self::ID_HOST.0 | Self::ID_USER.0 | Self::ID_HOME.0 | Self::ID_NET.0 | Self::ID_PATH.0,
    );
    pub const ENV_ANY: Taint = Taint(Self::ENV_WHOLE.0 | Self::ENV_NAMED.0 | Self::ENV_SECRET.0);
    /// A request object's properties are not the request. (Shell processes and sockets keep
    /// their bits: `sh.stdout` is still the shell's output.)
    const HANDLES: Taint = Self::NET_HANDLE;

    pub fn has(self, other: Taint) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn without(self, other: Taint) -> Taint {
        Taint(self.0 & !other.0)
    }

    /// Reading a property of a value: the whole environment becomes one variable, the request
    /// handle bit is dropped (`req.headers` is not the request) and so is the home-root bit.
    pub fn property(self) -> Taint {
        let mut t = self.without(Self::HANDLES);
        if t.has(Self::ENV_WHOLE) {
            t = t.without(Self::ENV_WHOLE) | Self::ENV_NAMED;
        }
        if t.has(Self::HOME_ROOT) {
            t = t.without(Self::HOME_ROOT);
        }
        t
    }

    /// How many kinds of host identity the value carries.
    pub fn identity_kinds(self) -> u32 {
        (self.0 & Self::IDENTITY.0).count_ones()
    }
}

impl BitOr for Taint {
    type Output = Taint;
    fn bitor(self, rhs: Taint) -> Taint {
        Taint(self.0 | rhs.0)
    }
}

impl BitOrAssign for Taint {
    fn bitor_assign(&mut self, rhs: Taint) {
        self.0 |= rhs.0;
    }
}

/// A node of the flow graph: a binding, or the return value of a local function.
pub type Node = u32;

/// What an edge does to bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Copy,
    /// `value.prop` (see [`Taint::property`]).
    Property,
    /// The response to a request for this URL.
    Fetch,
    /// The contents of the file at this path.
    ReadFile,
    /// The entries of the directory at this path.
    ListDir,
    /// The result of a local function called with constant arguments (or a decipher fed a
    /// constant): decoded data becomes decoded constant data.
    ConstCall,
}

/// How bits change along an edge: optionally turn a home-directory path into a path under it
/// (`path.join(home, ".cache")` is neither the home directory itself nor identity data), then
/// apply the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Transform {
    pub kind: Kind,
    pub deeper: bool,
}

impl Transform {
    pub const COPY: Transform = Transform {
        kind: Kind::Copy,
        deeper: false,
    };
    pub const PROPERTY: Transform = Transform {
        kind: Kind::Property,
        deeper: false,
    };
    pub const FETCH: Transform = Transform {
        kind: Kind::Fetch,
        deeper: false,
    };
    pub const READ_FILE: Transform = Transform {
        kind: Kind::ReadFile,
        deeper: false,
    };
    pub const LIST_DIR: Transform = Transform {
        kind: Kind::ListDir,
        deeper: false,
    };
    pub const DEEPER: Transform = Transform {
        kind: Kind::Copy,
        deeper: true,
    };
    pub const CONST_CALL: Transform = Transform {
        kind: Kind::ConstCall,
        deeper: false,
    };

    pub fn apply(self, t: Taint) -> Taint {
        // A path built from the home directory is a place, no longer identity data.
        let t = if self.deeper {
            let under = if t.has(Taint::HOME_ROOT) || t.has(Taint::ID_HOME) {
                Taint::UNDER_HOME
            } else {
                Taint::NONE
            };
            t.without(Taint(
                Taint::HOME_ROOT.0 | Taint::ID_HOME.0 | Taint::ID_PATH.0,
            )) | under
        } else {
            t
        };
        match self.kind {
            Kind::Copy => t,
            Kind::Property => t.property(),
            Kind::Fetch => {
                let mut out = Taint::NET_RESPONSE;
                if t.has(Taint::GEO_URL) {
                    out |= Taint::GEO;
                }
                if t.has(Taint::IP_ECHO_URL) {
                    out |= Taint::ID_NET;
                }
                if t.has(Taint::REGISTRY_URL) {
                    out |= Taint::REGISTRY_URL;
                }
                out
            }
            Kind::ReadFile => {
                if t.has(Taint::CRED_PATH) {
                    Taint::CRED_DATA
                } else {
                    Taint::NONE
                }
            }
            Kind::ConstCall => {
                if t.has(Taint::DECODED) {
                    t | Taint::CONST_DECODED
                } else {
                    t
                }
            }
            Kind::ListDir => {
                let mut out = Taint::NONE;
                if t.has(Taint::HOME_ROOT) || t.has(Taint::HOME_LISTING) {
                    out |= Taint::HOME_LISTING;
                }
                if t.has(Taint::CRED_PATH) {
                    out |= Taint::CRED_PATH;
                }
                out
            }
        }
    }

    /// `self` followed by `next`, as one transform (exact for the combinations that occur:
    /// the outputs of property, fetch, read and list carry no home-root bit and are unchanged
    /// by a further property read).
    pub fn then(self, next: Transform) -> Transform {
        match (self.kind, next.kind) {
            // Constant-call is monotone and commutes with the rest closely enough.
            (Kind::ConstCall, k) if k != Kind::Copy => Transform {
                kind: k,
                deeper: self.deeper || next.deeper,
            },
            (Kind::Copy, k) => Transform {
                kind: k,
                deeper: self.deeper || next.deeper,
            },
            (_, Kind::Copy | Kind::Property) => self,
            (Kind::Property, k) => Transform {
                kind: k,
                deeper: self.deeper || next.deeper,
            },
            (_, k) => Transform {
                kind: k,
                deeper: self.deeper || next.deeper,
            },
        }
    }
}

/// The taint of an expression before solving: bits it carries itself and nodes it reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flow {
    pub bits: Taint,
    /// Nodes read, each with how its bits change on the way (inline for the usual one or two).
    pub reads: smallvec::SmallVec<[(Node, Transform); 2]>,
}

/// Reads kept per expression: beyond this, the expression is treated as reading nothing more
/// (bounded memory on generated code with giant expressions).
const MAX_READS: usize = 64;
/// Readers kept per node (a module-level object read by thousands of functions).
const MAX_EDGES: usize = 4096;

impl Flow {
    pub fn bits(bits: Taint) -> Flow {
        Flow {
            bits,
            reads: smallvec::SmallVec::new(),
        }
    }

    pub fn node(node: Node) -> Flow {
        Flow {
            bits: Taint::NONE,
            reads: smallvec::smallvec![(node, Transform::COPY)],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.bits.is_empty() && self.reads.is_empty()
    }

    pub fn merge(&mut self, other: Flow) {
        self.bits |= other.bits;
        for r in other.reads {
            if self.reads.len() >= MAX_READS {
                break;
            }
            if !self.reads.contains(&r) {
                self.reads.push(r);
            }
        }
    }

    /// The flow of `value.prop`.
    pub fn property(self) -> Flow {
        self.through(Transform::PROPERTY)
    }

    /// The flow after `t` (for example the response to a request for this URL).
    pub fn through(mut self, t: Transform) -> Flow {
        self.bits = t.apply(self.bits);
        for r in &mut self.reads {
            r.1 = r.1.then(t);
        }
        self
    }
}

/// Nodes, their own bits, and edges `to ← from` (with a transform).
#[derive(Debug, Default)]
pub struct Graph {
    bits: Vec<Taint>,
    /// For each node, the nodes that read from it (forward edges).
    out: Vec<Vec<(Node, Transform)>>,
    solved: bool,
    /// When set, every node read by an assignment is appended here (the demand-driven
    /// evaluation in the collector follows them).
    pub trace: Option<Vec<Node>>,
}

impl Graph {
    /// Grows the graph to at least `n` nodes.
    pub fn ensure(&mut self, n: usize) {
        if self.bits.len() < n {
            self.bits.resize(n, Taint::NONE);
            self.out.resize(n, Vec::new());
        }
    }

    pub fn with_nodes(n: usize) -> Graph {
        Graph {
            bits: vec![Taint::NONE; n],
            out: vec![Vec::new(); n],
            solved: false,
            trace: None,
        }
    }

    /// Adds a node (a local function's return value); returns its id.
    pub fn add_node(&mut self) -> Node {
        self.bits.push(Taint::NONE);
        self.out.push(Vec::new());
        Node::try_from(self.bits.len() - 1).unwrap_or(Node::MAX)
    }

    pub fn len(&self) -> usize {
        self.bits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bits.is_empty()
    }

    /// `to` receives the flow `from`.
    pub fn assign(&mut self, to: Node, from: &Flow) {
        let Some(slot) = self.bits.get_mut(to as usize) else {
            return;
        };
        *slot |= from.bits;
        if let Some(trace) = &mut self.trace {
            trace.extend(from.reads.iter().map(|r| r.0));
        }
        for &(n, t) in &from.reads {
            if n == to && t == Transform::COPY {
                continue;
            }
            if let Some(edges) = self.out.get_mut(n as usize) {
                // Duplicates only cost memory; looking at the last few keeps this O(1).
                if edges.len() < MAX_EDGES && !edges.iter().rev().take(8).any(|e| *e == (to, t)) {
                    edges.push((to, t));
                }
            }
        }
    }

    /// Adds bits to a node directly.
    pub fn add_bits(&mut self, to: Node, bits: Taint) {
        if let Some(slot) = self.bits.get_mut(to as usize) {
            *slot |= bits;
        }
    }

    /// Propagates bits along edges until nothing changes. Each node is re-queued only when its
    /// bits grow, so the work is bounded by edges × 32.
    pub fn solve(&mut self) {
        let mut queue: Vec<Node> = (0..self.bits.len())
            .filter(|&i| !self.bits[i].is_empty())
            .map(|i| i as Node)
            .collect();
        while let Some(n) = queue.pop() {
            let bits = self.bits[n as usize];
            for k in 0..self.out[n as usize].len() {
                let (to, t) = self.out[n as usize][k];
                let add = t.apply(bits);
                let slot = &mut self.bits[to as usize];
                if (slot.0 | add.0) != slot.0 {
                    *slot |= add;
                    queue.push(to);
                }
            }
        }
        self.solved = true;
    }

    pub fn node_bits(&self, n: Node) -> Taint {
        self.bits.get(n as usize).copied().unwrap_or_default()
    }

    /// The bits of an expression's flow after [`Graph::solve`].
    pub fn eval(&self, flow: &Flow) -> Taint {
        debug_assert!(self.solved, "eval before solve");
        let mut t = flow.bits;
        for &(n, tr) in &flow.reads {
            t |= tr.apply(self.node_bits(n));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_flow_through_chains_and_cycles() {
        let mut g = Graph::with_nodes(4);
        g.assign(1, &Flow::node(0));
        g.assign(2, &Flow::node(1));
        g.assign(1, &Flow::node(2)); // cycle
        g.assign(0, &Flow::bits(Taint::ENV_WHOLE));
        g.solve();
        assert!(g.node_bits(2).has(Taint::ENV_WHOLE));
        assert!(g.node_bits(3).is_empty());
    }

    #[test]
    fn property_reads_narrow_the_whole_environment() {
        let mut g = Graph::with_nodes(2);
        g.assign(0, &Flow::bits(Taint::ENV_WHOLE | Taint::NET_HANDLE));
        g.assign(1, &Flow::node(0).property());
        g.assign(0, &Flow::default());
        g.solve();
        assert_eq!(g.node_bits(1), Taint::ENV_NAMED);
        assert!(
            Transform::DEEPER
                .then(Transform::LIST_DIR)
                .apply(Taint::HOME_ROOT)
                .is_empty()
        );
        assert_eq!(
            Transform::LIST_DIR.apply(Taint::HOME_ROOT),
            Taint::HOME_LISTING
        );
    }
}

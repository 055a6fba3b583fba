use std::collections::VecDeque;

use crate::Package;

/// The resolved dependency graph of one lockfile, over the indices of its packages.
///
/// Parsers whose format records the graph build one and call [`DependencyGraph::apply`],
/// which fills in `direct` and `path` (the shortest chain from a direct dependency), and,
/// where the format does not say, whether a package is only reachable as dev or optional.
/// The longest dependency path recorded in full.
const MAX_PATH: usize = 48;

/// The root at the top of `node`'s parent chain, memoised with path compression so that all
/// calls together stay linear.
fn root_of(node: usize, parent: &[Option<usize>], top: &mut [Option<usize>]) -> usize {
    let mut walked = Vec::new();
    let mut at = node;
    let root = loop {
        if let Some(t) = top[at] {
            break t;
        }
        match parent[at] {
            Some(p) if walked.len() <= parent.len() => {
                walked.push(at);
                at = p;
            }
            _ => break at,
        }
    };
    for w in walked {
        top[w] = Some(root);
    }
    root
}

#[derive(Debug, Default)]
pub struct DependencyGraph {
    edges: Vec<Vec<usize>>,
    roots: Vec<Root>,
}

#[derive(Debug, Clone, Copy)]
struct Root {
    node: usize,
    dev: bool,
    optional: bool,
}

impl DependencyGraph {
    pub fn new(nodes: usize) -> DependencyGraph {
        DependencyGraph {
            edges: vec![Vec::new(); nodes],
            roots: Vec::new(),
        }
    }

    /// The project depends on `node` directly.
    pub fn add_root(&mut self, node: usize, dev: bool, optional: bool) {
        self.roots.push(Root {
            node,
            dev,
            optional,
        });
    }

    /// Package `from` depends on package `to`.
    pub fn add_edge(&mut self, from: usize, to: usize) {
        if from < self.edges.len() && to < self.edges.len() && !self.edges[from].contains(&to) {
            self.edges[from].push(to);
        }
    }

    /// Sets `direct` and `path` on every package reachable from a root. With
    /// `derive_flags`, also sets `dev` and `optional`: dev when only dev roots reach the
    /// package, optional when no production root does but an optional one does.
    /// Production roots are searched first, so a path prefers production dependencies.
    pub fn apply(&self, packages: &mut [Package], derive_flags: bool) {
        let n = packages.len().min(self.edges.len());
        let prod: Vec<usize> = self
            .roots
            .iter()
            .filter(|r| !r.dev && !r.optional)
            .map(|r| r.node)
            .collect();
        let optional: Vec<usize> = self
            .roots
            .iter()
            .filter(|r| !r.dev && r.optional)
            .map(|r| r.node)
            .collect();
        let dev: Vec<usize> = self
            .roots
            .iter()
            .filter(|r| r.dev)
            .map(|r| r.node)
            .collect();

        let mut parent: Vec<Option<usize>> = vec![None; n];
        let mut seen = vec![false; n];
        let reach_prod = self.bfs(&prod, &mut seen, &mut parent);
        let reach_optional = self.bfs(&optional, &mut seen, &mut parent);
        let reach_dev = self.bfs(&dev, &mut seen, &mut parent);

        for root in &self.roots {
            if root.node < n {
                packages[root.node].direct = true;
            }
        }
        let ids: Vec<String> = packages[..n].iter().map(Package::id).collect();
        let mut top: Vec<Option<usize>> = vec![None; n];
        for i in 0..n {
            if !seen[i] {
                continue;
            }
            // Walk up at most MAX_PATH links; a longer chain (only hostile or absurd lockfiles
            // have one) keeps its direct dependency, an ellipsis, and the nearest links, so
            // building every path stays linear in the number of packages.
            let mut chain = vec![i];
            let mut at = i;
            while let Some(p) = parent[at] {
                if chain.len() >= MAX_PATH {
                    break;
                }
                chain.push(p);
                at = p;
            }
            let mut path: Vec<String> = Vec::with_capacity(chain.len() + 2);
            if parent[at].is_some() {
                let root = root_of(at, &parent, &mut top);
                path.push(ids[root].clone());
                path.push("…".to_string());
            }
            path.extend(chain.iter().rev().map(|&j| ids[j].clone()));
            packages[i].path = path;
            if derive_flags {
                packages[i].dev = !reach_prod[i] && !reach_optional[i] && reach_dev[i];
                packages[i].optional = !reach_prod[i] && reach_optional[i];
            }
        }
    }

    /// Breadth-first from `starts`; records the first parent of every newly seen node and
    /// returns which nodes this search reached (including ones seen by an earlier search).
    fn bfs(&self, starts: &[usize], seen: &mut [bool], parent: &mut [Option<usize>]) -> Vec<bool> {
        let n = seen.len();
        let mut reached = vec![false; n];
        let mut queue = VecDeque::new();
        for &s in starts {
            if s < n && !reached[s] {
                reached[s] = true;
                if !seen[s] {
                    seen[s] = true;
                    parent[s] = None;
                }
                queue.push_back(s);
            }
        }
        while let Some(at) = queue.pop_front() {
            for &next in &self.edges[at] {
                if next < n && !reached[next] {
                    reached[next] = true;
                    if !seen[next] {
                        seen[next] = true;
                        parent[next] = Some(at);
                    }
                    queue.push_back(next);
                }
            }
        }
        reached
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringfence_package::Ecosystem;

    fn pkgs(names: &[&str]) -> Vec<Package> {
        names
            .iter()
            .map(|n| Package::new(Ecosystem::Npm, n, "1.0.0"))
            .collect()
    }

    #[test]
    fn paths_follow_the_shortest_production_chain() {
        // app -> a -> b -> c, and devtool -> c
        let mut p = pkgs(&["a", "b", "c", "devtool"]);
        let mut g = DependencyGraph::new(4);
        g.add_root(0, false, false);
        g.add_root(3, true, false);
        g.add_edge(0, 1);
        g.add_edge(1, 2);
        g.add_edge(3, 2);
        g.add_edge(2, 0); // a cycle must not loop
        g.apply(&mut p, true);
        assert_eq!(p[2].path, vec!["a@1.0.0", "b@1.0.0", "c@1.0.0"]);
        assert!(p[0].direct && !p[1].direct);
        assert!(!p[2].dev, "c is reachable from production");
        assert!(p[3].dev && p[3].direct);
    }

    #[test]
    fn a_very_long_chain_is_abbreviated_and_stays_fast() {
        let n = 20_000;
        let names: Vec<String> = (0..n).map(|i| format!("p{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut p = pkgs(&refs);
        let mut g = DependencyGraph::new(n);
        g.add_root(0, false, false);
        for i in 1..n {
            g.add_edge(i - 1, i);
        }
        let started = std::time::Instant::now();
        g.apply(&mut p, true);
        assert!(
            started.elapsed().as_secs() < 5,
            "took {:?}",
            started.elapsed()
        );
        let last = &p[n - 1].path;
        assert_eq!(last[0], "p0@1.0.0");
        assert_eq!(last[1], "…");
        assert_eq!(last.last().unwrap(), &format!("p{}@1.0.0", n - 1));
        assert_eq!(last.len(), MAX_PATH + 2);
        assert_eq!(p[10].path.len(), 11, "short chains are whole");
    }

    #[test]
    fn optional_only_packages_are_optional() {
        let mut p = pkgs(&["x", "y"]);
        let mut g = DependencyGraph::new(2);
        g.add_root(0, false, true);
        g.add_edge(0, 1);
        g.apply(&mut p, true);
        assert!(p[1].optional && !p[1].dev);
        assert_eq!(p[1].path, vec!["x@1.0.0", "y@1.0.0"]);
    }
}

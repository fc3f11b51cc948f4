//! Address regions: the address space cut by every CIDR the evaluator knows. CIDRs are
//! nested or disjoint, so they form a tree; each node's region is its block minus its
//! children's, and an `ipBlock` (cidr, except) covers whole regions only.

use std::collections::HashMap;

use crate::k8s::names::Cidr;

use super::policy::parse_cidr;

#[derive(Debug, Clone)]
struct Node {
    cidr: Cidr,
    children: Vec<usize>,
}

/// The region tree. Index 0 is `0.0.0.0/0`; `::/0` follows when an IPv6 block is known.
#[derive(Debug, Clone)]
pub struct Regions {
    nodes: Vec<Node>,
    by_cidr: HashMap<Cidr, usize>,
}

fn key(c: &Cidr) -> (bool, u8) {
    (c.addr.is_ipv6(), c.prefix)
}

impl Regions {
    /// The tree of `cidrs` (repeats ignored) under the two roots.
    pub fn new(mut cidrs: Vec<Cidr>) -> Regions {
        let v4 = parse_cidr("0.0.0.0/0").expect("valid");
        let v6 = parse_cidr("::/0").expect("valid");
        let has_v6 = cidrs.iter().any(|c| c.addr.is_ipv6());
        cidrs.sort_by_key(key);
        let mut r = Regions {
            nodes: Vec::new(),
            by_cidr: HashMap::new(),
        };
        r.push(v4);
        if has_v6 {
            r.push(v6);
        }
        for c in cidrs {
            if r.by_cidr.contains_key(&c) {
                continue;
            }
            let root = usize::from(c.addr.is_ipv6());
            let mut at = root;
            while let Some(&next) = r.nodes[at]
                .children
                .iter()
                .find(|&&ch| r.nodes[ch].cidr.contains(&c))
            {
                at = next;
            }
            let id = r.push(c);
            r.nodes[at].children.push(id);
        }
        r
    }

    fn push(&mut self, cidr: Cidr) -> usize {
        self.nodes.push(Node {
            cidr,
            children: Vec::new(),
        });
        self.by_cidr.insert(cidr, self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The block a region is cut from (the region is this block minus its children's).
    pub fn cidr(&self, region: usize) -> Option<&Cidr> {
        self.nodes.get(region).map(|n| &n.cidr)
    }

    /// The regions inside `cidr` and outside every `except` (all of them must be known).
    pub fn covered(&self, cidr: &Cidr, except: &[Cidr]) -> Vec<usize> {
        let mut out = Vec::new();
        let Some(&start) = self.by_cidr.get(cidr) else {
            return out;
        };
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            if except.iter().any(|e| e.contains(&self.nodes[n].cidr)) {
                continue;
            }
            out.push(n);
            stack.extend(self.nodes[n].children.iter().copied());
        }
        out.sort_unstable();
        out
    }

    /// A region as people read it: `10.20.0.0/16 except 10.20.9.0/24`, or for a root with
    /// known blocks inside, `other IPv4 addresses`.
    pub fn show(&self, region: usize) -> String {
        let Some(node) = self.nodes.get(region) else {
            return "?".into();
        };
        let family = if node.cidr.addr.is_ipv4() {
            "IPv4"
        } else {
            "IPv6"
        };
        let cidr = format!("{}/{}", node.cidr.addr, node.cidr.prefix);
        match (node.cidr.prefix, node.children.is_empty()) {
            (_, true) => cidr,
            (0, false) => format!("other {family} addresses"),
            _ => {
                let mut inner: Vec<&Cidr> =
                    node.children.iter().map(|c| &self.nodes[*c].cidr).collect();
                inner.sort_by_key(|c| (c.addr, c.prefix));
                let inner: Vec<String> = inner
                    .iter()
                    .map(|c| format!("{}/{}", c.addr, c.prefix))
                    .collect();
                format!("{cidr} except {}", inner.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Cidr {
        parse_cidr(s).unwrap()
    }

    #[test]
    fn blocks_nest_and_except_cuts_whole_regions() {
        let r = Regions::new(vec![
            c("10.20.9.0/24"),
            c("10.20.0.0/16"),
            c("10.20.9.0/24"),
        ]);
        assert_eq!(r.len(), 3);
        let all = r.covered(&c("10.20.0.0/16"), &[]);
        let names: Vec<String> = all.iter().map(|i| r.show(*i)).collect();
        assert_eq!(names, ["10.20.0.0/16 except 10.20.9.0/24", "10.20.9.0/24"]);
        let cut = r.covered(&c("10.20.0.0/16"), &[c("10.20.9.0/24")]);
        assert_eq!(cut.len(), 1);
        assert_eq!(r.show(cut[0]), "10.20.0.0/16 except 10.20.9.0/24");
        let world = r.covered(&c("0.0.0.0/0"), &[]);
        assert_eq!(world.len(), 3);
        assert_eq!(r.show(0), "other IPv4 addresses");
    }
}

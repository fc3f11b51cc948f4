//! Pictures of connections: one graph (namespaces as groups, outside endpoints as loose
//! nodes, ports on the edges) drawn as a Mermaid flowchart or a Graphviz DOT digraph.
//! The declared flows of a spec (`kubeward diagram`, the bundle README) and the allowed
//! matrix of any manifests (`kubeward flows`) are both drawn through it.

use std::fmt::Write;

/// How a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A pod or app.
    Box,
    /// A source outside the input, such as the ingress controller.
    Stadium,
    /// An address, the API server or "anything".
    Cylinder,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub shape: Shape,
}

/// A namespace: its id, label and nodes (indices into [`Graph::nodes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub label: String,
    pub nodes: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub label: String,
}

/// Nodes, the groups some of them belong to, and labelled edges, in drawing order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub groups: Vec<Group>,
    pub edges: Vec<Edge>,
}

impl Graph {
    /// Add a node; returns its index.
    pub fn node(&mut self, id: String, label: String, shape: Shape) -> usize {
        self.nodes.push(Node { id, label, shape });
        self.nodes.len() - 1
    }

    pub fn edge(&mut self, from: usize, to: usize, label: String) {
        self.edges.push(Edge { from, to, label });
    }

    fn grouped(&self) -> Vec<bool> {
        let mut g = vec![false; self.nodes.len()];
        for n in self.groups.iter().flat_map(|g| &g.nodes) {
            g[*n] = true;
        }
        g
    }

    /// A Mermaid flowchart; nodes outside every group are declared before the first edge
    /// that uses them.
    pub fn mermaid(&self) -> String {
        let mut out = String::from("flowchart LR\n");
        for g in &self.groups {
            let _ = writeln!(out, "  subgraph {}[\"{}\"]", g.id, mermaid_text(&g.label));
            for n in &g.nodes {
                let _ = writeln!(out, "    {}", mermaid_node(&self.nodes[*n]));
            }
            let _ = writeln!(out, "  end");
        }
        let mut declared = self.grouped();
        for e in &self.edges {
            for n in [e.from, e.to] {
                if !declared[n] {
                    declared[n] = true;
                    let _ = writeln!(out, "  {}", mermaid_node(&self.nodes[n]));
                }
            }
            let _ = writeln!(
                out,
                "  {} -->|\"{}\"| {}",
                self.nodes[e.from].id,
                mermaid_text(&e.label),
                self.nodes[e.to].id
            );
        }
        for (n, _) in declared.iter().enumerate().filter(|(_, d)| !**d) {
            let _ = writeln!(out, "  {}", mermaid_node(&self.nodes[n]));
        }
        out
    }

    /// A Graphviz digraph; groups become clusters.
    pub fn dot(&self) -> String {
        let mut out = String::from("digraph flows {\n  rankdir=LR;\n  node [shape=box];\n");
        for g in &self.groups {
            let _ = writeln!(out, "  subgraph cluster_{} {{", g.id);
            let _ = writeln!(out, "    label={};", dot_text(&g.label));
            for n in &g.nodes {
                let _ = writeln!(out, "    {}", dot_node(&self.nodes[*n]));
            }
            let _ = writeln!(out, "  }}");
        }
        let grouped = self.grouped();
        for (n, node) in self.nodes.iter().enumerate().filter(|(n, _)| !grouped[*n]) {
            let _ = n;
            let _ = writeln!(out, "  {}", dot_node(node));
        }
        for e in &self.edges {
            let _ = writeln!(
                out,
                "  {} -> {} [label={}];",
                self.nodes[e.from].id,
                self.nodes[e.to].id,
                dot_text(&e.label)
            );
        }
        out.push_str("}\n");
        out
    }
}

/// Text safe inside a quoted Mermaid label.
fn mermaid_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => "#quot;".to_string(),
            c if c.is_control() => " ".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn mermaid_node(n: &Node) -> String {
    let text = mermaid_text(&n.label);
    match n.shape {
        Shape::Box => format!("{}[\"{text}\"]", n.id),
        Shape::Stadium => format!("{}([\"{text}\"])", n.id),
        Shape::Cylinder => format!("{}[(\"{text}\")]", n.id),
    }
}

/// A quoted DOT string.
fn dot_text(s: &str) -> String {
    let inner: String = s
        .chars()
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            c if c.is_control() => vec![' '],
            c => vec![c],
        })
        .collect();
    format!("\"{inner}\"")
}

fn dot_node(n: &Node) -> String {
    let shape = match n.shape {
        Shape::Box => "box",
        Shape::Stadium => "oval",
        Shape::Cylinder => "cylinder",
    };
    format!("{} [label={}, shape={shape}];", n.id, dot_text(&n.label))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Graph {
        let mut g = Graph::default();
        let a = g.node("a0".into(), "web".into(), Shape::Box);
        let x = g.node("x0".into(), "ingress: \"edge\"".into(), Shape::Stadium);
        g.groups.push(Group {
            id: "n0".into(),
            label: "namespace shop".into(),
            nodes: vec![a],
        });
        g.edge(x, a, "TCP 8080".into());
        g
    }

    #[test]
    fn mermaid_declares_loose_nodes_at_their_first_edge() {
        assert_eq!(
            sample().mermaid(),
            "flowchart LR\n  subgraph n0[\"namespace shop\"]\n    a0[\"web\"]\n  end\n  x0([\"ingress: #quot;edge#quot;\"])\n  x0 -->|\"TCP 8080\"| a0\n"
        );
    }

    #[test]
    fn dot_quotes_labels_and_clusters_groups() {
        let dot = sample().dot();
        assert!(dot.contains("subgraph cluster_n0 {\n    label=\"namespace shop\";\n    a0 [label=\"web\", shape=box];\n  }"), "{dot}");
        assert!(
            dot.contains("x0 [label=\"ingress: \\\"edge\\\"\", shape=oval];"),
            "{dot}"
        );
        assert!(dot.contains("x0 -> a0 [label=\"TCP 8080\"];"), "{dot}");
    }
}

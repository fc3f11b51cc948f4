//! The architecture holds: layers import downward only (no cycle between the top-level
//! modules of `src/`, none of the forbidden edges), and every template has a typed view.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Edges that must never exist: `checker` code reading anyone's YAML must not depend on
/// the spec; the spec layer is below resolve and plan; the vocabulary is below everything.
const FORBIDDEN: &[(&str, &str)] = &[
    ("validate", "spec"),
    ("validate", "resolve"),
    ("validate", "plan"),
    ("spec", "plan"),
    ("spec", "validate"),
    ("spec", "resolve"),
    ("resolve", "plan"),
    ("resolve", "validate"),
    ("input", "spec"),
    ("report", "spec"),
];

/// Top-level modules that `k8s` (the vocabulary at the bottom) may not import: all.
const BOTTOM: &str = "k8s";

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`None` for the crate roots).
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next()?.as_os_str().to_string_lossy();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// Every top-level module named by a path in `text`: `crate::x`, `$crate::x`,
/// `kubeward::x` (from the binary), and each name in `crate::{x, y::z, ...}` groups.
fn imported(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    for root in ["crate::", "kubeward::"] {
        for (i, _) in code.match_indices(root) {
            let before = code[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &code[i + root.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                out.extend(group_heads(group));
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.insert(name);
            }
        }
    }
    out
}

/// The first segment of each item of a `{...}` import group (nested groups skipped).
fn group_heads(group: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let (mut depth, mut item) = (0, String::new());
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        if depth == 0 || c == '{' {
            item.push(c);
        }
    }
    heads.push(item);
    heads
        .iter()
        .map(|i| i.trim().split("::").next().unwrap_or("").to_string())
        .filter(|h| !h.is_empty())
        .collect()
}

/// The import graph between top-level modules: `(from, to)` → files.
fn graph(src: &Path) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let tops: BTreeSet<String> = files.iter().filter_map(|f| top_module(src, f)).collect();
    let mut edges: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let Some(top) = top_module(src, file) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for to in imported(&text) {
            if to != top && tops.contains(&to) {
                let rel = file.strip_prefix(src).unwrap().display().to_string();
                edges.entry((top.clone(), to)).or_default().insert(rel);
            }
        }
    }
    edges
}

/// Modules on a cycle, if any (depth-first search for a back edge).
fn find_cycle(edges: &BTreeMap<(String, String), BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        next: &BTreeMap<&str, Vec<&str>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|p| p == node) {
            return Some(path[start..].to_vec());
        }
        if !done.insert(node.to_string()) {
            return None;
        }
        path.push(node.to_string());
        for n in next.get(node).into_iter().flatten() {
            if let Some(c) = visit(n, next, path, done) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        next.entry(a.as_str()).or_default().push(b.as_str());
    }
    let mut done = BTreeSet::new();
    next.keys()
        .find_map(|start| visit(start, &next, &mut Vec::new(), &mut done))
}

#[test]
fn the_import_graph_has_no_cycle_and_no_forbidden_edge() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = graph(&src);
    assert!(
        edges.contains_key(&("plan".into(), "resolve".into())),
        "the parser found no edges: {edges:?}"
    );
    if let Some(cycle) = find_cycle(&edges) {
        panic!("module cycle: {}", cycle.join(" -> "));
    }
    for (a, b) in FORBIDDEN {
        if let Some(files) = edges.get(&(a.to_string(), b.to_string())) {
            panic!("forbidden edge {a} -> {b} in {files:?}");
        }
    }
    for ((a, b), files) in &edges {
        assert!(a != BOTTOM, "`{BOTTOM}` imports `{b}` in {files:?}");
    }
}

#[test]
fn the_import_parser_sees_groups_and_the_binary() {
    let text = "use crate::{diag::Diagnostic, k8s::{names, Protocol}};\nuse kubeward::resolve::Model;\n// crate::commented\nlet x = $crate::validate::Y;\nnot_crate::z;";
    let names: Vec<String> = imported(text).into_iter().collect();
    assert_eq!(names, ["diag", "k8s", "resolve", "validate"]);
}

#[test]
fn every_view_names_an_embedded_template_that_emits_its_kind() {
    let embedded = kubeward::render::embedded().unwrap();
    let views = kubeward::plan::templates();
    for (id, kind) in &views {
        let t = embedded
            .get(*id)
            .unwrap_or_else(|| panic!("view template `{id}` is not embedded"));
        assert_eq!(
            t.emits,
            vec![(kind.api_version.to_string(), kind.kind.to_string())],
            "{id}"
        );
    }
    let files = kubeward::plan::file_templates();
    for (id, format) in &files {
        let t = embedded
            .get(*id)
            .unwrap_or_else(|| panic!("file view template `{id}` is not embedded"));
        assert_eq!(t.file.as_deref(), Some(*format), "{id}");
        assert!(t.emits.is_empty(), "{id}");
    }
    for (id, kind) in &views {
        assert!(
            embedded[*id].file.is_none(),
            "{id} emits {kind}, not a file"
        );
    }
    for id in embedded.keys().filter(|id| !id.starts_with("partials/")) {
        assert!(
            views.iter().any(|(v, _)| v == id) || files.iter().any(|(v, _)| v == id),
            "template `{id}` has no view type"
        );
    }
}

#[test]
fn the_module_map_names_every_top_level_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = std::fs::read_to_string(root.join("docs/architecture.md")).unwrap();
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let tops: BTreeSet<String> = files
        .iter()
        .filter_map(|f| top_module(&root.join("src"), f))
        .collect();
    assert!(
        tops.contains("validate") && tops.contains("cli"),
        "{tops:?}"
    );
    for top in &tops {
        assert!(
            map.contains(&format!("| `{top}`")),
            "docs/architecture.md has no row for the top-level module `{top}`"
        );
    }
}

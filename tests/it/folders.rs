//! No circle inside a folder: the files and subfolders of every folder of `src/` import
//! each other downward only. A folder's face (`mod.rs`, or `name.rs` beside `name/`) is
//! not a node; a path through a re-export in the face counts as a path to where the item
//! is defined.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// One source file: its module path and its code without comments and string literals.
struct File {
    module: Module,
    code: String,
}

pub(crate) fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `a/b.rs` → `[a, b]`, `a/mod.rs` and `a.rs` → `[a]`, `lib.rs` → `[]`.
fn module_of(src: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Module = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file with comments, string and char literals blanked out, so that a
/// message naming `crate::x` is not an import.
pub(crate) fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let (mut out, mut i) = (String::with_capacity(text.len()), 0);
    while i < b.len() {
        if b[i] == '/' && b.get(i + 1).copied() == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if b[i] == '/' && b.get(i + 1).copied() == Some('*') {
            i += 2;
            while i < b.len() && !(b[i] == '*' && b.get(i + 1).copied() == Some('/')) {
                i += 1;
            }
            i += 2;
        } else if b[i] == 'r'
            && matches!(b.get(i + 1).copied(), Some('"' | '#'))
            && !ident_before(&b, i)
        {
            let hashes = b[i + 1..].iter().take_while(|c| **c == '#').count();
            if b.get(i + 1 + hashes) != Some(&'"') {
                out.push(b[i]);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            let close: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            while i < b.len() && !b[i..].iter().take(close.len()).copied().eq(close.chars()) {
                i += 1;
            }
            i += close.len();
            out.push_str("\"\"");
        } else if b[i] == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                i += if b[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if b[i] == '\''
            && (b.get(i + 2).copied() == Some('\'') || b.get(i + 1).copied() == Some('\\'))
        {
            i += 1;
            while i < b.len() && b[i] != '\'' {
                i += if b[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn ident_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path that starts at `crate`, `super` or `self` in `code`, with `{...}` groups
/// expanded and `as` renames dropped: `super::{a::X, b}` → `[super, a, X]`, `[super, b]`.
fn paths(code: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = ["crate::", "super::", "self::"]
            .iter()
            .find(|s| chars[i..].iter().take(s.len()).copied().eq(s.chars()));
        let after_sep = i >= 2 && chars[i - 1] == ':' && chars[i - 2] == ':';
        if starts.is_none() || (i > 0 && is_ident(chars[i - 1])) || after_sep {
            i += 1;
            continue;
        }
        let (found, end) = path_at(&chars, i);
        out.extend(found);
        i = end.max(i + 1);
    }
    out
}

/// The paths of the path expression starting at `i`, and where it ends.
fn path_at(c: &[char], mut i: usize) -> (Vec<Vec<String>>, usize) {
    let mut prefix = Vec::new();
    loop {
        while c.get(i).is_some_and(|c| c.is_whitespace()) {
            i += 1;
        }
        if c.get(i) == Some(&'{') {
            let mut all = Vec::new();
            i += 1;
            loop {
                while c.get(i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                    i += 1;
                }
                if c.get(i).is_none_or(|c| *c == '}') {
                    return (all, i + 1);
                }
                let (inner, end) = path_at(c, i);
                all.extend(inner.into_iter().map(|p| [prefix.clone(), p].concat()));
                i = end;
            }
        }
        let start = i;
        while c.get(i).is_some_and(|c| is_ident(*c) || *c == '*') {
            i += 1;
        }
        let seg: String = c[start..i].iter().collect();
        if seg.is_empty() {
            return (vec![prefix], i);
        }
        prefix.push(seg);
        if c.get(i) == Some(&':') && c.get(i + 1) == Some(&':') {
            i += 2;
        } else {
            return (vec![prefix], skip_rename(c, i));
        }
    }
}

/// Past an ` as name` after a path.
fn skip_rename(c: &[char], i: usize) -> usize {
    let mut j = i;
    while c.get(j).is_some_and(|c| c.is_whitespace()) {
        j += 1;
    }
    if c.get(j) == Some(&'a')
        && c.get(j + 1) == Some(&'s')
        && c.get(j + 2).is_some_and(|c| c.is_whitespace())
    {
        j += 3;
        while c.get(j).is_some_and(|c| c.is_whitespace() || is_ident(*c)) {
            j += 1;
        }
        return j;
    }
    i
}

/// A path relative to `module` made absolute: `crate`, `super` and `self` resolved.
fn absolute(module: &Module, path: &[String]) -> Option<Module> {
    let mut out = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "self" | "super" => module.clone(),
        _ => return None,
    };
    let mut rest = &path[1..];
    if path[0] == "super" {
        out.pop()?;
    }
    while rest.first().is_some_and(|s| s == "super") {
        out.pop()?;
        rest = &rest[1..];
    }
    out.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(out)
}

/// Imports: `(module, name)` → the absolute path it stands for, from every `use` of every
/// file (a child sees its ancestors' private imports too, so all count).
fn reexports(files: &[File]) -> BTreeMap<(Module, String), Module> {
    let mut map = BTreeMap::new();
    for f in files {
        for (at, _) in f.code.match_indices("use ") {
            if at > 0 && is_ident(f.code[..at].chars().last().unwrap_or(' ')) {
                continue;
            }
            let used = &f.code[at + 4..];
            let stmt: String = used.split(';').next().unwrap_or("").to_string();
            let chars: Vec<char> = stmt.trim().chars().collect();
            let (found, _) = path_at(&chars, 0);
            for p in found {
                let name = p.last().cloned().unwrap_or_default();
                let target = absolute(&f.module, &p).or_else(|| {
                    // `pub use child::Name` in a face: relative to the module itself.
                    Some([f.module.clone(), p.clone()].concat())
                });
                if let Some(t) = target.filter(|_| name != "*") {
                    map.insert((f.module.clone(), name), t);
                }
            }
        }
    }
    map
}

/// Follows re-exports until the path names where its item is defined.
fn through_reexports(mut path: Module, map: &BTreeMap<(Module, String), Module>) -> Module {
    for _ in 0..16 {
        let hit = (1..=path.len()).find_map(|n| {
            let key = (path[..n - 1].to_vec(), path[n - 1].clone());
            map.get(&key).filter(|t| **t != path[..n]).map(|t| (n, t))
        });
        match hit {
            Some((n, t)) => path = [t.clone(), path[n..].to_vec()].concat(),
            None => break,
        }
    }
    path
}

/// Edges between siblings: folder → (from child, to child) → files that make it.
type Edges = BTreeMap<Module, BTreeMap<(String, String), BTreeSet<String>>>;

fn sibling_edges(src: &Path) -> Edges {
    let mut names = Vec::new();
    rust_files(src, &mut names);
    let files: Vec<File> = names
        .iter()
        .filter(|p| !p.ends_with("main.rs") || p.parent() != Some(src))
        .map(|p| File {
            module: module_of(src, p),
            code: code_only(&std::fs::read_to_string(p).unwrap()),
        })
        .collect();
    let modules: BTreeSet<Module> = files.iter().map(|f| f.module.clone()).collect();
    let map = reexports(&files);
    let mut edges = Edges::new();
    for f in &files {
        for p in paths(&f.code) {
            let Some(abs) = absolute(&f.module, &p) else {
                continue;
            };
            let to = through_reexports(abs, &map);
            let common = f.module.iter().zip(&to).take_while(|(a, b)| a == b).count();
            if common >= f.module.len() || common >= to.len() {
                continue;
            }
            let folder = f.module[..common].to_vec();
            let (a, b) = (&f.module[common], &to[common]);
            if modules.contains(&[folder.clone(), vec![b.clone()]].concat()) {
                let file = f.module.join("/");
                let pair = (a.clone(), b.clone());
                edges
                    .entry(folder)
                    .or_default()
                    .entry(pair)
                    .or_default()
                    .insert(file);
            }
        }
    }
    edges
}

/// The circles of one folder's graph (strongly connected parts of more than one node).
fn circles(edges: &BTreeMap<(String, String), BTreeSet<String>>) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = edges.keys().flat_map(|(a, b)| [a, b]).collect();
    let reach = |from: &String| {
        let mut seen = BTreeSet::from([from.clone()]);
        let mut todo = vec![from.clone()];
        while let Some(n) = todo.pop() {
            for (_, b) in edges.keys().filter(|(a, _)| *a == n) {
                if seen.insert(b.clone()) {
                    todo.push(b.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for n in &nodes {
        let part: Vec<String> = nodes
            .iter()
            .filter(|m| reaches[*n].contains(**m) && reaches[**m].contains(*n))
            .map(|m| m.to_string())
            .collect();
        if part.len() > 1 && !out.contains(&part) {
            out.push(part);
        }
    }
    out
}

#[test]
fn no_circle_inside_any_folder() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = sibling_edges(&src);
    let mut found = Vec::new();
    for (folder, graph) in &edges {
        for circle in circles(graph) {
            let via: Vec<String> = graph
                .iter()
                .filter(|((a, b), _)| circle.contains(a) && circle.contains(b))
                .map(|((a, b), files)| format!("{a} -> {b} ({})", files.iter().next().unwrap()))
                .collect();
            found.push(format!("src/{}: {}", folder.join("/"), via.join(", ")));
        }
    }
    assert!(
        edges
            .get(&vec!["validate".to_string()])
            .is_some_and(|g| !g.is_empty()),
        "the parser found no edges inside src/validate: {edges:?}"
    );
    assert!(
        found.is_empty(),
        "circles inside folders:\n{}",
        found.join("\n")
    );
}

#[test]
fn paths_are_resolved_through_groups_supers_and_reexports() {
    let code = code_only(
        "use super::{a::X, b as c, d::{e, f::G}};\n// crate::commented\nlet s = \"crate::quoted\";\nlet y = super::super::h::I;\nx::crate::not;",
    );
    let found: Vec<String> = paths(&code).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        found,
        [
            "super::a::X",
            "super::b",
            "super::d::e",
            "super::d::f::G",
            "super::super::h::I"
        ]
    );
    let m: Module = vec!["v".into(), "n".into(), "lint".into()];
    let abs = absolute(&m, &["super".into(), "super".into(), "r".into()]).unwrap();
    assert_eq!(abs, ["v", "r"]);
    let faces = vec![File {
        module: vec!["v".into()],
        code: code_only(
            "pub use report::Finding;\npub(crate) use self::kinds::{Kind, Scope as S};",
        ),
    }];
    let map = reexports(&faces);
    let via = through_reexports(vec!["v".into(), "Finding".into()], &map);
    assert_eq!(via, ["v", "report", "Finding"]);
    assert_eq!(
        through_reexports(vec!["v".into(), "Kind".into()], &map),
        ["v", "kinds", "Kind"]
    );
}
